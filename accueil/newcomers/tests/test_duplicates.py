"""Possible duplicates: flagged on referral, reviewed side by side, merged with both histories."""

import datetime

import pytest
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.newcomers.models import Consent, HouseholdStatus, ReferralSource
from accueil.newcomers.services.duplicates import (
    MERGED_REASON,
    duplicate_dismiss,
    household_merge,
    identity_hash,
)
from accueil.newcomers.services.referrals import (
    ConsentGiven,
    Referral,
    current_consent_version,
    household_refer,
)
from accueil.newcomers.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    OnboardingCallFactory,
)

ARRIVAL = datetime.date(2024, 5, 2)


def refer(program, region, by, **overrides):
    values = {
        "program": program,
        "region": region,
        "source": ReferralSource.PARTNER,
        "head_name": "Amina Haddad",
        "phone": "416 555 0123",
        "immigration_status": "gar",
        "arrival_date": ARRIVAL,
        "consent": ConsentGiven(
            obtained_by_name="Pat Partner",
            date=timezone.localdate(),
            method="verbal",
            language="ar",
            version=current_consent_version(),
        ),
    }
    values.update(overrides)
    return household_refer(referral=Referral(**values), by=by)


@pytest.fixture
def existing(personas):
    household = HouseholdFactory(
        head_name="Amina Haddad", phone="+14165550123", arrival_date=ARRIVAL
    )
    personas.coordinator.programs.add(household.program)
    return household


def codes(household):
    return list(
        AuditEntry.objects.for_record(household)
        .exclude(code="")
        .order_by("pk")
        .values_list("code", flat=True)
    )


def test_identity_ignores_case_accents_and_spacing():
    assert identity_hash("Amina  Haddad", ARRIVAL) == identity_hash("amina haddad", ARRIVAL)
    assert identity_hash("Zoé Müller-Kahn", ARRIVAL) == identity_hash("zoe muller kahn", ARRIVAL)
    assert identity_hash("Amina Haddad", ARRIVAL) != identity_hash(
        "Amina Haddad", ARRIVAL + datetime.timedelta(days=1)
    )
    assert identity_hash("Amina Haddad", None, ARRIVAL) != identity_hash("Amina Haddad", ARRIVAL)
    assert identity_hash("Amina Haddad", None) == ""


def test_the_same_phone_is_flagged(personas, existing):
    new = refer(
        existing.program,
        existing.region,
        personas.partner_a,
        head_name="Someone Else",
        phone="+1 (416) 555-0123",
    )
    assert new.possible_duplicate_of == existing
    assert "household.duplicate_flagged" in codes(new)


def test_the_same_name_and_arrival_date_is_flagged(personas, existing):
    new = refer(
        existing.program,
        existing.region,
        personas.partner_a,
        head_name="AMINA haddad",
        phone="613 555 0199",
    )
    assert new.possible_duplicate_of == existing


def test_a_different_household_is_not_flagged(personas, existing):
    new = refer(
        existing.program,
        existing.region,
        personas.partner_a,
        head_name="Amina Haddad",
        phone="613 555 0199",
        arrival_date=ARRIVAL - datetime.timedelta(days=3),
    )
    assert new.possible_duplicate_of is None


def test_a_merge_moves_everything_and_keeps_both_histories(personas, existing):
    coordinator = personas.coordinator
    new = refer(existing.program, existing.region, personas.partner_a)
    HouseholdMemberFactory(household=new, first_name="Sami")
    OnboardingCallFactory(household=new)
    ConsentFactory(household=existing, purpose="research")
    merged_history = codes(new)

    household_merge(keep=existing, merge=new, by=coordinator)

    existing.refresh_from_db()
    new.refresh_from_db()
    assert [m.first_name for m in existing.members.all()] == ["Sami"]
    assert existing.onboarding_calls.count() == 1
    assert sorted(existing.consents.values_list("purpose", flat=True)) == [
        "participation",
        "research",
    ]
    assert new.merged_into == existing
    assert new.status == HouseholdStatus.WITHDRAWN
    assert new.withdrawn_reason == MERGED_REASON
    assert new.possible_duplicate_of is None
    assert codes(new) == [*merged_history, "household.merged_into"]
    kept_entry = AuditEntry.objects.for_record(existing).get(code="household.merged")
    assert kept_entry.additional_data == {"other": new.pk}
    merged_entry = AuditEntry.objects.for_record(new).get(code="household.merged_into")
    assert merged_entry.additional_data == {"other": existing.pk}
    assert list(existing.merged_from.all()) == [new]


def test_a_merge_keeps_one_consent_in_force_per_purpose(personas, existing):
    older = ConsentFactory(
        household=existing, obtained_at=timezone.now() - datetime.timedelta(days=30)
    )
    new = refer(existing.program, existing.region, personas.partner_a)
    household_merge(keep=existing, merge=new, by=personas.coordinator)
    in_force = Consent.objects.filter(household=existing, withdrawn_at__isnull=True)
    assert in_force.count() == 1
    assert in_force.get().pk != older.pk
    older.refresh_from_db()
    assert older.withdrawn_at is not None


