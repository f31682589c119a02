"""The pipeline board runs the same number of queries for 10 and for 1,000 volunteers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accueil.accounts.models import Role, User
from accueil.factories import ProgramFactory, RegionFactory, host_organisation
from accueil.volunteers.models import (
    ScreeningStep,
    StepStatus,
    StepType,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
)

pytestmark = pytest.mark.django_db

STATUSES = [
    VolunteerStatus.APPLIED,
    VolunteerStatus.IN_SCREENING,
    VolunteerStatus.APPROVED,
    VolunteerStatus.ACTIVE,
    VolunteerStatus.ON_HOLD,
    VolunteerStatus.DECLINED,
]


def make_volunteers(n: int, *, start: int, program, regions, coordinator) -> None:
    """``n`` volunteers with languages, steps and a coordinator, in a handful of INSERTs."""
    organisation = host_organisation()
    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            email=f"bulk{start + i}@example.org",
            full_name=f"Bulk Volunteer {start + i}",
            role=Role.VOLUNTEER,
            organisation=organisation,
            password="!",  # unusable: nobody signs in as them
        )
        for i in range(n)
    )
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(
            user=user,
            program=program,
            region=regions[i % len(regions)],
            status=STATUSES[i % len(STATUSES)],
            status_changed_at=now - timedelta(days=i % 40),
            coordinator=coordinator if i % 2 else None,
            consent_version="2026-11",
            consented_at=now,
        )
        for i, user in enumerate(users)
    )
    VolunteerLanguage.objects.bulk_create(
        VolunteerLanguage(volunteer=v, code=code, level="fluent")
        for v in volunteers
        for code in ("en", "fr" if v.pk % 2 else "ar")
    )
    ScreeningStep.objects.bulk_create(
        ScreeningStep(
            volunteer=v,
            step_type=step_type,
            order=order,
            status=StepStatus.DONE if order < 3 else StepStatus.NOT_STARTED,
            expires_on=now.date() - timedelta(days=1)
            if step_type == StepType.POLICE_CHECK
            else None,
        )
        for v in volunteers
        if v.status != VolunteerStatus.APPLIED
        for order, step_type in enumerate(StepType)
    )


@pytest.mark.parametrize("who", ["manager", "coordinator"])
def test_it_runs_the_same_number_of_queries_for_10_and_1000_volunteers(personas, who):
    program = ProgramFactory()
    personas.coordinator.programs.add(program)
    regions = [RegionFactory(name="Toronto"), RegionFactory(name="Peel")]
    client = personas.client_for(who)
    url = reverse("volunteer_pipeline")
    filters = {"language": "en", "region": regions[0].pk, "program": program.pk}

    make_volunteers(10, start=0, program=program, regions=regions, coordinator=personas.coordinator)
    client.get(url)  # warm caches (content types, sessions) before counting
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["rows"]) == 9  # 10 minus the declined one
    with CaptureQueriesContext(connection) as few_filtered:
        client.get(url, filters)

    make_volunteers(
        990, start=10, program=program, regions=regions, coordinator=personas.coordinator
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count > 800
    with CaptureQueriesContext(connection) as many_filtered:
        client.get(url, filters)

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many_filtered) == len(few_filtered)
