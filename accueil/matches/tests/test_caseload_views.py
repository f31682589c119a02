"""/caseload/: who may see it, what it shows, and that its queries do not grow with the
caseload."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.conftest import assert_personas
from accueil.matches.models import Activity, CheckIn, CheckInKind, Match, MatchStatus
from accueil.matches.services_checkins import checkins_plan
from accueil.matches.tests.factories import in_state
from accueil.newcomers.models import Household

pytestmark = pytest.mark.django_db
URL = "/caseload/"


def test_it_is_named_caseload():
    assert reverse("caseload") == URL


def test_only_staff_reach_the_caseload(personas):
    assert_personas(personas, URL, {"admin", "manager", "coordinator"})


def test_it_shows_the_three_sections_without_the_familys_name(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    checkins_plan(match)
    overdue = match.checkins.order_by("due_on").first()

    response = personas.client_for("coordinator").get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "My caseload" in html
    assert "Needs attention" in html and "Check-ins due this week and overdue" in html
    assert f"household #{match.household_id}" in html
    assert match.household.head_name not in html
    assert reverse("checkin_detail", args=[match.pk, overdue.pk]) in html
    assert "Record the overdue check-in" in html


def test_a_manager_can_narrow_to_one_coordinator(personas):
    mine = in_state(MatchStatus.ACTIVE, personas.coordinator)
    other = in_state(MatchStatus.ACTIVE, personas.manager)

    client = personas.client_for("manager")
    everyone = client.get(URL).content.decode()
    narrowed = client.get(URL, {"coordinator": personas.coordinator.pk}).content.decode()

    assert f"household #{other.household_id}" in everyone
    assert f"household #{mine.household_id}" in everyone
    assert f"household #{mine.household_id}" in narrowed
    assert f"household #{other.household_id}" not in narrowed
    assert "Caseload of Cora Coordinator" in narrowed


def _grow(base: Match, count: int) -> None:
    """``count`` more active matches like ``base``, built in bulk, each with an overdue and an
    upcoming check-in, a completed one with low scores, and activity (some with a concern)."""
    today = timezone.localdate()
    household = Household.objects.get(pk=base.household_id)
    clones = []
    for _ in range(count):
        clone = Household.objects.get(pk=household.pk)
        clone.pk = None
        clones.append(clone)
    households = Household.objects.bulk_create(clones)
    matches = Match.objects.bulk_create(
        Match(
            program_id=base.program_id,
            household=h,
            group_id=base.group_id,
            coordinator_id=base.coordinator_id,
            status=MatchStatus.ACTIVE,
            source=base.source,
            score=70,
            started_on=today - timedelta(days=40 + k % 30),
            planned_end=today + timedelta(days=k % 60),
        )
        for k, h in enumerate(households)
    )
    now = timezone.now()
    checkins, activities = [], []
    for k, match in enumerate(matches):
        checkins += [
            CheckIn(match=match, kind=CheckInKind.REGULAR, due_on=today - timedelta(days=k % 9)),
            CheckIn(match=match, kind=CheckInKind.REGULAR, due_on=today + timedelta(days=20)),
            CheckIn(
                match=match,
                kind=CheckInKind.REGULAR,
                due_on=today - timedelta(days=30),
                completed_at=now - timedelta(days=29),
                outcome="needs_attention",
                volunteer_rating=1 + k % 5,
                volunteer_wellbeing=1 + k % 4,
                volunteer_workload=3,
                household_satisfaction=1 + k % 3,
                household_concerns="Rent" if k % 7 == 0 else "",
            ),
        ]
        activities.append(
            Activity(
                match=match,
                date=today - timedelta(days=k % 20),
                mode="phone",
                duration_minutes=20,
                concern=k % 11 == 0,
                concern_text="Worried" if k % 11 == 0 else "",
            )
        )
    CheckIn.objects.bulk_create(checkins)
    Activity.objects.bulk_create(activities)


@pytest.mark.parametrize("persona", ["coordinator", "manager"])
def test_it_runs_the_same_number_of_queries_for_10_and_500_matches(
    personas, persona, django_assert_num_queries
):
    base = in_state(MatchStatus.ACTIVE, personas.coordinator)
    checkins_plan(base)
    _grow(base, 9)
    client = personas.client_for(persona)
    client.get(URL)  # sessions, content types and the like, once

    with CaptureQueriesContext(connection) as ten:
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count("household #") >= 10

    _grow(base, 490)
    with django_assert_num_queries(len(ten.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200
    assert "500 matches need attention" in response.content.decode()
