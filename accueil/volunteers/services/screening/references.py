"""References: token requests by email, reminders, answers by form or phone, the step's outcome."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit

from ...models import (
    Reference,
    ScreeningStep,
    StepStatus,
    StepType,
    Volunteer,
    VolunteerStatus,
)
from .common import (
    REFERENCE_QUESTIONS,
    REFERENCES_ACCEPTED,
    REFERENCES_CONCERN,
    REQUIRED_REFERENCES,
    _append_note,
    _check_step,
    _complete,
    _language,
    _lock,
    _require,
    _site_link,
    _step,
    send_email,
)

# -- references ----------------------------------------------------------------------------


def reference_reminder_key(reference: Reference) -> str:
    """One reminder per request: a request sent again is a new occasion."""
    return f"reference-reminder-{reference.pk}-{reference.requested_at:%Y%m%dT%H%M%S.%f}"


def _request_reference(reference: Reference, *, by, reminder: bool = False, now=None) -> str:
    """A fresh single-use link (the previous one stops working) sent to the referee."""
    now = now or timezone.now()
    volunteer = reference.volunteer
    token = reference.new_token()
    if reminder:
        reference.reminded_at = now
    else:
        reference.requested_at = now
        reference.reminded_at = None
    reference.save()
    audit.record(
        "volunteer.reference_reminded" if reminder else "volunteer.reference_requested",
        actor=by,
        target=reference,
        data={"volunteer": volunteer.pk},
    )
    if reminder:
        key = reference_reminder_key(reference)
        subject = gettext_lazy("Reminder: a short reference for %(name)s")
    else:
        key = f"reference-request-{reference.pk}-{reference.token_hash[:16]}"
        subject = gettext_lazy("Could you give a short reference for %(name)s?")
    language = _language(volunteer.user)
    with translation.override(language):
        subject = str(subject) % {"name": volunteer.user.full_name}
    send_email(
        to=reference.email,
        language=language,
        subject=subject,
        template="reference_reminder" if reminder else "reference_request",
        context={
            "reference": reference,
            "applicant": volunteer.user.full_name,
            "program": volunteer.program.name,
            "link": _site_link("reference_answer", token),
        },
        key=key,
    )
    _refresh_references_step(volunteer, by=by)
    return token


@transaction.atomic
def reference_request(*, reference: Reference, by=None) -> Reference:
    """Email the referee a link to the short reference form. Only the link's hash is stored,
    and asking again replaces the link."""
    if by is not None:
        _require(by, "volunteers.screen", reference.volunteer)
    reference = (
        Reference.objects.select_for_update()
        .select_related("volunteer__user", "volunteer__program")
        .get(pk=reference.pk)
    )
    if reference.answered_at:
        raise ValidationError(_("This referee has already answered."))
    _request_reference(reference, by=by)
    return reference


@transaction.atomic
def reference_add(*, volunteer: Volunteer, name: str, email: str, relation: str, by) -> Reference:
    """Staff add a referee (when one cannot be reached, say); the request goes at once if the
    screening has started."""
    _require(by, "volunteers.screen", volunteer)
    _lock(volunteer)
    if volunteer.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN):
        raise ValidationError(_("This application is closed: its steps cannot change."))
    reference = Reference.objects.create(
        volunteer=volunteer, name=name.strip(), email=email.strip().lower(), relation=relation
    )
    audit.record(
        "volunteer.reference_added", actor=by, target=reference, data={"volunteer": volunteer.pk}
    )
    if volunteer.steps.filter(step_type=StepType.REFERENCES).exists():
        _request_reference(reference, by=by)
    return reference


def _clean_answers(answers: dict) -> tuple[dict, bool]:
    trust = answers.get("trust")
    if trust not in ("yes", "no"):
        raise ValidationError({"trust": _("Answer yes or no.")})
    clean = {key: str(answers.get(key) or "").strip() for key in REFERENCE_QUESTIONS}
    return clean, trust == "yes"


def _save_answer(reference: Reference, answers: dict, *, by_phone: bool, by) -> None:
    clean, recommends = _clean_answers(answers)
    reference.answers = json.dumps(clean, ensure_ascii=False)
    reference.recommends = recommends
    reference.answered_at = timezone.now()
    reference.token_hash = None  # the link is spent
    reference.by_phone = by_phone
    reference.recorded_by = by if by_phone else None
    reference.save()


@transaction.atomic
def reference_answer(*, token: str, answers: dict) -> Reference:
    """The referee's own answer, through the emailed link. The link works once."""
    reference = (
        Reference.objects.select_for_update()
        .select_related("volunteer__user", "volunteer__program")
        .filter(token_hash=Reference.hash_token(token), answered_at__isnull=True)
        .first()
    )
    if reference is None or reference.volunteer.status in (
        VolunteerStatus.DECLINED,
        VolunteerStatus.WITHDRAWN,
    ):
        raise ValidationError(_("This link does not work any more."))
    _save_answer(reference, answers, by_phone=False, by=None)
    audit.record(
        "volunteer.reference_answered",
        actor=None,
        target=reference,
        data={"volunteer": reference.volunteer_id},
    )
    _refresh_references_step(reference.volunteer, by=None, new_answer=reference)
    return reference


