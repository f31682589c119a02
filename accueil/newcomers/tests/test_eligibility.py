from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.newcomers.models import EligibilityRule, HouseholdStatus, ImmigrationStatus
from accueil.newcomers.services.eligibility import (
    add_years,
    elapsed_words,
    eligibility_override,
    ensure_default_rules,
    evaluate,
)
from accueil.newcomers.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return RegionFactory(name="Toronto")


@pytest.fixture
def program(region):
    program = ProgramFactory(name="Welcome Groups", short_name="Welcome Groups")
    program.regions.add(region)
    ensure_default_rules(program)
    return program


def decide(program, region, status=ImmigrationStatus.GAR, *, arrival=None, claim=None, on):
    return evaluate(
        program=program,
        immigration_status=status,
        arrival_date=arrival,
        claim_date=claim,
        referral_date=on,
        region=region,
    )


def test_it_adds_calendar_years_and_moves_a_leap_day_to_28_february():
    assert add_years(date(2023, 3, 12), 3) == date(2026, 3, 12)
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_it_says_how_long_ago_in_years_and_months():
    assert elapsed_words(date(2023, 3, 12), date(2025, 11, 20)) == "2 years and 8 months"
    assert elapsed_words(date(2023, 3, 12), date(2026, 3, 12)) == "3 years"
    assert elapsed_words(date(2025, 3, 12), date(2025, 4, 11)) == "less than a month"
    assert elapsed_words(date(2025, 1, 31), date(2025, 3, 1)) == "1 month"


def test_it_explains_the_decision_in_a_sentence(program, region):
    decision = decide(program, region, arrival=date(2023, 3, 12), on=date(2025, 11, 20))
    assert decision.eligible
    assert decision.reason == (
        "Arrived on 12 March 2023, 2 years and 8 months before the referral: within the 3 years "
        "for government-assisted refugees."
    )


def test_it_accepts_exactly_three_years_and_refuses_one_day_more(program, region):
    assert decide(program, region, arrival=date(2023, 3, 12), on=date(2026, 3, 12)).eligible
    late = decide(program, region, arrival=date(2023, 3, 12), on=date(2026, 3, 13))
    assert not late.eligible
    assert "more than the 3 years for government-assisted refugees" in late.reason


def test_it_counts_a_leap_day_arrival_to_28_february(program, region):
    arrival = date(2024, 2, 29)
    assert decide(program, region, arrival=arrival, on=date(2027, 2, 28)).eligible
    assert not decide(program, region, arrival=arrival, on=date(2027, 3, 1)).eligible


def test_it_gives_protected_persons_four_years(program, region):
    status = ImmigrationStatus.PROTECTED_PERSON
    assert decide(program, region, status, arrival=date(2021, 6, 1), on=date(2025, 6, 1)).eligible
    assert not decide(
        program, region, status, arrival=date(2021, 6, 1), on=date(2025, 6, 2)
    ).eligible


@pytest.mark.parametrize("status", [ImmigrationStatus.JAS, ImmigrationStatus.BVOR])
def test_it_gives_sponsored_refugees_three_years(program, region, status):
    assert decide(program, region, status, arrival=date(2022, 6, 1), on=date(2025, 6, 1)).eligible
    assert not decide(
        program, region, status, arrival=date(2022, 6, 1), on=date(2025, 6, 2)
    ).eligible


def test_claimants_are_eligible_whatever_the_claim_date_by_default(program, region):
    decision = decide(
        program, region, ImmigrationStatus.CLAIMANT, claim=date(2015, 1, 1), on=date(2025, 6, 1)
    )
    assert decision.eligible
    assert decision.reason.startswith("Claim made on 1 January 2015")


def test_a_claim_window_can_be_configured(program, region):
    EligibilityRule.objects.filter(
        program=program, immigration_status=ImmigrationStatus.CLAIMANT
    ).update(window_years=2)
    status = ImmigrationStatus.CLAIMANT
    assert decide(program, region, status, claim=date(2023, 6, 1), on=date(2025, 6, 1)).eligible
    decision = decide(program, region, status, claim=date(2023, 6, 1), on=date(2025, 6, 2))
    assert not decision.eligible
    assert "more than the 2 years for refugee claimants" in decision.reason


