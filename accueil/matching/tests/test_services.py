"""The matching services the staff pages call: proposing from a ranking, the batch run and its
review, pair exclusions and the weights. Each refuses the wrong person and is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory
from accueil.matches.models import Match, MatchSource
from accueil.matching import services
from accueil.matching.models import BatchRun, PairExclusion, ProposalDecision

from .factories import make_world, waiting_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(coordinator=personas.coordinator)


def test_it_proposes_the_top_group_without_a_reason(personas, world):
    match = services.match_propose_from_ranking(
        household=world.household, group=world.alpha, by=personas.coordinator
    )
    assert (match.group, match.source, match.override_reason) == (
        world.alpha,
        MatchSource.RANKING,
        "",
    )
    assert match.score > 0 and match.explanation
    assert AuditEntry.objects.for_record(match).filter(code="match.proposed").exists()
    assert not AuditEntry.objects.filter(code="matching.override").exists()


def test_it_needs_a_reason_for_another_group_and_keeps_it(personas, world):
    with pytest.raises(ValidationError) as refused:
        services.match_propose_from_ranking(
            household=world.household, group=world.beta, by=personas.coordinator
        )
    assert "override_reason" in refused.value.error_dict
    match = services.match_propose_from_ranking(
        household=world.household,
        group=world.beta,
        by=personas.coordinator,
        override_reason="  Closer to the family.  ",
    )
    assert match.override_reason == "Closer to the family."
    entry = AuditEntry.objects.get(code="matching.override")
    assert entry.additional_data["rank"] == 2


def test_it_refuses_an_excluded_group_with_its_reasons(personas, world):
    with pytest.raises(ValidationError) as refused:
        services.match_propose_from_ranking(
            household=world.household,
            group=world.forming,
            by=personas.coordinator,
            override_reason="Anyway.",
        )
    assert any("the group is not ready" in m for m in refused.value.messages)
    assert not Match.objects.exists()


def test_it_refuses_a_group_of_another_program(personas, world):
    other = make_world(program=ProgramFactory(name="Another program"))
    with pytest.raises(ValidationError):
        services.match_propose_from_ranking(
            household=world.household, group=other.alpha, by=personas.admin, override_reason="x"
        )


@pytest.mark.parametrize("name", ["volunteer", "partner_a", "outsider"])
def test_it_refuses_everyone_but_staff(personas, world, name):
    person = getattr(personas, name)
    with pytest.raises(PermissionDenied):
        services.match_propose_from_ranking(household=world.household, group=world.alpha, by=person)
    with pytest.raises(PermissionDenied):
        services.batch_run(program=world.program, by=person)


def test_it_refuses_a_coordinator_of_another_program(personas, world):
    personas.coordinator.programs.clear()
    with pytest.raises(PermissionDenied):
        services.match_propose_from_ranking(
            household=world.household, group=world.alpha, by=personas.coordinator
        )
    with pytest.raises(PermissionDenied):
        services.batch_run(program=world.program, by=personas.coordinator)


def test_it_stores_the_batch_runs_proposals(personas, world):
    second = waiting_household(world.program, world.region, head_name="Second", days=90)
    run = services.batch_run(program=world.program, by=personas.coordinator)
    assert run.households == 2
    pairs = {(p.household, p.group) for p in run.proposals.all()}
    assert {h for h, _g in pairs} == {world.household, second}
    assert run.total_score == sum(p.score for p in run.proposals.all())
    assert all(p.decision == ProposalDecision.PENDING for p in run.proposals.all())
    assert not Match.objects.exists()  # nothing happens until staff accept
    assert AuditEntry.objects.for_record(run).filter(code="matching.batch_run").exists()


def test_it_accepts_a_proposal_once(personas, world):
    run = services.batch_run(program=world.program, by=personas.coordinator)
    proposal = run.proposals.get()
    match = services.batch_proposal_accept(proposal=proposal, by=personas.coordinator)
    assert match.source == MatchSource.BATCH
    proposal.refresh_from_db()
    assert (proposal.decision, proposal.match) == (ProposalDecision.ACCEPTED, match)
    with pytest.raises(ValidationError):
        services.batch_proposal_accept(proposal=proposal, by=personas.coordinator)


def test_it_marks_a_proposal_overtaken_by_events_as_no_longer_possible(personas, world):
    run = services.batch_run(program=world.program, by=personas.coordinator)
    proposal = run.proposals.get()
    services.match_propose_from_ranking(
        household=world.household, group=world.alpha, by=personas.coordinator
    )
    with pytest.raises(ValidationError):
        services.batch_proposal_accept(proposal=proposal, by=personas.coordinator)
    proposal.refresh_from_db()
    # The mark survives the refusal (it used to be rolled back with it).
    assert proposal.decision == ProposalDecision.STALE
    assert Match.objects.count() == 1


def test_it_needs_a_reason_to_reject(personas, world):
    run = services.batch_run(program=world.program, by=personas.coordinator)
    proposal = run.proposals.get()
    with pytest.raises(ValidationError):
        services.batch_proposal_reject(proposal=proposal, by=personas.coordinator, reason=" ")
    services.batch_proposal_reject(proposal=proposal, by=personas.coordinator, reason="Too far.")
    proposal.refresh_from_db()
    assert (proposal.decision, proposal.reason) == (ProposalDecision.REJECTED, "Too far.")


def test_it_rules_a_pair_out_once(personas, world):
    services.pair_exclusion_add(
        household=world.household, group=world.alpha, by=personas.coordinator, reason="Landlord."
    )
    assert PairExclusion.objects.get().reason == "Landlord."
    assert AuditEntry.objects.filter(code="matching.pair_excluded").exists()
    with pytest.raises(ValidationError):
        services.pair_exclusion_add(
            household=world.household, group=world.alpha, by=personas.coordinator, reason="Again."
        )
    # The optimiser no longer pairs them either.
    run = services.batch_run(program=world.program, by=personas.coordinator)
    assert run.proposals.get().group == world.beta


def test_it_changes_the_weights_for_managers_only(personas, world):
    with pytest.raises(PermissionDenied):
        services.matching_settings_update(
            program=world.program, by=personas.coordinator, data={"region": 50}
        )
    saved = services.matching_settings_update(
        program=world.program, by=personas.manager, data={"region": 50}
    )
    assert saved.region == 50
    entry = AuditEntry.objects.get(code="matching.settings_changed")
    assert entry.additional_data == {"region": [10, 50]}
    # Saving the same values again changes nothing and records nothing.
    services.matching_settings_update(
        program=world.program, by=personas.manager, data={"region": 50}
    )
    assert AuditEntry.objects.filter(code="matching.settings_changed").count() == 1
    assert BatchRun.objects.count() == 0
