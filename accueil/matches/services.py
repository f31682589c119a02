"""Writes on matches. Proposing is the first step of a match's life; the checks that need the
matching engine (readiness, languages, preferences) happen in ``accueil.matching`` before it
calls ``match_propose``, which re-checks what must hold whatever the caller: the household is
waiting and has no open match, the group belongs to the same program and has room."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.newcomers.models import Household, HouseholdStatus
from accueil.volunteers.models import WelcomeGroup

from .models import Match, MatchSource, MatchStatus

audit.register(
    {
        "match.proposed": gettext_lazy("{actor} proposed {target}"),
    }
)


def group_room(group: WelcomeGroup) -> int:
    """How many more households the group can take now."""
    return group.capacity - Match.objects.open().filter(group=group).count()


@transaction.atomic
def match_propose(
    *,
    household: Household,
    group: WelcomeGroup,
    by,
    score: int,
    explanation: list,
    source: str = MatchSource.RANKING,
    override_reason: str = "",
) -> Match:
    if by is None or not by.has_perm("matches.propose"):
        raise PermissionDenied
    if not Household.objects.visible_to(by).filter(pk=household.pk).exists():
        raise PermissionDenied
    locked = Household.objects.select_for_update().get(pk=household.pk)
    # Lock the group too: two proposals for its last slot must not both pass the room check.
    WelcomeGroup.objects.select_for_update().filter(pk=group.pk).first()
    if locked.status != HouseholdStatus.WAITING:
        raise ValidationError(_("Only a household on the waitlist can be proposed a match."))
    if group.program_id != locked.program_id:
        raise ValidationError(_("The group belongs to another program."))
    if not group.is_active:
        raise ValidationError(_("This group is no longer active."))
    if Match.objects.open().filter(household=locked).exists():
        raise ValidationError(_("This household already has a match proposed."))
    if group_room(group) <= 0:
        raise ValidationError(_("This group already supports as many households as it can."))
    try:
        with transaction.atomic():
            match = Match.objects.create(
                program_id=locked.program_id,
                household=locked,
                group=group,
                coordinator=locked.coordinator,
                status=MatchStatus.PROPOSED,
                source=source,
                score=score,
                explanation=explanation,
                override_reason=override_reason,
                proposed_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This household already has a match proposed.")) from exc
    audit.record(
        "match.proposed",
        actor=by,
        target=match,
        data={"household": locked.pk, "group": group.pk, "source": source, "score": score},
        action=AuditEntry.Action.CREATE,
    )
    return match
