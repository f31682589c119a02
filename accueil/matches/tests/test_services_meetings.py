"""Booking, changing and cancelling meetings: the match's state, the invitations (parsed back
with icalendar), the family's text messages and the reminder sweep."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from accueil.accounts.models import Role
from accueil.core.models import AuditEntry
from accueil.factories import UserFactory
from accueil.matches import services_meetings as meetings
from accueil.matches.models import MatchStatus, Meeting, MeetingKind, MeetingMode
from accueil.messaging.models import Channel, OutboxMessage

from .factories import in_state

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
# Clocks in Toronto go forward on Sunday 10 March 2030 and back on Sunday 3 November 2030.
BEFORE_DST = datetime(2030, 3, 9, 18, 0)
AFTER_DST = datetime(2030, 3, 11, 18, 0)


@pytest.fixture
def match(personas):
    return in_state(MatchStatus.ACCEPTED, personas.coordinator)


@pytest.fixture
def interpreter(personas):
    personas.interpreter.language = "ar"
    personas.interpreter.save(update_fields=["language"])
    return personas.interpreter


def book(match, by, **fields) -> Meeting:
    values = {
        "starts_at": BEFORE_DST,
        "time_zone": "America/Toronto",
        "duration_minutes": 60,
        "mode": MeetingMode.VIDEO,
    }
    values.update(fields)
    return meetings.meeting_schedule(match=match, by=by, **values)


def emails():
    return list(OutboxMessage.objects.filter(channel=Channel.EMAIL).order_by("pk"))


def texts():
    return list(OutboxMessage.objects.filter(channel=Channel.SMS).order_by("pk"))


def calendar_of(message) -> Calendar:
    [attachment] = message.attachments
    assert attachment.filename == "invitation.ics"
    return Calendar.from_ical(attachment.content)


def event_of(message):
    [event] = calendar_of(message).walk("VEVENT")
    return event


def test_it_books_the_introduction_and_moves_the_match(match, personas):
    meeting = book(match, personas.coordinator)

    match.refresh_from_db()
    assert match.status == MatchStatus.INTRODUCTION_SCHEDULED
    assert meeting.kind == MeetingKind.INTRODUCTION
    assert meeting.sequence == 0
    assert meeting.starts_at == datetime(2030, 3, 9, 23, 0, tzinfo=UTC)
    codes = set(AuditEntry.objects.for_record(match).values_list("code", flat=True))
    assert {"meeting.scheduled", "match.introduction_scheduled"} <= codes


def test_it_generates_an_unguessable_video_link(match, personas, settings):
    settings.MEETING_VIDEO_BASE_URL = "https://video.example.org/rooms"
    first = book(match, personas.coordinator)
    second = book(match, personas.coordinator)

    assert first.video_url.startswith("https://video.example.org/rooms/accueil-")
    room = first.video_url.rsplit("accueil-", 1)[1]
    assert len(room) == 32 and int(room, 16) >= 0  # 128 bits, hexadecimal
    assert first.video_url != second.video_url


def test_it_invites_members_interpreter_and_coordinator_once_each_in_their_language(
    match, personas, interpreter
):
    members = [m.user for m in match.group.memberships.filter(left_at__isnull=True)]
    members[1].language = "fr"
    members[1].save(update_fields=["language"])

    meeting = book(match, personas.coordinator, interpreter=interpreter)

    sent = emails()
    assert sorted(m.to_address for m in sent) == sorted(
        [*(u.email for u in members), interpreter.email, personas.coordinator.email]
    )
    languages = {m.to_address: m.language for m in sent}
    assert languages[members[1].email] == "fr"
    assert languages[interpreter.email] == "ar"
    assert languages[members[0].email] == "en"
    assert {m.template for m in sent} == {"matches.meeting_invitation"}
    keys = {m.idempotency_key for m in sent}
    assert len(keys) == len(sent)
    assert all(f"meeting-{meeting.pk}-0-request-" in key for key in keys)


def test_the_invitation_is_an_icalendar_request(match, personas):
    meeting = book(match, personas.coordinator)

    message = next(m for m in emails() if m.to_address == personas.coordinator.email)
    calendar = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert "Accueil" in str(calendar["PRODID"])
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Toronto"
    event = event_of(message)
    assert str(event["UID"]) == f"meeting-{meeting.uid}@accueil.example"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "America/Toronto"
    assert event.decoded("DTSTART") == datetime(2030, 3, 9, 18, 0, tzinfo=TORONTO)
    assert event.decoded("DTEND") == datetime(2030, 3, 9, 19, 0, tzinfo=TORONTO)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["SUMMARY"]) == f"First meeting: {match.group.name} and the family"
    assert meeting.video_url in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == meeting.video_url
    assert str(event["ORGANIZER"]) == "mailto:no-reply@accueil.example"
    assert str(event["STATUS"]) == "CONFIRMED"
    # Only the person the invitation is for: no one learns the others' addresses.
    assert str(event["ATTENDEE"]) == f"mailto:{personas.coordinator.email}"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"


def test_it_never_names_the_household(match, personas, interpreter):
    household = match.household
    book(match, personas.coordinator, interpreter=interpreter)

    for message in emails():
        [attachment] = message.attachments
        for text in (message.subject, message.body_text, attachment.content.decode()):
            assert household.head_name not in text
            assert household.phone not in text
        # Each message is in its reader's language; the English ones say "the family".
        if message.language == "en":
            assert "the family" in message.body_text


def test_it_keeps_the_wall_clock_time_across_a_change_of_clocks(match, personas):
    before = book(match, personas.coordinator)
    after = book(match, personas.coordinator, starts_at=AFTER_DST)

    # 18:00 in Toronto is 23:00 UTC in winter and 22:00 UTC in summer time.
    assert before.starts_at == datetime(2030, 3, 9, 23, 0, tzinfo=UTC)
    assert after.starts_at == datetime(2030, 3, 11, 22, 0, tzinfo=UTC)
    starts = {
        event_of(m).decoded("DTSTART")
        for m in emails()
        if m.to_address == personas.coordinator.email
    }
    assert starts == {
        datetime(2030, 3, 9, 18, 0, tzinfo=TORONTO),
        datetime(2030, 3, 11, 18, 0, tzinfo=TORONTO),
    }
    for start in starts:
        assert start.astimezone(TORONTO).hour == 18


def test_an_aware_start_keeps_its_instant_in_the_chosen_zone(match, personas):
    instant = datetime(2030, 6, 1, 16, 0, tzinfo=UTC)
    meeting = book(match, personas.coordinator, starts_at=instant, time_zone="Europe/Paris")

    assert meeting.starts_at == instant
    assert meeting.local_start.hour == 18  # Paris, summer time
    message = emails()[0]
    assert event_of(message)["DTSTART"].params["TZID"] == "Europe/Paris"


def test_a_change_sends_the_next_sequence_and_a_cancellation_the_one_after(match, personas):
    meeting = book(match, personas.coordinator)
    first = len(emails())

    meetings.meeting_update(
        meeting=meeting,
        by=personas.coordinator,
        starts_at=AFTER_DST,
        time_zone="America/Toronto",
        duration_minutes=90,
        mode=MeetingMode.PHONE,
    )
    changed = emails()[first:]
    assert len(changed) == first
    event = event_of(changed[0])
    assert event["SEQUENCE"] == 1
    assert calendar_of(changed[0])["METHOD"] == "REQUEST"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
    assert "Phone call" in str(event["DESCRIPTION"])
    assert changed[0].subject.startswith("Changed: ")
    meeting.refresh_from_db()
    assert meeting.video_url == ""

    meetings.meeting_cancel(meeting=meeting, by=personas.coordinator, reason="The family moved")
    cancelled = emails()[2 * first :]
    assert len(cancelled) == first
    calendar = calendar_of(cancelled[0])
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"meeting-{meeting.uid}@accueil.example"
    assert [a.content_type for a in cancelled[0].attachments] == ["text/calendar; method=CANCEL"]
    assert "The family moved" in cancelled[0].body_text
    meeting.refresh_from_db()
    assert meeting.sequence == 2 and meeting.is_cancelled


def test_every_message_is_queued_once(match, personas):
    meeting = book(match, personas.coordinator)
    count = OutboxMessage.objects.count()

    # Sending the same version again (a retried task, a double click reaching the service
    # twice) queues nothing new.
    meetings._invite(meeting)
    meetings._text_family(meeting, "booked")

    assert OutboxMessage.objects.count() == count


def test_replacing_the_interpreter_cancels_for_the_previous_one(match, personas, interpreter):
    meeting = book(match, personas.coordinator, interpreter=interpreter)
    other = UserFactory(role=Role.INTERPRETER, email="other-interpreter@example.org")

    meetings.meeting_update(
        meeting=meeting,
        by=personas.coordinator,
        starts_at=BEFORE_DST,
        time_zone="America/Toronto",
        duration_minutes=60,
        mode=MeetingMode.VIDEO,
        interpreter=other,
    )

    to_previous = [m for m in emails() if m.to_address == interpreter.email]
    assert [calendar_of(m)["METHOD"] for m in to_previous] == ["REQUEST", "CANCEL"]
    assert [m.to_address for m in emails()].count(other.email) == 1
    # Only the interpreter changed: the family is not texted again.
    assert len(texts()) == 1


def test_it_refuses_a_time_that_has_passed(match, personas):
    with pytest.raises(ValidationError) as caught:
        book(match, personas.coordinator, starts_at=timezone.now() - timedelta(hours=1))
    assert "starts_at" in caught.value.error_dict
    assert not Meeting.objects.exists()
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED


def test_it_refuses_what_cannot_be_booked(match, personas):
    with pytest.raises(ValidationError) as caught:
        book(
            match,
            personas.coordinator,
            time_zone="Mars/Olympus_Mons",
            duration_minutes=5,
            mode=MeetingMode.IN_PERSON,
            interpreter=personas.volunteer,
        )
    assert set(caught.value.error_dict) == {"time_zone", "duration_minutes", "place", "interpreter"}


def test_only_staff_of_the_program_may_book(match, personas):
    for name in ("volunteer", "interpreter", "partner_a", "outsider"):
        with pytest.raises(PermissionDenied):
            book(match, getattr(personas, name))
    lead = match.group.memberships.get(role="lead").user
    with pytest.raises(PermissionDenied):
        book(match, lead)
    personas.coordinator.programs.clear()
    with pytest.raises(PermissionDenied):
        book(match, personas.coordinator)
    book(match, personas.manager)


def test_an_introduction_needs_both_sides_to_have_accepted(personas):
    proposed = in_state(MatchStatus.PROPOSED, personas.coordinator)
    with pytest.raises(ValidationError):
        book(proposed, personas.coordinator)
    closed = in_state(MatchStatus.CLOSED, personas.coordinator)
    with pytest.raises(ValidationError):
        book(closed, personas.coordinator)


def test_later_meetings_follow_the_introduction(match, personas):
    introduction = book(match, personas.coordinator)
    follow_up = book(match, personas.coordinator, starts_at=AFTER_DST)
    assert follow_up.kind == MeetingKind.FOLLOW_UP

    # A cancelled introduction is booked again; the match stays "introduction scheduled".
    meetings.meeting_cancel(meeting=introduction, by=personas.coordinator)
    again = book(match, personas.coordinator)
    assert again.kind == MeetingKind.INTRODUCTION
    match.refresh_from_db()
    assert match.status == MatchStatus.INTRODUCTION_SCHEDULED
    assert (
        AuditEntry.objects.for_record(match).filter(code="match.introduction_scheduled").count()
        == 1
    )


def test_a_cancelled_meeting_cannot_be_changed_or_cancelled_again(match, personas):
    meeting = book(match, personas.coordinator)
    meetings.meeting_cancel(meeting=meeting, by=personas.coordinator)
    with pytest.raises(ValidationError):
        meetings.meeting_cancel(meeting=meeting, by=personas.coordinator)
    with pytest.raises(ValidationError):
        meetings.meeting_update(
            meeting=meeting,
            by=personas.coordinator,
            starts_at=AFTER_DST,
            time_zone="America/Toronto",
            duration_minutes=60,
            mode=MeetingMode.VIDEO,
        )


# -- the family's text messages -------------------------------------------------------------


def test_the_family_is_texted_in_its_language(match, personas):
    meeting = book(match, personas.coordinator)

    [sms] = texts()
    assert sms.to_address == match.household.phone
    assert sms.language == "ar"
    assert sms.recipient is None
    assert meeting.video_url in sms.body_text
    assert sms.idempotency_key == f"meeting-{meeting.pk}-0-sms-booked"


def test_a_booking_made_late_in_the_evening_is_texted_at_eight(match, personas):
    meeting = book(match, personas.coordinator)
    OutboxMessage.objects.filter(channel=Channel.SMS).delete()

    meetings._text_family(meeting, "booked", now=datetime(2030, 3, 7, 22, 40, tzinfo=TORONTO))

    [sms] = texts()
    assert sms.next_attempt_at == datetime(2030, 3, 8, 8, 0, tzinfo=TORONTO)


def test_a_family_speaking_no_site_language_is_texted_in_english(match, personas):
    match.household.languages = ["ti", "ar"]
    match.household.save(update_fields=["languages"])

    book(match, personas.coordinator)

    [sms] = texts()
    assert sms.language == "en"
    assert "your first meeting with your Welcome Group is on Saturday 9 March 2030" in (
        sms.body_text
    )


def test_the_family_never_gets_the_invitation_by_email(match, personas):
    match.household.email = "family@example.org"
    match.household.save(update_fields=["email"])

    book(match, personas.coordinator)

    assert "family@example.org" not in [m.to_address for m in emails()]


def test_quiet_hours_hold_text_messages_until_eight():
    zone = TORONTO
    evening = datetime(2030, 3, 9, 21, 30, tzinfo=zone)
    night = datetime(2030, 3, 10, 3, 0, tzinfo=zone)
    day = datetime(2030, 3, 10, 8, 0, tzinfo=zone)
    assert meetings.after_quiet_hours(evening, zone) == datetime(2030, 3, 10, 8, 0, tzinfo=zone)
    assert meetings.after_quiet_hours(night, zone) == datetime(2030, 3, 10, 8, 0, tzinfo=zone)
    assert meetings.after_quiet_hours(day, zone) == day
    assert meetings.after_quiet_hours(datetime(2030, 3, 9, 20, 59, tzinfo=zone), zone).hour == 20


def test_the_reminder_goes_the_day_before_once(match, personas):
    meeting = book(match, personas.coordinator, starts_at=datetime(2030, 3, 9, 18, 0))
    now = datetime(2030, 3, 8, 18, 5, tzinfo=TORONTO)

    assert meetings.send_meeting_reminders(now=now - timedelta(hours=1)) == {
        "sent": 0,
        "skipped": 0,
    }
    assert meetings.send_meeting_reminders(now=now) == {"sent": 1, "skipped": 0}
    assert meetings.send_meeting_reminders(now=now + timedelta(minutes=15)) == {
        "sent": 0,
        "skipped": 0,
    }

    reminder = texts()[-1]
    assert reminder.template == "matches.meeting_sms_reminder"
    assert reminder.language == "ar"
    assert meeting.video_url in reminder.body_text
    assert reminder.next_attempt_at <= now  # daytime: at once


def test_a_reminder_falling_in_the_night_waits_until_eight(match, personas):
    book(match, personas.coordinator, starts_at=datetime(2030, 3, 9, 22, 0))
    now = datetime(2030, 3, 8, 22, 5, tzinfo=TORONTO)

    assert meetings.send_meeting_reminders(now=now)["sent"] == 1

    reminder = texts()[-1]
    assert reminder.next_attempt_at == datetime(2030, 3, 9, 8, 0, tzinfo=TORONTO)


def test_a_moved_meeting_gets_a_reminder_of_its_own(match, personas):
    meeting = book(match, personas.coordinator, starts_at=datetime(2030, 3, 9, 18, 0))
    meetings.send_meeting_reminders(now=datetime(2030, 3, 8, 18, 30, tzinfo=TORONTO))
    meetings.meeting_update(
        meeting=meeting,
        by=personas.coordinator,
        starts_at=AFTER_DST,
        time_zone="America/Toronto",
        duration_minutes=60,
        mode=MeetingMode.VIDEO,
    )

    assert meetings.send_meeting_reminders(now=datetime(2030, 3, 10, 18, 30, tzinfo=TORONTO)) == {
        "sent": 1,
        "skipped": 0,
    }
    templates = [m.template for m in texts()]
    assert templates == [
        "matches.meeting_sms_booked",
        "matches.meeting_sms_reminder",
        "matches.meeting_sms_changed",
        "matches.meeting_sms_reminder",
    ]


def test_a_cancelled_meeting_gets_no_reminder(match, personas):
    meeting = book(match, personas.coordinator)
    meetings.meeting_cancel(meeting=meeting, by=personas.coordinator)

    assert meetings.send_meeting_reminders(now=meeting.starts_at - timedelta(hours=2)) == {
        "sent": 0,
        "skipped": 0,
    }
    assert [m.template for m in texts()] == [
        "matches.meeting_sms_booked",
        "matches.meeting_sms_cancelled",
    ]


def test_a_meeting_booked_within_a_day_gets_no_separate_reminder(match, personas):
    soon = timezone.now() + timedelta(hours=5)
    meeting = book(match, personas.coordinator, starts_at=soon)

    assert meeting.reminded_for == meeting.starts_at
    assert meetings.send_meeting_reminders()["sent"] == 0
    assert len(texts()) == 1
