"""The staff household list and a household's page: who may see them, what they show, the
phone search, the audit of every view, and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.conftest import STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory
from accueil.newcomers.models import HouseholdMember, HouseholdStatus

from ._households import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    household = make_household(organisation=personas.agency_a, staff_notes="Prefers evenings.")
    personas.coordinator.programs.add(household.program)
    return household


def test_it_shows_the_list_to_staff_only(personas, household):
    assert_personas(personas, reverse("household_list"), STAFF)
    assert_personas(personas, reverse("household_waitlist"), STAFF)


def test_it_shows_a_household_to_staff_of_its_program_only(personas, household):
    assert_personas(personas, reverse("household_detail", args=[household.pk]), STAFF)


def test_it_hides_a_household_from_a_coordinator_of_another_program(personas):
    other = make_household(program=ProgramFactory(name="Another program"))
    client = personas.client_for("coordinator")
    assert client.get(reverse("household_detail", args=[other.pk])).status_code == 404
    response = client.get(reverse("household_list"))
    assert other.head_name not in response.content.decode()


def test_it_gives_404_on_every_household_url_to_everyone_but_staff(personas, household):
    member = HouseholdMember.objects.create(household=household, first_name="Lina", age_band="6-12")
    pk = household.pk
    gets = [
        reverse("household_detail", args=[pk]),
        reverse("household_schedule", args=[pk]),
        reverse("household_profile", args=[pk]),
        reverse("household_member_add", args=[pk]),
        reverse("household_member", args=[pk, member.pk]),
        reverse("household_consent", args=[pk]),
        reverse("household_pause", args=[pk]),
        reverse("household_withdraw", args=[pk]),
    ]
    for url in gets:
        assert_personas(personas, url, STAFF, ok=(200, 302))
    posts = [
        reverse("household_take", args=[pk]),
        reverse("household_waitlist_add", args=[pk]),
        reverse("household_resume", args=[pk]),
        reverse("household_consent_withdraw", args=[pk, "research"]),
    ]
    for url in posts:
        assert_personas(personas, url, STAFF, method="post", ok=(302,))


def test_it_records_every_view_of_a_household(personas, household):
    client = personas.client_for("coordinator")
    url = reverse("household_detail", args=[household.pk])
    client.get(url)
    client.get(url)
    views = AuditEntry.objects.for_record(household).filter(code="record.viewed")
    assert views.count() == 2
    assert {entry.actor for entry in views} == {personas.coordinator}


def test_it_does_not_record_a_view_for_a_refused_visit(personas, household):
    personas.client_for("partner_a").get(reverse("household_detail", args=[household.pk]))
    assert not AuditEntry.objects.for_record(household).filter(code="record.viewed").exists()


def test_it_shows_immigration_details_and_staff_notes_marked_as_staff_only(personas, household):
    response = personas.client_for("coordinator").get(
        reverse("household_detail", args=[household.pk])
    )
    page = response.content.decode()
    assert "Refugee claimant" in page
    assert "Prefers evenings." in page
    assert "Staff only" in page
    assert household.phone in page


def test_it_finds_a_household_by_phone_number_however_it_is_typed(personas, household):
    make_household(program=household.program, phone="+14165559999")
    client = personas.client_for("coordinator")
    local = household.phone[2:]
    typed = f"({local[:3]}) {local[3:6]}-{local[6:]}"
    response = client.get(reverse("household_list"), {"phone": typed})
    assert [row["household"] for row in response.context["rows"]] == [household]


def test_it_keeps_a_wrong_phone_number_and_says_why(personas, household):
    response = personas.client_for("coordinator").get(reverse("household_list"), {"phone": "12ab"})
    page = response.content.decode()
    assert "Enter a whole phone number" in page
    assert 'value="12ab"' in page
    assert "<title>Error:" in page


def test_it_filters_by_status_tab(personas, household):
    waiting = make_household(program=household.program, status=HouseholdStatus.WAITING)
    response = personas.client_for("manager").get(reverse("household_list"), {"status": "waiting"})
    assert [row["household"] for row in response.context["rows"]] == [waiting]
    tabs = {tab["status"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs["waiting"] == 1 and tabs["received"] == 1


def test_it_runs_the_same_number_of_queries_for_few_and_many_households(personas):
    program = ProgramFactory(name="Big program")
    personas.coordinator.programs.add(program)
    client = personas.client_for("coordinator")
    url = reverse("household_list")
    for _ in range(3):
        make_household(program=program, coordinator=personas.coordinator)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["rows"]) == 3
    for _ in range(30):
        make_household(program=program, coordinator=personas.coordinator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_it_shows_members_consents_calls_and_history(personas, household):
    from ._households import make_ready

    HouseholdMember.objects.create(
        household=household, first_name="Lina", age_band="6-12", languages=["ar"]
    )
    make_ready(household, by=personas.coordinator)
    client = personas.client_for("coordinator")
    client.post(reverse("household_waitlist_add", args=[household.pk]))
    page = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "Lina" in page
    assert "Arabic" in page
    assert "Agreed" in page and "Not asked yet" in page
    assert "Completed" in page
    assert "put household #" in page  # the history, as sentences
    assert "A family of four who love football." in page


def test_it_records_views_of_the_pages_that_show_parts_of_the_record(personas, household):
    client = personas.client_for("manager")
    client.get(reverse("household_profile", args=[household.pk]))
    member = HouseholdMember.objects.create(household=household, first_name="Lina", age_band="0-5")
    client.get(reverse("household_member", args=[household.pk, member.pk]))
    views = AuditEntry.objects.for_record(household).filter(code="record.viewed")
    assert views.count() == 2


def test_it_records_views_of_the_consent_schedule_pause_and_withdraw_pages(personas, household):
    """Each shows part of the record (the name, the consents so far, the call's language)."""
    client = personas.client_for("coordinator")
    for name in (
        "household_consent",
        "household_schedule",
        "household_pause",
        "household_withdraw",
    ):
        before = AuditEntry.objects.for_record(household).filter(code="record.viewed").count()
        assert client.get(reverse(name, args=[household.pk])).status_code == 200
        after = AuditEntry.objects.for_record(household).filter(code="record.viewed").count()
        assert after == before + 1, f"{name} was not recorded"
