"""A referral: a household enters Accueil, with the participation consent the referrer
obtained, its eligibility decided on the referral date and possible duplicates flagged.

Partners refer through the portal (/refer/), staff enter referrals received by phone or email
through the same form, and a program may open a public self-referral form. All of them call
household_refer().
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accueil.core import audit
from accueil.core.fields import keyed_hash
from accueil.core.models import AuditEntry

from .. import phone as phones
from ..models import (
    Consent,
    ConsentPurpose,
    ConsentText,
    Household,
    HouseholdStatus,
    ImmigrationStatus,
    ProgramIntake,
    ReferralSource,
    Urgency,
)
from . import duplicates, eligibility

# The participation consent version when no ConsentText has been loaded yet.
DEFAULT_CONSENT_VERSION = "2026-11"  # the version of services.consent.ensure_consent_texts()

audit.register(
    {
        "household.referred": gettext_lazy("{actor} referred {target}"),
        "household.self_referred": gettext_lazy("{target} referred themselves"),
    }
)


class PartnerStatus:
    """What a referring partner is told, from the household's status: enough to answer the
    family's "what is happening?", nothing about the work behind it."""

    RECEIVED = "received"
    NOT_ELIGIBLE = "not_eligible"
    ONBOARDING = "onboarding"
    WAITING = "waiting"
    MATCHED = "matched"
    CLOSED = "closed"

    LABELS = {
        RECEIVED: pgettext_lazy("referral status", "Received"),
        NOT_ELIGIBLE: pgettext_lazy("referral status", "Not eligible"),
        ONBOARDING: pgettext_lazy("referral status", "Onboarding call scheduled"),
        WAITING: pgettext_lazy("referral status", "Waiting for a match"),
        MATCHED: pgettext_lazy("referral status", "Matched with a Welcome Group"),
        CLOSED: pgettext_lazy("referral status", "Closed"),
    }

    FROM_HOUSEHOLD = {
        HouseholdStatus.RECEIVED: RECEIVED,
        HouseholdStatus.NOT_ELIGIBLE: NOT_ELIGIBLE,
        HouseholdStatus.ONBOARDING: ONBOARDING,
        HouseholdStatus.WAITING: WAITING,
        HouseholdStatus.PAUSED: WAITING,  # a pause (travel…) is the family's own business
        HouseholdStatus.MATCHED: MATCHED,
        HouseholdStatus.CLOSED: CLOSED,
        HouseholdStatus.WITHDRAWN: CLOSED,
    }


@dataclass(frozen=True)
class PartnerView:
    code: str
    label: str
    reason: str = ""


def partner_status(household: Household) -> PartnerView:
    """The partner-facing status, with the reason when not eligible (a staff override's
    reason when staff decided, else the rules' explanation)."""
    code = PartnerStatus.FROM_HOUSEHOLD.get(household.status, PartnerStatus.RECEIVED)
    reason = ""
    if code == PartnerStatus.NOT_ELIGIBLE:
        if household.eligibility_override is False:
            reason = household.override_reason
        else:
            reason = household.eligibility_reason
    return PartnerView(code, str(PartnerStatus.LABELS[code]), reason)


def current_consent_version() -> str:
    """The version of the participation consent text in force: the latest loaded (versions
    are dates, "2026-11", so they sort), or the default before any text is loaded."""
    latest = (
        ConsentText.objects.filter(purpose=ConsentPurpose.PARTICIPATION)
        .order_by("-version")
        .first()
    )
    return latest.version if latest else DEFAULT_CONSENT_VERSION


def self_referral_programs():
    """Programs whose public self-referral form is switched on."""
    from accueil.accounts.models import Program

    return Program.objects.filter(
        is_active=True,
        pk__in=ProgramIntake.objects.filter(self_referral_enabled=True).values("program"),
    ).order_by("name")


@dataclass
class ConsentGiven:
    obtained_by_name: str
    date: datetime.date
    method: str
    language: str
    version: str


