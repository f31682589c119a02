"""Writes on check-ins: planning them from the program's cadence, recording what each side
said and the outcome, and reminding the coordinator when one falls due.

The lifecycle services (services.py) call ``checkins_plan`` when a match starts (and may call it
again after an extension: planning is idempotent) and ``checkins_for_closing`` when closing
begins. Both run inside the caller's transaction, on the row it has locked.

The reminder sweep runs every 15 minutes (accueil/schedule.py). Each check-in is reminded once:
a conditional UPDATE claims it (``reminder_sent_at`` from NULL to now), so of two sweeps running
at the same moment, on two machines or in two threads, only one gets the row; the outbox's
idempotency key names the check-in as a second guard. Reminders go out from 08:00 on the day
the check-in falls due, in the program's time zone, never during quiet hours (21:00 to 08:00):
a reminder that comes due at night waits for the morning.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.messaging.services import outbox_enqueue_template_email

from .models import (
    CheckIn,
    CheckInKind,
    CheckInOutcome,
    Match,
    MatchStatus,
    ProgramMatchSettings,
)

audit.register(
    {
        "match.checkins_planned": gettext_lazy("{actor} planned the check-ins of {target}"),
        "match.checkin_volunteers_recorded": gettext_lazy(
            "{actor} recorded what the volunteers said at a check-in of {target}"
        ),
        "match.checkin_household_recorded": gettext_lazy(
            "{actor} recorded what the household said at a check-in of {target}"
        ),
        "match.checkin_completed": gettext_lazy("{actor} completed a check-in of {target}"),
        "match.checkin_reminded": gettext_lazy(
            "The coordinator of {target} was reminded of a check-in"
        ),
    }
)

# How long the coordinator has for the closing check-in once closing begins.
CLOSING_CHECKIN_DAYS = 7
# Quiet hours in the program's time zone: no reminder from 21:00 until 08:00.
QUIET_FROM = time(21)
QUIET_UNTIL = time(8)
# Check-ins of matches in these states are due items (and reminded).
CHECKIN_STATUSES = [MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.CLOSING]


def _zone() -> ZoneInfo:
    # One time zone for every program for now: the settings' (America/Toronto).
    return ZoneInfo(settings.TIME_ZONE)


def local_now(now: datetime | None = None) -> datetime:
    return timezone.localtime(now or timezone.now(), _zone())


def in_quiet_hours(now: datetime | None = None) -> bool:
    moment = local_now(now).time()
    return moment >= QUIET_FROM or moment < QUIET_UNTIL


def _require_staff(by, match: Match) -> None:
    # Not services.is_staff_of: services.py imports this module.
    if (
        by is None
        or not by.has_perm("matches.propose")
        or not Match.objects.visible_to(by).filter(pk=match.pk).exists()
    ):
        raise PermissionDenied


# -- planning ------------------------------------------------------------------------------


def checkin_dates(
    *, started_on: date, planned_end: date | None, first_weeks: int, every_weeks: int
) -> list[date]:
    """The regular check-ins' days: ``first_weeks`` after the start, then every
    ``every_weeks`` while before the planned end (the closing check-in covers the end)."""
    first = started_on + timedelta(weeks=first_weeks)
    if planned_end is None or every_weeks <= 0:
        return [first] if planned_end is None or first < planned_end else []
    days = []
    day = first
    while day < planned_end:
        days.append(day)
        day += timedelta(weeks=every_weeks)
    return days


def checkins_plan(match: Match, *, by=None) -> list[CheckIn]:
    """Create the match's regular check-ins from its program's cadence, up to its planned end.

    Safe to call again (after an extension, say): days already planned are left alone, regular
    check-ins that closing had cancelled come back, and a pending closing check-in of a match
    that is active again (extended while closing) is cancelled."""
    if match.started_on is None:
        raise ValidationError(_("A match has check-ins once it has started."))
    cadence = ProgramMatchSettings.for_program(match.program)
    days = checkin_dates(
        started_on=match.started_on,
        planned_end=match.planned_end,
        first_weeks=cadence.first_checkin_weeks,
        every_weeks=cadence.checkin_every_weeks,
    )
    now = timezone.now()
    if match.status == MatchStatus.ACTIVE:
        CheckIn.objects.pending().filter(match=match, kind=CheckInKind.CLOSING).update(
            cancelled_at=now, updated_at=now
        )
        CheckIn.objects.filter(
            match=match,
            kind=CheckInKind.REGULAR,
            due_on__in=days,
            cancelled_at__isnull=False,
            completed_at__isnull=True,
        ).update(cancelled_at=None, updated_at=now)
    CheckIn.objects.bulk_create(
        [CheckIn(match=match, kind=CheckInKind.REGULAR, due_on=day) for day in days],
        ignore_conflicts=True,
    )
    audit.record(
        "match.checkins_planned",
        actor=by,
        target=match,
        data={"days": [day.isoformat() for day in days]},
    )
    return list(match.checkins.filter(kind=CheckInKind.REGULAR, due_on__in=days))


def checkins_for_closing(match: Match, *, today: date | None = None) -> CheckIn:
    """The closing check-in, due a week after closing begins. Regular check-ins that would fall
    after today are cancelled: the closing one replaces them. Calling it again returns the
    pending closing check-in."""
    today = today or timezone.localdate()
    existing = CheckIn.objects.pending().filter(match=match, kind=CheckInKind.CLOSING).first()
    now = timezone.now()
    CheckIn.objects.pending().filter(
        match=match, kind=CheckInKind.REGULAR, due_on__gt=today
    ).update(cancelled_at=now, updated_at=now)
    if existing is not None:
        return existing
    due_on = today + timedelta(days=CLOSING_CHECKIN_DAYS)
    checkin, _created = CheckIn.objects.update_or_create(
        match=match,
        kind=CheckInKind.CLOSING,
        due_on=due_on,
        defaults={"cancelled_at": None},
    )
    return checkin


# -- recording -----------------------------------------------------------------------------


def _lock(checkin: CheckIn) -> CheckIn:
    fresh = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if fresh.completed_at is not None:
        raise ValidationError(_("This check-in is already completed."))
    if fresh.cancelled_at is not None:
        raise ValidationError(_("This check-in was cancelled."))
    return fresh


def _is_member(user, match: Match) -> bool:
    from .access import matches_of_member

    return user is not None and matches_of_member(user).filter(pk=match.pk).exists()


def _scale(value: int | None, field: str) -> int:
    if value is None or not 1 <= int(value) <= 5:
        raise ValidationError({field: _("Choose a number from 1 to 5.")})
    return int(value)


@transaction.atomic
def checkin_record_volunteers(
    *,
    checkin: CheckIn,
    by,
    rating: int,
    wellbeing: int,
    workload: int,
    notes: str = "",
    priorities: str = "",
) -> CheckIn:
    """What the volunteers said: how the match goes, the priorities, their own wellbeing and
    workload (1 to 5 each). Staff record it after a call, or a member of the group fills it in
    on the group's page."""
    if not _is_member(by, checkin.match):
        _require_staff(by, checkin.match)
    fresh = _lock(checkin)
    fresh.volunteer_rating = _scale(rating, "volunteer_rating")
    fresh.volunteer_wellbeing = _scale(wellbeing, "volunteer_wellbeing")
    fresh.volunteer_workload = _scale(workload, "volunteer_workload")
    fresh.volunteer_notes = (notes or "").strip()
    fresh.volunteer_priorities = (priorities or "").strip()
    fresh.volunteer_answered_at = timezone.now()
    fresh.volunteer_recorded_by = by
    fresh.save()
    audit.record(
        "match.checkin_volunteers_recorded",
        actor=by,
        target=checkin.match,
        data={"checkin": fresh.pk},
    )
    return fresh


