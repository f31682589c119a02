"""The volunteers answer their own check-in on their group's page."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accueil.conftest import assert_personas
from accueil.matches import services
from accueil.matches.models import CheckIn, MatchStatus
from accueil.matching.tests.factories import ready_group

from .factories import in_state, lead_of

pytestmark = pytest.mark.django_db

ANSWERS = {
    "volunteers-rating": "4",
    "volunteers-notes": "We meet every Tuesday; the children love the library.",
    "volunteers-priorities": "",
    "volunteers-wellbeing": "2",
    "volunteers-workload": "2",
}


def _due_checkin(coordinator):
    match = in_state(MatchStatus.INTRODUCTION_SCHEDULED, coordinator)
    services.match_start(match=match, by=coordinator, on=timezone.localdate() - timedelta(days=15))
    checkin = CheckIn.objects.filter(match=match).order_by("due_on").first()
    assert checkin.due_on <= date.today()
    return match, checkin


def _member(match) -> Client:
    client = Client()
    client.force_login(match.group.memberships.filter(role="member").first().user)
    return client


def test_a_member_answers_and_the_coordinator_sees_it(personas):
    match, checkin = _due_checkin(personas.coordinator)
    client = _member(match)
    page = client.get(reverse("my_match", args=[match.pk])).content.decode()
    assert reverse("my_checkin", args=[match.pk, checkin.pk]) in page
    response = client.post(reverse("my_checkin", args=[match.pk, checkin.pk]), ANSWERS)
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.volunteer_rating == 4 and checkin.volunteer_wellbeing == 2
    assert (
        checkin.volunteer_recorded_by == match.group.memberships.filter(role="member").first().user
    )
    staff_page = personas.client_for("coordinator").get(
        reverse("checkin_detail", args=[match.pk, checkin.pk])
    )
    assert "We meet every Tuesday" in staff_page.content.decode()


def test_a_missing_answer_keeps_what_was_typed(personas):
    match, checkin = _due_checkin(personas.coordinator)
    response = _member(match).post(
        reverse("my_checkin", args=[match.pk, checkin.pk]), {**ANSWERS, "volunteers-rating": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a number from 1 to 5." in page
    assert "We meet every Tuesday" in page


def test_only_members_of_the_group_reach_it(personas):
    match, checkin = _due_checkin(personas.coordinator)
    url = reverse("my_checkin", args=[match.pk, checkin.pk])
    assert_personas(personas, url, set())
    other = ready_group(match.program, match.household.region, name="Another group")
    client = Client()
    client.force_login(lead_of(other))
    assert client.get(url).status_code == 404
    assert client.post(url, ANSWERS).status_code == 404
    checkin.refresh_from_db()
    assert checkin.volunteer_answered_at is None


def test_a_completed_checkin_cannot_be_changed(personas):
    match, checkin = _due_checkin(personas.coordinator)
    client = _member(match)
    client.post(reverse("my_checkin", args=[match.pk, checkin.pk]), ANSWERS)
    from accueil.matches.services_checkins import checkin_complete

    checkin_complete(checkin=checkin, by=personas.coordinator, outcome="on_track")
    response = client.post(
        reverse("my_checkin", args=[match.pk, checkin.pk]), {**ANSWERS, "volunteers-rating": "1"}
    )
    assert response.status_code == 200
    checkin.refresh_from_db()
    assert checkin.volunteer_rating == 4
