"""The onboarding call: a coordinator takes the referral, books the call (usually with an
interpreter, who is told by email in their own language) and runs it from a checklist."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.languages import language_name
from accueil.messaging.services import outbox_enqueue_template_email

from ..models import Household, HouseholdStatus, OnboardingCall
from .households import STATUS_FIELDS, _lock, _require, _set_status

audit.register(
    {
        "household.taken": gettext_lazy("{actor} took the referral of {target}"),
        "household.onboarding_scheduled": gettext_lazy(
            "{actor} booked the onboarding call of {target}"
        ),
        "household.onboarding_saved": gettext_lazy(
            "{actor} saved notes of the onboarding call of {target}"
        ),
        "household.onboarding_completed": gettext_lazy(
            "{actor} completed the onboarding call of {target} ({minutes} minutes)"
        ),
    }
)

# What the call covers, in the order it is usually done.
CHECKLIST = [
    ("introduce", gettext_lazy("Introduce the program")),
    ("consent", gettext_lazy("Consent")),
    ("household", gettext_lazy("The household and its members")),
    ("priorities", gettext_lazy("Integration priorities")),
    ("availability", gettext_lazy("Weekly availability")),
    ("channels", gettext_lazy("Ways to keep in touch")),
    ("preferences", gettext_lazy("Preferences and accessibility needs")),
    ("shared_profile", gettext_lazy("The shared profile")),
    ("pre_survey", gettext_lazy("The pre-program survey")),
]
CHECKLIST_KEYS = [key for key, _label in CHECKLIST]

# Statuses from which the call can be booked.
SCHEDULABLE = {HouseholdStatus.RECEIVED, HouseholdStatus.ONBOARDING}


def open_call(household: Household) -> OnboardingCall | None:
    """The booked call not yet completed or cancelled, if any."""
    return (
        household.onboarding_calls.filter(completed_at__isnull=True, cancelled_at__isnull=True)
        .select_related("interpreter", "coordinator")
        .first()
    )


def interpreter_choices(language: str) -> list[dict]:
    """Active interpreters for a call in ``language``: those who speak it first, then those
    whose languages are not recorded (no volunteer profile: they may speak it, ask them), then
    the rest. Three queries whatever the number of interpreters."""
    from accueil.accounts.models import Role, User

    people = list(
        User.objects.filter(role=Role.INTERPRETER, is_active=True)
        .select_related("volunteer")
        .prefetch_related("volunteer__languages")
        .order_by("full_name", "pk")
    )
    rows = []
    for person in people:
        volunteer = getattr(person, "volunteer", None)
        if volunteer is None:
            speaks = None  # nothing recorded: treat as available for any language
        else:
            speaks = any(lang.code == language for lang in volunteer.languages.all())
        rows.append({"user": person, "speaks": speaks})
    order = {True: 0, None: 1, False: 2}
    rows.sort(key=lambda row: order[row["speaks"]])
    return rows


def interpreter_select_choices(rows: list[dict], *, speaks_title) -> list:
    """Choices for an interpreter select from ``interpreter_choices`` rows: "no interpreter",
    then those who speak the language (under ``speaks_title``), those whose languages are not
    recorded, and the others, each under its own heading."""
    groups = {True: [], None: [], False: []}
    for row in rows:
        groups[row["speaks"]].append((str(row["user"].pk), row["user"].display_name))
    titles = {
        True: speaks_title,
        None: _("Languages not recorded: ask them"),
        False: _("Other interpreters"),
    }
    choices = [("", _("No interpreter needed"))]
    choices += [(titles[key], groups[key]) for key in (True, None, False) if groups[key]]
    return choices


@transaction.atomic
def household_take(*, household: Household, by) -> Household:
    """The coordinator takes the referral: they become the household's coordinator."""
    _require(by, household)
    _lock(household)
    if household.status not in SCHEDULABLE:
        raise ValidationError(_("This referral is past onboarding."))
    if household.eligible is False:
        raise ValidationError(_("This household is not eligible. Review the eligibility first."))
    household.coordinator = by
    household.save(update_fields=["coordinator", "updated_at"])
    audit.record("household.taken", actor=by, target=household)
    return household


