"""Reminders: each sent once per occasion, tested by moving the clock (no sleeping)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.core.models import AuditEntry
from accueil.factories import UserFactory
from accueil.messaging.models import OutboxMessage
from accueil.schedule import PERIODIC_JOBS
from accueil.volunteers.models import (
    QuizAttempt,
    Reference,
    StepStatus,
    StepType,
    TrainingCompletion,
    TrainingModule,
    VolunteerStatus,
)
from accueil.volunteers.services import reminders
from accueil.volunteers.services import screening as services

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def sent(template: str):
    return OutboxMessage.objects.filter(template=f"volunteers.{template}")


@pytest.fixture
def in_screening(personas):
    volunteer = VolunteerFactory(references=2, user__language="fr")
    services.screening_start(volunteer=volunteer, by=personas.manager)
    return volunteer


# -- references ----------------------------------------------------------------------------


def test_it_reminds_a_referee_once_five_days_after_the_request(in_screening):
    requested = Reference.objects.filter(volunteer=in_screening).first().requested_at
    assert reminders.remind_unanswered_references(now=requested + timedelta(days=4)) == 0
    assert reminders.remind_unanswered_references(now=requested + timedelta(days=5, hours=1)) == 2
    assert sent("reference_reminder").count() == 2
    assert {m.language for m in sent("reference_reminder")} == {"fr"}
    # The next hourly runs, and the days after, send nothing more.
    for hours in (2, 3, 48, 24 * 30):
        assert (
            reminders.remind_unanswered_references(now=requested + timedelta(days=5, hours=hours))
            == 0
        )
    assert sent("reference_reminder").count() == 2
    assert AuditEntry.objects.filter(code="volunteer.reference_reminded").count() == 2


def test_it_puts_a_working_link_in_the_reminder(client, in_screening):
    import re

    requested = Reference.objects.filter(volunteer=in_screening).first().requested_at
    reminders.remind_unanswered_references(now=requested + timedelta(days=6))
    message = sent("reference_reminder").first()
    path = re.search(r"/volunteers/reference/\S+/", message.body_text).group(0)
    assert client.get(path).status_code == 200


def test_it_does_not_remind_a_referee_who_answered(in_screening, personas):
    first = in_screening.references.first()
    services.reference_record_by_phone(
        reference=first, answers={"trust": "yes", "known_for": "1_3"}, by=personas.manager
    )
    assert reminders.remind_unanswered_references(now=timezone.now() + timedelta(days=6)) == 1


def test_it_does_not_remind_referees_of_a_closed_application(in_screening, personas):
    services.volunteer_set_status(
        volunteer=in_screening, status=VolunteerStatus.WITHDRAWN, reason="", by=personas.manager
    )
    assert reminders.remind_unanswered_references(now=timezone.now() + timedelta(days=6)) == 0


def test_it_reminds_again_for_a_new_request(in_screening, personas):
    later = timezone.now() + timedelta(days=6)
    reminders.remind_unanswered_references(now=later)
    reference = in_screening.references.first()
    services.reference_request(reference=reference, by=personas.manager)  # a new occasion
    reference.refresh_from_db()
    assert (
        reminders.remind_unanswered_references(now=reference.requested_at + timedelta(days=6)) == 1
    )
    assert sent("reference_reminder").count() == 3


# -- police checks -------------------------------------------------------------------------


@pytest.fixture
def approved(personas):
    volunteer = VolunteerFactory(approved=True, user__language="fr")
    volunteer.coordinator = personas.coordinator
    volunteer.save()
    volunteer.steps.filter(step_type=StepType.POLICE_CHECK).update(expires_on=date(2026, 10, 2))
    return volunteer


def test_it_warns_once_when_a_police_check_expires_within_30_days(approved, personas):
    assert reminders.remind_expiring_checks(on=date(2026, 9, 1)) == 0  # 31 days before
    assert reminders.remind_expiring_checks(on=date(2026, 9, 2)) == 1
    volunteer_mail = sent("check_expiring").get()
    assert volunteer_mail.recipient == approved.user and volunteer_mail.language == "fr"
    coordinator_mail = sent("check_expiring_coordinator").get()
    assert coordinator_mail.recipient == personas.coordinator
    assert coordinator_mail.language == personas.coordinator.language
    for day in (date(2026, 9, 3), date(2026, 9, 20), date(2026, 10, 2)):
        assert reminders.remind_expiring_checks(on=day) == 0
    assert sent("check_expiring").count() == 1
    assert OutboxMessage.objects.filter(idempotency_key__startswith="check-expiry-").count() == 2


def test_it_warns_again_for_a_renewed_check(approved, personas):
    reminders.remind_expiring_checks(on=date(2026, 9, 15))
    step = approved.steps.get(step_type=StepType.POLICE_CHECK)
    services.police_check_record(
        step=step, by=personas.manager, issued_on=date(2026, 9, 20), on=date(2026, 9, 20)
    )
    step.refresh_from_db()
    assert step.expires_on == date(2029, 9, 20)
    assert reminders.remind_expiring_checks(on=date(2029, 9, 1)) == 1
    assert sent("check_expiring").count() == 2


def test_it_does_not_warn_about_checks_of_people_who_left(approved, personas):
    services.volunteer_set_status(
        volunteer=approved, status=VolunteerStatus.WITHDRAWN, reason="", by=personas.manager
    )
    assert reminders.remind_expiring_checks(on=date(2026, 9, 15)) == 0


# -- training ------------------------------------------------------------------------------


@pytest.fixture
def module():
    return TrainingModule.objects.create(
        slug="boundaries", content={"en": {"title": "Boundaries"}}, required_for=["volunteer"]
    )


def test_it_reminds_once_when_training_is_unfinished_after_14_days(module, in_screening):
    started = timezone.now() - timedelta(days=20)
    QuizAttempt.objects.create(
        user=in_screening.user, module=module, score=40, passed=False, created_at=started
    )
    assert reminders.remind_unfinished_training(now=started + timedelta(days=13)) == 0
    assert reminders.remind_unfinished_training(now=started + timedelta(days=14, hours=1)) == 1
    assert reminders.remind_unfinished_training(now=started + timedelta(days=15)) == 0
    message = sent("training_reminder").get()
    assert message.recipient == in_screening.user
    assert message.language == "fr"
    # Once finished, nobody is reminded (and the screening step completes by itself).
    TrainingCompletion.objects.create(user=in_screening.user, module=module)
    assert reminders.remind_unfinished_training(now=started + timedelta(days=40)) == 0
    assert reminders.sync_training_steps() == 1
    step = in_screening.steps.get(step_type=StepType.TRAINING)
    assert step.status == StepStatus.DONE


# -- the hourly job ------------------------------------------------------------------------


def test_it_runs_every_reminder_from_one_hourly_job(in_screening, approved):
    assert ("volunteer-reminders", "accueil.volunteers.tasks.send_screening_reminders", 3600) in (
        PERIODIC_JOBS
    )
    from accueil.volunteers.tasks import send_screening_reminders

    result = send_screening_reminders.call()
    assert set(result) == {
        "training_steps_completed",
        "reference_reminders",
        "check_expiry_reminders",
        "training_reminders",
    }
    later = reminders.reminders_send_due(now=timezone.now() + timedelta(days=6))
    assert later["reference_reminders"] == 2
    assert reminders.reminders_send_due(now=timezone.now() + timedelta(days=6, hours=1)) == {
        "training_steps_completed": 0,
        "reference_reminders": 0,
        "check_expiry_reminders": 0,
        "training_reminders": 0,
    }


def test_it_enqueues_the_job_with_no_personal_data(in_screening):
    from django_tasks_db.models import DBTaskResult

    from accueil.volunteers.tasks import send_screening_reminders

    send_screening_reminders.enqueue()
    row = DBTaskResult.objects.get(task_path="accueil.volunteers.tasks.send_screening_reminders")
    assert row.args_kwargs == {"args": [], "kwargs": {}}


def test_it_sends_nothing_to_a_coordinator_who_left(approved, personas):
    personas.coordinator.is_active = False
    personas.coordinator.save()
    reminders.remind_expiring_checks(on=date(2026, 9, 15))
    assert not sent("check_expiring_coordinator").exists()
    assert sent("check_expiring").count() == 1
    UserFactory(role=Role.COORDINATOR)  # nobody else is written to
    assert OutboxMessage.objects.filter(template__startswith="volunteers.check").count() == 1
