"""Writes in matching: proposing from a ranking, the batch run and its review, pair exclusions
and the program's weights. Each checks who may act, runs in one transaction and is audited."""

from __future__ import annotations

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.accounts.models import Program
from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.matches.models import Match, MatchSource
from accueil.matches.services import match_propose
from accueil.newcomers.models import Household
from accueil.volunteers.models import WelcomeGroup

from . import engine, selectors
from .features import build_instance, settings_for
from .models import BatchProposal, BatchRun, MatchingSettings, PairExclusion, ProposalDecision

audit.register(
    {
        "matching.batch_run": gettext_lazy("{actor} ran the batch optimiser: {target}"),
        "matching.proposal_accepted": gettext_lazy(
            "{actor} accepted a batch proposal for {target}"
        ),
        "matching.proposal_rejected": gettext_lazy(
            "{actor} rejected a batch proposal for {target}"
        ),
        "matching.pair_excluded": gettext_lazy("{actor} ruled out a group for {target}"),
        "matching.override": gettext_lazy(
            "{actor} proposed a group other than the top-ranked one for {target}"
        ),
        "matching.settings_changed": gettext_lazy("{actor} changed the weights of {target}"),
    }
)


def _staff_household(by, household: Household) -> None:
    if by is None or not by.has_perm("matching.propose"):
        raise PermissionDenied
    if not Household.objects.visible_to(by).filter(pk=household.pk).exists():
        raise PermissionDenied


def programs_for(user):
    """Programs whose waiting list ``user`` may match."""
    if user.role in ("admin", "program_manager"):
        return Program.objects.all()
    return user.programs.all()


def match_propose_from_ranking(
    *, household: Household, group: WelcomeGroup, by, override_reason: str = ""
) -> Match:
    """Propose ``group`` for ``household`` from the ranked list. An excluded pair is refused
    with its reasons; any group other than the top-ranked one needs a reason, which the match
    and the audit trail keep."""
    _staff_household(by, household)
    candidate = selectors.pair(household, group.pk)
    if candidate is None:
        raise ValidationError(_("This group is not an active group of the household's program."))
    if not candidate.feasible:
        raise ValidationError(
            [r["text"] for r in candidate.reasons if r["excluded"]]
            or [_("This group cannot be proposed.")]
        )
    override_reason = override_reason.strip()
    if candidate.rank != 1 and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "This is not the top-ranked group. Say why you propose it instead."
                )
            }
        )
    with transaction.atomic():
        match = match_propose(
            household=household,
            group=group,
            by=by,
            score=candidate.score,
            explanation=selectors.as_data(candidate.contributions),
            source=MatchSource.RANKING,
            override_reason=override_reason if candidate.rank != 1 else "",
        )
        if candidate.rank != 1:
            audit.record(
                "matching.override",
                actor=by,
                target=household,
                data={"group": group.pk, "rank": candidate.rank, "match": match.pk},
            )
    return match


def batch_run(*, program: Program, by) -> BatchRun:
    """Solve the whole waiting list of ``program`` and store the proposals for review."""
    if by is None or not by.has_perm("matching.run_batch"):
        raise PermissionDenied
    if not programs_for(by).filter(pk=program.pk).exists():
        raise PermissionDenied
    started = time.perf_counter()
    households = list(selectors.waiting_households(program))
    loaded = build_instance(program, households)
    assignment = engine.solve(loaded.instance)
    seconds = time.perf_counter() - started
    with transaction.atomic():
        run = BatchRun.objects.create(
            program=program,
            created_by=by,
            method=assignment.method,
            households=len(households),
            groups=int(
                ((loaded.instance.groups.capacity > 0) & loaded.instance.groups.ready).sum()
            ),
            total_score=assignment.total,
            seconds=round(seconds, 3),
            weights=loaded.instance.weights.as_dict(),
        )
        BatchProposal.objects.bulk_create(
            BatchProposal(
                run=run,
                household=loaded.households[i],
                group_id=loaded.groups[j].id,
                score=score,
                explanation=selectors.as_data(engine.explain(loaded.instance, i, j, ranking=False)),
                wait_days=int(loaded.instance.households.wait_days[i]),
            )
            for i, j, score in assignment.pairs
        )
        audit.record(
            "matching.batch_run",
            actor=by,
            target=run,
            data={"proposals": len(assignment.pairs), "total": assignment.total},
            action=AuditEntry.Action.CREATE,
        )
    return run


