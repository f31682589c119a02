"""Writes on matches. Proposing is the first step of a match's life; the checks that need the
matching engine (readiness, languages, preferences) happen in ``accueil.matching`` before it
calls ``match_propose``, which re-checks what must hold whatever the caller: the household is
waiting and has no open match, the group belongs to the same program and has room."""

from __future__ import annotations

import calendar
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.newcomers.models import Household, HouseholdStatus
from accueil.volunteers.models import WelcomeGroup

from .models import (
    HouseholdAnswer,
    Match,
    MatchExtension,
    MatchSource,
    MatchStatus,
    Outcome,
    ProgramMatchSettings,
)
from .services_checkins import checkins_for_closing, checkins_plan
from .signals import match_closed

audit.register(
    {
        "match.proposed": gettext_lazy("{actor} proposed {target}"),
        "match.group_accepted": gettext_lazy("{actor} accepted {target} for the group"),
        "match.household_accepted": gettext_lazy(
            "{actor} recorded that the household accepted {target}"
        ),
        "match.accepted": gettext_lazy("Both sides accepted {target}"),
        "match.declined": gettext_lazy("{actor} recorded that {target} was declined"),
        "match.answer_link_sent": gettext_lazy(
            "{actor} texted the household a link to answer {target}"
        ),
        "match.withdrawn": gettext_lazy("{actor} withdrew the proposal {target}"),
        "match.introduction_scheduled": gettext_lazy(
            "{actor} scheduled the introduction of {target}"
        ),
        "match.started": gettext_lazy("{actor} started {target}"),
        "match.paused": gettext_lazy("{actor} paused {target}"),
        "match.resumed": gettext_lazy("{actor} resumed {target}"),
        "match.extended": gettext_lazy("{actor} extended {target}"),
        "match.closing": gettext_lazy("{actor} began closing {target}"),
        "match.closed": gettext_lazy("{actor} closed {target}"),
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


# -- the lifecycle --------------------------------------------------------------------------
#
# Each move is one function: it checks who may make it, locks the row, refuses a move that
# TRANSITIONS does not allow, and writes a named audit entry on the match.


def is_staff_of(user, match: Match) -> bool:
    return (
        user is not None
        and user.has_perm("matches.propose")
        and Match.objects.visible_to(user).filter(pk=match.pk).exists()
    )


def is_lead_of(user, match: Match) -> bool:
    from accueil.volunteers.models import GroupMembership

    return (
        user is not None
        and user.is_authenticated
        and GroupMembership.objects.filter(
            group_id=match.group_id,
            user=user,
            left_at__isnull=True,
            role=GroupMembership.Role.LEAD,
        ).exists()
    )


def _require_staff(by, match: Match) -> None:
    if not is_staff_of(by, match):
        raise PermissionDenied


def _lock(match: Match) -> Match:
    fresh = Match.objects.select_for_update().get(pk=match.pk)
    for field in Match._meta.concrete_fields:
        setattr(match, field.attname, getattr(fresh, field.attname))
    return match


def _move(match: Match, to: str) -> None:
    if not match.can_move_to(to):
        raise ValidationError(
            _("A match that is %(current)s cannot become %(next)s.")
            % {
                "current": MatchStatus(match.status).label.lower(),
                "next": MatchStatus(to).label.lower(),
            }
        )
    match.status = to
    match.status_changed_at = timezone.now()


def _reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def _household_status(household: Household, status: str, *, rewait: bool = False) -> None:
    household.status = status
    household.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at", "updated_at"]
    if rewait:
        household.waitlisted_at = household.status_changed_at
        fields.append("waitlisted_at")
    household.save(update_fields=fields)


def _accepted_if_both(match: Match, by) -> None:
    if match.group_accepted_at and match.household_accepted_at:
        _move(match, MatchStatus.ACCEPTED)
        match.save()
        audit.record("match.accepted", actor=by, target=match)


@transaction.atomic
def match_accept_for_group(*, match: Match, by) -> Match:
    """The group lead says yes for the group."""
    if not is_lead_of(by, match):
        raise PermissionDenied
    _lock(match)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("Only a proposed match can be accepted."))
    if match.group_accepted_at is None:
        match.group_accepted_at = timezone.now()
        match.group_accepted_by = by
        match.save()
        audit.record("match.group_accepted", actor=by, target=match)
    _accepted_if_both(match, by)
    return match


@transaction.atomic
def match_record_household_answer(
    *, match: Match, by, accepted: bool, how: str = HouseholdAnswer.STAFF_CALL, reason: str = ""
) -> Match:
    """Staff record the household's answer after a call (through an interpreter when needed)."""
    _require_staff(by, match)
    return household_answer(match=match, by=by, accepted=accepted, how=how, reason=reason)


def household_answer(*, match: Match, by, accepted: bool, how: str, reason: str = "") -> Match:
    """The household's yes or no, however it reached us: recorded by staff (``by``) or given
    through the text-message link (``by`` None). Callers check who may do it and hold a
    transaction; a yes moves the match to accepted when the group has already said yes."""
    _lock(match)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("Only a proposed match can be accepted or declined."))
    if match.household_accepted_at is not None:
        raise ValidationError(_("The household has already accepted this match."))
    if not accepted:
        reason = _reason(reason, _("Say why the match was declined."))
        match.household_answer_how, match.household_answer_recorded_by = how, by
        return _decline(match, by=by, side="household", reason=reason, data={"how": how})
    match.household_accepted_at = timezone.now()
    match.household_answer_how, match.household_answer_recorded_by = how, by
    match.save()
    audit.record("match.household_accepted", actor=by, target=match, data={"how": how})
    _accepted_if_both(match, by)
    return match


