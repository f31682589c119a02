"""Check-ins: planning from the program's cadence, the closing check-in, recording, and the
coordinator's reminder (once, in their language, not at night)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.factories import UserFactory
from accueil.matches import services
from accueil.matches.models import (
    CheckIn,
    CheckInKind,
    CheckInOutcome,
    Match,
    MatchStatus,
    ProgramMatchSettings,
)
from accueil.matches.services_checkins import (
    checkin_complete,
    checkin_dates,
    checkin_record_household,
    checkin_record_volunteers,
    checkins_for_closing,
    checkins_plan,
    reminder_key,
    send_checkin_reminders,
)
from accueil.matches.tests.factories import in_state
from accueil.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db


def started(coordinator, on=date(2027, 1, 4)):
    match = in_state(MatchStatus.INTRODUCTION_SCHEDULED, coordinator)
    services.match_start(match=match, by=coordinator, on=on)
    checkins_plan(match, by=coordinator)
    return match


def due_days(match, **filters):
    return list(match.checkins.filter(**filters).values_list("due_on", flat=True))


def test_it_computes_week_2_then_every_4_weeks_before_the_end():
    days = checkin_dates(
        started_on=date(2027, 1, 4), planned_end=date(2027, 7, 4), first_weeks=2, every_weeks=4
    )

    assert days == [
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 3, 15),
        date(2027, 4, 12),
        date(2027, 5, 10),
        date(2027, 6, 7),
    ]


def test_it_plans_the_checkins_when_a_match_starts(personas):
    match = started(personas.coordinator)

    assert due_days(match) == [
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 3, 15),
        date(2027, 4, 12),
        date(2027, 5, 10),
        date(2027, 6, 7),
    ]
    assert set(match.checkins.values_list("kind", flat=True)) == {CheckInKind.REGULAR}


def test_it_follows_the_programs_cadence(personas):
    match = in_state(MatchStatus.INTRODUCTION_SCHEDULED, personas.coordinator)
    ProgramMatchSettings.objects.update_or_create(
        program=match.program,
        defaults={"first_checkin_weeks": 1, "checkin_every_weeks": 8, "duration_months": 3},
    )
    services.match_start(match=match, by=personas.coordinator, on=date(2027, 1, 4))
    checkins_plan(match)

    assert due_days(match) == [date(2027, 1, 11), date(2027, 3, 8)]


def test_it_plans_each_checkin_once_however_often_it_is_called(personas):
    match = started(personas.coordinator)

    checkins_plan(match)
    checkins_plan(match)

    assert match.checkins.count() == 6


def test_it_plans_more_checkins_after_an_extension(personas):
    match = started(personas.coordinator)
    services.match_extend(
        match=match, by=personas.coordinator, new_end=date(2027, 8, 4), reason="Going well"
    )

    checkins_plan(match)

    assert due_days(match)[-2:] == [date(2027, 7, 5), date(2027, 8, 2)]


def test_it_adds_a_closing_checkin_and_drops_the_later_regular_ones(personas):
    match = started(personas.coordinator)
    # Closing as of 1 April 2027 on the match's own timeline (the service would use today).
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CLOSING)
    match.refresh_from_db()

    closing = checkins_for_closing(match, today=date(2027, 4, 1))

    assert closing.kind == CheckInKind.CLOSING
    assert closing.due_on == date(2027, 4, 8)
    assert due_days(match, cancelled_at__isnull=True, kind=CheckInKind.REGULAR) == [
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 3, 15),
    ]
    # Calling again changes nothing.
    assert checkins_for_closing(match, today=date(2027, 4, 2)) == closing
    assert match.checkins.filter(kind=CheckInKind.CLOSING).count() == 1


def test_it_brings_the_regular_checkins_back_when_a_closing_match_is_extended(personas):
    match = started(personas.coordinator)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CLOSING)
    match.refresh_from_db()
    checkins_for_closing(match, today=date(2027, 4, 1))
    services.match_extend(
        match=match, by=personas.coordinator, new_end=date(2027, 8, 4), reason="More time"
    )

    checkins_plan(match)

    assert not CheckIn.objects.pending().filter(match=match, kind=CheckInKind.CLOSING).exists()
    assert date(2027, 4, 12) in due_days(match, cancelled_at__isnull=True)


def test_it_records_both_sides_and_the_outcome(personas):
    match = started(personas.coordinator)
    checkin = match.checkins.first()
    by = personas.coordinator

    checkin_record_volunteers(
        checkin=checkin, by=by, rating=4, wellbeing=2, workload=3, notes="Busy month"
    )
    checkin_record_household(
        checkin=checkin, by=by, satisfaction=5, concerns="", through_interpreter=True
    )
    checkin_complete(checkin=checkin, by=by, outcome=CheckInOutcome.NEEDS_ATTENTION)

    checkin.refresh_from_db()
    assert (checkin.volunteer_rating, checkin.volunteer_wellbeing, checkin.volunteer_workload) == (
        4,
        2,
        3,
    )
    assert checkin.volunteer_notes == "Busy month"
    assert checkin.household_satisfaction == 5 and checkin.through_interpreter
    assert checkin.outcome == CheckInOutcome.NEEDS_ATTENTION
    assert checkin.completed_by == by
    codes = set(AuditEntry.objects.values_list("code", flat=True))
    assert {
        "match.checkin_volunteers_recorded",
        "match.checkin_household_recorded",
        "match.checkin_completed",
    } <= codes


def test_it_keeps_free_text_encrypted_at_rest(personas):
    from django.db import connection

    checkin = started(personas.coordinator).checkins.first()
    checkin_record_household(
        checkin=checkin, by=personas.coordinator, satisfaction=3, concerns="Landlord trouble"
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT household_concerns FROM matches_checkin WHERE id = %s", [checkin.pk])
        (raw,) = cursor.fetchone()
    assert "Landlord" not in raw


def test_it_refuses_a_rating_outside_1_to_5(personas):
    checkin = started(personas.coordinator).checkins.first()

    with pytest.raises(ValidationError):
        checkin_record_household(checkin=checkin, by=personas.coordinator, satisfaction=6)


def test_it_asks_why_when_neither_side_was_heard(personas):
    checkin = started(personas.coordinator).checkins.first()

    with pytest.raises(ValidationError) as error:
        checkin_complete(checkin=checkin, by=personas.coordinator, outcome=CheckInOutcome.AT_RISK)
    assert "notes" in error.value.error_dict

    checkin_complete(
        checkin=checkin,
        by=personas.coordinator,
        outcome=CheckInOutcome.AT_RISK,
        notes="Nobody answers the phone",
    )
    with pytest.raises(ValidationError):
        checkin_complete(
            checkin=checkin, by=personas.coordinator, outcome=CheckInOutcome.ON_TRACK, notes="x"
        )


@pytest.mark.parametrize("name", ["volunteer", "interpreter", "partner_a", "outsider"])
def test_it_lets_only_staff_of_the_program_record(personas, name):
    checkin = started(personas.coordinator).checkins.first()

    with pytest.raises(PermissionDenied):
        checkin_complete(checkin=checkin, by=getattr(personas, name), outcome="on_track", notes="x")


def test_it_refuses_a_coordinator_of_another_program(personas):
    checkin = started(personas.coordinator).checkins.first()
    other = UserFactory(role="coordinator")

    with pytest.raises(PermissionDenied):
        checkin_record_household(checkin=checkin, by=other, satisfaction=3)


# -- reminders --------------------------------------------------------------------------------

# 2027-01-18 is the first check-in's day. Toronto is UTC-5 in January.
MORNING = datetime(2027, 1, 18, 13, 0, tzinfo=UTC)  # 08:00 in Toronto
NIGHT = datetime(2027, 1, 19, 3, 0, tzinfo=UTC)  # 22:00 on the 18th in Toronto


def test_it_reminds_the_coordinator_once_in_their_language(personas):
    personas.coordinator.language = "fr"
    personas.coordinator.save()
    match = started(personas.coordinator)
    first = match.checkins.first()

    assert send_checkin_reminders(now=MORNING) == 1
    assert send_checkin_reminders(now=MORNING) == 0

    message = OutboxMessage.objects.get(idempotency_key=reminder_key(first.pk))
    assert message.to_address == personas.coordinator.email
    assert message.language == "fr"
    assert message.subject.startswith("Point de suivi")  # in French
    assert message.subject.endswith(f" {match.pk}")
    assert f"/matches/{match.pk}/checkins/{first.pk}/" in message.body_text
    # The family's name is never in the message.
    assert match.household.head_name not in message.body_text
    first.refresh_from_db()
    assert first.reminder_sent_at == MORNING


def test_it_does_not_remind_before_the_day(personas):
    started(personas.coordinator)

    assert send_checkin_reminders(now=datetime(2027, 1, 18, 4, 59, tzinfo=UTC)) == 0
    assert not OutboxMessage.objects.exists()


def test_it_waits_for_the_morning_during_quiet_hours(personas):
    match = started(personas.coordinator)
    match.coordinator = None
    match.save()
    assert send_checkin_reminders(now=MORNING) == 0  # nobody to remind yet
    match.coordinator = personas.coordinator
    match.save()

    assert send_checkin_reminders(now=NIGHT) == 0
    assert send_checkin_reminders(now=datetime(2027, 1, 19, 12, 59, tzinfo=UTC)) == 0  # 07:59
    assert send_checkin_reminders(now=datetime(2027, 1, 19, 13, 0, tzinfo=UTC)) == 1


def test_it_does_not_remind_of_a_completed_checkin_or_a_closed_match(personas):
    match = started(personas.coordinator)
    first = match.checkins.first()
    checkin_complete(checkin=first, by=personas.coordinator, outcome="on_track", notes="Fine")

    assert send_checkin_reminders(now=MORNING) == 0

    later = datetime(2027, 2, 15, 14, 0, tzinfo=UTC)
    services.match_close(
        match=match, by=personas.coordinator, outcome="ended_early", reason="Moved away"
    )
    assert send_checkin_reminders(now=later) == 0


def test_beginning_to_close_a_match_plans_its_closing_checkin(personas):
    match = started(personas.coordinator)
    services.match_begin_closing(match=match, by=personas.coordinator)
    closing = match.checkins.get(kind=CheckInKind.CLOSING, cancelled_at__isnull=True)
    assert closing.due_on == timezone.localdate() + timedelta(days=7)