@transaction.atomic
def checkin_record_household(
    *,
    checkin: CheckIn,
    by,
    satisfaction: int,
    progress: str = "",
    concerns: str = "",
    through_interpreter: bool = False,
) -> CheckIn:
    """What the household said, often through an interpreter: satisfaction (1 to 5), the
    progress they see, their concerns."""
    _require_staff(by, checkin.match)
    fresh = _lock(checkin)
    fresh.household_satisfaction = _scale(satisfaction, "household_satisfaction")
    fresh.household_progress = (progress or "").strip()
    fresh.household_concerns = (concerns or "").strip()
    fresh.through_interpreter = bool(through_interpreter)
    fresh.household_answered_at = timezone.now()
    fresh.household_recorded_by = by
    fresh.save()
    audit.record(
        "match.checkin_household_recorded",
        actor=by,
        target=checkin.match,
        data={"checkin": fresh.pk, "through_interpreter": fresh.through_interpreter},
    )
    return fresh


@transaction.atomic
def checkin_complete(*, checkin: CheckIn, by, outcome: str, notes: str = "") -> CheckIn:
    """The coordinator's conclusion. A check-in where neither side could be reached can still
    be completed (that is worth knowing), but then the notes must say why."""
    _require_staff(by, checkin.match)
    fresh = _lock(checkin)
    if outcome not in CheckInOutcome.values:
        raise ValidationError({"outcome": _("Choose how the match is going.")})
    notes = (notes or "").strip()
    if fresh.volunteer_answered_at is None and fresh.household_answered_at is None and not notes:
        raise ValidationError(
            {"notes": _("Neither side's answers are recorded: say why in the notes.")}
        )
    fresh.outcome = outcome
    fresh.outcome_notes = notes
    fresh.completed_at = timezone.now()
    fresh.completed_by = by
    fresh.save()
    audit.record(
        "match.checkin_completed",
        actor=by,
        target=checkin.match,
        data={"checkin": fresh.pk, "outcome": outcome, "kind": fresh.kind},
    )
    return fresh


