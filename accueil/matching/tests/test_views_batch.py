"""The batch optimiser's pages: running it, reviewing its proposals (accept, reject with a
reason), who may see a run, and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.matches.models import Match, MatchSource
from accueil.matching import services
from accueil.matching.models import BatchProposal, BatchRun, ProposalDecision

from .factories import make_world, ready_group, waiting_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(coordinator=personas.coordinator)


@pytest.fixture
def run(personas, world):
    return services.batch_run(program=world.program, by=personas.manager)


def test_it_lets_only_staff_of_the_program_run_the_optimiser(personas, world):
    url = reverse("matching_batch_run")
    data = {"program": world.program.pk}
    assert_personas(personas, url, STAFF, method="post", data=data, ok=(302,))
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS, method="post", data=data, ok=(302,))


def test_it_gives_404_for_a_missing_or_wrong_program(personas, world):
    client = personas.client_for("manager")
    url = reverse("matching_batch_run")
    assert client.post(url, {"program": "nope"}).status_code == 404
    assert client.post(url, {"program": 999_999}).status_code == 404
    assert client.post(url).status_code == 404


def test_it_shows_a_run_to_staff_of_its_program_only(personas, run):
    url = reverse("matching_batch", args=[run.pk])
    assert_personas(personas, url, STAFF)
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS)


def test_it_lets_only_staff_of_the_program_accept_or_reject(personas, world):
    for action in ("matching_proposal_accept", "matching_proposal_reject"):
        run = services.batch_run(program=world.program, by=personas.manager)
        proposal = run.proposals.get()
        url = reverse(action, args=[proposal.pk])
        # The admin, first, acts (302); the manager and the coordinator after them find the
        # proposal already reviewed (302 with a message, or the page again for a rejection).
        assert_personas(
            personas, url, STAFF, method="post", data={"reason": "Too far."}, ok=(200, 302)
        )
        Match.objects.all().delete()
    run = services.batch_run(program=world.program, by=personas.manager)
    proposal = run.proposals.get()
    personas.coordinator.programs.clear()
    for action in ("matching_proposal_accept", "matching_proposal_reject"):
        url = reverse(action, args=[proposal.pk])
        assert_personas(
            personas, url, MANAGERS, method="post", data={"reason": "Too far."}, ok=(200, 302)
        )


def test_it_runs_the_optimiser_and_shows_its_proposals(personas, world):
    client = personas.client_for("coordinator")
    response = client.post(reverse("matching_batch_run"), {"program": world.program.pk})
    run = BatchRun.objects.get()
    assert response["Location"] == reverse("matching_batch", args=[run.pk])
    proposal = run.proposals.get()
    assert (proposal.household, proposal.group) == (world.household, world.alpha)
    assert AuditEntry.objects.for_record(run).filter(code="matching.batch_run").exists()
    response = client.get(response["Location"])
    page = response.content.decode()
    assert "The optimiser proposed 1 match for" in page
    assert "Amina Haddad" in page and "Alpha Welcome Group" in page
    assert "Speaks Arabic with the family: +30" in page
    assert "To review" in page
    assert f'id="reject-{proposal.pk}-reason"' in page


def test_it_orders_proposals_by_days_waiting(personas, world):
    ready_group(world.program, world.region, name="Third group")
    older = waiting_household(world.program, world.region, head_name="Older", days=200)
    run = services.batch_run(program=world.program, by=personas.coordinator)
    response = personas.client_for("coordinator").get(reverse("matching_batch", args=[run.pk]))
    waits = [row["proposal"].wait_days for row in response.context["rows"]]
    assert waits == sorted(waits, reverse=True)
    assert response.context["rows"][0]["proposal"].household == older


def test_it_accepts_a_proposal_as_a_match(personas, run):
    proposal = run.proposals.get()
    client = personas.client_for("coordinator")
    response = client.post(reverse("matching_proposal_accept", args=[proposal.pk]))
    assert response["Location"] == reverse("matching_batch", args=[run.pk])
    match = Match.objects.get()
    assert (match.household_id, match.group_id, match.source) == (
        proposal.household_id,
        proposal.group_id,
        MatchSource.BATCH,
    )
    proposal.refresh_from_db()
    assert proposal.decision == ProposalDecision.ACCEPTED
    assert proposal.match == match
    page = client.get(response["Location"]).content.decode()
    assert "Alpha Welcome Group is proposed for Amina Haddad" in page
    assert "Accepted" in page


def test_it_says_when_a_proposal_is_no_longer_possible(personas, run):
    proposal = run.proposals.get()
    group = proposal.group
    group.capacity = 0
    group.save()
    client = personas.client_for("coordinator")
    response = client.post(reverse("matching_proposal_accept", args=[proposal.pk]), follow=True)
    page = response.content.decode()
    assert "This proposal is no longer possible" in page
    assert not Match.objects.exists()
    proposal.refresh_from_db()
    assert proposal.decision == ProposalDecision.STALE


def test_it_needs_a_reason_to_reject_and_records_it(personas, run):
    proposal = run.proposals.get()
    client = personas.client_for("coordinator")
    url = reverse("matching_proposal_reject", args=[proposal.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why you reject this proposal." in page
    assert f'href="#reject-{proposal.pk}-reason"' in page
    proposal.refresh_from_db()
    assert proposal.decision == ProposalDecision.PENDING

    response = client.post(url, {"reason": "The family moved to Ottawa."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.decision == ProposalDecision.REJECTED
    assert proposal.reason == "The family moved to Ottawa."
    assert proposal.decided_by == personas.coordinator
    assert (
        AuditEntry.objects.for_record(proposal.household)
        .filter(code="matching.proposal_rejected")
        .exists()
    )
    page = client.get(reverse("matching_batch", args=[run.pk])).content.decode()
    assert "The family moved to Ottawa." in page


def test_it_keeps_the_reason_typed_when_rejecting_fails(personas, run):
    proposal = run.proposals.get()
    reason = "Too far. " * 300  # longer than allowed
    response = personas.client_for("coordinator").post(
        reverse("matching_proposal_reject", args=[proposal.pk]), {"reason": reason}
    )
    assert response.status_code == 200
    assert reason.strip() in response.content.decode()


def test_it_refuses_to_review_a_proposal_twice(personas, run):
    proposal = run.proposals.get()
    client = personas.client_for("coordinator")
    client.post(reverse("matching_proposal_reject", args=[proposal.pk]), {"reason": "No."})
    response = client.post(reverse("matching_proposal_accept", args=[proposal.pk]), follow=True)
    assert "This proposal was already reviewed." in response.content.decode()
    assert not Match.objects.exists()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_few_and_many_proposals(
    personas, world, django_assert_num_queries
):
    client = personas.client_for("coordinator")
    small = services.batch_run(program=world.program, by=personas.coordinator)
    assert small.proposals.count() == 1
    expected = _count(client, reverse("matching_batch", args=[small.pk]))
    for n in range(6):
        waiting_household(world.program, world.region, days=40 + n)
        ready_group(world.program, world.region, name=f"More {n}")
    large = services.batch_run(program=world.program, by=personas.coordinator)
    assert large.proposals.count() == 7
    # One reviewed of each kind, so every branch of the row renders.
    first, second = list(BatchProposal.objects.filter(run=large)[:2])
    services.batch_proposal_reject(proposal=first, by=personas.coordinator, reason="No.")
    services.batch_proposal_accept(proposal=second, by=personas.coordinator)
    with django_assert_num_queries(expected):
        client.get(reverse("matching_batch", args=[large.pk]))
