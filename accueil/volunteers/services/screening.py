"""Screening a volunteer: steps, references, documents, the code of conduct and approval.

Every function here is one transaction that writes its audit entry and queues its mail
(rendered in the recipient's language) in that same transaction. Views, commands and tasks all
call these; none of them changes a volunteer's screening any other way.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import outbox_enqueue_template_email

from ..documents import CleanDocument
from ..models import (
    CodeOfConductSignature,
    Document,
    Reference,
    ScreeningStep,
    StepStatus,
    StepType,
    Volunteer,
    VolunteerStatus,
)
from ..models.screening import DEFAULT_STEPS
from ..selectors import approval_blockers, missing_training_for

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


# -- starting ------------------------------------------------------------------------------


@transaction.atomic
def screening_start(*, volunteer: Volunteer, by) -> Volunteer:
    """applied → in screening: the program's steps (or the default six) and the two reference
    requests."""
    _require(by, "volunteers.screen", volunteer)
    _lock(volunteer)
    if volunteer.status != VolunteerStatus.APPLIED:
        raise ValidationError(_("Screening can only start for a new application."))
    _create_steps(volunteer)
    _set_status(volunteer, VolunteerStatus.IN_SCREENING)
    volunteer.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit.record("volunteer.screening_started", actor=by, target=volunteer)
    for reference in volunteer.references.filter(
        answered_at__isnull=True, requested_at__isnull=True
    ):
        _request_reference(reference, by=by)
    _refresh_code_of_conduct_step(volunteer)
    _sync_training(volunteer)
    return volunteer


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


# -- interview -----------------------------------------------------------------------------


@transaction.atomic
def interview_schedule(*, step: ScreeningStep, when: datetime, by) -> ScreeningStep:
    _require(by, "volunteers.screen", step.volunteer)
    _check_step(step, StepType.INTERVIEW)
    if when < timezone.now() - timedelta(days=1):
        raise ValidationError({"when": _("Choose a date and time that has not passed.")})
    step.scheduled_at = when
    if step.status == StepStatus.NOT_STARTED:
        step.status = StepStatus.IN_PROGRESS
    step.save()
    audit.record(
        "volunteer.interview_scheduled",
        actor=by,
        target=step,
        data={"volunteer": step.volunteer_id},
    )
    volunteer = step.volunteer
    with translation.override(_language(volunteer.user)):
        local = timezone.localtime(when)
        when_text = formats.date_format(local, "l j F Y") + ", " + formats.time_format(local)
    _email_volunteer(
        volunteer,
        subject=gettext_lazy("Your interview is booked"),
        template="interview_scheduled",
        context={"when": when_text, "link": _site_link("volunteer_my_application")},
        key=f"interview-{step.pk}-{when:%Y%m%d%H%M}",
    )
    return step


@transaction.atomic
def interview_record(*, step: ScreeningStep, outcome: str, notes: str, by) -> ScreeningStep:
    """The interview took place. Only "suitable" completes the step."""
    _require(by, "volunteers.screen", step.volunteer)
    _check_step(step, StepType.INTERVIEW)
    if outcome not in InterviewOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the interview.")})
    _append_note(step, notes, by)
    audit.record(
        "volunteer.interview_recorded", actor=by, target=step, data={"volunteer": step.volunteer_id}
    )
    if outcome == InterviewOutcome.SUITABLE:
        _complete(step, by=by, outcome=outcome)
    else:
        step.outcome = outcome
        step.status = StepStatus.IN_PROGRESS
        step.completed_at = None
        step.save()
    return step


# -- police check and documents ------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _store_document(
    *, volunteer: Volunteer, document: CleanDocument, kind: str, by, expires_on=None
) -> Document:
    from django.core.files.base import ContentFile

    if not isinstance(document, CleanDocument):
        raise TypeError("Pass the result of documents.validate_upload")
    stored = Document(
        volunteer=volunteer,
        kind=kind,
        content_type=document.content_type,
        size=document.size,
        original_name=document.original_name or document.extension,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        expires_on=expires_on,
    )
    # The storage picks a random name (models.screening.document_path); this one is ignored.
    stored.file.save(f"upload.{document.extension}", ContentFile(document.content), save=False)
    stored.save()
    audit.record(
        "volunteer.document_uploaded", actor=by, target=stored, data={"volunteer": volunteer.pk}
    )
    return stored


@transaction.atomic
def police_check_record(
    *,
    step: ScreeningStep,
    by,
    document: CleanDocument | None = None,
    issued_on: date | None = None,
    valid_until: date | None = None,
    on: date | None = None,
) -> ScreeningStep:
    """Staff record the police check: the document, its date, or both. With a date the step is
    done; it stays valid until ``valid_until``, or three years after ``issued_on``."""
    _require(by, "volunteers.screen", step.volunteer)
    _check_step(step, StepType.POLICE_CHECK)
    on = on or timezone.localdate()
    if document is None and issued_on is None and valid_until is None:
        raise ValidationError(_("Upload the police check or give its date."))
    if issued_on and issued_on > on:
        raise ValidationError({"issued_on": _("The date of issue cannot be in the future.")})
    expires_on = valid_until or (
        add_years(issued_on, POLICE_CHECK_VALID_YEARS) if issued_on else None
    )
    if expires_on and expires_on < on:
        raise ValidationError(
            {
                "valid_until" if valid_until else "issued_on": _(
                    "This police check expired on %(date)s. Ask the volunteer for a new one."
                )
                % {"date": _date(expires_on)}
            }
        )
    volunteer = step.volunteer
    if document is not None:
        _store_document(
            volunteer=volunteer,
            document=document,
            kind=Document.Kind.POLICE_CHECK,
            by=by,
            expires_on=expires_on,
        )
    elif expires_on:
        # A date given after the volunteer sent the document: the latest one gets it too.
        latest = volunteer.documents.filter(kind=Document.Kind.POLICE_CHECK).first()
        if latest and latest.expires_on is None:
            latest.expires_on = expires_on
            latest.save(update_fields=["expires_on", "updated_at"])
    if expires_on:
        renewed = step.expires_on is not None and step.expires_on != expires_on
        step.expires_on = expires_on
        _complete(step, by=by, renewed=renewed)
    elif step.status == StepStatus.NOT_STARTED:
        step.status = StepStatus.IN_PROGRESS
        step.save()
    return step


@transaction.atomic
def document_upload_by_volunteer(*, volunteer: Volunteer, document: CleanDocument, by) -> Document:
    """The volunteer sends their own police check. Staff confirm its date on the step."""
    if by is None or volunteer.user_id != by.pk:
        raise PermissionDenied
    _lock(volunteer)
    if volunteer.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN):
        raise ValidationError(_("This application is closed."))
    stored = _store_document(
        volunteer=volunteer, document=document, kind=Document.Kind.POLICE_CHECK, by=by
    )
    step = _step(volunteer, StepType.POLICE_CHECK)
    if step is not None and step.status == StepStatus.NOT_STARTED:
        step.status = StepStatus.IN_PROGRESS
        step.save()
    return stored


def document_viewed(*, document: Document, by) -> None:
    audit.record(
        "volunteer.document_viewed",
        actor=by,
        target=document,
        data={"volunteer": document.volunteer_id},
        action=AuditEntry.Action.ACCESS,
    )


# -- code of conduct, orientation, training ------------------------------------------------


def _refresh_code_of_conduct_step(volunteer: Volunteer) -> None:
    signature = volunteer.signatures.filter(version=CODE_OF_CONDUCT_VERSION).first()
    if signature is None:
        return
    step = _step(volunteer, StepType.CODE_OF_CONDUCT)
    if step is not None and step.status != StepStatus.DONE:
        _complete(step, by=volunteer.user, when=signature.signed_at)


@transaction.atomic
def code_of_conduct_sign(*, volunteer: Volunteer, signed_name: str, by) -> CodeOfConductSignature:
    """The volunteer signs by typing their full name. Only the volunteer can sign."""
    if by is None or volunteer.user_id != by.pk:
        raise PermissionDenied
    _lock(volunteer)
    if volunteer.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN):
        raise ValidationError(_("This application is closed."))
    signed_name = " ".join((signed_name or "").split())
    if len(signed_name) < 2:
        raise ValidationError({"signed_name": _("Type your full name to sign.")})
    signature = volunteer.signatures.filter(version=CODE_OF_CONDUCT_VERSION).first()
    if signature is None:
        signature = CodeOfConductSignature.objects.create(
            volunteer=volunteer, version=CODE_OF_CONDUCT_VERSION, signed_name=signed_name
        )
        audit.record(
            "volunteer.code_of_conduct_signed",
            actor=by,
            target=volunteer,
            data={"version": CODE_OF_CONDUCT_VERSION},
        )
    _refresh_code_of_conduct_step(volunteer)
    return signature


@transaction.atomic
def orientation_record(*, step: ScreeningStep, attended_on: date, by) -> ScreeningStep:
    _require(by, "volunteers.screen", step.volunteer)
    _check_step(step, StepType.ORIENTATION)
    if attended_on > timezone.localdate():
        raise ValidationError({"attended_on": _("The date cannot be in the future.")})
    when = timezone.make_aware(datetime.combine(attended_on, time(12)))
    _complete(step, by=by, when=when)
    return step


@transaction.atomic
def training_mark_done(*, step: ScreeningStep, note: str, by) -> ScreeningStep:
    """Staff confirm the training (done elsewhere, or before the online training existed)."""
    _require(by, "volunteers.screen", step.volunteer)
    _check_step(step, StepType.TRAINING)
    if not (note or "").strip():
        raise ValidationError({"note": _("Write how the training was done.")})
    _append_note(step, note, by)
    _complete(step, by=by)
    return step


def _sync_training(volunteer: Volunteer) -> bool:
    step = volunteer.steps.filter(step_type=StepType.TRAINING).first()
    if step is None or step.is_complete:
        return False
    missing = missing_training_for(volunteer.user)
    if missing is None or missing:
        return False
    _complete(step, by=None)
    return True


@transaction.atomic
def screening_sync_training(*, volunteer: Volunteer) -> bool:
    """Complete the training step if the person has passed every required module. Called when
    pages show the step, before approval and by the hourly job; safe to call any time."""
    return _sync_training(volunteer)


# -- decisions -----------------------------------------------------------------------------


@transaction.atomic
def volunteer_approve(*, volunteer: Volunteer, by, on: date | None = None) -> Volunteer:
    """Approve, if every required step is complete and still valid."""
    _require(by, "volunteers.approve", volunteer)
    _lock(volunteer)
    if not volunteer.can_move_to(VolunteerStatus.APPROVED) or volunteer.status not in (
        VolunteerStatus.IN_SCREENING,
        VolunteerStatus.ON_HOLD,
    ):
        raise ValidationError(
            _("Only a volunteer in screening can be approved (now: %(status)s).")
            % {"status": volunteer.get_status_display()}
        )
    _sync_training(volunteer)
    blockers = approval_blockers(volunteer, on=on)
    if blockers:
        raise ValidationError(
            _("%(name)s cannot be approved yet. Still to do: %(steps)s.")
            % {"name": volunteer.user.display_name, "steps": "; ".join(blockers)}
        )
    now = timezone.now()
    _set_status(volunteer, VolunteerStatus.APPROVED, now=now)
    volunteer.approved_at = now
    volunteer.approved_by = by
    volunteer.save(
        update_fields=["status", "status_changed_at", "approved_at", "approved_by", "updated_at"]
    )
    audit.record("volunteer.approved", actor=by, target=volunteer)
    _email_volunteer(
        volunteer,
        subject=gettext_lazy("You are approved as a volunteer"),
        template="approved",
        context={"link": _site_link("volunteer_my_application")},
        key=f"approved-{volunteer.pk}-{now:%Y%m%d%H%M%S}",
    )
    return volunteer


SETTABLE_STATUSES = (
    VolunteerStatus.ON_HOLD,
    VolunteerStatus.DECLINED,
    VolunteerStatus.WITHDRAWN,
    VolunteerStatus.IN_SCREENING,
)


@transaction.atomic
def volunteer_set_status(*, volunteer: Volunteer, status: str, reason: str, by) -> Volunteer:
    """Put on hold, decline (a reason is required), record a withdrawal, or resume a volunteer
    on hold (back to screening; approval is then confirmed again)."""
    _require(by, "volunteers.screen", volunteer)
    _lock(volunteer)
    reason = (reason or "").strip()
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    if status == VolunteerStatus.IN_SCREENING and volunteer.status != VolunteerStatus.ON_HOLD:
        raise ValidationError({"status": _("Only a volunteer on hold can be resumed.")})
    if status == volunteer.status or not volunteer.can_move_to(status):
        raise ValidationError(
            {
                "status": _("A volunteer who is “%(now)s” cannot become “%(new)s”.")
                % {
                    "now": volunteer.get_status_display(),
                    "new": VolunteerStatus(status).label,
                }
            }
        )
    if status == VolunteerStatus.DECLINED and not reason:
        raise ValidationError({"reason": _("Write the reason for declining.")})
    _set_status(volunteer, status)
    fields = ["status", "status_changed_at", "updated_at"]
    if reason or status == VolunteerStatus.IN_SCREENING:
        volunteer.decline_reason = reason
        fields.append("decline_reason")
    volunteer.save(update_fields=fields)
    if status == VolunteerStatus.IN_SCREENING:
        _create_steps(volunteer)
    audit.record(STATUS_CODES[VolunteerStatus(status)], actor=by, target=volunteer)
    return volunteer


def eligible_coordinators(volunteers):
    """Staff who may coordinate every one of ``volunteers``: managers and admins, and
    coordinators of all their programs."""
    from accueil.accounts.models import Role, User

    program_ids = {v.program_id for v in volunteers}
    people = User.objects.filter(
        is_active=True, role__in=[Role.ADMIN, Role.PROGRAM_MANAGER, Role.COORDINATOR]
    )
    for program_id in program_ids:
        people = people.filter(
            models.Q(role__in=[Role.ADMIN, Role.PROGRAM_MANAGER]) | models.Q(programs=program_id)
        )
    return people.distinct()


@transaction.atomic
def volunteer_assign_coordinator(*, volunteers, coordinator, by) -> int:
    """Make ``coordinator`` (or nobody, with None) the coordinator of each volunteer."""
    volunteers = list(volunteers)
    for volunteer in volunteers:
        _require(by, "volunteers.screen", volunteer)
    if (
        coordinator is not None
        and not eligible_coordinators(volunteers).filter(pk=coordinator.pk).exists()
    ):
        raise ValidationError(
            {
                "coordinator": _(
                    "%(name)s does not work on the program of every selected volunteer."
                )
                % {"name": coordinator.display_name}
            }
        )
    changed = 0
    for volunteer in volunteers:
        _lock(volunteer)
        new_id = coordinator.pk if coordinator else None
        if volunteer.coordinator_id == new_id:
            continue
        volunteer.coordinator = coordinator
        volunteer.save(update_fields=["coordinator", "updated_at"])
        audit.record(
            "volunteer.coordinator_assigned",
            actor=by,
            target=volunteer,
            data={"coordinator": new_id},
        )
        changed += 1
    return changed


def volunteer_todo(volunteer: Volunteer) -> list[str]:
    """What the volunteer can do themselves now, in their language (for reminders)."""
    todo = []
    steps = {s.step_type: s for s in volunteer.steps.all()}
    cc = steps.get(StepType.CODE_OF_CONDUCT)
    if cc is not None and not cc.is_complete:
        todo.append(_("Read and sign our code of conduct."))
    police = steps.get(StepType.POLICE_CHECK)
    if police is not None and police.status == StepStatus.NOT_STARTED:
        todo.append(_("Send us your police check (a photo or a PDF)."))
    training = steps.get(StepType.TRAINING)
    if training is not None and not training.is_complete:
        todo.append(_("Finish the online training."))
    return todo


@transaction.atomic
def volunteer_send_reminders(*, volunteers, by, now=None) -> int:
    """Bulk "send a reminder": re-send reference requests that are still unanswered (at most
    once a day per referee), and a nudge to each volunteer who has something to do.
    Returns the number of messages queued."""
    now = now or timezone.now()
    sent = 0
    for volunteer in volunteers:
        _require(by, "volunteers.screen", volunteer)
        if volunteer.status not in (VolunteerStatus.APPLIED, VolunteerStatus.IN_SCREENING):
            continue
        pending = volunteer.references.select_for_update().filter(
            answered_at__isnull=True, requested_at__isnull=False
        )
        for reference in pending:
            last = max(filter(None, [reference.requested_at, reference.reminded_at]))
            if now - last >= REFERENCE_RESEND_MIN_INTERVAL:
                _request_reference(reference, by=by, now=now)
                sent += 1
        with translation.override(_language(volunteer.user)):
            todo = volunteer_todo(volunteer)
        key = f"nudge-{volunteer.pk}-{timezone.localdate(now):%Y%m%d}"
        if todo and not OutboxMessage.objects.filter(idempotency_key=key).exists():
            _email_volunteer(
                volunteer,
                subject=gettext_lazy("A few steps left for your volunteer application"),
                template="nudge",
                context={"todo": todo, "link": _site_link("volunteer_my_application")},
                key=key,
            )
            audit.record("volunteer.reminder_sent", actor=by, target=volunteer)
            sent += 1
    return sent