# -- reminders -----------------------------------------------------------------------------


def reminder_key(checkin_pk: int) -> str:
    return f"checkin-reminder-{checkin_pk}"


def _render_subject(template_name: str, context: dict) -> str:
    return render_to_string(template_name, context).strip()


# Rendered when the outbox turns it into text, inside the recipient's language.
_lazy_subject = lazy(_render_subject, str)


def _remind(checkin: CheckIn) -> None:
    match = checkin.match
    coordinator = match.coordinator
    language = getattr(coordinator, "language", "") or settings.LANGUAGE_CODE
    context = {
        "name": coordinator.display_name,
        "match_number": match.pk,
        "group": match.group.name,
        "household_number": match.household_id,
        "due_on": checkin.due_on,
        "closing": checkin.kind == CheckInKind.CLOSING,
        "link": settings.SITE_URL + reverse("checkin_detail", args=[match.pk, checkin.pk]),
    }
    outbox_enqueue_template_email(
        to=coordinator.email,
        template_name="matches/checkins/email/reminder",
        context=context,
        subject=_lazy_subject("matches/checkins/email/reminder_subject.txt", context),
        language=language,
        template="matches.checkin_reminder",
        recipient=coordinator,
        idempotency_key=reminder_key(checkin.pk),
    )


def send_checkin_reminders(now: datetime | None = None) -> int:
    """Remind each coordinator once of each check-in that has fallen due and is not done.
    Returns how many reminders this run queued."""
    now = now or timezone.now()
    if in_quiet_hours(now):
        return 0
    today = local_now(now).date()
    # Most runs find nothing: ask the partial index first, without the joins.
    if not CheckIn.objects.filter(
        reminder_sent_at__isnull=True, completed_at__isnull=True, due_on__lte=today
    ).exists():
        return 0
    due = CheckIn.objects.pending().filter(
        reminder_sent_at__isnull=True,
        due_on__lte=today,
        match__status__in=CHECKIN_STATUSES,
        match__coordinator__isnull=False,
        match__coordinator__is_active=True,
    )
    sent = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            # The claim: of two sweeps at once, the second waits for the first's commit and
            # then matches no row.
            claimed = (
                CheckIn.objects.pending()
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .update(reminder_sent_at=now)
            )
            if not claimed:
                continue
            checkin = CheckIn.objects.select_related("match__coordinator", "match__group").get(
                pk=pk
            )
            _remind(checkin)
            audit.record(
                "match.checkin_reminded",
                actor=None,
                target=checkin.match,
                data={"checkin": checkin.pk, "coordinator": checkin.match.coordinator_id},
            )
            sent += 1
    return sent
