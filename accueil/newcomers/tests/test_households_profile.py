"""Editing a household's profile and its members: saved when valid, kept as typed with a
clear error when not, and audited."""

import pytest
from django.urls import reverse

from accueil.core.models import AuditEntry
from accueil.newcomers.models import HouseholdMember

from ._households import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    household = make_household()
    personas.coordinator.programs.add(household.program)
    return household


def _profile(household, **overrides):
    data = {
        "priority_1": "employment",
        "priority_2": "socializing",
        "priority_3": "",
        "priority_notes": "The father was a mechanic.",
        "availability": ["mon_evening", "sat_morning"],
        "channels": ["whatsapp", "phone"],
        "device_access": "One shared smartphone",
        "women_only": "on",
        "meeting_mode": "remote",
        "region": str(household.region_id),
        "postal_prefix": "m5v 2t6",
        "accessibility_needs": "",
        "shared_profile": "A family of four who love football.",
        "staff_notes": "Call after 6 p.m.",
    }
    data.update(overrides)
    return data


def test_it_saves_the_profile(personas, household):
    client = personas.client_for("coordinator")
    response = client.post(reverse("household_profile", args=[household.pk]), _profile(household))
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.priorities == ["employment", "socializing"]
    assert household.availability == ["mon_evening", "sat_morning"]
    assert household.channels == ["whatsapp", "phone"]
    assert household.women_only and household.meeting_mode == "remote"
    assert household.postal_prefix == "M5V"  # a whole postal code is more than we keep
    assert household.staff_notes == "Call after 6 p.m."
    assert (
        AuditEntry.objects.for_record(household).filter(code="household.profile_updated").exists()
    )


def test_it_keeps_what_was_typed_when_the_postal_code_is_wrong(personas, household):
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("household_profile", args=[household.pk]),
        _profile(household, postal_prefix="12345", priority_2="employment"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the first 3 characters of a Canadian postal code" in page
    assert "Choose each priority only once." in page
    assert "A family of four who love football." in page
    assert "Call after 6 p.m." in page
    assert 'value="12345"' in page
    household.refresh_from_db()
    assert household.shared_profile == ""


def test_it_shows_the_error_in_french(personas, household):
    personas.coordinator.language = "fr"
    personas.coordinator.save()
    client = personas.client_for("coordinator")
    client.cookies["accueil_language"] = "fr"
    response = client.post(
        reverse("household_profile", args=[household.pk]),
        _profile(household, postal_prefix="12345"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Entrez les 3 premiers caractères d&#x27;un code postal canadien" in page


def test_it_adds_changes_and_removes_a_member(personas, household):
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("household_member_add", args=[household.pk]),
        {
            "first_name": "Lina",
            "age_band": "6-12",
            "gender": "woman",
            "languages_text": "Arabic, english",
            "school_or_work": "Grade 4",
            "needs": "",
        },
    )
    assert response.status_code == 302
    member = household.members.get()
    assert member.languages == ["ar", "en"]
    client.post(
        reverse("household_member", args=[household.pk, member.pk]),
        {"first_name": "Lina", "age_band": "13-17", "gender": "woman", "languages_text": "ar"},
    )
    member.refresh_from_db()
    assert member.age_band == "13-17"
    client.post(reverse("household_member_remove", args=[household.pk, member.pk]))
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()
    codes = set(AuditEntry.objects.for_record(household).values_list("code", flat=True))
    assert {
        "household.member_added",
        "household.member_changed",
        "household.member_removed",
    } <= codes


def test_it_keeps_an_unknown_language_as_typed(personas, household):
    response = personas.client_for("coordinator").post(
        reverse("household_member_add", args=[household.pk]),
        {"first_name": "Omar", "age_band": "25-64", "languages_text": "Arabic, Elvish"},
    )
    page = response.content.decode()
    assert "We do not know the language “Elvish”" in page
    assert 'value="Omar"' in page and "Arabic, Elvish" in page
    assert not household.members.exists()


def test_it_gives_404_for_a_member_of_another_household(personas, household):
    other = make_household(program=household.program)
    member = HouseholdMember.objects.create(household=other, first_name="Sami", age_band="0-5")
    response = personas.client_for("coordinator").get(
        reverse("household_member", args=[household.pk, member.pk])
    )
    assert response.status_code == 404


def test_saving_the_profile_does_not_undo_a_withdrawal_made_meanwhile(personas, household):
    """Two staff at once: one withdraws the household while the other's profile form is open.
    The profile save must not write the old status back."""
    from accueil.newcomers.models import Household, HouseholdStatus
    from accueil.newcomers.services import households as services

    stale = Household.objects.get(pk=household.pk)
    services.household_withdraw(
        household=Household.objects.get(pk=household.pk),
        reason="The family moved away.",
        by=personas.coordinator,
    )
    services.household_update_profile(
        household=stale, data={"staff_notes": "Call after 6 p.m."}, by=personas.manager
    )
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WITHDRAWN
    assert household.withdrawn_reason == "The family moved away."
    assert household.staff_notes == "Call after 6 p.m."


def test_a_status_change_does_not_undo_a_profile_saved_meanwhile(personas, household):
    from accueil.newcomers.models import Household, HouseholdStatus
    from accueil.newcomers.services import households as services

    stale = Household.objects.get(pk=household.pk)
    services.household_update_profile(
        household=Household.objects.get(pk=household.pk),
        data={"shared_profile": "A family who love football."},
        by=personas.manager,
    )
    services.household_withdraw(household=stale, reason="Asked to stop.", by=personas.coordinator)
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WITHDRAWN
    assert household.shared_profile == "A family who love football."
