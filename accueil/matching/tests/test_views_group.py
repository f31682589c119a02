"""A group's ranked waiting households: staff of its program only, days waiting, proposing."""

import pytest
from django.urls import reverse

from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.matches.models import Match

from .factories import make_world, waiting_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(coordinator=personas.coordinator)


def test_it_shows_the_group_ranking_to_staff_of_the_program_only(personas, world):
    url = reverse("matching_group", args=[world.alpha.pk])
    assert_personas(personas, url, STAFF)
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS)


def test_it_hides_the_page_from_a_member_of_the_group(personas, world):
    from accueil.volunteers.models import GroupMembership

    GroupMembership.objects.create(group=world.alpha, user=personas.volunteer)
    response = personas.client_for("volunteer").get(
        reverse("matching_group", args=[world.alpha.pk])
    )
    assert response.status_code == 404


def test_it_lists_waiting_households_with_reasons_and_days_waiting(personas, world):
    longer = waiting_household(world.program, world.region, head_name="Samir Khoury", days=60)
    response = personas.client_for("coordinator").get(
        reverse("matching_group", args=[world.alpha.pk])
    )
    rows = response.context["candidates"]
    assert [row["candidate"].obj for row in rows] == [longer, world.household]
    assert [row["days"] for row in rows] == [60, 30]
    page = response.content.decode()
    assert "Samir Khoury" in page and "Amina Haddad" in page
    assert "Waiting for 60 days" in page
    assert "Speaks Arabic with the family: +30" in page


def test_it_proposes_a_household_from_the_group_page(personas, world):
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("matching_propose", args=[world.household.pk]),
        {"group": world.alpha.pk, "back": "group"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("matching_group", args=[world.alpha.pk])
    assert Match.objects.get().group == world.alpha


def test_it_asks_why_beside_the_household_when_the_group_is_not_its_first(personas, world):
    client = personas.client_for("coordinator")
    url = reverse("matching_group", args=[world.beta.pk])
    page = client.get(url).content.decode()
    field_id = f"propose-{world.household.pk}-override_reason"
    assert f'id="{field_id}"' in page
    response = client.post(
        reverse("matching_propose", args=[world.household.pk]),
        {"group": world.beta.pk, "back": "group"},
    )
    assert response.status_code == 200
    assert response.templates[0].name == "matching/group.html"
    assert f'href="#{field_id}"' in response.content.decode()
    assert not Match.objects.exists()