def test_another_status_is_not_eligible(program, region):
    decision = decide(
        program, region, ImmigrationStatus.OTHER, arrival=date(2024, 1, 1), on=date(2025, 1, 1)
    )
    assert not decision.eligible
    assert decision.reason == "Welcome Groups does not serve people with another status."


def test_a_region_outside_the_program_is_not_eligible(program):
    elsewhere = RegionFactory(name="Thunder Bay")
    decision = decide(program, elsewhere, arrival=date(2024, 1, 1), on=date(2025, 1, 1))
    assert not decision.eligible
    assert "Thunder Bay" in decision.reason


def test_a_rule_may_name_its_own_regions(program, region):
    peel = RegionFactory(name="Peel")
    rule = EligibilityRule.objects.get(program=program, immigration_status=ImmigrationStatus.GAR)
    rule.regions.add(peel)
    assert decide(program, peel, arrival=date(2024, 1, 1), on=date(2025, 1, 1)).eligible
    assert not decide(program, region, arrival=date(2024, 1, 1), on=date(2025, 1, 1)).eligible


def test_it_refuses_a_future_arrival_date(program, region):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        decide(program, region, arrival=add_years(today, 1), on=today)
    assert exc.value.message_dict == {"arrival_date": ["The arrival date cannot be in the future."]}


def test_it_refuses_a_referral_date_before_the_arrival(program, region):
    with pytest.raises(ValidationError) as exc:
        decide(program, region, arrival=date(2025, 1, 10), on=date(2025, 1, 9))
    assert exc.value.message_dict == {
        "arrival_date": ["The arrival date cannot be after the referral date."]
    }


def test_it_asks_for_the_date_the_status_needs(program, region):
    with pytest.raises(ValidationError) as exc:
        decide(program, region, ImmigrationStatus.CLAIMANT, on=date(2025, 1, 9))
    assert exc.value.message_dict == {"claim_date": ["Enter the date of the refugee claim."]}


def test_default_rules_are_created_once_and_never_overwritten(program):
    rule = EligibilityRule.objects.get(program=program, immigration_status=ImmigrationStatus.GAR)
    rule.window_years = 5
    rule.save()
    ensure_default_rules(program)
    assert EligibilityRule.objects.filter(program=program).count() == 5
    rule.refresh_from_db()
    assert rule.window_years == 5
    assert not EligibilityRule.objects.filter(
        program=program, immigration_status=ImmigrationStatus.OTHER
    ).exists()


def test_staff_override_wins_and_is_audited(program, region):
    coordinator = UserFactory(role="coordinator")
    coordinator.programs.add(program)
    household = HouseholdFactory(
        program=program,
        region=region,
        status=HouseholdStatus.NOT_ELIGIBLE,
        is_eligible=False,
        eligibility_reason="Arrived too long ago.",
    )
    eligibility_override(
        household=household, eligible=True, reason="Family reunification case.", by=coordinator
    )
    household.refresh_from_db()
    assert household.eligible is True
    assert household.is_eligible is False  # the rules' decision is kept beside it
    assert household.status == HouseholdStatus.RECEIVED
    assert household.overridden_by == coordinator
    entry = AuditEntry.objects.for_record(household).get(code="household.eligibility_overridden")
    assert entry.actor == coordinator
    assert entry.additional_data == {"eligible": True}
    assert entry.sentence.startswith(f"{coordinator.display_name} overrode the eligibility")


def test_an_override_needs_a_reason(program, region):
    household = HouseholdFactory(program=program, region=region)
    coordinator = UserFactory(role="coordinator")
    coordinator.programs.add(program)
    with pytest.raises(ValidationError):
        eligibility_override(household=household, eligible=False, reason="  ", by=coordinator)


def test_only_staff_of_the_program_may_override(program, region):
    from django.core.exceptions import PermissionDenied

    household = HouseholdFactory(program=program, region=region, is_eligible=True)
    elsewhere = UserFactory(role="coordinator")
    elsewhere.programs.add(ProgramFactory())
    partner = UserFactory(role="partner_referrer", organisation=household.referring_organisation)
    for person in (elsewhere, partner, UserFactory(role="volunteer"), None):
        with pytest.raises(PermissionDenied):
            eligibility_override(household=household, eligible=False, reason="No.", by=person)
    household.refresh_from_db()
    assert household.eligibility_override is None
    assert household.status == HouseholdStatus.RECEIVED
