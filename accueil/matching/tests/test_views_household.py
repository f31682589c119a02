"""A household's ranked groups: who may see it, what it shows, proposing from it and ruling a
group out."""

import pytest
from django.urls import reverse

from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory
from accueil.matches.models import Match, MatchSource
from accueil.matching.models import PairExclusion

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(coordinator=personas.coordinator)


def _propose(client, world, group, **data):
    return client.post(
        reverse("matching_propose", args=[world.household.pk]), {"group": group.pk, **data}
    )


def test_it_shows_the_ranking_to_staff_of_the_program_only(personas, world):
    url = reverse("matching_household", args=[world.household.pk])
    assert_personas(personas, url, STAFF)
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS)


def test_it_lets_only_staff_of_the_program_propose(personas, world):
    url = reverse("matching_propose", args=[world.household.pk])
    # An empty reason for the second group: staff see the form again (200), nothing is created.
    data = {"group": world.beta.pk}
    assert_personas(personas, url, STAFF, method="post", data=data, ok=(200,))
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS, method="post", data=data, ok=(200,))
    assert not Match.objects.exists()


def test_it_lets_only_staff_of_the_program_rule_a_group_out(personas, world):
    url = reverse("matching_exclude", args=[world.household.pk])
    assert_personas(personas, url, STAFF, method="post", data={}, ok=(200,))
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS, method="post", data={}, ok=(200,))
    assert not PairExclusion.objects.exists()


def test_it_refuses_a_get_on_the_propose_url(personas, world):
    client = personas.client_for("coordinator")
    response = client.get(reverse("matching_propose", args=[world.household.pk]))
    assert response.status_code == 405


def test_it_lists_a_ready_group_with_its_reasons_and_an_excluded_group_with_why_not(
    personas, world
):
    response = personas.client_for("coordinator").get(
        reverse("matching_household", args=[world.household.pk])
    )
    page = response.content.decode()
    ranked = [row["candidate"] for row in response.context["candidates"]]
    assert [c.pk for c in ranked] == [world.alpha.pk, world.beta.pk]
    assert "Rank 1: Alpha Welcome Group" in page
    assert "Speaks Arabic with the family: +30" in page
    excluded = {row["candidate"].pk: row["why_not"] for row in response.context["excluded"]}
    assert list(excluded) == [world.forming.pk]
    assert excluded[world.forming.pk][0]["text"].startswith("Excluded: the group is not ready")
    assert "Groups that cannot be proposed" in page
    assert "Excluded: the group is not ready" in page
    # The second group's form asks for a reason; the first one's does not.
    assert f'id="propose-{world.beta.pk}-override_reason"' in page
    assert f'id="propose-{world.alpha.pk}-override_reason"' not in page


def test_it_records_every_view_of_the_household(personas, world):
    client = personas.client_for("coordinator")
    client.get(reverse("matching_household", args=[world.household.pk]))
    views = AuditEntry.objects.for_record(world.household).filter(code="record.viewed")
    assert [entry.actor for entry in views] == [personas.coordinator]


def test_it_does_not_record_a_refused_visit(personas, world):
    personas.client_for("partner_a").get(reverse("matching_household", args=[world.household.pk]))
    assert not AuditEntry.objects.for_record(world.household).filter(code="record.viewed").exists()


def test_it_proposes_the_top_group_and_shows_the_proposal(personas, world):
    client = personas.client_for("coordinator")
    response = _propose(client, world, world.alpha)
    assert response.status_code == 302
    assert response["Location"] == reverse("matching_household", args=[world.household.pk])
    match = Match.objects.get()
    assert (match.household, match.group, match.source) == (
        world.household,
        world.alpha,
        MatchSource.RANKING,
    )
    assert match.override_reason == ""
    assert AuditEntry.objects.for_record(match).filter(code="match.proposed").exists()
    page = client.get(response["Location"]).content.decode()
    assert "A match is proposed" in page
    assert "Alpha Welcome Group is proposed for Amina Haddad" in page
    assert "Propose this group" not in page


def test_it_asks_why_when_proposing_the_second_group_and_keeps_the_page(personas, world):
    client = personas.client_for("coordinator")
    response = _propose(client, world, world.beta, override_reason="   ")
    assert response.status_code == 200
    assert not Match.objects.exists()
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "This is not the top-ranked group. Say why you propose it instead." in page
    field_id = f"propose-{world.beta.pk}-override_reason"
    assert f'href="#{field_id}"' in page  # the error summary links to the right field
    assert f'aria-describedby="{field_id}_helptext {field_id}_error"' in page
    # The ranking is all still there.
    assert "Rank 1: Alpha Welcome Group" in page
    assert "Groups that cannot be proposed" in page


def test_it_keeps_the_reason_typed_when_it_is_refused(personas, world):
    reason = "The family knows the lead from church. " * 60  # longer than the 2,000 allowed
    response = _propose(
        personas.client_for("coordinator"), world, world.beta, override_reason=reason
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "at most 2000 characters" in page
    assert reason.strip() in page
    assert not Match.objects.exists()


def test_it_says_why_beside_a_group_that_filled_up_in_between(personas, world):
    world.beta.capacity = 0
    world.beta.save()
    response = _propose(
        personas.client_for("coordinator"), world, world.beta, override_reason="Near school."
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="candidate-{world.beta.pk}-error"' in page
    assert "already supports as many households as it can" in page
    assert not Match.objects.exists()


def test_it_proposes_the_second_group_with_a_reason_and_keeps_it(personas, world):
    response = _propose(
        personas.client_for("coordinator"),
        world,
        world.beta,
        override_reason="Beta meets near the family's school.",
    )
    assert response.status_code == 302
    match = Match.objects.get()
    assert match.group == world.beta
    assert match.override_reason == "Beta meets near the family's school."
    assert AuditEntry.objects.for_record(world.household).filter(code="matching.override").exists()


def test_it_refuses_to_propose_an_excluded_group(personas, world):
    response = _propose(
        personas.client_for("coordinator"), world, world.forming, override_reason="Why not."
    )
    assert response.status_code == 200
    assert not Match.objects.exists()
    page = response.content.decode()
    assert "Excluded: the group is not ready" in page
    assert f'href="#candidate-{world.forming.pk}"' in page


def test_it_gives_404_for_a_group_of_a_program_the_coordinator_does_not_have(personas, world):
    other = make_world(program=ProgramFactory(name="Another program"))
    response = _propose(personas.client_for("coordinator"), world, other.alpha)
    assert response.status_code == 404


def test_it_rules_a_group_out_for_a_conflict_of_interest(personas, world):
    client = personas.client_for("coordinator")
    url = reverse("matching_exclude", args=[world.household.pk])
    response = client.post(url, {"group": world.alpha.pk, "reason": ""})
    assert response.status_code == 200
    assert "Say why this group must not be proposed." in response.content.decode()
    response = client.post(url, {"group": world.alpha.pk, "reason": "The lead is their landlord."})
    assert response.status_code == 302
    exclusion = PairExclusion.objects.get()
    assert (exclusion.group, exclusion.reason) == (world.alpha, "The lead is their landlord.")
    page = client.get(reverse("matching_household", args=[world.household.pk])).content.decode()
    assert "staff ruled this group out for this family" in page
    assert "Rank 1: Beta Welcome Group" in page