def _lock_pending(proposal: BatchProposal, by) -> BatchProposal:
    fresh = (
        BatchProposal.objects.select_for_update().select_related("household").get(pk=proposal.pk)
    )
    _staff_household(by, fresh.household)
    if fresh.decision != ProposalDecision.PENDING:
        raise ValidationError(_("This proposal was already reviewed."))
    return fresh


def batch_proposal_accept(*, proposal: BatchProposal, by) -> Match:
    """The proposal becomes a match proposal. If the waiting list changed since the run (the
    household was matched, the group filled up), it is refused and marked as no longer
    possible. The mark is committed before the refusal is raised: raising inside the
    transaction would roll it back."""
    refused = None
    with transaction.atomic():
        proposal = _lock_pending(proposal, by)
        candidate = selectors.pair(proposal.household, proposal.group_id)
        if candidate is None or not candidate.feasible:
            refused = ValidationError(
                _("This proposal is no longer possible: the waiting list changed.")
            )
        else:
            try:
                with transaction.atomic():
                    match = match_propose(
                        household=proposal.household,
                        group=proposal.group,
                        by=by,
                        score=candidate.score,
                        explanation=selectors.as_data(candidate.contributions),
                        source=MatchSource.BATCH,
                    )
            except ValidationError as exc:
                refused = exc
        proposal.decided_by, proposal.decided_at = by, timezone.now()
        if refused is not None:
            proposal.decision = ProposalDecision.STALE
            proposal.save()
        else:
            proposal.decision = ProposalDecision.ACCEPTED
            proposal.match = match
            proposal.save()
            audit.record(
                "matching.proposal_accepted",
                actor=by,
                target=proposal.household,
                data={"run": proposal.run_id, "group": proposal.group_id, "match": match.pk},
            )
    if refused is not None:
        raise refused
    return match


@transaction.atomic
def batch_proposal_reject(*, proposal: BatchProposal, by, reason: str) -> BatchProposal:
    """Staff overrule the optimiser for this pair; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you reject this proposal.")})
    proposal = _lock_pending(proposal, by)
    proposal.decision = ProposalDecision.REJECTED
    proposal.reason = reason
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save()
    audit.record(
        "matching.proposal_rejected",
        actor=by,
        target=proposal.household,
        data={"run": proposal.run_id, "group": proposal.group_id},
    )
    return proposal


@transaction.atomic
def pair_exclusion_add(*, household: Household, group: WelcomeGroup, by, reason: str):
    """Never propose this group to this household again (a conflict of interest)."""
    _staff_household(by, household)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this group must not be proposed.")})
    if group.program_id != household.program_id:
        raise ValidationError(_("The group belongs to another program."))
    exclusion, created = PairExclusion.objects.get_or_create(
        household=household, group=group, defaults={"reason": reason, "created_by": by}
    )
    if not created:
        raise ValidationError(_("This group is already ruled out for this household."))
    audit.record("matching.pair_excluded", actor=by, target=household, data={"group": group.pk})
    return exclusion


@transaction.atomic
def matching_settings_update(*, program: Program, by, data: dict) -> MatchingSettings:
    if by is None or not by.has_perm("matching.change_settings"):
        raise PermissionDenied
    current = MatchingSettings.objects.select_for_update().get(pk=settings_for(program).pk)
    changed = {}
    for name in [*MatchingSettings.WEIGHT_FIELDS, "caseload_limit", "top_n"]:
        if name in data and getattr(current, name) != data[name]:
            changed[name] = [getattr(current, name), data[name]]
            setattr(current, name, data[name])
    current.updated_by = by
    current.save()
    if changed:
        audit.record("matching.settings_changed", actor=by, target=current, data=changed)
    return current