@transaction.atomic
def reference_record_by_phone(*, reference: Reference, answers: dict, by) -> Reference:
    """Staff write down a reference given on the phone; the emailed link stops working."""
    _require(by, "volunteers.screen", reference.volunteer)
    reference = (
        Reference.objects.select_for_update().select_related("volunteer__user").get(pk=reference.pk)
    )
    if reference.answered_at:
        raise ValidationError(_("This referee has already answered."))
    _save_answer(reference, answers, by_phone=True, by=by)
    audit.record(
        "volunteer.reference_taken_by_phone",
        actor=by,
        target=reference,
        data={"volunteer": reference.volunteer_id},
    )
    _refresh_references_step(reference.volunteer, by=by, new_answer=reference)
    return reference


def _refresh_references_step(volunteer: Volunteer, *, by, new_answer: Reference | None = None):
    """Done when two referees said yes; a "no" holds the step for the coordinator."""
    step = _step(volunteer, StepType.REFERENCES)
    if step is None:
        return
    references = list(volunteer.references.all())
    answered = [r for r in references if r.answered_at]
    accepted_at = step.completed_at if step.outcome == REFERENCES_ACCEPTED else None
    concerns = [
        r
        for r in answered
        if r.recommends is False and (accepted_at is None or r.answered_at > accepted_at)
    ]
    if concerns:
        if step.outcome != REFERENCES_CONCERN:
            step.status = StepStatus.IN_PROGRESS
            step.outcome = REFERENCES_CONCERN
            step.save()
            audit.record(
                "volunteer.reference_concern",
                actor=None,
                target=step,
                data={"volunteer": volunteer.pk},
            )
            _tell_coordinator_about_concern(volunteer)
        return
    if accepted_at is not None:
        return  # a coordinator reviewed the concern and accepted the references
    if len(answered) >= REQUIRED_REFERENCES:
        _complete(step, by=by)
    elif step.status != StepStatus.IN_PROGRESS and any(
        r.requested_at or r.answered_at for r in references
    ):
        step.status = StepStatus.IN_PROGRESS
        step.save()


def _tell_coordinator_about_concern(volunteer: Volunteer) -> None:
    coordinator = volunteer.coordinator
    if coordinator is None or not coordinator.is_active:
        return
    language = _language(coordinator)
    send_email(
        to=coordinator.email,
        language=language,
        subject=gettext_lazy("A referee raised a concern"),
        template="reference_concern",
        context={
            "name": coordinator.display_name,
            "link": _site_link("volunteer_step", volunteer.pk, StepType.REFERENCES),
        },
        key=f"reference-concern-{volunteer.pk}-{timezone.now():%Y%m%d%H%M%S}",
        recipient=coordinator,
    )


@transaction.atomic
def references_accept(*, step: ScreeningStep, note: str, by) -> ScreeningStep:
    """After following up a referee's "no", a coordinator may accept the references anyway.
    The reason is kept in the step's (encrypted) notes."""
    _require(by, "volunteers.screen", step.volunteer)
    _check_step(step, StepType.REFERENCES)
    if step.outcome != REFERENCES_CONCERN:
        raise ValidationError(_("There is no concern to review on this step."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Write why the references can be accepted.")})
    answered = step.volunteer.references.filter(answered_at__isnull=False).count()
    if answered < REQUIRED_REFERENCES:
        raise ValidationError(_("Two references are needed. Ask another referee before accepting."))
    _append_note(step, note, by)
    _complete(step, by=by, outcome=REFERENCES_ACCEPTED)
    audit.record(
        "volunteer.references_accepted",
        actor=by,
        target=step,
        data={"volunteer": step.volunteer_id},
    )
    return step
