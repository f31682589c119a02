"""The matching overview: staff only, each program's waiting list and groups, a constant number
of queries whatever their length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.conftest import STAFF, assert_personas
from accueil.factories import ProgramFactory

from .factories import make_world, ready_group, waiting_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(coordinator=personas.coordinator)


def test_it_shows_the_overview_to_staff_only(personas, world):
    url = reverse("matching_home")
    assert_personas(personas, url, STAFF)
    # A coordinator of no program still reaches the page, which lists nothing.
    personas.coordinator.programs.clear()
    assert_personas(personas, url, STAFF)


def test_it_lists_waiting_households_longest_first_and_ready_groups_with_room(personas, world):
    newer = waiting_household(world.program, world.region, head_name="Newer", days=3)
    older = waiting_household(world.program, world.region, head_name="Older", days=90)
    response = personas.client_for("coordinator").get(reverse("matching_home"))
    (section,) = response.context["programs"]
    assert [row["household"] for row in section["waiting"]] == [older, world.household, newer]
    assert [row["days"] for row in section["waiting"]] == [90, 30, 3]
    assert [g.id for g in section["groups"]] == [world.alpha.pk, world.beta.pk]
    page = response.content.decode()
    assert reverse("matching_household", args=[older.pk]) in page
    assert reverse("matching_group", args=[world.alpha.pk]) in page
    assert "Run the batch optimiser" in page
    assert reverse("matching_settings", args=[world.program.pk]) not in page  # not a manager


def test_it_shows_a_coordinator_only_their_programs(personas, world):
    other = make_world(program=ProgramFactory(name="Another program"))
    page = personas.client_for("coordinator").get(reverse("matching_home")).content.decode()
    assert world.program.name in page
    assert other.program.name not in page
    page = personas.client_for("manager").get(reverse("matching_home")).content.decode()
    assert other.program.name in page
    assert reverse("matching_settings", args=[other.program.pk]) in page


def test_it_links_the_last_five_runs(personas, world):
    from accueil.matching import services

    runs = [services.batch_run(program=world.program, by=personas.coordinator) for _ in range(6)]
    response = personas.client_for("coordinator").get(reverse("matching_home"))
    (section,) = response.context["programs"]
    assert section["runs"] == list(reversed(runs))[:5]
    assert reverse("matching_batch", args=[runs[-1].pk]) in response.content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_few_and_many_rows(
    personas, world, django_assert_num_queries
):
    client = personas.client_for("coordinator")
    url = reverse("matching_home")
    cold_small = _count(client, url)
    warm_small = _count(client, url)  # the groups' features now come from the cache
    for n in range(6):
        waiting_household(world.program, world.region, days=10 + n)
        ready_group(world.program, world.region, name=f"More {n}")
    with django_assert_num_queries(cold_small):
        client.get(url)
    with django_assert_num_queries(warm_small):
        client.get(url)
