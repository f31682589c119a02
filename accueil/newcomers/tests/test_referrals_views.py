"""My referrals, the referral page, the eligibility override page and who reaches them."""

import pytest
from django.urls import reverse

from accueil.conftest import assert_personas
from accueil.core.models import AuditEntry
from accueil.newcomers.models import HouseholdStatus
from accueil.newcomers.tests.factories import HouseholdFactory

MINE = "/refer/mine/"
STAFF = {"admin", "manager", "coordinator"}


@pytest.fixture
def referral_a(personas):
    household = HouseholdFactory(
        referring_organisation=personas.agency_a,
        head_name="Amina Haddad",
        staff_notes="Husband's health is fragile; call after 4 pm.",
        shared_profile="A family of four who love football.",
        consent=True,
    )
    personas.coordinator.programs.add(household.program)
    return household


@pytest.fixture
def referral_b(personas, referral_a):
    return HouseholdFactory(
        referring_organisation=personas.agency_b, head_name="Bilal Omar", program=referral_a.program
    )


def referral_urls(household):
    return {
        "detail": reverse("referral_detail", args=[household.pk]),
        "eligibility": reverse("referral_eligibility", args=[household.pk]),
    }


def test_who_reaches_every_referral_url(personas, referral_a, referral_b):
    """Partners reach only their agency's referrals; volunteers, interpreters and outsiders
    get 404 on every referral URL; anonymous people are asked to sign in."""
    household = referral_a
    household.possible_duplicate_of = referral_b
    household.save()
    assert_personas(personas, "/refer/", {*STAFF, "partner_a", "partner_b"})
    assert_personas(personas, "/refer/check/", {*STAFF, "partner_a", "partner_b"}, ok=(302,))
    assert_personas(personas, MINE, {"partner_a", "partner_b"})
    assert_personas(personas, f"/refer/{household.pk}/", {*STAFF, "partner_a"})
    assert_personas(personas, f"/refer/{referral_b.pk}/", {*STAFF, "partner_b"})
    assert_personas(personas, f"/refer/{household.pk}/eligibility/", STAFF)
    assert_personas(personas, "/refer/duplicates/", STAFF)
    assert_personas(personas, f"/refer/duplicates/{household.pk}/", STAFF)


def test_every_referral_url_is_checked_above():
    from accueil.newcomers.urls import urlpatterns

    names = {getattr(p, "name", None) for p in urlpatterns} - {None}
    assert names == {
        "refer",
        "refer_check",
        "referral_list",
        "referral_detail",
        "referral_eligibility",
        "duplicate_list",
        "duplicate_review",
        # Public (tested in test_referrals_self.py):
        "refer_self",
        "refer_self_check",
        "refer_self_sent",
    }


def test_a_coordinator_reaches_only_the_households_of_their_programs(personas, referral_a):
    other = HouseholdFactory(referring_organisation=personas.agency_a)
    client = personas.client_for("coordinator")
    assert client.get(f"/refer/{other.pk}/").status_code == 404
    assert client.get(f"/refer/{referral_a.pk}/").status_code == 200


def test_partner_b_gets_404_on_partner_a_referral(personas, referral_a):
    client = personas.client_for("partner_b")
    for url in referral_urls(referral_a).values():
        assert client.get(url).status_code == 404
    assert "Amina" not in client.get(MINE).content.decode()


def test_my_referrals_lists_only_my_agency_with_partner_statuses(personas, referral_a, referral_b):
    program = referral_a.program
    rows = {
        HouseholdStatus.NOT_ELIGIBLE: "Not eligible",
        HouseholdStatus.ONBOARDING: "Onboarding call scheduled",
        HouseholdStatus.WAITING: "Waiting for a match",
        HouseholdStatus.PAUSED: "Waiting for a match",
        HouseholdStatus.MATCHED: "Matched with a Welcome Group",
        HouseholdStatus.CLOSED: "Closed",
        HouseholdStatus.WITHDRAWN: "Closed",
    }
    for status in rows:
        HouseholdFactory(
            referring_organisation=personas.agency_a,
            program=program,
            status=status,
            head_name=f"Family {status}",
            eligibility_reason="Arrived on 1 January 2015, 10 years before the referral.",
        )
    page = personas.client_for("partner_a").get(MINE).content.decode()
    assert "Amina Haddad" in page and "Bilal Omar" not in page
    assert "Received" in page
    for label in rows.values():
        assert label in page
    assert "Paused" not in page and "Withdrawn" not in page
    assert "Arrived on 1 January 2015" in page  # the reason, for the not-eligible one


def test_my_referrals_runs_constant_queries(personas, referral_a, django_assert_max_num_queries):
    client = personas.client_for("partner_a")
    client.get(MINE)  # warm the session and content types
    with django_assert_max_num_queries(12) as few:
        client.get(MINE)
    for _ in range(15):
        HouseholdFactory(referring_organisation=personas.agency_a, program=referral_a.program)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MINE)
    assert response.content.decode().count("/refer/") >= 16


def test_the_partner_sees_what_they_sent_and_nothing_more(personas, referral_a):
    referral_a.eligibility_override = True
    referral_a.override_reason = "Coordinator judgement: special case."
    referral_a.coordinator = personas.coordinator
    referral_a.save()
    page = personas.client_for("partner_a").get(f"/refer/{referral_a.pk}/").content.decode()
    assert "Amina Haddad" in page
    assert "Practising English or French" in page
    assert "(416) 555-" in page
    assert "Pat Partner" in page  # who obtained consent: the partner sent it
    for hidden in (
        "Husband",  # staff notes
        "football",  # the shared profile
        "Cora Coordinator",  # coordinator names
        "Coordinator judgement",  # staff override reason when eligible
        "Eligibility",
    ):
        assert hidden not in page


def test_the_partner_sees_why_a_referral_is_not_eligible(personas, referral_a):
    referral_a.status = HouseholdStatus.NOT_ELIGIBLE
    referral_a.eligibility_override = False
    referral_a.override_reason = "The family already has a sponsor group."
    referral_a.save()
    page = personas.client_for("partner_a").get(f"/refer/{referral_a.pk}/").content.decode()
    assert "Not eligible" in page
    assert "The family already has a sponsor group." in page


def test_viewing_a_referral_is_audited(personas, referral_a):
    personas.client_for("partner_a").get(f"/refer/{referral_a.pk}/")
    entry = AuditEntry.objects.for_record(referral_a).get(code="record.viewed")
    assert entry.actor == personas.partner_a


def test_staff_override_the_eligibility_with_a_reason(personas, referral_a):
    client = personas.client_for("coordinator")
    url = f"/refer/{referral_a.pk}/eligibility/"
    response = client.post(url, {"eligible": "no", "reason": ""})
    assert "Give the reason for this decision." in response.content.decode()
    response = client.post(url, {"eligible": "no", "reason": "Moved to Calgary."})
    assert response.status_code == 302
    referral_a.refresh_from_db()
    assert referral_a.eligible is False
    assert referral_a.status == HouseholdStatus.NOT_ELIGIBLE
    assert AuditEntry.objects.filter(code="household.eligibility_overridden").count() == 1
    page = client.get(f"/refer/{referral_a.pk}/").content.decode()
    assert "Moved to Calgary." in page


def test_opening_the_eligibility_page_is_audited(personas, referral_a):
    """The page shows the rules' reason, which names the status and the arrival date."""
    personas.client_for("coordinator").get(f"/refer/{referral_a.pk}/eligibility/")
    entry = AuditEntry.objects.for_record(referral_a).get(code="record.viewed")
    assert entry.actor == personas.coordinator