def _when_text(when: datetime, language: str) -> str:
    with translation.override(language):
        local = timezone.localtime(when)
        return formats.date_format(local, "l j F Y") + ", " + formats.time_format(local)


@transaction.atomic
def onboarding_schedule(
    *, household: Household, when: datetime, language: str, interpreter, by
) -> OnboardingCall:
    """Book (or move) the onboarding call. The household moves to "onboarding"; the
    interpreter, if any, is told by email in their language."""
    from accueil.accounts.models import Role

    _require(by, household)
    _lock(household)
    if household.status not in SCHEDULABLE:
        raise ValidationError(_("This household is past onboarding."))
    if household.eligible is False:
        raise ValidationError(_("This household is not eligible. Review the eligibility first."))
    errors = {}
    if when < timezone.now() - timedelta(minutes=5):
        errors["when"] = _("Choose a date and time that has not passed.")
    if not language:
        errors["language"] = _("Enter the language of the call.")
    if interpreter is not None and (
        interpreter.role != Role.INTERPRETER or not interpreter.is_active
    ):
        errors["interpreter"] = _("Choose one of the interpreters in the list.")
    if errors:
        raise ValidationError(errors)

    call = open_call(household) or OnboardingCall(household=household)
    call.coordinator = household.coordinator or by
    call.interpreter = interpreter
    call.language = language
    call.scheduled_at = when
    call.save()

    if household.coordinator_id is None:
        household.coordinator = by
    if household.status != HouseholdStatus.ONBOARDING:
        _set_status(household, HouseholdStatus.ONBOARDING)
    household.save(update_fields=["coordinator", *STATUS_FIELDS])
    audit.record(
        "household.onboarding_scheduled",
        actor=by,
        target=household,
        data={"call": call.pk, "interpreter": interpreter.pk if interpreter else None},
    )
    if interpreter is not None:
        _notify_interpreter(call, household)
    return call


def _notify_interpreter(call: OnboardingCall, household: Household) -> None:
    """The interpreter learns the time, the language and who to call back; nothing about the
    household beyond its reference number."""
    interpreter = call.interpreter
    language = interpreter.language or settings.LANGUAGE_CODE
    coordinator = call.coordinator
    outbox_enqueue_template_email(
        to=interpreter.email,
        template_name="newcomers/households/email/onboarding_interpreter",
        context={
            "name": interpreter.display_name,
            "when": _when_text(call.scheduled_at, language),
            "call_language": language_name(call.language, language),
            "household": household.pk,
            "program": household.program.name,
            "coordinator": coordinator.display_name if coordinator else "",
            "coordinator_email": coordinator.email if coordinator else "",
        },
        subject=gettext_lazy("Interpreting: an onboarding call"),
        language=language,
        template="newcomers.onboarding_interpreter",
        recipient=interpreter,
        idempotency_key=f"onboarding-{call.pk}-{interpreter.pk}-{call.scheduled_at:%Y%m%d%H%M}",
    )


@transaction.atomic
def onboarding_save(
    *,
    call: OnboardingCall,
    checklist: list[str],
    duration_minutes: int | None,
    notes: str,
    complete: bool,
    by,
) -> OnboardingCall:
    """Save the checklist and notes; with ``complete``, the call is over and its duration is
    recorded."""
    household = call.household
    _require(by, household)
    fresh = OnboardingCall.objects.select_for_update().get(pk=call.pk)
    if fresh.completed_at is not None or fresh.cancelled_at is not None:
        raise ValidationError(_("This call is already closed."))
    if complete and not duration_minutes:
        raise ValidationError({"duration_minutes": _("Enter how long the call took, in minutes.")})
    call.checklist = {key: key in checklist for key in CHECKLIST_KEYS}
    call.duration_minutes = duration_minutes
    call.notes = notes
    if complete:
        call.completed_at = timezone.now()
    call.save()
    if complete:
        audit.record(
            "household.onboarding_completed",
            actor=by,
            target=household,
            data={"call": call.pk, "minutes": duration_minutes},
        )
    else:
        audit.record(
            "household.onboarding_saved", actor=by, target=household, data={"call": call.pk}
        )
    return call
