"""Staff pages of matching: the program overview, a household's ranked groups, a group's ranked
households, the batch optimiser's proposals and a program's weights.

Staff only: everyone else gets 404, the same answer as for a record that does not exist.
Households and groups are fetched through their ``visible_to`` querysets, runs and proposals
through the programs the person may match (coordinators: their own programs).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accueil.accounts.models import Program
from accueil.core import audit
from accueil.core.access import require_perm
from accueil.core.forms import add_service_errors
from accueil.matches.models import Match
from accueil.newcomers.models import Household, HouseholdStatus
from accueil.volunteers.models import WelcomeGroup

from . import engine, features, selectors, services
from .forms import ExclusionForm, ProposeForm, RejectForm, SettingsForm
from .models import BatchProposal, BatchRun, ProposalDecision

RECENT_RUNS = 5

# -- access --------------------------------------------------------------------------------


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def get_household_or_404(user, pk: int) -> Household:
    """A household of a program the person matches for (``matching.view`` is checked by the
    view's decorator first: partner referrers see their own referrals elsewhere, never here)."""
    households = Household.objects.visible_to(user).select_related(
        "program", "region", "coordinator"
    )
    return get_object_or_404(households, pk=pk)


def get_group_or_404(user, pk: int) -> WelcomeGroup:
    groups = WelcomeGroup.objects.visible_to(user).select_related("program", "region")
    return get_object_or_404(groups, pk=pk)


def get_program_or_404(user, pk) -> Program:
    return get_object_or_404(services.programs_for(user), pk=_int_or_404(pk))


def _runs_for(user):
    return BatchRun.objects.filter(program__in=services.programs_for(user))


# -- the overview --------------------------------------------------------------------------


@require_perm("matching.view")
def matching_home(request):
    today = timezone.localdate()
    programs = []
    for program in services.programs_for(request.user).order_by("name"):
        waiting = [
            {"household": h, "days": features.wait_days(h, today)}
            for h in selectors.waiting_households(program)
        ]
        groups = [
            row for row in features.program_groups(program).rows if row.ready and row.room > 0
        ]
        programs.append(
            {
                "program": program,
                "waiting": waiting,
                "groups": groups,
                "runs": list(program.matching_runs.select_related("created_by")[:RECENT_RUNS]),
            }
        )
    context = {
        "programs": programs,
        "can_change_settings": request.user.has_perm("matching.change_settings"),
    }
    return TemplateResponse(request, "matching/home.html", context)


# -- a household's ranked groups -----------------------------------------------------------


def _propose_auto_id(pk: int) -> str:
    return f"propose-{pk}-%s"


def _household_page(
    request, household: Household, *, failed_group=None, propose_form=None, exclusion_form=None
):
    """The household's ranking. After a refused POST, ``failed_group`` and its bound form take
    the place of that candidate's empty form, so the error sits beside the right group."""
    # Every view of a household record is in the audit trail, re-shown pages included.
    audit.viewed(actor=request.user, target=household)
    ranking = selectors.ranked_groups(household)
    open_match = (
        Match.objects.open()
        .filter(household=household)
        .select_related("group", "proposed_by")
        .first()
    )

    def form_for(candidate):
        if propose_form is not None and candidate.pk == failed_group:
            return propose_form
        return ProposeForm(auto_id=_propose_auto_id(candidate.pk))

    candidates = [
        {"candidate": c, "form": form_for(c), "needs_reason": c.rank != 1}
        for c in ranking.candidates
    ]
    excluded = [
        {
            "candidate": c,
            "why_not": [r for r in c.reasons if r["excluded"]],
            "form": propose_form if propose_form is not None and c.pk == failed_group else None,
        }
        for c in ranking.excluded
    ]
    listed = {c.pk for c in ranking.candidates} | {c.pk for c in ranking.excluded}
    if exclusion_form is None:
        # The groups this page lists, not every group of the program: a program can have
        # thousands, and a conflict of interest concerns a group staff are looking at. The
        # POST accepts any group of the program.
        exclusion_form = ExclusionForm(
            groups=_excludable_groups(request.user, household).filter(pk__in=listed)
        )
    context = {
        "household": household,
        "days": features.wait_days(household, timezone.localdate()),
        "waiting": household.status == HouseholdStatus.WAITING,
        "open_match": open_match,
        "can_propose": open_match is None and household.status == HouseholdStatus.WAITING,
        "candidates": candidates,
        "excluded": excluded,
        "more": ranking.more,
        "top_n": ranking.loaded.settings.top_n,
        "exclusion_form": exclusion_form,
        # The form the error summary and the "Error:" title speak about.
        "form": propose_form if propose_form is not None else exclusion_form,
        "error_anchor": f"candidate-{failed_group}" if failed_group in listed else "",
        "can_exclude": exclusion_form.is_bound or exclusion_form.fields["group"].queryset.exists(),
    }
    return TemplateResponse(request, "matching/household.html", context)


def _excludable_groups(user, household: Household):
    return (
        WelcomeGroup.objects.visible_to(user)
        .filter(program_id=household.program_id, is_active=True)
        .exclude(pair_exclusions__household=household)
        .order_by("name")
    )


@require_perm("matching.view")
def matching_household(request, pk: int):
    household = get_household_or_404(request.user, pk)
    return _household_page(request, household)


@require_perm("matching.propose")
@require_POST
def matching_propose(request, pk: int):
    """Propose the posted group for the household. From a group's page (``back=group``) the
    person goes back there; otherwise to the household's ranking, which shows the proposal."""
    household = get_household_or_404(request.user, pk)
    group = get_group_or_404(request.user, _int_or_404(request.POST.get("group")))
    from_group = request.POST.get("back") == "group"
    auto_id = _propose_auto_id(household.pk if from_group else group.pk)
    form = ProposeForm(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            services.match_propose_from_ranking(
                household=household,
                group=group,
                by=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(group)s is proposed for %(household)s.")
                % {"group": group.name, "household": household},
            )
            if from_group:
                return redirect("matching_group", pk=group.pk)
            return redirect("matching_household", pk=household.pk)
    if from_group:
        return _group_page(request, group, failed_household=household.pk, propose_form=form)
    return _household_page(request, household, failed_group=group.pk, propose_form=form)


@require_perm("matching.propose")
@require_POST
def matching_exclude(request, pk: int):
    household = get_household_or_404(request.user, pk)
    form = ExclusionForm(request.POST, groups=_excludable_groups(request.user, household))
    if form.is_valid():
        group = form.cleaned_data["group"]
        try:
            services.pair_exclusion_add(
                household=household,
                group=group,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(group)s will not be proposed for %(household)s.")
                % {"group": group.name, "household": household},
            )
            return redirect("matching_household", pk=household.pk)
    return _household_page(request, household, exclusion_form=form)


# -- a group's ranked households -----------------------------------------------------------


def _group_page(request, group: WelcomeGroup, *, failed_household=None, propose_form=None):
    ranking = selectors.ranked_households(group)
    inst = ranking.loaded.instance
    row_of = {h.pk: i for i, h in enumerate(ranking.loaded.households)}
    column = next((j for j, row in enumerate(ranking.loaded.groups) if row.id == group.pk), None)
    today = timezone.localdate()

    def is_top(candidate) -> bool:
        # Proposing a group other than the household's own best one needs a reason (the
        # service checks it): say so beside the households for which this group is not first.
        best = engine.rank_groups(inst, row_of[candidate.pk], top=1)
        return bool(best) and best[0].feasible and best[0].index == column

    def form_for(candidate):
        if propose_form is not None and candidate.pk == failed_household:
            return propose_form
        return ProposeForm(auto_id=_propose_auto_id(candidate.pk))

    candidates = [
        {
            "candidate": c,
            "days": features.wait_days(c.obj, today),
            "needs_reason": not is_top(c),
            "form": form_for(c),
        }
        for c in ranking.candidates
    ]
    excluded = [
        {
            "candidate": c,
            "days": features.wait_days(c.obj, today),
            "why_not": [r for r in c.reasons if r["excluded"]],
        }
        for c in ranking.excluded
    ]
    row = ranking.loaded.groups[column] if column is not None else None
    listed = {c.pk for c in ranking.candidates}
    context = {
        "group": group,
        "row": row,
        "candidates": candidates,
        "excluded": excluded,
        "more": ranking.more,
        "top_n": ranking.loaded.settings.top_n,
        "form": propose_form,
        "error_anchor": f"candidate-{failed_household}" if failed_household in listed else "",
    }
    return TemplateResponse(request, "matching/group.html", context)


@require_perm("matching.view")
def matching_group(request, pk: int):
    group = get_group_or_404(request.user, pk)
    return _group_page(request, group)


# -- the batch optimiser -------------------------------------------------------------------


@require_perm("matching.run_batch")
@require_POST
def matching_batch_run(request):
    program = get_program_or_404(request.user, request.POST.get("program"))
    run = services.batch_run(program=program, by=request.user)
    count = run.proposals.count()
    messages.success(
        request,
        ngettext(
            "The optimiser proposed %(count)s match for %(program)s. Review it below.",
            "The optimiser proposed %(count)s matches for %(program)s. Review them below.",
            count,
        )
        % {"count": count, "program": program},
    )
    return redirect("matching_batch", pk=run.pk)


def _batch_page(request, run: BatchRun, *, failed_proposal=None, reject_form=None):
    proposals = list(
        run.proposals.select_related("household", "group", "decided_by").order_by(
            "-wait_days", "pk"
        )
    )
    # One query for every region any explanation names, not one per row.
    region_ids = {
        c["data"]["region"]
        for p in proposals
        for c in p.explanation
        if isinstance(c.get("data"), dict) and c["data"].get("region")
    }
    regions = selectors.region_names(region_ids) if region_ids else {}
    rows = []
    for proposal in proposals:
        pending = proposal.decision == ProposalDecision.PENDING
        form = None
        if pending:
            form = (
                reject_form
                if reject_form is not None and proposal.pk == failed_proposal
                else RejectForm(auto_id=f"reject-{proposal.pk}-%s")
            )
        rows.append(
            {
                "proposal": proposal,
                "reasons": selectors.describe(proposal.explanation, regions),
                "pending": pending,
                "form": form,
            }
        )
    context = {
        "run": run,
        "rows": rows,
        "pending": sum(1 for row in rows if row["pending"]),
        "form": reject_form,
    }
    return TemplateResponse(request, "matching/batch.html", context)


@require_perm("matching.view")
def matching_batch(request, pk: int):
    run = get_object_or_404(_runs_for(request.user).select_related("program", "created_by"), pk=pk)
    return _batch_page(request, run)


def _get_proposal_or_404(user, pk: int) -> BatchProposal:
    proposals = BatchProposal.objects.filter(
        run__program__in=services.programs_for(user)
    ).select_related("run", "household", "group")
    return get_object_or_404(proposals, pk=pk)


@require_perm("matching.propose")
@require_POST
def matching_proposal_accept(request, pk: int):
    proposal = _get_proposal_or_404(request.user, pk)
    try:
        services.batch_proposal_accept(proposal=proposal, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(group)s is proposed for %(household)s.")
            % {"group": proposal.group.name, "household": proposal.household},
        )
    return redirect("matching_batch", pk=proposal.run_id)


@require_perm("matching.propose")
@require_POST
def matching_proposal_reject(request, pk: int):
    proposal = _get_proposal_or_404(request.user, pk)
    form = RejectForm(request.POST, auto_id=f"reject-{proposal.pk}-%s")
    if form.is_valid():
        try:
            services.batch_proposal_reject(
                proposal=proposal, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The proposal for %(household)s is rejected.")
                % {"household": proposal.household},
            )
            return redirect("matching_batch", pk=proposal.run_id)
    run = BatchRun.objects.select_related("program", "created_by").get(pk=proposal.run_id)
    return _batch_page(request, run, failed_proposal=proposal.pk, reject_form=form)


# -- a program's weights -------------------------------------------------------------------


@require_perm("matching.change_settings")
def matching_settings(request, program_pk: int):
    program = get_program_or_404(request.user, program_pk)
    current = features.settings_for(program)
    form = SettingsForm(request.POST or None, instance=current)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.weights_data()
        if request.POST.get("action") == "save":
            try:
                services.matching_settings_update(program=program, by=request.user, data=data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The weights are saved."))
                return redirect("matching_settings", program_pk=program.pk)
        else:
            weights = engine.Weights(**{name: data[name] for name in engine.Weights().as_dict()})
            preview = selectors.preview(program, weights)
    context = {
        "program": program,
        "form": form,
        "preview": preview,
        "previewing": preview is not None,
    }
    return TemplateResponse(request, "matching/settings.html", context)
