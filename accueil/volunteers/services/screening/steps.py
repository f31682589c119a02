"""The interview, the police check and documents, the code of conduct, orientation and training steps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry

from ...documents import CleanDocument
from ...models import (
    CodeOfConductSignature,
    Document,
    ScreeningStep,
    StepStatus,
    StepType,
    Volunteer,
    VolunteerStatus,
)
from ...selectors import missing_training_for
from .common import (
    CODE_OF_CONDUCT_VERSION,
    POLICE_CHECK_VALID_YEARS,
    InterviewOutcome,
    _append_note,
    _check_step,
    _complete,
    _date,
    _email_volunteer,
    _language,
    _lock,
    _require,
    _site_link,
    _step,
)

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