@transaction.atomic
def match_decline_for_group(*, match: Match, by, reason: str) -> Match:
    if not (is_lead_of(by, match) or is_staff_of(by, match)):
        raise PermissionDenied
    _lock(match)
    return _decline(match, by=by, side="group", reason=reason)


def _decline(match: Match, *, by, side: str, reason: str, data: dict | None = None) -> Match:
    reason = _reason(reason, _("Say why the match was declined."))
    _move(match, MatchStatus.DECLINED)
    match.declined_by = side
    match.reason = reason
    match.save()
    audit.record("match.declined", actor=by, target=match, data={"side": side, **(data or {})})
    return match


@transaction.atomic
def match_withdraw(*, match: Match, by, reason: str) -> Match:
    """Staff take a proposal back before both sides have accepted."""
    _require_staff(by, match)
    _lock(match)
    reason = _reason(reason, _("Say why the proposal is withdrawn."))
    _move(match, MatchStatus.CANCELLED)
    match.reason = reason
    match.save()
    audit.record("match.withdrawn", actor=by, target=match)
    return match


@transaction.atomic
def match_mark_introduction_scheduled(*, match: Match, by) -> Match:
    """Called when the introduction meeting is booked."""
    _require_staff(by, match)
    _lock(match)
    _move(match, MatchStatus.INTRODUCTION_SCHEDULED)
    match.save()
    audit.record("match.introduction_scheduled", actor=by, target=match)
    return match


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@transaction.atomic
def match_start(*, match: Match, by, on: date | None = None) -> Match:
    """The introduction happened: the match is active and runs for the program's length."""
    _require_staff(by, match)
    _lock(match)
    _move(match, MatchStatus.ACTIVE)
    on = on or timezone.localdate()
    length = ProgramMatchSettings.for_program(match.program).duration_months
    match.started_on = on
    match.planned_end = _add_months(on, length)
    match.save()
    _household_status(match.household, HouseholdStatus.MATCHED)
    checkins_plan(match, by=by)
    audit.record(
        "match.started", actor=by, target=match, data={"planned_end": match.planned_end.isoformat()}
    )
    return match


@transaction.atomic
def match_pause(*, match: Match, by, reason: str) -> Match:
    _require_staff(by, match)
    _lock(match)
    reason = _reason(reason, _("Say why the match is paused."))
    _move(match, MatchStatus.PAUSED)
    match.reason = reason
    match.save()
    audit.record("match.paused", actor=by, target=match)
    return match


@transaction.atomic
def match_resume(*, match: Match, by) -> Match:
    _require_staff(by, match)
    _lock(match)
    _move(match, MatchStatus.ACTIVE)
    match.save()
    audit.record("match.resumed", actor=by, target=match)
    return match


EXTENDABLE = {MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.CLOSING}


@transaction.atomic
def match_extend(*, match: Match, by, new_end: date, reason: str) -> MatchExtension:
    """A new planned end, later than the current one, with the reason."""
    _require_staff(by, match)
    _lock(match)
    if match.status not in EXTENDABLE:
        raise ValidationError(_("Only a match under way can be extended."))
    reason = _reason(reason, _("Say why the match is extended."))
    if match.planned_end and new_end <= match.planned_end:
        raise ValidationError({"new_end": _("Choose a date after the current end of the match.")})
    extension = MatchExtension.objects.create(
        match=match,
        previous_end=match.planned_end or new_end,
        new_end=new_end,
        reason=reason,
        created_by=by,
    )
    match.planned_end = new_end
    if match.status == MatchStatus.CLOSING:
        _move_back_to_active(match)
    match.save()
    checkins_plan(match, by=by)
    audit.record("match.extended", actor=by, target=match, data={"new_end": new_end.isoformat()})
    return extension


def _move_back_to_active(match: Match) -> None:
    # Extending a match that was closing reopens it: the only move back that is allowed, and
    # only through an extension.
    match.status = MatchStatus.ACTIVE
    match.status_changed_at = timezone.now()


@transaction.atomic
def match_begin_closing(*, match: Match, by) -> Match:
    _require_staff(by, match)
    _lock(match)
    _move(match, MatchStatus.CLOSING)
    match.save()
    checkins_for_closing(match)
    audit.record("match.closing", actor=by, target=match)
    return match


@transaction.atomic
def match_close(*, match: Match, by, outcome: str, reason: str = "") -> Match:
    """Close the match. A completed match closes from closing; ending early is possible from
    any state after acceptance and needs a reason; the household then returns to the
    waitlist."""
    _require_staff(by, match)
    _lock(match)
    if outcome == Outcome.COMPLETED and match.status != MatchStatus.CLOSING:
        raise ValidationError(_("Begin closing the match before recording it as completed."))
    if outcome == Outcome.ENDED_EARLY:
        match.reason = _reason(reason, _("Say why the match ended early."))
        match.ended_early = True
    elif outcome != Outcome.COMPLETED:
        raise ValidationError(_("Choose an outcome."))
    _move(match, MatchStatus.CLOSED)
    match.outcome = outcome
    match.closed_at = match.status_changed_at
    match.save()
    if outcome == Outcome.ENDED_EARLY:
        _household_status(match.household, HouseholdStatus.WAITING, rewait=True)
    else:
        _household_status(match.household, HouseholdStatus.CLOSED)
    audit.record("match.closed", actor=by, target=match, data={"outcome": outcome})
    # The surveys app connects here to send the post-surveys; only once the close is committed.
    transaction.on_commit(
        lambda: match_closed.send(sender=Match, match=match, by=by, outcome=outcome)
    )
    return match
