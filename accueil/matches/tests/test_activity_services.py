"""The activity log's rules (who logs, when, for whom), the concern flag reaching staff, and the
hours adding up per volunteer and for the group."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.matches import services_activity as services
from accueil.matches.models import Activity, ActivityMode, MatchStatus
from accueil.messaging.models import OutboxMessage
from accueil.volunteers.models import GroupMembership

from .factories import in_state, lead_of

pytestmark = pytest.mark.django_db


def _members(match):
    return [m.user for m in match.group.memberships.filter(left_at__isnull=True).order_by("pk")]


def _log(match, by, **fields):
    values = {
        "match": match,
        "by": by,
        "date": timezone.localdate(),
        "mode": ActivityMode.PHONE,
        "duration_minutes": 45,
        "participants": [by],
        "priorities": ["housing"],
        "note": "Looked at two flats together.",
    }
    values.update(fields)
    return services.activity_log(**values)


@pytest.mark.parametrize("status", [MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.CLOSING])
def test_it_lets_a_member_log_once_the_match_has_started(personas, status):
    match = in_state(status, personas.coordinator)
    volunteer = _members(match)[1]
    activity = _log(match, volunteer)
    assert activity.match == match
    assert list(activity.participants.all()) == [volunteer]
    assert activity.logged_by == volunteer
    entry = AuditEntry.objects.for_record(match).get(code="match.activity_logged")
    assert entry.actor == volunteer
    # Ids, codes and numbers: never the note.
    assert entry.additional_data == {
        "activity": activity.pk,
        "minutes": 45,
        "mode": "phone",
        "participants": 1,
        "concern": False,
    }


@pytest.mark.parametrize(
    "status",
    [
        MatchStatus.PROPOSED,
        MatchStatus.ACCEPTED,
        MatchStatus.INTRODUCTION_SCHEDULED,
        MatchStatus.CLOSED,
        MatchStatus.DECLINED,
        MatchStatus.CANCELLED,
    ],
)
def test_it_refuses_a_log_before_the_match_started_or_after_it_closed(personas, status):
    match = in_state(status, personas.coordinator)
    with pytest.raises(ValidationError):
        _log(match, _members(match)[1])
    assert not Activity.objects.exists()


def test_it_refuses_anyone_who_is_not_a_current_member(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    for outsider in (personas.coordinator, personas.admin, personas.volunteer):
        with pytest.raises(PermissionDenied):
            _log(match, outsider)
    former = _members(match)[2]
    GroupMembership.objects.filter(user=former).update(left_at=timezone.now())
    with pytest.raises(PermissionDenied):
        _log(match, former)
    assert not Activity.objects.exists()


def test_it_lets_an_interpreter_member_log(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    GroupMembership.objects.create(group=match.group, user=personas.interpreter)
    assert _log(match, personas.interpreter).logged_by == personas.interpreter


def test_it_refuses_a_date_in_the_future_or_before_the_start(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    volunteer = _members(match)[1]
    with pytest.raises(ValidationError) as caught:
        _log(match, volunteer, date=timezone.localdate() + timedelta(days=1))
    assert caught.value.message_dict["date"] == ["The date cannot be in the future."]
    with pytest.raises(ValidationError) as caught:
        _log(match, volunteer, date=match.started_on - timedelta(days=1))
    assert caught.value.message_dict["date"][0].startswith("The date cannot be before the match")
    assert _log(match, volunteer, date=match.started_on).date == match.started_on


@pytest.mark.parametrize("minutes", [0, 721, None])
def test_it_refuses_a_duration_out_of_range(personas, minutes):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    with pytest.raises(ValidationError) as caught:
        _log(match, _members(match)[1], duration_minutes=minutes)
    assert "duration_minutes" in caught.value.message_dict


def test_it_takes_only_current_members_as_participants(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    lead, volunteer, former = _members(match)
    GroupMembership.objects.filter(user=former).update(left_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        _log(match, volunteer, participants=[volunteer, former])
    assert caught.value.message_dict["participants"] == [
        "Only current members of the group can be chosen."
    ]
    with pytest.raises(ValidationError):
        _log(match, volunteer, participants=[volunteer, personas.outsider])
    with pytest.raises(ValidationError):
        _log(match, volunteer, participants=[])
    activity = _log(match, volunteer, participants=[volunteer, lead])
    assert set(activity.participants.all()) == {volunteer, lead}


def test_it_refuses_an_unknown_priority(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    with pytest.raises(ValidationError) as caught:
        _log(match, _members(match)[1], priorities=["housing", "astrology"])
    assert "priorities" in caught.value.message_dict


def test_a_concern_needs_words_and_reaches_the_staff(personas, django_capture_on_commit_callbacks):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    volunteer = _members(match)[1]
    with pytest.raises(ValidationError) as caught:
        _log(match, volunteer, concern=True, concern_text="  ")
    assert caught.value.message_dict["concern_text"] == ["Say what worries you."]

    with django_capture_on_commit_callbacks(execute=False):
        activity = _log(
            match, volunteer, concern=True, concern_text="The landlord threatened them."
        )
    # The risk queue reads this.
    assert list(Activity.objects.concerns()) == [activity]
    assert list(Activity.objects.filter(concern=True, match=match)) == [activity]
    entry = AuditEntry.objects.for_record(match).get(code="match.concern_raised")
    assert entry.additional_data == {"activity": activity.pk}
    # The coordinator is told, without the words.
    mail = OutboxMessage.objects.get(template="matches.concern_raised")
    assert mail.to_address == personas.coordinator.email
    assert "landlord" not in mail.body_text
    assert f"/matches/{match.pk}/activity/" in mail.body_text


def test_it_drops_concern_words_typed_under_an_unticked_box(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    activity = _log(match, _members(match)[1], concern=False, concern_text="Never mind")
    activity.refresh_from_db()
    assert activity.concern_text == ""
    assert not Activity.objects.concerns().exists()


def test_notes_and_concerns_are_encrypted_at_rest(personas):
    from django.db import connection

    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    activity = _log(match, _members(match)[1], concern=True, concern_text="Sad and alone")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT note, concern_text FROM matches_activity WHERE id = %s", [activity.pk]
        )
        note, concern = cursor.fetchone()
    assert "flats" not in note and "alone" not in concern
    activity.refresh_from_db()
    assert activity.note == "Looked at two flats together."
    assert activity.concern_text == "Sad and alone"


def test_the_hours_add_up_per_volunteer_and_for_the_group(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    lead, volunteer, third = _members(match)
    _log(match, volunteer, participants=[volunteer, lead], duration_minutes=60)
    _log(match, volunteer, participants=[volunteer], duration_minutes=30)
    _log(match, lead, participants=[lead], duration_minutes=90)
    GroupMembership.objects.filter(user=lead).update(left_at=timezone.now())
    hours = services.match_hours(match)
    assert hours.minutes == 180  # each activity once
    assert hours.activities == 3
    assert hours.hours == 3.0
    by_person = {p.user_id: (p.minutes, p.activities, p.current) for p in hours.people}
    assert by_person == {
        lead.pk: (150, 2, False),  # left the group, still credited
        volunteer.pk: (90, 2, True),
        third.pk: (0, 0, True),  # a current member who has not taken part yet
    }
    assert [p.user_id for p in hours.people] == [lead.pk, volunteer.pk, third.pk]
    assert hours.volunteer_minutes == 240


def test_the_hours_take_three_queries_however_long_the_log(personas, django_assert_num_queries):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    lead, volunteer, _third = _members(match)
    for _ in range(15):
        _log(match, volunteer, participants=[volunteer, lead])
    with django_assert_num_queries(3):
        services.match_hours(match)


def test_the_last_mode_used_is_remembered(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    volunteer = _members(match)[1]
    assert services.last_mode(volunteer, match) == ActivityMode.VIDEO
    _log(match, volunteer, mode=ActivityMode.IN_PERSON)
    assert services.last_mode(volunteer, match) == ActivityMode.IN_PERSON
    assert services.last_mode(lead_of(match.group), match) == ActivityMode.VIDEO


def test_a_group_adds_up_its_time_over_all_its_matches(personas, django_assert_num_queries):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    volunteer = _members(match)[1]
    _log(match, volunteer, duration_minutes=50)
    _log(match, volunteer, duration_minutes=70)
    with django_assert_num_queries(1):
        assert services.group_minutes(match.group) == {"minutes": 120, "activities": 2}
