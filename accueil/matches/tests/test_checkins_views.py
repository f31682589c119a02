"""A check-in's page (the volunteers' form, the household's form, the outcome) and the panel on
the staff match page."""

import pytest
from django.urls import reverse

from accueil.conftest import assert_personas
from accueil.factories import UserFactory
from accueil.matches.models import MatchStatus
from accueil.matches.services_checkins import checkins_plan
from accueil.matches.tests.factories import in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkin(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    checkins_plan(match)
    personas.manager.programs.add(match.program)
    return match.checkins.order_by("due_on").first()


def url(checkin):
    return reverse("checkin_detail", args=[checkin.match_id, checkin.pk])


def test_the_url(checkin):
    assert url(checkin) == f"/matches/{checkin.match_id}/checkins/{checkin.pk}/"


def test_only_staff_of_the_program_reach_a_checkin(personas, checkin):
    assert_personas(personas, url(checkin), {"admin", "manager", "coordinator"})


def test_only_staff_of_the_program_may_post(personas, checkin):
    data = {"form": "household", "household-satisfaction": "4"}
    assert_personas(
        personas,
        url(checkin),
        {"admin", "manager", "coordinator"},
        method="post",
        data=data,
        ok=(302, 400),
    )


def test_a_coordinator_of_another_program_gets_404(checkin, client):
    client.force_login(UserFactory(role="coordinator"))

    assert client.get(url(checkin)).status_code == 404


def test_a_checkin_of_another_match_gets_404(personas, checkin):
    other = in_state(MatchStatus.ACTIVE, personas.coordinator)
    response = personas.client_for("coordinator").get(
        reverse("checkin_detail", args=[other.pk, checkin.pk])
    )

    assert response.status_code == 404


def test_it_shows_the_two_forms_and_the_outcome(personas, checkin):
    html = personas.client_for("coordinator").get(url(checkin)).content.decode()

    assert "1. The volunteers" in html and "2. The household" in html
    assert "3. Your conclusion" in html
    assert "Overdue" in html
    assert checkin.match.household.head_name not in html


def test_it_records_a_whole_checkin(personas, checkin):
    client = personas.client_for("coordinator")

    response = client.post(
        url(checkin),
        {
            "form": "volunteers",
            "volunteers-rating": "4",
            "volunteers-wellbeing": "2",
            "volunteers-workload": "3",
            "volunteers-notes": "Good calls",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url(checkin),
        {
            "form": "household",
            "household-satisfaction": "5",
            "household-concerns": "",
            "household-through_interpreter": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(url(checkin), {"form": "outcome", "outcome-outcome": "on_track"})
    assert response.status_code == 302

    checkin.refresh_from_db()
    assert checkin.volunteer_wellbeing == 2 and checkin.household_satisfaction == 5
    assert checkin.through_interpreter and checkin.outcome == "on_track"
    html = client.get(url(checkin)).content.decode()
    assert "Good calls" in html and "3. Your conclusion" not in html


def test_it_shows_errors_in_a_summary(personas, checkin):
    response = personas.client_for("coordinator").post(
        url(checkin), {"form": "household", "household-satisfaction": "9"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_household-satisfaction_0"' in html


def test_the_service_explains_a_missing_answer(personas, checkin):
    response = personas.client_for("coordinator").post(
        url(checkin), {"form": "outcome", "outcome-outcome": "at_risk"}
    )

    assert response.status_code == 400
    assert "say why in the notes" in response.content.decode()


def test_an_unknown_form_is_404(personas, checkin):
    response = personas.client_for("coordinator").post(url(checkin), {"form": "other"})

    assert response.status_code == 404


def test_the_match_page_lists_the_checkins_with_the_next_one(personas, checkin):
    html = (
        personas.client_for("coordinator")
        .get(reverse("match_detail", args=[checkin.match_id]))
        .content.decode()
    )

    assert "Check-ins" in html
    assert "Record this check-in" in html
    assert url(checkin) in html
