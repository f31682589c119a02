"""The public volunteer application: a draft saved at every step (no account yet), then one
submission that creates the account, the volunteer record, languages and references.

A draft holds the answers of each step as the form would post them (strings and lists), in
its encrypted ``data`` field: ``{"about": {...}, "gender": {...}, …}``. The views re-validate
them through the step forms at the end, so an answer that stopped being valid while the person
was away (a program closed, a group code withdrawn, a new privacy notice) is asked again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.accounts.models import Organisation, Program, Region, Role, User
from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.messaging.services import outbox_enqueue_template_email

from ..models import ApplicationDraft, Reference, Volunteer, VolunteerLanguage, WelcomeGroup
from .groups import group_join_by_code, normalize_invite_code

# The privacy notice and screening consent the person agrees to. Change it with the text in
# templates/volunteers/apply/consent_text.html: drafts that agreed to an older version are
# asked again before they can be sent.
CONSENT_VERSION = "2026-11"

# The question pages, in order. Every one must be answered (some answers may be empty).
STEPS = [
    "about",
    "gender",
    "languages",
    "skills",
    "availability",
    "location",
    "group",
    "motivation",
    "references",
    "consent",
]

audit.register(
    {
        "volunteer.application_started": gettext_lazy("A volunteer application was started"),
        "volunteer.application_link_sent": gettext_lazy(
            "A link to continue a volunteer application was sent"
        ),
        "volunteer.applied": gettext_lazy("{actor} applied to volunteer"),
        "volunteer.account_activated": gettext_lazy(
            "{actor} confirmed their email address and chose a password"
        ),
    }
)


class AccountExists(ValidationError):
    """The email address already belongs to an account (a volunteer's or anyone's)."""


@dataclass
class StartOutcome:
    """``draft`` is the new draft; None when an application for the address was already in
    progress, in which case a fresh link to it went to that address instead."""

    draft: ApplicationDraft | None


@dataclass
class ApplicationAnswers:
    """Everything a complete application says, parsed and validated by the step forms."""

    full_name: str
    email: str
    program: Program
    region: Region
    preferred_name: str = ""
    phone: str = ""
    gender: str = ""
    languages: list[tuple[str, str]] = field(default_factory=list)  # (ISO 639 code, level)
    skills: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    postal_prefix: str = ""
    in_person: bool = False
    heard_from: str = ""
    invite_code: str = ""
    motivation: str = ""
    references: list[dict] = field(default_factory=list)  # name, email, relation
    consent_version: str = ""
    consented_at: datetime | None = None


# Reads ------------------------------------------------------------------------------------


def draft_answers(draft: ApplicationDraft) -> dict:
    try:
        answers = json.loads(draft.data or "{}")
    except ValueError:
        return {}
    return answers if isinstance(answers, dict) else {}


def draft_next_step(draft: ApplicationDraft) -> str | None:
    """The first question not answered yet; None when every one is (time to check answers)."""
    answers = draft_answers(draft)
    return next((step for step in STEPS if step not in answers), None)


def email_has_account(email: str) -> bool:
    email = email.strip()
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def invite_code_group(code: str) -> WelcomeGroup | None:
    """The active group a code belongs to. Codes are typed from a message or said on the
    phone: case, spaces and dashes do not matter."""
    code = normalize_invite_code(code)
    if not code:
        return None
    return WelcomeGroup.objects.filter(invite_code=code, is_active=True).first()


def pending_invite_code(volunteer: Volunteer) -> str:
    """The group invite code a volunteer gave when applying ("" if none), for the groups part
    to add them to that group (typically once they are approved).

    It is kept on the submitted draft (whose other answers are emptied at submission), and in
    the "volunteer.applied" audit entry in case the draft was purged or the email changed."""
    draft = (
        ApplicationDraft.objects.filter(
            email__iexact=volunteer.user.email, submitted_at__isnull=False
        )
        .order_by("-submitted_at")
        .first()
    )
    if draft is not None:
        code = draft_answers(draft).get("invite_code")
        if code:
            return code
    entry = (
        AuditEntry.objects.for_record(volunteer).filter(code="volunteer.applied").order_by("-pk")
    ).first()
    return ((entry and entry.additional_data) or {}).get("invite_code") or ""


# Writes -----------------------------------------------------------------------------------


def _send_resume_link(draft: ApplicationDraft, token: str) -> None:
    link = settings.SITE_URL + reverse("apply_resume", args=[token])
    about = draft_answers(draft).get("about", {})
    context = {
        "name": about.get("preferred_name") or about.get("full_name") or "",
        "link": link,
        "expires_at": draft.expires_at,
    }
    outbox_enqueue_template_email(
        to=draft.email,
        template_name="volunteers/apply/email/resume_link",
        context=context,
        subject=gettext_lazy("Continue your volunteer application"),
        language=draft.language,
        template="application_resume",
        idempotency_key=f"application-resume-{draft.pk}-{draft.token_hash[:16]}",
    )


def _language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _refresh_link(draft: ApplicationDraft) -> None:
    """A new link (the old one stops working) sent to the draft's address."""
    token = draft.new_token()
    draft.save(update_fields=["token_hash", "expires_at", "updated_at"])
    audit.record("volunteer.application_link_sent", actor=None, target=draft)
    _send_resume_link(draft, token)


