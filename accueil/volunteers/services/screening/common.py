"""Shared pieces of screening: audit codes, constants, locking, emails and step helpers."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accueil.core import audit
from accueil.messaging.services import outbox_enqueue_template_email

from ...models import (
    ScreeningStep,
    StepStatus,
    Volunteer,
    VolunteerStatus,
)
from ...models.screening import DEFAULT_STEPS

# The version of the code of conduct text (templates/volunteers/screening/code_of_conduct_text.html).
# Change it whenever the meaning of the text changes: signatures record the version they agreed to.
CODE_OF_CONDUCT_VERSION = "2026-11"
POLICE_CHECK_VALID_YEARS = 3
REQUIRED_REFERENCES = 2
# A bulk "send a reminder" does not write to the same referee twice within a day.
REFERENCE_RESEND_MIN_INTERVAL = timedelta(hours=24)

audit.register(
    {
        "volunteer.screening_started": gettext_lazy("{actor} started the screening of {target}"),
        "volunteer.step_completed": gettext_lazy(
            "{actor} marked the step “{target}” as completed (volunteer #{volunteer})"
        ),
        "volunteer.interview_scheduled": gettext_lazy(
            "{actor} scheduled the interview (volunteer #{volunteer})"
        ),
        "volunteer.interview_recorded": gettext_lazy(
            "{actor} recorded the outcome of the interview (volunteer #{volunteer})"
        ),
        "volunteer.approved": gettext_lazy("{actor} approved {target}"),
        "volunteer.declined": gettext_lazy("{actor} declined the application of {target}"),
        "volunteer.put_on_hold": gettext_lazy("{actor} put {target} on hold"),
        "volunteer.withdrawn": gettext_lazy("{actor} recorded that {target} withdrew"),
        "volunteer.resumed": gettext_lazy("{actor} resumed the screening of {target}"),
        "volunteer.reference_added": gettext_lazy(
            "{actor} added {target} as a referee (volunteer #{volunteer})"
        ),
        "volunteer.reference_requested": gettext_lazy(
            "{actor} asked {target} for a reference (volunteer #{volunteer})"
        ),
        "volunteer.reference_reminded": gettext_lazy(
            "{actor} reminded {target} about the reference (volunteer #{volunteer})"
        ),
        "volunteer.reference_answered": gettext_lazy(
            "{target} answered the reference request (volunteer #{volunteer})"
        ),
        "volunteer.reference_taken_by_phone": gettext_lazy(
            "{actor} recorded the reference from {target}, taken by phone (volunteer #{volunteer})"
        ),
        "volunteer.reference_concern": gettext_lazy(
            "A referee raised a concern: the step “{target}” needs a coordinator "
            "(volunteer #{volunteer})"
        ),
        "volunteer.references_accepted": gettext_lazy(
            "{actor} reviewed a referee's concern and accepted the references "
            "(volunteer #{volunteer})"
        ),
        "volunteer.document_uploaded": gettext_lazy(
            "{actor} uploaded a document ({target}) for volunteer #{volunteer}"
        ),
        "volunteer.document_viewed": gettext_lazy(
            "{actor} opened a document ({target}) of volunteer #{volunteer}"
        ),
        "volunteer.code_of_conduct_signed": gettext_lazy(
            "{actor} signed the code of conduct (version {version})"
        ),
        "volunteer.coordinator_assigned": gettext_lazy(
            "{actor} changed the coordinator of {target}"
        ),
        "volunteer.reminder_sent": gettext_lazy("{actor} sent {target} a reminder"),
        "volunteer.check_expiry_reminded": gettext_lazy(
            "{actor} warned that the police check of volunteer #{volunteer} expires soon"
        ),
        "volunteer.training_reminded": gettext_lazy(
            "{actor} reminded {target} to finish the training"
        ),
        "volunteer.list_exported": gettext_lazy(
            "{actor} downloaded the list of volunteers ({count} rows)"
        ),
    }
)


class InterviewOutcome(models.TextChoices):
    SUITABLE = "suitable", gettext_lazy("Suitable: continue the screening")
    FOLLOW_UP = "follow_up", gettext_lazy("Needs a second conversation")
    NOT_SUITABLE = "not_suitable", gettext_lazy("Not suitable")


# ScreeningStep.outcome of the references step.
REFERENCES_CONCERN = "concern"
REFERENCES_ACCEPTED = "accepted"

STATUS_CODES = {
    VolunteerStatus.ON_HOLD: "volunteer.put_on_hold",
    VolunteerStatus.DECLINED: "volunteer.declined",
    VolunteerStatus.WITHDRAWN: "volunteer.withdrawn",
    VolunteerStatus.IN_SCREENING: "volunteer.resumed",
}

REFERENCE_QUESTIONS = {
    "known_for": pgettext_lazy("reference question", "How long have you known the applicant?"),
    "capacity": pgettext_lazy("reference question", "How do you know them?"),
    "trust": pgettext_lazy(
        "reference question",
        "Would you trust them to support a family in a vulnerable situation?",
    ),
    "concerns": pgettext_lazy("reference question", "Concerns"),
    "comments": pgettext_lazy("reference question", "Anything else"),
}


# -- helpers -------------------------------------------------------------------------------


def _require(user, perm: str, obj=None) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied


def _lock(volunteer: Volunteer) -> Volunteer:
    """Lock the volunteer's row and read its current status into the caller's instance, so two
    coordinators clicking at once cannot both move it."""
    fresh = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    for name in ("status", "status_changed_at", "coordinator_id", "approved_at"):
        setattr(volunteer, name, getattr(fresh, name))
    return volunteer


def _set_status(volunteer: Volunteer, status: str, *, now=None) -> None:
    volunteer.status = status
    volunteer.status_changed_at = now or timezone.now()


def _language(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _site_link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _date(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def host_name() -> str:
    from accueil.accounts.models import Organisation

    host = Organisation.objects.filter(kind=Organisation.Kind.HOST).first()
    return host.name if host else "Accueil"


def send_email(
    *, to: str, language: str, subject, template: str, context: dict, key: str, recipient=None
):
    """Render a message in ``language`` and put it in the outbox (once per ``key``)."""
    return outbox_enqueue_template_email(
        to=to,
        template_name=f"volunteers/screening/email/{template}",
        context={"organisation": host_name(), **context},
        subject=subject,
        language=language,
        template=f"volunteers.{template}",
        recipient=recipient,
        idempotency_key=key,
    )


def _email_volunteer(volunteer: Volunteer, *, subject, template: str, context: dict, key: str):
    user = volunteer.user
    return send_email(
        to=user.email,
        language=_language(user),
        subject=subject,
        template=template,
        context={"volunteer": volunteer, "name": user.display_name, **context},
        key=key,
        recipient=user,
    )


def _steps_for(program) -> list[tuple[str, bool, int]]:
    configured = list(program.screening_steps.order_by("order", "pk"))
    if configured:
        return [(s.step_type, s.required, s.order) for s in configured]
    return [(step_type.value, True, order) for order, step_type in enumerate(DEFAULT_STEPS)]


def _create_steps(volunteer: Volunteer) -> None:
    existing = set(volunteer.steps.values_list("step_type", flat=True))
    ScreeningStep.objects.bulk_create(
        ScreeningStep(volunteer=volunteer, step_type=step_type, required=required, order=order)
        for step_type, required, order in _steps_for(volunteer.program)
        if step_type not in existing
    )


def _step(volunteer: Volunteer, step_type: str) -> ScreeningStep | None:
    return volunteer.steps.select_for_update().filter(step_type=step_type).first()


def _complete(
    step: ScreeningStep, *, by, when=None, outcome: str | None = None, renewed: bool = False
) -> None:
    """Mark a step done and record it (once, unless ``renewed``: a new police check)."""
    already = step.status == StepStatus.DONE and not renewed
    step.status = StepStatus.DONE
    step.completed_at = when or timezone.now()
    step.completed_by = by if getattr(by, "is_authenticated", False) else None
    if outcome is not None:
        step.outcome = outcome
    step.save()
    if not already:
        audit.record(
            "volunteer.step_completed",
            actor=by,
            target=step,
            data={"volunteer": step.volunteer_id, "step": step.step_type},
        )


def _check_step(step: ScreeningStep, step_type: str) -> None:
    if step.step_type != step_type:
        raise ValidationError(_("This action does not belong to this step."))
    if step.volunteer.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN):
        raise ValidationError(_("This application is closed: its steps cannot change."))


def _append_note(step: ScreeningStep, note: str, by) -> None:
    note = (note or "").strip()
    if not note:
        return
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    author = getattr(by, "display_name", "") or str(audit.SYSTEM_ACTOR)
    entry = f"[{stamp} — {author}] {note}"
    step.notes = f"{step.notes}\n\n{entry}" if step.notes else entry
