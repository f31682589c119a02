"""Screening services: starting, each kind of step, approval and status changes."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accueil.accounts.models import Role
from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, UserFactory
from accueil.messaging.models import OutboxMessage
from accueil.volunteers import selectors
from accueil.volunteers.models import (
    CodeOfConductSignature,
    ProgramScreeningStep,
    StepStatus,
    StepType,
    VolunteerStatus,
)
from accueil.volunteers.services import screening as services

from .factories import VolunteerFactory, complete_screening

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(personas):
    return personas.coordinator


@pytest.fixture
def volunteer(coordinator):
    volunteer = VolunteerFactory(references=2)
    coordinator.programs.add(volunteer.program)
    return volunteer


def started(volunteer, by):
    services.screening_start(volunteer=volunteer, by=by)
    return volunteer


def step(volunteer, step_type):
    return volunteer.steps.get(step_type=step_type)


# -- starting ------------------------------------------------------------------------------


def test_it_starts_screening_with_the_default_steps_and_asks_both_referees(volunteer, coordinator):
    started(volunteer, coordinator)
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.IN_SCREENING
    assert list(volunteer.steps.values_list("step_type", flat=True)) == [t.value for t in StepType]
    assert all(s.required for s in volunteer.steps.all())
    assert volunteer.references.filter(requested_at__isnull=False).count() == 2
    assert OutboxMessage.objects.filter(template="volunteers.reference_request").count() == 2
    assert step(volunteer, StepType.REFERENCES).status == StepStatus.IN_PROGRESS
    assert AuditEntry.objects.filter(code="volunteer.screening_started").count() == 1


def test_it_uses_the_programs_own_steps_when_it_has_some(coordinator):
    program = ProgramFactory()
    coordinator.programs.add(program)
    ProgramScreeningStep.objects.create(program=program, step_type=StepType.POLICE_CHECK, order=1)
    ProgramScreeningStep.objects.create(
        program=program, step_type=StepType.INTERVIEW, order=2, required=False
    )
    volunteer = VolunteerFactory(program=program)
    started(volunteer, coordinator)
    steps = list(volunteer.steps.values_list("step_type", "required"))
    assert steps == [(StepType.POLICE_CHECK, True), (StepType.INTERVIEW, False)]


def test_it_refuses_to_start_screening_twice(volunteer, coordinator):
    started(volunteer, coordinator)
    with pytest.raises(ValidationError):
        services.screening_start(volunteer=volunteer, by=coordinator)


def test_it_refuses_staff_who_do_not_work_on_the_volunteers_program(personas):
    volunteer = VolunteerFactory()  # the coordinator has no programs
    for person in (personas.coordinator, personas.partner_a, personas.volunteer):
        with pytest.raises(PermissionDenied):
            services.screening_start(volunteer=volunteer, by=person)


def test_it_lets_a_manager_screen_any_program(personas):
    volunteer = VolunteerFactory()
    started(volunteer, personas.manager)
    assert volunteer.status == VolunteerStatus.IN_SCREENING


# -- interview -----------------------------------------------------------------------------


def test_it_books_the_interview_and_tells_the_volunteer_in_their_language(coordinator):
    volunteer = VolunteerFactory(user__language="fr")
    coordinator.programs.add(volunteer.program)
    started(volunteer, coordinator)
    when = timezone.make_aware(datetime(2031, 3, 4, 14, 30))
    services.interview_schedule(step=step(volunteer, StepType.INTERVIEW), when=when, by=coordinator)
    interview = step(volunteer, StepType.INTERVIEW)
    assert interview.scheduled_at == when
    assert interview.status == StepStatus.IN_PROGRESS
    message = OutboxMessage.objects.get(template="volunteers.interview_scheduled")
    assert message.language == "fr"
    assert message.to_address == volunteer.user.email
    assert "2031" in message.body_text


def test_it_refuses_an_interview_date_in_the_past(volunteer, coordinator):
    started(volunteer, coordinator)
    with pytest.raises(ValidationError):
        services.interview_schedule(
            step=step(volunteer, StepType.INTERVIEW),
            when=timezone.now() - timedelta(days=3),
            by=coordinator,
        )


def test_it_completes_the_interview_only_when_the_outcome_is_suitable(volunteer, coordinator):
    started(volunteer, coordinator)
    interview = step(volunteer, StepType.INTERVIEW)
    services.interview_record(
        step=interview, outcome="follow_up", notes="Talk again about availability.", by=coordinator
    )
    interview.refresh_from_db()
    assert interview.status == StepStatus.IN_PROGRESS
    assert "availability" in interview.notes
    services.interview_record(step=interview, outcome="suitable", notes="Warm.", by=coordinator)
    interview.refresh_from_db()
    assert interview.status == StepStatus.DONE
    assert interview.completed_by == coordinator
    assert "availability" in interview.notes and "Warm." in interview.notes


def test_it_keeps_interview_notes_encrypted_at_rest(volunteer, coordinator):
    from django.db import connection

    started(volunteer, coordinator)
    interview = step(volunteer, StepType.INTERVIEW)
    services.interview_record(step=interview, outcome="suitable", notes="Secret", by=coordinator)
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM volunteers_screeningstep WHERE id = %s", [interview.pk])
        raw = cursor.fetchone()[0]
    assert "Secret" not in raw


def test_it_refuses_an_unknown_interview_outcome(volunteer, coordinator):
    started(volunteer, coordinator)
    with pytest.raises(ValidationError):
        services.interview_record(
            step=step(volunteer, StepType.INTERVIEW), outcome="great", notes="", by=coordinator
        )


def test_it_refuses_an_action_meant_for_another_step(volunteer, coordinator):
    started(volunteer, coordinator)
    with pytest.raises(ValidationError):
        services.interview_record(
            step=step(volunteer, StepType.ORIENTATION), outcome="suitable", notes="", by=coordinator
        )


# -- police check --------------------------------------------------------------------------


def test_it_makes_a_police_check_valid_three_years_from_its_issue_date(volunteer, coordinator):
    started(volunteer, coordinator)
    police = step(volunteer, StepType.POLICE_CHECK)
    services.police_check_record(
        step=police, issued_on=date(2025, 5, 1), by=coordinator, on=date(2025, 6, 1)
    )
    police.refresh_from_db()
    assert police.status == StepStatus.DONE
    assert police.expires_on == date(2028, 5, 1)


def test_it_handles_a_check_issued_on_the_29th_of_february(volunteer, coordinator):
    started(volunteer, coordinator)
    police = step(volunteer, StepType.POLICE_CHECK)
    services.police_check_record(
        step=police, issued_on=date(2024, 2, 29), by=coordinator, on=date(2024, 3, 1)
    )
    police.refresh_from_db()
    assert police.expires_on == date(2027, 2, 28)


def test_it_prefers_the_valid_until_date_when_given(volunteer, coordinator):
    started(volunteer, coordinator)
    police = step(volunteer, StepType.POLICE_CHECK)
    services.police_check_record(
        step=police,
        issued_on=date(2025, 5, 1),
        valid_until=date(2026, 5, 1),
        by=coordinator,
        on=date(2025, 6, 1),
    )
    police.refresh_from_db()
    assert police.expires_on == date(2026, 5, 1)


def test_it_refuses_a_police_check_that_has_already_expired(volunteer, coordinator):
    started(volunteer, coordinator)
    police = step(volunteer, StepType.POLICE_CHECK)
    with pytest.raises(ValidationError) as error:
        services.police_check_record(
            step=police, issued_on=date(2020, 1, 10), by=coordinator, on=date(2025, 6, 1)
        )
    assert "expired on" in str(error.value)
    with pytest.raises(ValidationError):
        services.police_check_record(
            step=police, issued_on=date(2025, 7, 1), by=coordinator, on=date(2025, 6, 1)
        )
    with pytest.raises(ValidationError):
        services.police_check_record(step=police, by=coordinator)
    police.refresh_from_db()
    assert police.status == StepStatus.NOT_STARTED


# -- code of conduct, orientation, training ------------------------------------------------


def test_it_lets_only_the_volunteer_sign_the_code_of_conduct(volunteer, coordinator):
    started(volunteer, coordinator)
    with pytest.raises(PermissionDenied):
        services.code_of_conduct_sign(volunteer=volunteer, signed_name="Cora", by=coordinator)
    with pytest.raises(ValidationError):
        services.code_of_conduct_sign(volunteer=volunteer, signed_name=" ", by=volunteer.user)
    signature = services.code_of_conduct_sign(
        volunteer=volunteer, signed_name="  Sam   Rivera ", by=volunteer.user
    )
    assert signature.signed_name == "Sam Rivera"
    assert signature.version == services.CODE_OF_CONDUCT_VERSION
    assert step(volunteer, StepType.CODE_OF_CONDUCT).status == StepStatus.DONE
    # Signing again changes nothing.
    services.code_of_conduct_sign(volunteer=volunteer, signed_name="Sam", by=volunteer.user)
    assert CodeOfConductSignature.objects.count() == 1


def test_it_counts_a_code_of_conduct_signed_before_screening_started(volunteer, coordinator):
    services.code_of_conduct_sign(volunteer=volunteer, signed_name="Sam", by=volunteer.user)
    started(volunteer, coordinator)
    assert step(volunteer, StepType.CODE_OF_CONDUCT).status == StepStatus.DONE


def test_it_records_orientation_attendance(volunteer, coordinator):
    started(volunteer, coordinator)
    orientation = step(volunteer, StepType.ORIENTATION)
    services.orientation_record(
        step=orientation, attended_on=timezone.localdate() - timedelta(days=2), by=coordinator
    )
    orientation.refresh_from_db()
    assert orientation.status == StepStatus.DONE
    assert timezone.localtime(orientation.completed_at).date() == (
        timezone.localdate() - timedelta(days=2)
    )
    with pytest.raises(ValidationError):
        services.orientation_record(
            step=orientation, attended_on=timezone.localdate() + timedelta(days=1), by=coordinator
        )


def _required_module():
    from accueil.volunteers.models import TrainingModule

    return TrainingModule.objects.create(
        slug="boundaries",
        content={"en": {"title": "Boundaries"}},
        required_for=["volunteer"],
    )


def test_it_completes_the_training_step_when_every_required_module_is_passed(
    volunteer, coordinator
):
    from accueil.volunteers.models import TrainingCompletion

    module = _required_module()
    started(volunteer, coordinator)
    training = step(volunteer, StepType.TRAINING)
    assert training.status == StepStatus.NOT_STARTED
    TrainingCompletion.objects.create(user=volunteer.user, module=module)
    assert services.screening_sync_training(volunteer=volunteer) is True
    training.refresh_from_db()
    assert training.status == StepStatus.DONE
    assert training.completed_by is None  # the system, not a person


def test_it_lets_staff_mark_the_training_done_with_a_note(volunteer, coordinator):
    _required_module()
    started(volunteer, coordinator)
    training = step(volunteer, StepType.TRAINING)
    with pytest.raises(ValidationError):
        services.training_mark_done(step=training, note="", by=coordinator)
    services.training_mark_done(step=training, note="In-person session, 3 May", by=coordinator)
    training.refresh_from_db()
    assert training.status == StepStatus.DONE
    assert "3 May" in training.notes


# -- approval ------------------------------------------------------------------------------


def test_it_refuses_approval_and_lists_the_steps_left(volunteer, coordinator):
    _required_module()
    started(volunteer, coordinator)
    services.orientation_record(
        step=step(volunteer, StepType.ORIENTATION), attended_on=timezone.localdate(), by=coordinator
    )
    with pytest.raises(ValidationError) as error:
        services.volunteer_approve(volunteer=volunteer, by=coordinator)
    message = error.value.messages[0]
    assert "cannot be approved yet" in message
    for label in (
        "Interview",
        "Two references",
        "Police vulnerable-sector check",
        "Code of conduct",
    ):
        assert label in message
    assert "Orientation" not in message
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.IN_SCREENING


def test_it_refuses_approval_before_screening_starts(volunteer, coordinator):
    with pytest.raises(ValidationError):
        services.volunteer_approve(volunteer=volunteer, by=coordinator)


def test_it_refuses_approval_when_the_police_check_has_expired(volunteer, coordinator):
    volunteer.status = VolunteerStatus.IN_SCREENING
    volunteer.save()
    complete_screening(volunteer, check_expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.volunteer_approve(volunteer=volunteer, by=coordinator)
    assert "expired on" in error.value.messages[0]


def test_it_ignores_optional_steps_when_approving(volunteer, coordinator):
    volunteer.status = VolunteerStatus.IN_SCREENING
    volunteer.save()
    complete_screening(volunteer)
    volunteer.steps.filter(step_type=StepType.ORIENTATION).update(
        required=False, status=StepStatus.NOT_STARTED
    )
    services.volunteer_approve(volunteer=volunteer, by=coordinator)
    assert volunteer.status == VolunteerStatus.APPROVED


def test_it_approves_a_fully_screened_volunteer(volunteer, coordinator):
    volunteer.status = VolunteerStatus.IN_SCREENING
    volunteer.save()
    complete_screening(volunteer)
    services.volunteer_approve(volunteer=volunteer, by=coordinator)
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.APPROVED
    assert volunteer.approved_by == coordinator
    assert volunteer.approved_at is not None
    entry = AuditEntry.objects.get(code="volunteer.approved")
    assert audit.describe(entry, target_obj=volunteer) == (
        f"Cora Coordinator approved {volunteer.user.display_name}"
    )
    message = OutboxMessage.objects.get(template="volunteers.approved")
    assert message.recipient == volunteer.user


def test_it_refuses_to_approve_twice(volunteer, coordinator):
    volunteer.status = VolunteerStatus.IN_SCREENING
    volunteer.save()
    complete_screening(volunteer)
    services.volunteer_approve(volunteer=volunteer, by=coordinator)
    with pytest.raises(ValidationError):
        services.volunteer_approve(volunteer=volunteer, by=coordinator)


# -- status changes ------------------------------------------------------------------------


def test_it_declines_only_with_a_reason(volunteer, coordinator):
    started(volunteer, coordinator)
    with pytest.raises(ValidationError) as error:
        services.volunteer_set_status(
            volunteer=volunteer, status=VolunteerStatus.DECLINED, reason=" ", by=coordinator
        )
    assert "reason" in error.value.message_dict
    services.volunteer_set_status(
        volunteer=volunteer,
        status=VolunteerStatus.DECLINED,
        reason="Not available for six months.",
        by=coordinator,
    )
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.DECLINED
    assert volunteer.decline_reason == "Not available for six months."
    assert AuditEntry.objects.filter(code="volunteer.declined").exists()


def test_it_refuses_moves_the_pipeline_does_not_allow(volunteer, coordinator):
    services.volunteer_set_status(
        volunteer=volunteer, status=VolunteerStatus.WITHDRAWN, reason="", by=coordinator
    )
    for status in (VolunteerStatus.ON_HOLD, VolunteerStatus.DECLINED, VolunteerStatus.APPROVED):
        with pytest.raises(ValidationError):
            services.volunteer_set_status(
                volunteer=volunteer, status=status, reason="x", by=coordinator
            )
    with pytest.raises(ValidationError):  # closed: the steps cannot change either
        services.code_of_conduct_sign(volunteer=volunteer, signed_name="Sam", by=volunteer.user)


def test_it_puts_on_hold_and_resumes_the_screening(volunteer, coordinator):
    services.volunteer_set_status(
        volunteer=volunteer, status=VolunteerStatus.ON_HOLD, reason="Travelling", by=coordinator
    )
    assert volunteer.status == VolunteerStatus.ON_HOLD
    assert not volunteer.steps.exists()
    services.volunteer_set_status(
        volunteer=volunteer, status=VolunteerStatus.IN_SCREENING, reason="", by=coordinator
    )
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.IN_SCREENING
    assert volunteer.steps.count() == len(StepType)  # resuming creates the steps
    assert {e.code for e in AuditEntry.objects.exclude(code="")} >= {
        "volunteer.put_on_hold",
        "volunteer.resumed",
    }


def test_it_refuses_to_resume_someone_who_is_not_on_hold(volunteer, coordinator):
    with pytest.raises(ValidationError):
        services.volunteer_set_status(
            volunteer=volunteer, status=VolunteerStatus.IN_SCREENING, reason="", by=coordinator
        )


def test_it_moves_the_stage_clock_on_every_status_change(volunteer, coordinator):
    volunteer.status_changed_at = timezone.now() - timedelta(days=30)
    volunteer.save()
    started(volunteer, coordinator)
    volunteer.refresh_from_db()
    assert timezone.now() - volunteer.status_changed_at < timedelta(minutes=1)


# -- coordinators --------------------------------------------------------------------------


def test_it_assigns_a_coordinator_who_works_on_the_program(volunteer, coordinator, personas):
    other = VolunteerFactory(program=volunteer.program)
    changed = services.volunteer_assign_coordinator(
        volunteers=[volunteer, other], coordinator=coordinator, by=personas.manager
    )
    assert changed == 2
    volunteer.refresh_from_db()
    assert volunteer.coordinator == coordinator
    assert AuditEntry.objects.filter(code="volunteer.coordinator_assigned").count() == 2
    # Assigning again changes nothing, and None removes the coordinator.
    assert (
        services.volunteer_assign_coordinator(
            volunteers=[volunteer], coordinator=coordinator, by=personas.manager
        )
        == 0
    )
    services.volunteer_assign_coordinator(
        volunteers=[volunteer], coordinator=None, by=personas.manager
    )
    volunteer.refresh_from_db()
    assert volunteer.coordinator is None


def test_it_refuses_a_coordinator_from_another_program(volunteer, personas):
    stranger = UserFactory(role=Role.COORDINATOR)
    with pytest.raises(ValidationError):
        services.volunteer_assign_coordinator(
            volunteers=[volunteer], coordinator=stranger, by=personas.manager
        )
    with pytest.raises(ValidationError):
        services.volunteer_assign_coordinator(
            volunteers=[volunteer], coordinator=personas.partner_a, by=personas.manager
        )


# -- selectors used by the pages -----------------------------------------------------------


def test_it_lists_the_steps_as_cannot_start_yet_before_screening(volunteer):
    tasks = selectors.screening_tasks(volunteer)
    statuses = {t.step_type: t.status for t in tasks}
    assert statuses[StepType.INTERVIEW] == selectors.TaskStatus.CANNOT_START
    # The code of conduct can be signed early.
    assert statuses[StepType.CODE_OF_CONDUCT] == selectors.TaskStatus.NOT_STARTED


def test_it_shows_an_expired_check_as_expired(volunteer, coordinator):
    volunteer.status = VolunteerStatus.IN_SCREENING
    volunteer.save()
    complete_screening(volunteer, check_expires_on=date(2026, 10, 2))
    on_the_day = {
        t.step_type: t.status for t in selectors.screening_tasks(volunteer, on=date(2026, 10, 2))
    }
    day_after = {t.step_type: t for t in selectors.screening_tasks(volunteer, on=date(2026, 10, 3))}
    assert on_the_day[StepType.POLICE_CHECK] == selectors.TaskStatus.COMPLETED
    assert day_after[StepType.POLICE_CHECK].status == selectors.TaskStatus.EXPIRED
    with translation.override("en"):
        assert "2026" in day_after[StepType.POLICE_CHECK].detail
