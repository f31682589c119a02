"""The risk queue: each signal, the ranking by urgency, and one next action per row."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.matches.models import Activity, CheckIn, CheckInOutcome, MatchStatus
from accueil.matches.selectors_caseload import caseload
from accueil.matches.services_checkins import (
    checkin_complete,
    checkin_record_household,
    checkin_record_volunteers,
    checkins_plan,
)
from accueil.matches.tests.factories import in_state

pytestmark = pytest.mark.django_db


def active(coordinator, *, status=MatchStatus.ACTIVE):
    """Started 30 days ago (the factories' default): the week-2 check-in is overdue."""
    match = in_state(status, coordinator)
    checkins_plan(match)
    return match


def log(match, *, days_ago=1, concern=False):
    return Activity.objects.create(
        match=match,
        date=timezone.localdate() - timedelta(days=days_ago),
        mode="phone",
        duration_minutes=30,
        concern=concern,
        concern_text="They seem worried about rent" if concern else "",
    )


def complete_first(match, by, *, rating=4, wellbeing=4, satisfaction=4, concerns="", outcome=None):
    checkin = match.checkins.order_by("due_on").first()
    checkin_record_volunteers(
        checkin=checkin, by=by, rating=rating, wellbeing=wellbeing, workload=4
    )
    checkin_record_household(checkin=checkin, by=by, satisfaction=satisfaction, concerns=concerns)
    checkin_complete(checkin=checkin, by=by, outcome=outcome or CheckInOutcome.ON_TRACK)
    return checkin


def rows_by_match(user):
    data = caseload(user)
    return data, {row.match.pk: row for row in data["matches"]}


def codes(row):
    return [signal.code for signal in row.signals]


def test_a_healthy_match_is_not_in_the_risk_queue(personas):
    match = active(personas.coordinator)
    complete_first(match, personas.coordinator)
    log(match, days_ago=2)

    data, rows = rows_by_match(personas.coordinator)

    assert rows[match.pk].signals == []
    assert data["risk"] == []


def test_it_flags_a_missed_checkin_with_a_link_to_record_it(personas):
    match = active(personas.coordinator)
    log(match)
    overdue = match.checkins.order_by("due_on").first()

    _data, rows = rows_by_match(personas.coordinator)

    row = rows[match.pk]
    assert codes(row) == ["missed_checkin"]
    assert "16 days overdue" in row.signals[0].text
    assert row.action_url == reverse("checkin_detail", args=[match.pk, overdue.pk])


def test_it_flags_no_activity_for_14_days(personas):
    match = active(personas.coordinator)
    complete_first(match, personas.coordinator)
    log(match, days_ago=15)

    _data, rows = rows_by_match(personas.coordinator)

    assert codes(rows[match.pk]) == ["no_activity"]
    assert "15 days" in rows[match.pk].signals[0].text
    assert rows[match.pk].action_url == reverse("match_detail", args=[match.pk])


def test_a_paused_match_is_not_flagged_for_no_activity(personas):
    match = active(personas.coordinator, status=MatchStatus.PAUSED)
    complete_first(match, personas.coordinator)

    _data, rows = rows_by_match(personas.coordinator)

    assert "no_activity" not in codes(rows[match.pk])


def test_it_flags_a_concern_until_the_next_checkin(personas):
    match = active(personas.coordinator)
    complete_first(match, personas.coordinator)
    log(match, concern=True)

    _data, rows = rows_by_match(personas.coordinator)
    assert codes(rows[match.pk]) == ["concern"]
    next_checkin = CheckIn.objects.pending().filter(match=match).order_by("due_on").first()
    assert rows[match.pk].action_url == reverse("checkin_detail", args=[match.pk, next_checkin.pk])

    # The coordinator checks in: the concern is dealt with.
    checkin_record_household(checkin=next_checkin, by=personas.coordinator, satisfaction=4)
    checkin_complete(checkin=next_checkin, by=personas.coordinator, outcome="on_track")
    _data, rows = rows_by_match(personas.coordinator)
    assert codes(rows[match.pk]) == []


def test_it_flags_a_concern_the_household_raised_low_ratings_and_low_wellbeing(personas):
    match = active(personas.coordinator)
    log(match)
    complete_first(
        match,
        personas.coordinator,
        rating=2,
        wellbeing=1,
        satisfaction=2,
        concerns="The group cancels often",
    )

    _data, rows = rows_by_match(personas.coordinator)

    row = rows[match.pk]
    assert codes(row) == ["concern", "low_wellbeing", "low_rating"]
    assert "household 2 of 5" in row.signals[2].text
    # The household's words stay on the check-in page.
    assert not any("cancels" in signal.text for signal in row.signals)


def test_it_flags_an_approaching_end(personas):
    match = active(personas.coordinator)
    complete_first(match, personas.coordinator)
    log(match)
    match.planned_end = timezone.localdate() + timedelta(days=10)
    match.save()

    _data, rows = rows_by_match(personas.coordinator)

    assert codes(rows[match.pk]) == ["end_soon"]
    assert rows[match.pk].action_label == "Plan the closing"


def test_it_ranks_the_most_urgent_first(personas):
    quiet = active(personas.coordinator)  # missed check-in and no activity
    at_risk = active(personas.coordinator)
    log(at_risk)
    complete_first(at_risk, personas.coordinator, outcome=CheckInOutcome.AT_RISK, rating=1)
    ending = active(personas.coordinator)
    complete_first(ending, personas.coordinator)
    log(ending)
    ending.planned_end = timezone.localdate() + timedelta(days=3)
    ending.save()

    data, _rows = rows_by_match(personas.coordinator)

    assert [row.match.pk for row in data["risk"]] == [at_risk.pk, quiet.pk, ending.pk]
    assert codes(data["risk"][1]) == ["missed_checkin", "no_activity"]
    assert all(row.action_url for row in data["risk"])


def test_a_coordinator_sees_only_their_own_matches(personas):
    mine = active(personas.coordinator)
    other = active(personas.manager)  # the manager coordinates this one

    _data, rows = rows_by_match(personas.coordinator)
    assert set(rows) == {mine.pk}

    _data, everyone = rows_by_match(personas.manager)
    assert {mine.pk, other.pk} <= set(everyone)
    assert {
        row.match.pk
        for row in caseload(personas.manager, coordinator=personas.coordinator)["matches"]
    } == {mine.pk}
