"""Writes on survey administrations: scheduling, sending the link, answers, submission.

The schedule is automatic: the household's pre-survey when it joins the waitlist after its
onboarding call, a volunteer's when they are approved, and both sides' post-surveys when their
match closes (``receivers.py``). Each administration is created once per slot, so a repeated
signal or a retried task changes nothing. The respondent's link is ``/s/<token>/``; it works
until it expires, the survey is submitted or staff cancel it, and it only ever opens its own
administration.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.matches.services_meetings import held_until_daytime
from accueil.messaging.services import outbox_enqueue_email, outbox_enqueue_sms

from . import interface
from .models import (
    NUMBER_MAX,
    NUMBER_MIN,
    OPEN_STATUSES,
    STAFF_OPEN_STATUSES,
    Administration,
    AdminStatus,
    Answer,
    Audience,
    Mode,
    ProgramSurveySettings,
    Response,
    hash_token,
)
from .scoring import ScoringError, score
from .services_instruments import current_instruments

audit.register(
    {
        "survey.scheduled": gettext_lazy("{actor} scheduled {target}"),
        "survey.sent": gettext_lazy("{actor} sent the link of {target}"),
        "survey.submitted": gettext_lazy("{target} was completed"),
        "survey.entered": gettext_lazy("{actor} entered the answers of {target}"),
        "survey.cancelled": gettext_lazy("{actor} cancelled {target}"),
        "survey.interpreter_named": gettext_lazy("{actor} named the interpreter of {target}"),
    }
)


# -- scheduling -----------------------------------------------------------------------------


def _slot(*, household=None, person=None, phase: str, match=None) -> str:
    who = f"household-{household.pk}" if household is not None else f"person-{person.pk}"
    return f"{who}-{phase}" + (f"-{match.pk}" if match is not None else "")


def household_language(household) -> str:
    return interface.respondent_language(next(iter(household.languages or []), None))


@transaction.atomic
def administration_schedule(
    *,
    program,
    phase: str,
    household=None,
    person=None,
    match=None,
    by=None,
    automatic: bool = True,
    instruments: list[str] | None = None,
) -> Administration | None:
    """Create the administration with one response per instrument of the program's plan.
    Automatic ones take a slot: a second call for the same slot returns the first."""
    if (household is None) == (person is None):
        raise ValueError("one respondent: a household or a person")
    audience = Audience.HOUSEHOLD if household is not None else Audience.VOLUNTEER
    slugs = instruments or ProgramSurveySettings.for_program(program).plan(audience, phase)
    found = current_instruments(slugs)
    if not found:
        return None
    slot = _slot(household=household, person=person, phase=phase, match=match) if automatic else ""
    if slot:
        existing = Administration.objects.filter(slot=slot).exclude(status=AdminStatus.CANCELLED)
        if existing.exists():
            return existing.first()
    language = household_language(household) if household is not None else person.language
    try:
        with transaction.atomic():
            administration = Administration.objects.create(
                program=program,
                household=household,
                person=person,
                match=match,
                phase=phase,
                slot=slot,
                language=language,
            )
    except IntegrityError:
        return Administration.objects.filter(slot=slot).exclude(status="cancelled").first()
    Response.objects.bulk_create(
        Response(administration=administration, instrument=instrument, position=k)
        for k, instrument in enumerate(found.values())
    )
    audit.record(
        "survey.scheduled",
        actor=by,
        target=administration,
        data={"phase": phase, "instruments": list(found)},
        action=AuditEntry.Action.CREATE,
    )
    return administration


# -- the link -------------------------------------------------------------------------------


def survey_url(token: str) -> str:
    return settings.SITE_URL + reverse("survey_respond", args=[token])


def _program_name(administration: Administration) -> str:
    program = administration.program
    return program.short_name or program.name


def _deliver(administration: Administration, *, what: str, now: datetime) -> str:
    """Queue the link by text message (households with a phone) or email. Returns the channel
    used, or "" when the respondent cannot be reached (staff will call)."""
    url = survey_url(administration.token)
    language = administration.language
    # One message per link and reminder: a new link after expiry is a new message.
    key = f"survey-{administration.pk}-{administration.token_hash[:12]}-{what}-{administration.reminders_sent}"
    household = administration.household
    if household is not None and household.phone:
        body = interface.text(what, language, program=_program_name(administration), url=url)
        outbox_enqueue_sms(
            to=household.phone,
            body_text=body,
            language=language,
            template=f"surveys.{what}",
            idempotency_key=key,
            not_before=held_until_daytime(now),
        )
        return "sms"
    email = household.email if household is not None else administration.person.email
    if not email:
        return ""
    body = interface.text(what, language, program=_program_name(administration), url=url)
    outbox_enqueue_email(
        to=email,
        subject=interface.text("survey", language) + " - " + _program_name(administration),
        body_text=body + "\n",
        language=language,
        template=f"surveys.{what}",
        recipient=administration.person,
        idempotency_key=key,
        not_before=held_until_daytime(now),
    )
    return "email"


@transaction.atomic
def administration_send(
    administration: Administration, *, by=None, now: datetime | None = None
) -> str:
    """Give the administration a link and send it. Sending again (staff, after a call) keeps
    the same link and counts as a reminder."""
    now = now or timezone.now()
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    if not administration.open_to_staff:
        raise ValidationError(_("This survey is closed: it cannot be sent."))
    days = ProgramSurveySettings.for_program(administration.program).link_days
    if administration.status == AdminStatus.EXPIRED:  # a new link, with its own reminders
        administration.status = AdminStatus.SENT
        administration.token = ""
        administration.sent_at = None
        administration.reminders_sent = 0
    first = not administration.token
    if first or (administration.expires_at and administration.expires_at <= now):
        administration.new_token(days)
    what = f"sms_{administration.phase}" if first else "sms_reminder"
    if not first:
        administration.reminders_sent += 1
        administration.last_reminded_at = now
    channel = _deliver(administration, what=what, now=now)
    if channel:
        administration.channel = channel
        administration.sent_at = administration.sent_at or now
        if administration.status == AdminStatus.PENDING:
            administration.status = AdminStatus.SENT
    elif administration.sent_at is None and administration.status == AdminStatus.SENT:
        administration.status = AdminStatus.EXPIRED  # nowhere to send the new link
    administration.save()
    audit.record("survey.sent", actor=by, target=administration, data={"channel": channel})
    return channel


def administration_for_token(token: str) -> Administration | None:
    """The open, unexpired administration this token opens, or None: a used, expired,
    cancelled or unknown link opens nothing."""
    if not token or len(token) > 100:
        return None
    found = (
        Administration.objects.filter(token_hash=hash_token(token))
        .select_related("program")
        .first()
    )
    if found is None or not found.is_open:
        return None
    if found.expires_at is not None and found.expires_at <= timezone.now():
        return None
    return found


# -- answers --------------------------------------------------------------------------------


def _check_value(response: Response, item_number: int, value: int | None, text: str) -> None:
    spec = response.instrument.spec
    item = spec.item(item_number)
    if item is None:
        raise ValidationError(_("This question is not part of the survey."))
    if item.kind == "text":
        return
    if value is None:
        return
    if item.kind == "integer":
        # Unscored, but kept in a small integer column: a larger number would fail to save.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Enter a whole number, or leave it blank."))
        if not NUMBER_MIN <= value <= NUMBER_MAX:
            raise ValidationError(
                _("Enter a number between %(low)s and %(high)s.")
                % {"low": NUMBER_MIN, "high": NUMBER_MAX}
            )
        return
    try:
        score(spec, {item_number: value})
    except ScoringError as exc:
        raise ValidationError(_("Choose one of the answers offered.")) from exc


@transaction.atomic
def answer_record(
    administration: Administration,
    *,
    response: Response,
    item: int,
    value: int | None = None,
    text: str = "",
    staff: bool = False,
) -> Answer:
    """Save one answer (a skipped question is saved as no value, so the respondent resumes
    after it). ``staff``: entered by staff, who may still complete a survey whose link
    expired."""
    statuses = STAFF_OPEN_STATUSES if staff else OPEN_STATUSES
    if response.administration_id != administration.pk or administration.status not in statuses:
        raise PermissionDenied
    text = (text or "").strip()[:2000]
    _check_value(response, item, value, text)
    # Checked again under the row's lock: the page read the survey before it was submitted or
    # cancelled (another tab, staff on the phone), and a late answer would be kept unscored.
    if (
        not Administration.objects.select_for_update()
        .filter(pk=administration.pk, status__in=statuses)
        .exists()
    ):
        raise PermissionDenied
    answer, _created = Answer.objects.update_or_create(
        response=response,
        item=item,
        defaults={"value": value, "text": text, "answered_at": timezone.now()},
    )
    if administration.status != AdminStatus.STARTED:
        Administration.objects.filter(pk=administration.pk, status__in=["pending", "sent"]).update(
            status=AdminStatus.STARTED, started_at=timezone.now()
        )
    return answer


def _score_responses(administration: Administration, now: datetime) -> None:
    responses = list(administration.responses.select_related("instrument"))
    answers: dict[int, dict[int, int | None]] = {r.pk: {} for r in responses}
    for response_id, item, value in Answer.objects.filter(
        response__administration=administration
    ).values_list("response_id", "item", "value"):
        answers[response_id][item] = value
    for response in responses:
        result = score(response.instrument.spec, answers[response.pk])
        response.scores = {
            "subscales": result.subscales,
            "total": result.total,
            "items": {str(k): v for k, v in result.items.items()},
        }
        response.submitted_at = now
    Response.objects.bulk_update(responses, ["scores", "submitted_at"])


def _research_consent(administration: Administration, given: bool | None) -> bool | None:
    """A volunteer says it on the survey's last page; a household's consent is the one staff
    recorded with it (often through an interpreter), read when the survey is sent in."""
    if administration.household_id is None:
        return given if given is not None else administration.research_consent
    from accueil.newcomers.models import Consent, ConsentPurpose

    current = Consent.objects.filter(
        household_id=administration.household_id,
        purpose=ConsentPurpose.RESEARCH,
        withdrawn_at__isnull=True,
    ).first()
    return current.in_force if current is not None else False


@transaction.atomic
def administration_submit(
    administration: Administration,
    *,
    mode: str = Mode.LINK,
    by=None,
    submitted_at: datetime | None = None,
    research_consent: bool | None = None,
) -> Administration:
    """Score every response and close the administration; the link stops working.
    ``submitted_at`` dates answers collected earlier (a paper form, an imported file)."""
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    allowed = administration.is_open or (
        mode != Mode.LINK and administration.status == AdminStatus.EXPIRED
    )
    if not allowed:
        raise ValidationError(_("This survey has already been completed or closed."))
    now = submitted_at or timezone.now()
    _score_responses(administration, now)
    administration.status = AdminStatus.SUBMITTED
    administration.submitted_at = now
    administration.mode = mode
    administration.token = ""  # the hash stays: the used link keeps opening nothing
    administration.research_consent = _research_consent(administration, research_consent)
    administration.save()
    audit.record("survey.submitted", actor=by, target=administration, data={"mode": mode})
    return administration


# -- staff entry ----------------------------------------------------------------------------


def can_enter(user, administration: Administration) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if administration.interpreter_id == user.pk and user.role == "interpreter":
        return user.programs.filter(pk=administration.program_id).exists()
    return (
        user.has_perm("surveys.administer")
        and Administration.objects.visible_to(user).filter(pk=administration.pk).exists()
    )


@transaction.atomic
def administration_enter(
    administration: Administration,
    *,
    by,
    answers: Mapping[int, Mapping[int, int | str | None]],
    mode: str,
    language: str,
    interpreter=None,
    interpreter_name: str = "",
    submitted_at: datetime | None = None,
) -> Administration:
    """Staff (or the interpreter named on it) enter every answer at once: during a phone
    call, from a paper form, or from a file. ``answers`` maps a response pk to
    {item number: value, or text for a free-text item}: the response's whole set, so an
    earlier answer to an item not in it is removed."""
    if not can_enter(by, administration):
        raise PermissionDenied
    if interpreter is None and by.role == "interpreter":
        interpreter = by
    if mode not in (Mode.INTERVIEW, Mode.INTERPRETER, Mode.PAPER, Mode.IMPORT):
        raise ValidationError(_("Choose how the answers were collected."))
    if mode == Mode.INTERPRETER and interpreter is None and not interpreter_name.strip():
        raise ValidationError({"interpreter": _("Name the interpreter who helped with the call.")})
    responses = {r.pk: r for r in administration.responses.select_related("instrument")}
    errors = {}
    for response_pk, items in answers.items():
        response = responses.get(response_pk)
        if response is None:
            raise PermissionDenied
        for number, value in items.items():
            text = value if isinstance(value, str) else ""
            number_value = None if isinstance(value, str) else value
            try:
                answer_record(
                    administration,
                    response=response,
                    item=number,
                    value=number_value,
                    text=text,
                    staff=True,
                )
            except ValidationError as exc:
                errors[f"r{response_pk}_{number}"] = exc.messages
        # What is entered replaces what the respondent gave through the link before the call:
        # a question left blank now must not be scored with an earlier answer.
        Answer.objects.filter(response=response).exclude(item__in=list(items)).delete()
    if errors:
        raise ValidationError(errors)
    administration.language = language
    administration.interviewer = by if by.role != "interpreter" else None
    administration.interpreter = interpreter
    administration.interpreter_name = interpreter_name.strip()
    administration.save(
        update_fields=["language", "interviewer", "interpreter", "interpreter_name", "updated_at"]
    )
    audit.record("survey.entered", actor=by, target=administration, data={"mode": mode})
    return administration_submit(administration, mode=mode, by=by, submitted_at=submitted_at)


def _tell_interpreter(administration: Administration, interpreter) -> None:
    """Email the interpreter the entry page's address; no personal data in the message."""
    from django.utils import translation

    url = settings.SITE_URL + reverse("survey_enter", args=[administration.pk])
    with translation.override(interpreter.language):
        subject = _("You are the interpreter for a survey call")
        body = _(
            "You are named as the interpreter for survey #%(number)s. When you call the "
            "respondent with the coordinator, enter the answers here: %(url)s"
        ) % {"number": administration.pk, "url": url}
    outbox_enqueue_email(
        to=interpreter.email,
        subject=subject,
        body_text=body + "\n",
        language=interpreter.language,
        template="surveys.interpreter_named",
        recipient=interpreter,
        idempotency_key=f"survey-{administration.pk}-interpreter-{interpreter.pk}",
    )