@transaction.atomic
def application_start(*, about: dict, language: str) -> StartOutcome:
    """Open a draft with the first page's answers and email the person a link to come back.

    Raises AccountExists if the address has an account. When an application for the address
    is already in progress, a fresh link to it goes to that address, and nothing about it is
    shown to whoever typed the address here."""
    email = about["email"].strip().lower()
    if email_has_account(email):
        raise AccountExists(_account_exists_message(), code="account_exists")
    existing = (
        ApplicationDraft.objects.select_for_update()
        .filter(email__iexact=email, submitted_at__isnull=True)
        .first()
    )
    if existing is not None:
        if existing.expires_at > timezone.now():
            _refresh_link(existing)
            return StartOutcome(draft=None)
        existing.delete()  # abandoned long ago: its answers go, a new application starts
    draft = ApplicationDraft(
        email=email,
        language=_language(language),
        step="about",
        data=json.dumps({"about": {**about, "email": email}}),
    )
    token = draft.new_token()
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        # Someone started with the same address a moment ago (a double click, two tabs).
        existing = ApplicationDraft.objects.get(email__iexact=email, submitted_at__isnull=True)
        _refresh_link(existing)
        return StartOutcome(draft=None)
    audit.record("volunteer.application_started", actor=None, target=draft)
    _send_resume_link(draft, token)
    return StartOutcome(draft=draft)


@transaction.atomic
def application_save_step(
    *, draft: ApplicationDraft, step: str, answers: dict, language: str
) -> ApplicationDraft:
    """Keep one page's answers. A new email address on the first page moves the draft to it
    and sends a fresh link there (the address may have been mistyped the first time)."""
    if step not in STEPS:
        raise ValueError(f"Unknown application step {step!r}")
    draft = ApplicationDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.submitted_at is not None:
        raise ValidationError(_("This application was already sent."))
    data = draft_answers(draft)
    new_email = None
    if step == "about":
        email = answers["email"].strip().lower()
        answers = {**answers, "email": email}
        if email != draft.email.lower():
            if email_has_account(email):
                raise AccountExists(_account_exists_message(), code="account_exists")
            other = ApplicationDraft.objects.filter(
                email__iexact=email, submitted_at__isnull=True
            ).first()
            if other is not None and other.expires_at > timezone.now():
                raise ValidationError(
                    {
                        "email": _(
                            "An application with this email address is already in progress. "
                            "Use the link we emailed to that address to continue it."
                        )
                    }
                )
            if other is not None:
                other.delete()
            new_email = email
    data[step] = answers
    draft.data = json.dumps(data)
    draft.step = step
    draft.language = _language(language)
    if new_email:
        draft.email = new_email
        token = draft.new_token()
    draft.save()
    if new_email:
        audit.record("volunteer.application_link_sent", actor=None, target=draft)
        _send_resume_link(draft, token)
    return draft


def _account_exists_message() -> str:
    return _(
        "There is already an account with this email address. Sign in instead, or reset your "
        "password if you forgot it."
    )


