"""The pipeline board, its bulk actions and its CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.conftest import assert_personas
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.messaging.models import OutboxMessage
from accueil.volunteers.models import VolunteerStatus
from accueil.volunteers.services import screening as services

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db

BOARD = reverse("volunteer_pipeline")
EXPORT = reverse("volunteer_pipeline_export")
BULK = reverse("volunteer_pipeline_bulk")


@pytest.fixture
def program(personas):
    program = ProgramFactory(name="Welcome Groups for claimants")
    personas.coordinator.programs.add(program)
    return program


def listed(response) -> set[int]:
    return {row["volunteer"].pk for row in response.context["rows"]}


def test_it_shows_the_board_to_staff_only(personas):
    assert_personas(personas, BOARD, allowed={"admin", "manager", "coordinator"})
    assert_personas(personas, EXPORT, allowed={"admin", "manager", "coordinator"})


def test_it_shows_a_coordinator_only_their_programs(personas, program):
    mine = VolunteerFactory(program=program)
    theirs = VolunteerFactory()
    coordinator = personas.client_for("coordinator").get(BOARD)
    assert listed(coordinator) == {mine.pk}
    assert listed(personas.client_for("manager").get(BOARD)) == {mine.pk, theirs.pk}
    export = personas.client_for("coordinator").get(EXPORT).content.decode("utf-8-sig")
    assert mine.user.email in export and theirs.user.email not in export


def test_it_counts_every_stage_and_lists_the_open_ones(personas, program):
    for status, n in [
        (VolunteerStatus.APPLIED, 3),
        (VolunteerStatus.IN_SCREENING, 2),
        (VolunteerStatus.APPROVED, 1),
        (VolunteerStatus.ON_HOLD, 1),
        (VolunteerStatus.DECLINED, 2),
        (VolunteerStatus.WITHDRAWN, 1),
    ]:
        VolunteerFactory.create_batch(n, program=program, status=status)
    response = personas.client_for("coordinator").get(BOARD)
    counts = {s["status"]: s["count"] for s in response.context["stages"]}
    assert counts == {"applied": 3, "in_screening": 2, "approved": 1, "active": 0, "on_hold": 1}
    assert dict(response.context["closed"]) == {"Declined": 2, "Withdrawn": 1}
    assert len(response.context["rows"]) == 7  # declined and withdrawn are counts only
    in_screening = personas.client_for("coordinator").get(BOARD, {"stage": "in_screening"})
    assert len(in_screening.context["rows"]) == 2


def test_it_filters_by_program_region_language_and_coordinator(personas, program):
    peel = RegionFactory(name="Thunder Bay")
    other_program = ProgramFactory()
    personas.coordinator.programs.add(other_program)
    arabic = VolunteerFactory(program=program, languages=[("ar", "native"), ("en", "fluent")])
    in_peel = VolunteerFactory(program=program, region=peel)
    elsewhere = VolunteerFactory(program=other_program)
    assigned = VolunteerFactory(program=program, coordinator=personas.coordinator)
    client = personas.client_for("coordinator")
    assert listed(client.get(BOARD, {"program": other_program.pk})) == {elsewhere.pk}
    assert listed(client.get(BOARD, {"region": peel.pk})) == {in_peel.pk}
    assert listed(client.get(BOARD, {"language": "ar"})) == {arabic.pk}
    assert listed(client.get(BOARD, {"coordinator": personas.coordinator.pk})) == {assigned.pk}
    assert assigned.pk not in listed(client.get(BOARD, {"coordinator": "none"}))
    # The counts follow the filters.
    counts = client.get(BOARD, {"language": "ar"}).context["stages"]
    assert sum(s["count"] for s in counts) == 1


def test_it_refuses_a_program_the_coordinator_does_not_work_on(personas, program):
    other = ProgramFactory()
    hidden = VolunteerFactory(program=other)
    response = personas.client_for("coordinator").get(BOARD, {"program": other.pk})
    assert response.status_code == 200
    assert hidden.pk not in listed(response)
    assert "program" in response.context["form"].errors


def test_it_lists_the_longest_waiting_first_and_marks_them(personas, program):
    now = timezone.now()
    fresh = VolunteerFactory(program=program, status_changed_at=now - timedelta(days=2))
    old = VolunteerFactory(program=program, status_changed_at=now - timedelta(days=21))
    active = VolunteerFactory(
        program=program, status=VolunteerStatus.ACTIVE, status_changed_at=now - timedelta(days=90)
    )
    response = personas.client_for("coordinator").get(BOARD)
    rows = response.context["rows"]
    assert [r["volunteer"].pk for r in rows] == [active.pk, old.pk, fresh.pk]
    by_pk = {r["volunteer"].pk: r for r in rows}
    assert by_pk[old.pk]["days"] == 21 and by_pk[old.pk]["stale"]
    assert not by_pk[fresh.pk]["stale"]
    assert not by_pk[active.pk]["stale"]  # being active for months is the goal
    assert "row--stale" in response.content.decode()


def test_it_shows_steps_done_and_flags(personas, program):
    volunteer = VolunteerFactory(program=program, approved=True)
    volunteer.steps.filter(step_type="police_check").update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    row = personas.client_for("coordinator").get(BOARD).context["rows"][0]["volunteer"]
    assert (row.steps_done, row.steps_total) == (6, 6)
    assert row.check_expired and not row.has_concern


def test_it_sends_reminders_to_the_selected_volunteers(personas, program):
    volunteer = VolunteerFactory(program=program, references=2)
    services.screening_start(volunteer=volunteer, by=personas.coordinator)
    volunteer.references.update(requested_at=timezone.now() - timedelta(days=3))
    untouched = VolunteerFactory(program=program)
    response = personas.client_for("coordinator").post(
        BULK, {"volunteers": [volunteer.pk], "action": "remind", "query": "stage=in_screening"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?stage=in_screening"
    assert OutboxMessage.objects.filter(template="volunteers.reference_request").count() == 4
    nudge = OutboxMessage.objects.get(template="volunteers.nudge")
    assert nudge.recipient == volunteer.user
    assert "code of conduct" in nudge.body_text
    assert not OutboxMessage.objects.filter(recipient=untouched.user).exists()
    # A second click the same day sends nothing again.
    personas.client_for("coordinator").post(
        BULK, {"volunteers": [volunteer.pk], "action": "remind"}
    )
    assert OutboxMessage.objects.filter(template="volunteers.nudge").count() == 1
    assert OutboxMessage.objects.filter(template="volunteers.reference_request").count() == 4


def test_it_assigns_a_coordinator_to_the_selected_volunteers(personas, program):
    first, second = VolunteerFactory.create_batch(2, program=program)
    response = personas.client_for("manager").post(
        BULK,
        {
            "volunteers": [first.pk, second.pk],
            "action": "assign",
            "coordinator": personas.coordinator.pk,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.coordinator == second.coordinator == personas.coordinator


def test_it_refuses_bulk_actions_on_volunteers_out_of_scope(personas, program):
    hidden = VolunteerFactory()
    response = personas.client_for("coordinator").post(
        BULK,
        {"volunteers": [hidden.pk], "action": "assign", "coordinator": personas.coordinator.pk},
    )
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.coordinator is None
    assert not AuditEntry.objects.filter(code="volunteer.coordinator_assigned").exists()


def test_it_refuses_a_coordinator_who_does_not_work_on_the_program(personas, program):
    volunteer = VolunteerFactory(program=program)
    stranger = UserFactory(role=Role.COORDINATOR, full_name="Stranger Coordinator")
    response = personas.client_for("manager").post(
        BULK,
        {"volunteers": [volunteer.pk], "action": "assign", "coordinator": stranger.pk},
        follow=True,
    )
    assert "does not work on the program" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.coordinator is None


def test_it_allows_bulk_actions_to_staff_only(personas, program):
    volunteer = VolunteerFactory(program=program)
    assert_personas(
        personas,
        BULK,
        allowed={"admin", "manager", "coordinator"},
        method="post",
        data={"volunteers": [volunteer.pk], "action": "remind"},
        ok=(302,),
    )


def test_it_exports_the_filtered_list_without_sensitive_fields(personas, program):
    volunteer = VolunteerFactory(
        program=program,
        phone="+1 416 555 0199",
        motivation="Private motivation",
        languages=[("fr", "fluent"), ("ar", "basic")],
        user__full_name="=HYPERLINK(evil)",
        status_changed_at=timezone.now() - timedelta(days=4),
    )
    VolunteerFactory(program=program, languages=[("es", "native")])
    response = personas.client_for("coordinator").get(EXPORT, {"language": "fr"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Name",
        "Email address",
        "Program",
        "Region",
        "Stage",
        "Days in stage",
        "Coordinator",
        "Languages",
    ]
    assert len(rows) == 2
    name, email, program_name, _region, stage, days, _coordinator, languages = rows[1]
    assert name == "'=HYPERLINK(evil)"  # no formula in a spreadsheet
    assert email == volunteer.user.email
    assert (program_name, stage, days) == (program.name, "Applied", "4")
    assert "French (Fluent)" in languages and "Arabic" in languages
    for secret in ("416", "Private motivation"):
        assert secret not in text
    entry = AuditEntry.objects.get(code="volunteer.list_exported")
    assert entry.additional_data == {"count": 1}


def test_it_paginates_the_board(personas, program):
    VolunteerFactory.create_batch(30, program=program, languages=[])
    client = personas.client_for("coordinator")
    first = client.get(BOARD)
    second = client.get(BOARD, {"page": 2})
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5