@transaction.atomic
def administration_assign_interpreter(
    administration: Administration, *, by, interpreter
) -> Administration:
    """Name the interpreter who will call the respondent: they may then open this survey's
    entry page (and no other). ``None`` takes the name off."""
    if not (by and by.has_perm("surveys.administer") and can_enter(by, administration)):
        raise PermissionDenied
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    if not administration.open_to_staff:
        raise ValidationError(_("This survey is already closed."))
    if interpreter is not None and (
        interpreter.role != "interpreter"
        or not interpreter.is_active
        or not interpreter.programs.filter(pk=administration.program_id).exists()
    ):
        raise ValidationError(
            {"interpreter": _("Choose an interpreter who works with this program.")}
        )
    administration.interpreter = interpreter
    administration.save(update_fields=["interpreter", "updated_at"])
    if interpreter is not None:
        _tell_interpreter(administration, interpreter)
    audit.record(
        "survey.interpreter_named",
        actor=by,
        target=administration,
        data={"interpreter": interpreter.pk if interpreter else None},
    )
    return administration


@transaction.atomic
def administration_cancel(administration: Administration, *, by, reason: str) -> Administration:
    if not (by and by.has_perm("surveys.administer") and can_enter(by, administration)):
        raise PermissionDenied
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    if not administration.open_to_staff:
        raise ValidationError(_("This survey is already closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the survey is cancelled.")})
    administration.status = AdminStatus.CANCELLED
    administration.token = ""
    administration.save()
    audit.record("survey.cancelled", actor=by, target=administration, data={"reason": "given"})
    return administration


# -- the schedule's sweeps ------------------------------------------------------------------


def expire_due(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return (
        Administration.objects.open()
        .filter(expires_at__lte=now)
        .update(status=AdminStatus.EXPIRED, token="", updated_at=now)
    )


def reminders_due(now: datetime | None = None, *, pks=None) -> list[int]:
    """Administrations whose link went out and which are due their first or second reminder."""
    now = now or timezone.now()
    due = []
    rows = (
        Administration.objects.all() if pks is None else Administration.objects.filter(pk__in=pks)
    )
    rows = (
        rows.filter(status__in=[AdminStatus.SENT, AdminStatus.STARTED])
        .filter(sent_at__isnull=False, reminders_sent__lt=2, expires_at__gt=now)
        .select_related("program")
    )
    plans = {}
    for administration in rows:
        plan = plans.get(administration.program_id)
        if plan is None:
            plan = plans[administration.program_id] = ProgramSurveySettings.for_program(
                administration.program
            )
        days = (plan.first_reminder_days, plan.second_reminder_days)[administration.reminders_sent]
        if (now - administration.sent_at).days >= days:
            due.append(administration.pk)
    return due