@transaction.atomic
def application_submit(*, draft: ApplicationDraft, answers: ApplicationAnswers) -> Volunteer:
    """Create the account (no password yet, email not verified), the volunteer record with its
    languages and references, and email the person a link to confirm their address and choose
    a password. References are recorded but not contacted: screening asks them later."""
    draft = ApplicationDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.submitted_at is not None:
        raise ValidationError(_("This application was already sent."))
    email = answers.email.strip().lower()
    if email_has_account(email):
        raise AccountExists(_account_exists_message(), code="account_exists")
    if answers.consent_version != CONSENT_VERSION or answers.consented_at is None:
        raise ValidationError(
            {"consent": _("We changed our privacy notice. Read it and agree to it again.")}
        )
    if not answers.program.is_active:
        raise ValidationError({"program": _("This program is not taking volunteers now.")})
    group = None
    if answers.invite_code:
        group = invite_code_group(answers.invite_code)
        if group is None:
            raise ValidationError({"invite_code": _("This group invite code does not work now.")})
    if len(answers.references) != 2:
        raise ValidationError({"references": _("Give 2 references.")})

    user = User.objects.create_user(
        email,
        None,  # an unusable password: the person chooses one from the email
        full_name=answers.full_name.strip(),
        preferred_name=answers.preferred_name.strip(),
        role=Role.VOLUNTEER,
        organisation=Organisation.objects.get(kind=Organisation.Kind.HOST),
        language=_language(draft.language),
    )
    address = EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    volunteer = Volunteer.objects.create(
        user=user,
        program=answers.program,
        region=answers.region,
        phone=answers.phone,
        gender=answers.gender,
        postal_prefix=answers.postal_prefix,
        in_person=answers.in_person,
        skills=list(answers.skills),
        availability=list(answers.availability),
        heard_from=answers.heard_from,
        motivation=answers.motivation,
        consent_version=answers.consent_version,
        consented_at=answers.consented_at,
    )
    VolunteerLanguage.objects.bulk_create(
        VolunteerLanguage(volunteer=volunteer, code=code, level=level)
        for code, level in answers.languages
    )
    Reference.objects.bulk_create(
        Reference(
            volunteer=volunteer,
            name=ref["name"].strip(),
            email=ref["email"].strip().lower(),
            relation=ref["relation"].strip(),
        )
        for ref in answers.references
    )
    # The answers now live in the records above; the draft keeps only what has no column yet.
    kept = {"invite_code": group.invite_code} if group else {}
    draft.data = json.dumps(kept)
    draft.step = "submitted"
    draft.submitted_at = timezone.now()
    draft.save(update_fields=["data", "step", "submitted_at", "updated_at"])
    data = {"program": answers.program.pk}
    if group:
        data.update({"invite_code": group.invite_code, "group": group.pk})
    audit.record(
        "volunteer.applied",
        actor=user,
        target=volunteer,
        data=data,
        action=AuditEntry.Action.CREATE,
    )
    if group:
        # Friends applying together: the person joins the group now; the readiness gate
        # counts them only once they are approved.
        group_join_by_code(user=user, code=group.invite_code)
    _send_activation(address)
    return volunteer


def activation_link(address: EmailAddress) -> str:
    """allauth's email-confirmation key (signed, expires), on our page that also asks for a
    password: one link both proves the address and lets the person in."""
    key = EmailConfirmationHMAC(address).key
    return settings.SITE_URL + reverse("apply_activate", args=[key])


def _send_activation(address: EmailAddress) -> None:
    # Through allauth's adapter, like allauth's own mail: rendered in the account's language
    # and queued in the outbox (AccountAdapter.send_mail).
    get_adapter().send_mail(
        "volunteers/apply/email/activate",
        address.email,
        {
            "user": address.user,
            "activate_url": activation_link(address),
            "valid_days": allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
        },
    )


def activation_address(key: str) -> EmailAddress | None:
    """The unverified address of a new volunteer account that a link's key names, or None."""
    confirmation = EmailConfirmationHMAC.from_key(key)
    if confirmation is None:
        return None
    address = confirmation.email_address
    if address.user.role != Role.VOLUNTEER or not address.user.is_active:
        return None
    return address


@transaction.atomic
def account_activate(*, request, key: str, password: str) -> User:
    """Confirm the address through allauth (its signals and messages) and set the password.

    Needs the request because allauth's confirmation flow does."""
    confirmation = EmailConfirmationHMAC.from_key(key)
    if confirmation is None or activation_address(key) is None:
        raise ValidationError(_("This link does not work any more."))
    user = confirmation.email_address.user
    if user.has_usable_password():
        raise ValidationError(_("You already chose a password. Sign in instead."))
    if confirmation.confirm(request) is None:
        raise ValidationError(_("This link does not work any more."))
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    audit.record("volunteer.account_activated", actor=user, target=user)
    return user
