"""Consent per purpose: versioned texts, answers recorded with their details, withdrawal that
takes effect at once, and the shared profile kept from volunteers without consent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.newcomers.models import ConsentPurpose, ConsentText, HouseholdStatus
from accueil.newcomers.services import consent as services

from ._households import make_household, make_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    household = make_household(shared_profile="A family of four who love football.")
    personas.coordinator.programs.add(household.program)
    return household


def _record(client, household, **overrides):
    data = {
        "purpose": "share_profile",
        "given": "yes",
        "version": services.CONSENT_VERSION,
        "language": "Arabic",
        "method": "interpreter",
        "obtained_on": timezone.localdate().isoformat(),
        "obtained_by_name": "",
    }
    data.update(overrides)
    return client.post(reverse("household_consent", args=[household.pk]), data)


def test_it_creates_the_default_texts_once():
    assert services.ensure_consent_texts() == 8
    assert services.ensure_consent_texts() == 0
    texts = ConsentText.objects.filter(version="2026-11")
    assert {(t.purpose, t.language) for t in texts} == {
        (purpose, language) for purpose in ConsentPurpose.values for language in ("en", "fr")
    }


def test_it_records_consent_with_its_details(personas, household):
    response = _record(personas.client_for("coordinator"), household)
    assert response.status_code == 302
    consent = household.consents.get()
    assert consent.given and consent.in_force
    assert consent.version == "2026-11"
    assert consent.language == "ar"
    assert consent.method == "interpreter"
    assert consent.obtained_by == personas.coordinator
    assert consent.obtained_by_name == personas.coordinator.display_name
    assert services.has_consent(household, ConsentPurpose.SHARE_PROFILE)
    assert not services.has_consent(household, ConsentPurpose.RESEARCH)


def test_it_refuses_a_date_in_the_future_and_keeps_the_answers(personas, household):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _record(
        personas.client_for("coordinator"), household, obtained_on=tomorrow, language="Arabic"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date cannot be in the future." in page
    assert 'value="Arabic"' in page
    assert not household.consents.exists()


def test_it_keeps_the_previous_answer_when_a_new_one_is_recorded(personas, household):
    client = personas.client_for("coordinator")
    _record(client, household, given="no")
    _record(client, household, given="yes")
    answers = list(household.consents.order_by("pk"))
    assert len(answers) == 2
    assert answers[0].withdrawn_at is not None
    assert answers[1].in_force


def test_a_withdrawal_takes_effect_at_once(personas, household):
    client = personas.client_for("coordinator")
    _record(client, household)
    assert services.shared_profile_for_volunteers(household) is not None
    response = client.post(
        reverse("household_consent_withdraw", args=[household.pk, "share_profile"])
    )
    assert response.status_code == 302
    consent = household.consents.get()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == personas.coordinator
    assert not services.has_consent(household, ConsentPurpose.SHARE_PROFILE)
    assert services.shared_profile_for_volunteers(household) is None


def test_the_shared_profile_carries_nothing_about_immigration_or_contact(personas, household):
    _record(personas.client_for("coordinator"), household)
    shared = services.shared_profile_for_volunteers(household)
    assert shared.text == "A family of four who love football."
    values = repr(vars(shared))
    secrets = (household.phone, household.head_name, "claimant", household.claim_date.isoformat())
    for secret in secrets:
        assert secret not in values


def test_withdrawing_consent_to_take_part_takes_the_household_off_the_waitlist(personas):
    household = make_household()
    personas.coordinator.programs.add(household.program)
    make_ready(household, by=personas.coordinator)
    household.status = HouseholdStatus.WAITING
    household.save()
    services.consent_withdraw(
        household=household, purpose=ConsentPurpose.PARTICIPATION, by=personas.coordinator
    )
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WITHDRAWN
    assert household.withdrawn_reason


def test_it_shows_the_consent_page_to_staff_only(personas, household):
    from accueil.conftest import STAFF, assert_personas

    assert_personas(personas, reverse("household_consent", args=[household.pk]), STAFF)