def test_a_merged_record_cannot_be_merged_again(personas, existing):
    from django.core.exceptions import ValidationError

    new = refer(existing.program, existing.region, personas.partner_a)
    household_merge(keep=existing, merge=new, by=personas.coordinator)
    with pytest.raises(ValidationError):
        household_merge(keep=new, merge=existing, by=personas.coordinator)
    with pytest.raises(ValidationError):
        household_merge(keep=existing, merge=existing, by=personas.coordinator)


def test_staff_dismiss_a_false_alarm(personas, existing):
    new = refer(existing.program, existing.region, personas.partner_a)
    duplicate_dismiss(household=new, by=personas.coordinator)
    new.refresh_from_db()
    assert new.possible_duplicate_of is None
    assert "household.duplicate_dismissed" in codes(new)


# The pages ----------------------------------------------------------------------------------


def test_staff_review_a_pair_side_by_side_and_merge(personas, existing):
    new = refer(existing.program, existing.region, personas.partner_a, phone="613 555 0199")
    client = personas.client_for("coordinator")
    listing = client.get("/refer/duplicates/").content.decode()
    assert f"/refer/duplicates/{new.pk}/" in listing
    page = client.get(f"/refer/duplicates/{new.pk}/").content.decode()
    assert '<th scope="row">Phone number</th>' in page
    assert "(613) 555-0199" in page and "(416) 555-0123" in page
    response = client.post(
        f"/refer/duplicates/{new.pk}/", {"action": "merge", "keep": str(existing.pk)}
    )
    assert response["Location"] == f"/refer/{existing.pk}/"
    new.refresh_from_db()
    assert new.merged_into == existing
    kept_page = client.get(f"/refer/{existing.pk}/").content.decode()
    assert f'href="/refer/{new.pk}/"' in kept_page  # the merged record's history is linked
    assert client.get(f"/refer/duplicates/{new.pk}/").status_code == 404


def test_staff_say_two_records_are_different(personas, existing):
    new = refer(existing.program, existing.region, personas.partner_a)
    client = personas.client_for("coordinator")
    response = client.post(f"/refer/duplicates/{new.pk}/", {"action": "dismiss"})
    assert response["Location"] == "/refer/duplicates/"
    new.refresh_from_db()
    assert new.possible_duplicate_of is None


def test_the_duplicate_list_runs_constant_queries(
    personas, existing, django_assert_max_num_queries
):
    client = personas.client_for("coordinator")
    refer(existing.program, existing.region, personas.partner_a)
    client.get("/refer/duplicates/")
    with django_assert_max_num_queries(12) as few:
        client.get("/refer/duplicates/")
    for n in range(10):
        refer(existing.program, existing.region, personas.partner_a, head_name=f"Other {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/refer/duplicates/").content.decode()
    assert page.count("/refer/duplicates/") >= 11


def test_the_duplicate_list_hides_a_look_alike_of_another_program(personas, existing):
    """The look-alike may belong to a program the coordinator does not work in: its name must
    not appear (the review page would 404 on it anyway)."""
    from accueil.factories import ProgramFactory

    elsewhere = HouseholdFactory(
        head_name="Samira Elsewhere", phone="+14165550999", program=ProgramFactory()
    )
    new = refer(
        existing.program,
        existing.region,
        personas.partner_a,
        head_name="S. E.",
        phone="416 555 0999",
    )
    assert new.possible_duplicate_of_id == elsewhere.pk
    page = personas.client_for("coordinator").get("/refer/duplicates/").content.decode()
    assert "Samira Elsewhere" not in page
    assert f"/refer/duplicates/{new.pk}/" not in page
    # A manager sees every program and can review the pair.
    page = personas.client_for("manager").get("/refer/duplicates/").content.decode()
    assert f"/refer/duplicates/{new.pk}/" in page


def test_a_matched_household_is_not_merged_away(personas, existing):
    """A matched household leaves through its match, never by being withdrawn in a merge."""
    from django.core.exceptions import ValidationError

    existing.status = HouseholdStatus.MATCHED
    existing.save()
    new = refer(existing.program, existing.region, personas.partner_a)
    with pytest.raises(ValidationError):
        household_merge(keep=new, merge=existing, by=personas.coordinator)
    existing.refresh_from_db()
    assert existing.status == HouseholdStatus.MATCHED
    assert existing.merged_into is None
    # Keeping the matched record is fine.
    household_merge(keep=existing, merge=new, by=personas.coordinator)
    existing.refresh_from_db()
    assert existing.status == HouseholdStatus.MATCHED


def test_the_services_refuse_someone_who_cannot_see_both_records(personas, existing):
    from django.core.exceptions import PermissionDenied

    new = refer(existing.program, existing.region, personas.partner_a)
    for outsider in (personas.partner_a, personas.volunteer):
        with pytest.raises(PermissionDenied):
            household_merge(keep=existing, merge=new, by=outsider)
        with pytest.raises(PermissionDenied):
            duplicate_dismiss(household=new, by=outsider)
    new.refresh_from_db()
    assert new.merged_into is None and new.possible_duplicate_of_id == existing.pk