@dataclass
class Referral:
    """Everything a referral says, parsed by the form."""

    program: object
    region: object
    source: str
    head_name: str
    phone: str
    immigration_status: str
    consent: ConsentGiven
    referring_organisation: object = None
    head_preferred_name: str = ""
    whatsapp: bool = False
    email: str = ""
    languages: list[str] = field(default_factory=list)
    interpreter_needed: bool = True
    arrival_date: datetime.date | None = None
    claim_date: datetime.date | None = None
    household_size: int = 1
    composition: str = ""
    city: str = ""
    priorities: list[str] = field(default_factory=list)
    priority_notes: str = ""
    urgency: str = Urgency.ROUTINE
    referral_date: datetime.date | None = None


def _noon(day: datetime.date) -> datetime.datetime:
    # Midday local time: the date stays the same whatever time zone it is read in.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@transaction.atomic
def household_refer(*, referral: Referral, by) -> Household:
    """Create the household from a referral, record the participation consent, decide its
    eligibility (status "not eligible" when it is not) and flag a possible duplicate.

    ``by`` is the partner or staff member who sent it; None for a self-referral."""
    if referral.immigration_status not in ImmigrationStatus.values:
        raise ValidationError({"immigration_status": _("Choose the household's status.")})
    if referral.source not in ReferralSource.values:
        raise ValueError(f"Unknown referral source {referral.source!r}")
    try:
        phone = phones.normalise(referral.phone)
    except phones.InvalidPhoneNumber:
        raise ValidationError(
            {"phone": _("Enter a phone number like 416 555 0123, or +44 20 7946 0958.")}
        ) from None
    if referral.consent.version != current_consent_version():
        raise ValidationError(
            {"consent_version": _("The consent text changed. Check the current version.")}
        )
    if referral.consent.date > timezone.localdate():
        raise ValidationError({"consent_date": _("The consent date cannot be in the future.")})
    program = referral.program
    referral_date = referral.referral_date or timezone.localdate()
    if not program.eligibility_rules.exists():
        eligibility.ensure_default_rules(program)
    decision = eligibility.evaluate(
        program=program,
        immigration_status=referral.immigration_status,
        arrival_date=referral.arrival_date,
        claim_date=referral.claim_date,
        referral_date=referral_date,
        region=referral.region,
    )
    partner = referral.referring_organisation
    household = Household.objects.create(
        program=program,
        region=referral.region,
        status=HouseholdStatus.RECEIVED,
        source=referral.source,
        referring_organisation=partner,
        referred_by=by,
        referral_date=referral_date,
        urgency=referral.urgency,
        head_name=referral.head_name.strip(),
        head_preferred_name=referral.head_preferred_name.strip(),
        phone=phone,
        phone_hash=keyed_hash(phone),
        whatsapp=referral.whatsapp,
        email=referral.email.strip().lower(),
        languages=list(referral.languages),
        interpreter_needed=referral.interpreter_needed,
        immigration_status=referral.immigration_status,
        arrival_date=referral.arrival_date,
        claim_date=referral.claim_date,
        identity_hash=duplicates.identity_hash(
            referral.head_name, referral.arrival_date, referral.claim_date
        ),
        household_size=referral.household_size,
        composition=referral.composition.strip(),
        city=referral.city.strip(),
        priorities=list(referral.priorities),
        priority_notes=referral.priority_notes.strip(),
    )
    consent = referral.consent
    obtained_by_self = by is not None and consent.obtained_by_name.strip() in (
        by.full_name,
        by.display_name,
    )
    Consent.objects.create(
        household=household,
        purpose=ConsentPurpose.PARTICIPATION,
        given=True,
        version=consent.version,
        language=consent.language,
        method=consent.method,
        obtained_by=by if obtained_by_self else None,
        obtained_by_name=consent.obtained_by_name.strip(),
        obtained_at=_noon(consent.date),
    )
    data = {"source": referral.source, "program": program.pk}
    if partner is not None:
        data["organisation"] = partner.pk
    audit.record(
        "household.self_referred" if by is None else "household.referred",
        actor=by,
        target=household,
        data=data,
        action=AuditEntry.Action.CREATE,
    )
    eligibility.apply_decision(household=household, decision=decision, by=by)
    duplicates.flag_duplicate(household=household, by=by)
    return household
