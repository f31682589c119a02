"""The waitlist: joining only when ready, longest wait first with the program's target,
pause, resume and withdraw, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory
from accueil.newcomers.models import HouseholdStatus, ProgramIntake
from accueil.newcomers.services import households as services

from ._households import make_household, make_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    household = make_household()
    personas.coordinator.programs.add(household.program)
    return household


def _waiting(program, days: int, **fields):
    return make_household(
        program=program,
        status=HouseholdStatus.WAITING,
        waitlisted_at=timezone.now() - timedelta(days=days),
        **fields,
    )


def test_it_refuses_the_waitlist_with_the_reasons(personas, household):
    household.status = HouseholdStatus.ONBOARDING
    household.save()
    client = personas.client_for("coordinator")
    response = client.post(reverse("household_waitlist_add", args=[household.pk]), follow=True)
    page = response.content.decode()
    assert "The onboarding call is not completed." in page
    assert "consent to take part" in page
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ONBOARDING


def test_it_puts_a_ready_household_on_the_waitlist(personas, household):
    make_ready(household, by=personas.coordinator)
    client = personas.client_for("coordinator")
    client.post(reverse("household_waitlist_add", args=[household.pk]))
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WAITING
    assert household.waitlisted_at is not None
    assert AuditEntry.objects.for_record(household).filter(code="household.waitlisted").exists()


def test_it_lists_the_longest_wait_first_with_the_target_and_a_flag(personas):
    program = ProgramFactory(name="Waiting program")
    personas.coordinator.programs.add(program)
    recent = _waiting(program, 10)
    late = _waiting(program, 60)
    make_household(program=program, status=HouseholdStatus.ONBOARDING)
    response = personas.client_for("coordinator").get(reverse("household_waitlist"))
    rows = response.context["rows"]
    assert [row["household"] for row in rows] == [late, recent]
    assert rows[0]["over_target"] and not rows[1]["over_target"]
    assert (rows[0]["target_min"], rows[0]["target_max"]) == (42, 56)
    assert ProgramIntake.objects.filter(program=program).exists()
    assert "Past the target" in response.content.decode()


def test_it_uses_the_program_target(personas):
    program = ProgramFactory(name="Fast program")
    ProgramIntake.objects.create(program=program, target_wait_min_days=7, target_wait_max_days=14)
    personas.coordinator.programs.add(program)
    _waiting(program, 20)
    rows = personas.client_for("coordinator").get(reverse("household_waitlist")).context["rows"]
    assert rows[0]["over_target"] and rows[0]["target_max"] == 14


def test_the_waitlist_runs_the_same_number_of_queries_for_few_and_many(personas):
    programs = [ProgramFactory(name="Program one"), ProgramFactory(name="Program two")]
    personas.coordinator.programs.add(*programs)
    client = personas.client_for("coordinator")
    url = reverse("household_waitlist")
    for i in range(2):
        _waiting(programs[i % 2], i)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        _waiting(programs[i % 2], i, coordinator=personas.coordinator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 32
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_it_pauses_resumes_and_withdraws(personas, household):
    household.status = HouseholdStatus.WAITING
    household.waitlisted_at = timezone.now() - timedelta(days=5)
    household.save()
    client = personas.client_for("coordinator")
    until = timezone.localdate() + timedelta(days=30)
    response = client.post(
        reverse("household_pause", args=[household.pk]),
        {"until": until.isoformat(), "reason": "Travelling"},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.status == HouseholdStatus.PAUSED
    assert (household.paused_until, household.pause_reason) == (until, "Travelling")

    client.post(reverse("household_resume", args=[household.pk]))
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WAITING
    assert household.paused_until is None
    # The wait keeps counting from the day the household joined.
    assert services.days_since(household.waitlisted_at) == 5

    client.post(reverse("household_withdraw", args=[household.pk]), {"reason": "Moved away"})
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WITHDRAWN
    assert household.withdrawn_reason == "Moved away"
    codes = set(AuditEntry.objects.for_record(household).values_list("code", flat=True))
    assert {"household.paused", "household.resumed", "household.withdrawn"} <= codes


def test_it_refuses_a_pause_date_in_the_past_and_keeps_the_reason(personas, household):
    household.status = HouseholdStatus.WAITING
    household.save()
    response = personas.client_for("coordinator").post(
        reverse("household_pause", args=[household.pk]),
        {"until": "2020-01-01", "reason": "Travelling"},
    )
    page = response.content.decode()
    assert "Choose a date after today." in page
    assert 'value="Travelling"' in page
    household.refresh_from_db()
    assert household.status == HouseholdStatus.WAITING
