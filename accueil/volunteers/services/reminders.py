"""Reminders for screening, sent by the hourly job (tasks.send_screening_reminders).

Each reminder belongs to an occasion (a reference request, a police check's expiry date, the
start of someone's training) and is sent once per occasion: the outbox's idempotency key names
the occasion, so a job that runs twice, late or on two machines at once sends nothing twice.
Every function takes the time as a parameter, which is how the tests travel in time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.messaging.models import OutboxMessage

from ..models import Reference, ScreeningStep, StepStatus, StepType, Volunteer, VolunteerStatus
from ..models.screening import REFERENCE_REMINDER_AFTER
from . import screening

CHECK_EXPIRY_WARNING = timedelta(days=30)
TRAINING_REMINDER_AFTER_DAYS = 14

# People in these stages still need a valid police check.
_CHECKED_STAGES = [
    VolunteerStatus.IN_SCREENING,
    VolunteerStatus.APPROVED,
    VolunteerStatus.ACTIVE,
    VolunteerStatus.ON_HOLD,
]


def _queued(key: str) -> bool:
    return OutboxMessage.objects.filter(idempotency_key=key).exists()


def check_expiry_key(step: ScreeningStep) -> str:
    return f"check-expiry-{step.pk}-{step.expires_on}"


def remind_unanswered_references(*, now: datetime | None = None) -> int:
    """One reminder to each referee who has not answered 5 days after the request."""
    now = now or timezone.now()
    due = Reference.objects.filter(
        answered_at__isnull=True,
        requested_at__lte=now - REFERENCE_REMINDER_AFTER,
        reminded_at__isnull=True,
        volunteer__status__in=[VolunteerStatus.APPLIED, VolunteerStatus.IN_SCREENING],
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            reference = (
                Reference.objects.select_for_update()
                .select_related("volunteer__user", "volunteer__program")
                .filter(pk=pk, answered_at__isnull=True, reminded_at__isnull=True)
                .first()
            )
            if reference is None:
                continue  # answered, or reminded by another run meanwhile
            if _queued(screening.reference_reminder_key(reference)):
                # Already sent for this request: do not make a new link that nobody receives.
                reference.reminded_at = now
                reference.save(update_fields=["reminded_at", "updated_at"])
                continue
            screening._request_reference(reference, by=None, reminder=True, now=now)
            sent += 1
    return sent


def remind_expiring_checks(*, on: date | None = None) -> int:
    """One warning to the volunteer (and their coordinator) when a police check expires
    within 30 days."""
    on = on or timezone.localdate()
    steps = ScreeningStep.objects.filter(
        step_type=StepType.POLICE_CHECK,
        status=StepStatus.DONE,
        expires_on__gte=on,
        expires_on__lte=on + CHECK_EXPIRY_WARNING,
        volunteer__status__in=_CHECKED_STAGES,
    ).select_related("volunteer__user", "volunteer__coordinator")
    sent = 0
    for step in steps:
        key = check_expiry_key(step)
        if _queued(key):
            continue
        with transaction.atomic():
            volunteer = step.volunteer
            screening._email_volunteer(
                volunteer,
                subject=gettext_lazy("Your police check expires soon"),
                template="check_expiring",
                context={
                    "expires_on": step.expires_on,
                    "link": screening._site_link("volunteer_my_application"),
                },
                key=key,
            )
            coordinator = volunteer.coordinator
            if coordinator is not None and coordinator.is_active:
                screening.send_email(
                    to=coordinator.email,
                    language=screening._language(coordinator),
                    subject=gettext_lazy("A volunteer's police check expires soon"),
                    template="check_expiring_coordinator",
                    context={
                        "name": coordinator.display_name,
                        "volunteer": volunteer.user.display_name,
                        "expires_on": step.expires_on,
                        "link": screening._site_link(
                            "volunteer_step", volunteer.pk, StepType.POLICE_CHECK
                        ),
                    },
                    key=f"{key}-coordinator",
                    recipient=coordinator,
                )
            audit.record(
                "volunteer.check_expiry_reminded",
                actor=None,
                target=step,
                data={"volunteer": volunteer.pk},
            )
            sent += 1
    return sent


def _unfinished_training(now: datetime) -> dict[int, datetime] | None:
    """user id -> start of the training (the occasion), from the training part if installed."""
    try:
        from ..selectors_training import unfinished_training
    except ImportError:
        unfinished_training = None
    if unfinished_training is not None:
        return unfinished_training(days=TRAINING_REMINDER_AFTER_DAYS, now=now)
    try:
        from ..selectors_training import training_unfinished_since
    except ImportError:
        return None
    result = {}
    for volunteer in Volunteer.objects.filter(status=VolunteerStatus.IN_SCREENING).select_related(
        "user"
    ):
        since = training_unfinished_since(
            volunteer.user, days=TRAINING_REMINDER_AFTER_DAYS, now=now
        )
        if since is not None:
            result[volunteer.user_id] = since
    return result


def remind_unfinished_training(*, now: datetime | None = None) -> int:
    """One reminder to a volunteer whose training started 14 days ago and is not finished."""
    now = now or timezone.now()
    started = _unfinished_training(now)
    if not started:
        return 0
    volunteers = Volunteer.objects.filter(
        user_id__in=list(started),
        user__is_active=True,
        status__in=[VolunteerStatus.IN_SCREENING, VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE],
    ).select_related("user")
    sent = 0
    for volunteer in volunteers:
        key = f"training-reminder-{volunteer.user_id}-{started[volunteer.user_id]:%Y%m%d}"
        if _queued(key):
            continue
        with transaction.atomic():
            screening._email_volunteer(
                volunteer,
                subject=gettext_lazy("Finish your volunteer training"),
                template="training_reminder",
                context={"link": screening._site_link("volunteer_my_application")},
                key=key,
            )
            audit.record("volunteer.training_reminded", actor=None, target=volunteer)
            sent += 1
    return sent


def sync_training_steps() -> int:
    """Complete the training step of everyone in screening who has passed every required
    module (the training part does not know about screening steps)."""
    try:
        from ..selectors_training import missing_required_training, training_roles_for
    except ImportError:
        return 0
    steps = list(
        ScreeningStep.objects.filter(
            step_type=StepType.TRAINING,
            status__in=[StepStatus.NOT_STARTED, StepStatus.IN_PROGRESS],
            volunteer__status__in=[VolunteerStatus.IN_SCREENING, VolunteerStatus.ON_HOLD],
        ).select_related("volunteer__user")
    )
    if not steps:
        return 0
    users = {step.volunteer.user_id: step.volunteer.user.role for step in steps}
    missing = missing_required_training(list(users), training_roles_for(list(users), users))
    completed = 0
    for step in steps:
        if missing.get(step.volunteer.user_id):
            continue
        with transaction.atomic():
            locked = ScreeningStep.objects.select_for_update().get(pk=step.pk)
            if locked.is_complete:
                continue
            screening._complete(locked, by=None)
            completed += 1
    return completed


def reminders_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Everything the hourly job does."""
    now = now or timezone.now()
    return {
        "training_steps_completed": sync_training_steps(),
        "reference_reminders": remind_unanswered_references(now=now),
        "check_expiry_reminders": remind_expiring_checks(on=timezone.localdate(now)),
        "training_reminders": remind_unfinished_training(now=now),
    }
