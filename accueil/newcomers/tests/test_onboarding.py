"""Onboarding: taking the referral, booking the call with an interpreter (told by email in
their language), and running the call from its checklist."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.core.models import AuditEntry
from accueil.factories import RegionFactory, UserFactory
from accueil.messaging.models import OutboxMessage
from accueil.newcomers.models import HouseholdStatus, OnboardingCall
from accueil.newcomers.services import onboarding
from accueil.volunteers.models import Volunteer, VolunteerLanguage

from ._households import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    household = make_household()
    personas.coordinator.programs.add(household.program)
    return household


def _speaker(*, name, email, codes, language="en"):
    user = UserFactory(role=Role.INTERPRETER, full_name=name, email=email, language=language)
    from accueil.factories import ProgramFactory

    volunteer = Volunteer.objects.create(
        user=user,
        program=ProgramFactory(name="Interpreters"),
        region=RegionFactory(name="Toronto"),
        consent_version="2026-11",
        consented_at=timezone.now(),
    )
    for code in codes:
        VolunteerLanguage.objects.create(volunteer=volunteer, code=code, level="fluent")
    return user


def _codes(household):
    return list(
        AuditEntry.objects.for_record(household).exclude(code="").values_list("code", flat=True)
    )


def test_it_lets_a_coordinator_take_the_referral(personas, household):
    client = personas.client_for("coordinator")
    response = client.post(reverse("household_take", args=[household.pk]))
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.coordinator == personas.coordinator
    assert "household.taken" in _codes(household)


def test_it_refuses_to_take_a_household_that_is_not_eligible(personas, household):
    household.is_eligible = False
    household.status = HouseholdStatus.NOT_ELIGIBLE
    household.save()
    personas.client_for("coordinator").post(reverse("household_take", args=[household.pk]))
    household.refresh_from_db()
    assert household.coordinator is None


def test_it_suggests_interpreters_who_speak_the_language_first(personas):
    arabic = _speaker(name="Amal Arabic", email="amal@example.org", codes=["ar", "en"])
    _speaker(name="Aaron Spanish", email="aaron@example.org", codes=["es"])
    rows = onboarding.interpreter_choices("ar")
    assert rows[0]["user"] == arabic
    speaks = {row["user"].full_name: row["speaks"] for row in rows}
    # The persona interpreter has no volunteer record: available for any language.
    assert speaks == {"Amal Arabic": True, "Ines Interpreter": None, "Aaron Spanish": False}


def test_it_books_the_call_and_tells_the_interpreter_in_their_language(personas, household):
    interpreter = _speaker(
        name="Farah Interprète", email="farah@example.org", codes=["ar"], language="fr"
    )
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("household_schedule", args=[household.pk]),
        {
            "when": when.strftime("%Y-%m-%dT%H:%M"),
            "language": "Arabic",
            "interpreter": str(interpreter.pk),
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ONBOARDING
    assert household.coordinator == personas.coordinator
    call = household.onboarding_calls.get()
    assert call.interpreter == interpreter and call.language == "ar"
    assert call.scheduled_at == when
    message = OutboxMessage.objects.get(recipient=interpreter)
    assert message.language == "fr"
    assert message.to_address == "farah@example.org"
    assert "arabe" in message.body_text.lower()
    assert household.head_name not in message.body_text
    assert household.phone not in message.body_text
    assert "household.onboarding_scheduled" in _codes(household)


def test_it_moves_the_booked_call_rather_than_booking_two(personas, household):
    client = personas.client_for("coordinator")
    url = reverse("household_schedule", args=[household.pk])
    for days in (2, 3):
        when = timezone.localtime(timezone.now() + timedelta(days=days))
        client.post(url, {"when": when.strftime("%Y-%m-%dT%H:%M"), "language": "ar"})
    assert household.onboarding_calls.count() == 1


def test_it_refuses_a_time_in_the_past_and_keeps_what_was_typed(personas, household):
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("household_schedule", args=[household.pk]),
        {"when": "2020-01-01T10:00", "language": "Klingonish"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "We do not know the language" in page
    assert 'value="Klingonish"' in page
    response = client.post(
        reverse("household_schedule", args=[household.pk]),
        {"when": "2020-01-01T10:00", "language": "Arabic"},
    )
    assert "Choose a date and time that has not passed." in response.content.decode()
    assert not household.onboarding_calls.exists()


def _booked_call(household, coordinator):
    household.status = HouseholdStatus.ONBOARDING
    household.save()
    return OnboardingCall.objects.create(
        household=household,
        coordinator=coordinator,
        scheduled_at=timezone.now(),
        language="ar",
    )


def test_it_saves_the_checklist_and_completes_the_call_with_its_duration(personas, household):
    call = _booked_call(household, personas.coordinator)
    client = personas.client_for("coordinator")
    url = reverse("household_call", args=[household.pk, call.pk])
    response = client.post(
        url, {"checklist": ["introduce", "consent"], "notes": "Went well.", "action": "save"}
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.checklist["introduce"] and not call.checklist["pre_survey"]
    assert call.completed_at is None

    response = client.post(
        url,
        {
            "checklist": [key for key, _label in onboarding.CHECKLIST],
            "duration_minutes": "40",
            "notes": "Went well.",
            "action": "complete",
        },
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.duration_minutes == 40
    assert call.completed_at is not None
    assert call.notes == "Went well."
    assert "household.onboarding_completed" in _codes(household)


def test_it_asks_for_the_duration_to_complete_the_call(personas, household):
    call = _booked_call(household, personas.coordinator)
    response = personas.client_for("coordinator").post(
        reverse("household_call", args=[household.pk, call.pk]),
        {"checklist": ["introduce"], "notes": "Half done", "action": "complete"},
    )
    page = response.content.decode()
    assert "Enter how long the call took, in minutes." in page
    assert "Half done" in page
    call.refresh_from_db()
    assert call.completed_at is None


def test_it_shows_the_call_page_to_staff_only(personas, household):
    from accueil.conftest import STAFF, assert_personas

    call = _booked_call(household, personas.coordinator)
    assert_personas(personas, reverse("household_call", args=[household.pk, call.pk]), STAFF)
