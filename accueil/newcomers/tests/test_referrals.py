"""The referral form, its check page and the service behind them."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.core import audit
from accueil.core.fields import keyed_hash
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, RegionFactory
from accueil.newcomers.models import (
    Consent,
    ConsentPurpose,
    ConsentText,
    Household,
    HouseholdStatus,
    ReferralSource,
)
from accueil.newcomers.services.referrals import (
    ConsentGiven,
    Referral,
    current_consent_version,
    household_refer,
)

REFER = "/refer/"
CHECK = "/refer/check/"


@pytest.fixture
def region(db):
    return RegionFactory(name="Toronto")


@pytest.fixture
def program(region):
    program = ProgramFactory(name="Welcome Groups", short_name="Welcome Groups")
    program.regions.add(region)
    return program


def form_data(program, region, **overrides):
    data = {
        "program": str(program.pk),
        "head_name": "Amina Haddad",
        "head_preferred_name": "Amina",
        "phone": "416 555 0123",
        "whatsapp": "yes",
        "email": "",
        "language_1": "Arabic",
        "language_2": "",
        "language_3": "",
        "language_4": "",
        "interpreter_needed": "yes",
        "immigration_status": "gar",
        "arrival_date": (timezone.localdate() - datetime.timedelta(days=400)).isoformat(),
        "claim_date": "",
        "household_size": "4",
        "composition": "Amina, her husband and two children",
        "city": "Toronto",
        "region": str(region.pk),
        "priority_1": "language_practice",
        "priority_2": "employment",
        "priority_3": "",
        "priority_notes": "The children start school in September.",
        "urgency": "routine",
        "consent_obtained_by": "Pat Partner",
        "consent_date": timezone.localdate().isoformat(),
        "consent_method": "interpreter",
        "consent_language": "Arabic",
        "consent_version": current_consent_version(),
        "consent_confirmed": "on",
    }
    data.update(overrides)
    return data


def referral(program, region, **overrides):
    values = {
        "program": program,
        "region": region,
        "source": ReferralSource.PARTNER,
        "head_name": "Amina Haddad",
        "phone": "(416) 555-0123",
        "immigration_status": "gar",
        "arrival_date": timezone.localdate() - datetime.timedelta(days=400),
        "languages": ["ar"],
        "priorities": ["language_practice"],
        "consent": ConsentGiven(
            obtained_by_name="Pat Partner",
            date=timezone.localdate(),
            method="verbal",
            language="ar",
            version=current_consent_version(),
        ),
    }
    values.update(overrides)
    return Referral(**values)


# The service -----------------------------------------------------------------------------


def test_it_creates_the_household_with_consent_eligibility_and_audit(personas, program, region):
    partner = personas.partner_a
    household = household_refer(
        referral=referral(program, region, referring_organisation=personas.agency_a), by=partner
    )
    household.refresh_from_db()
    assert household.phone == "+14165550123"
    assert household.phone_hash == keyed_hash("+14165550123")
    assert household.identity_hash
    assert household.status == HouseholdStatus.RECEIVED
    assert household.is_eligible is True
    assert "within the 3 years for government-assisted refugees" in household.eligibility_reason
    consent = Consent.objects.get(household=household)
    assert consent.purpose == ConsentPurpose.PARTICIPATION and consent.given
    assert consent.obtained_by == partner
    assert consent.obtained_at.date() == timezone.localdate()
    codes = list(
        AuditEntry.objects.for_record(household)
        .exclude(code="")  # auditlog's own field-change entries
        .order_by("pk")
        .values_list("code", flat=True)
    )
    assert codes == ["household.referred", "household.eligibility_evaluated"]
    entry = AuditEntry.objects.get(code="household.referred")
    assert audit.describe(entry, target_obj=household) == (
        f"Pat Partner referred household #{household.pk}"
    )


def test_a_household_out_of_the_window_is_not_eligible(personas, program, region):
    household = household_refer(
        referral=referral(program, region, arrival_date=datetime.date(2015, 1, 1)),
        by=personas.coordinator,
    )
    assert household.status == HouseholdStatus.NOT_ELIGIBLE
    assert household.is_eligible is False
    assert household.eligibility_reason.startswith("Arrived on 1 January 2015")


def test_the_service_refuses_a_wrong_phone_number(personas, program, region):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        household_refer(referral=referral(program, region, phone="123"), by=personas.partner_a)
    assert "phone" in exc.value.message_dict
    assert not Household.objects.exists()


def test_it_records_the_current_consent_text_version(personas, program, region):
    ConsentText.objects.create(purpose="participation", language="en", version="2026-01", text="…")
    ConsentText.objects.create(purpose="participation", language="en", version="2026-09", text="…")
    assert current_consent_version() == "2026-09"
    household = household_refer(referral=referral(program, region), by=personas.partner_a)
    assert household.consents.get().version == "2026-09"


# The partner's form ------------------------------------------------------------------------


def test_a_partner_refers_a_household_through_the_check_page(personas, program, region):
    client = personas.client_for("partner_a")
    page = client.get(REFER).content.decode()
    assert 'value="Pat Partner"' in page  # who obtained consent: prefilled
    assert "version 2026-11 of the participation consent" in page
    response = client.post(REFER, form_data(program, region))
    assert response.status_code == 302 and response["Location"] == CHECK
    assert not Household.objects.exists()

    check = client.get(CHECK).content.decode()
    assert "Check your answers before you send them" in check
    assert "(416) 555-0123" in check
    assert "1. Practising English or French" in check
    assert 'href="/refer/?change=1#id_phone"' in check

    response = client.post(CHECK)
    household = Household.objects.get()
    assert response["Location"] == reverse("referral_detail", args=[household.pk])
    assert household.referring_organisation == personas.agency_a
    assert household.source == ReferralSource.PARTNER
    assert household.referred_by == personas.partner_a
    assert household.languages == ["ar"]
    assert household.priorities == ["language_practice", "employment"]
    assert household.whatsapp and household.interpreter_needed
    # The draft is gone: the check page sends back to the form.
    assert client.get(CHECK)["Location"] == REFER


def test_change_links_bring_back_everything_typed(personas, program, region):
    client = personas.client_for("partner_a")
    client.post(REFER, form_data(program, region, composition="A grandmother too"))
    page = client.get(REFER + "?change=1").content.decode()
    assert "A grandmother too" in page
    assert 'value="416 555 0123"' in page


def test_the_draft_is_encrypted_in_the_session(personas, program, region):
    client = personas.client_for("partner_a")
    client.post(REFER, form_data(program, region))
    assert "Amina" not in str(dict(client.session))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "555 01"}, "phone", "Enter a phone number like 416 555 0123"),
        ({"arrival_date": "2026-02-30"}, "arrival_date", "Enter a real date"),
        (
            {"arrival_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "arrival_date",
            "The arrival date cannot be in the future.",
        ),
        (
            {"immigration_status": "claimant", "arrival_date": ""},
            "claim_date",
            "Enter the date of the refugee claim.",
        ),
        (
            {"priority_2": "language_practice"},
            "priority_2",
            "Practising English or French is already chosen.",
        ),
        ({"language_1": "Klingonese"}, "language_1", "We do not know the language"),
        ({"consent_confirmed": ""}, "consent_confirmed", "Confirm that the head of household"),
    ],
)
def test_bad_input_gets_an_error_and_keeps_what_was_typed(
    personas, program, region, overrides, field, message
):
    client = personas.client_for("partner_a")
    response = client.post(REFER, form_data(program, region, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert re.search(rf'<a href="#id_{field}(_0)?">{re.escape(message)}', page)
    assert page.count(message) >= 2  # in the summary and beside the field
    assert "<title>Error:" in page
    assert 'value="Amina Haddad"' in page
    assert "Amina, her husband and two children" in page
    for value in overrides.values():
        if value and value not in ("on", "claimant"):
            assert value in page
    assert not Household.objects.exists()


def test_staff_enter_a_referral_received_by_phone(personas, program, region):
    personas.coordinator.programs.add(program)
    client = personas.client_for("coordinator")
    page = client.get(REFER).content.decode()
    assert "How did the referral reach you?" in page
    data = form_data(
        program,
        region,
        source="staff_phone",
        referring_organisation=str(personas.agency_b.pk),
        consent_obtained_by="Cora Coordinator",
    )
    assert client.post(REFER, data)["Location"] == CHECK
    assert "By phone" in client.get(CHECK).content.decode()
    client.post(CHECK)
    household = Household.objects.get()
    assert household.source == ReferralSource.STAFF_PHONE
    assert household.referring_organisation == personas.agency_b
    assert household.referred_by == personas.coordinator


def test_staff_may_enter_a_referral_from_no_organisation(personas, program, region):
    client = personas.client_for("admin")
    data = form_data(program, region, source="staff_email", referring_organisation="")
    client.post(REFER, data)
    client.post(CHECK)
    household = Household.objects.get()
    assert household.source == ReferralSource.STAFF_EMAIL
    assert household.referring_organisation is None


def test_a_partner_cannot_choose_another_organisation(personas, program, region):
    client = personas.client_for("partner_a")
    data = form_data(
        program, region, source="staff_phone", referring_organisation=str(personas.agency_b.pk)
    )
    client.post(REFER, data)
    client.post(CHECK)
    household = Household.objects.get()
    assert household.source == ReferralSource.PARTNER
    assert household.referring_organisation == personas.agency_a


def test_a_coordinator_without_a_program_is_told_so(personas, program):
    page = personas.client_for("coordinator").get(REFER).content.decode()
    assert "No program is taking referrals that you can send" in page


def test_a_consent_text_changed_meanwhile_is_asked_again(personas, program, region):
    client = personas.client_for("partner_a")
    client.post(REFER, form_data(program, region))
    ConsentText.objects.create(purpose="participation", language="en", version="2027-01", text="…")
    response = client.get(CHECK)
    assert response.status_code == 200
    assert "The consent text changed to version 2027-01" in response.content.decode()


def test_it_explains_bad_input_in_the_partners_language(personas, program, region):
    from django.utils import translation

    personas.partner_a.language = "fr"
    personas.partner_a.save()
    client = personas.client_for("partner_a")
    response = client.post(
        REFER, form_data(program, region, phone="555 01", arrival_date="2026-02-30")
    )
    page = response.content.decode()
    with translation.override("fr"):
        english = "Enter a phone number like 416 555 0123, or +44 20 7946 0958."
        phone_error = translation.gettext(english)
    assert phone_error != english  # the French catalogue has it
    assert phone_error in page and '<html lang="fr"' in page
    assert 'value="555 01"' in page and 'value="2026-02-30"' in page
