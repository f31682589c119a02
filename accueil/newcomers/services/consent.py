"""Consent per purpose: what the household agreed to, in which words, and its withdrawal.

A household has at most one current answer per purpose (the model's constraint). Recording a
new answer for a purpose closes the previous one (its ``withdrawn_at`` is set), so the history
of every answer survives. ``has_consent`` is what the rest of Accueil asks before using the
data for a purpose; a withdrawal takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit

from ..models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentText,
    Household,
    HouseholdStatus,
)

# The version of the default consent texts below. Change it (and add new ConsentText rows)
# whenever the meaning of a text changes: each answer records the version it was given to.
CONSENT_VERSION = "2026-11"

audit.register(
    {
        "household.consent_given": gettext_lazy(
            "{actor} recorded that {target} agreed ({purpose}, version {version})"
        ),
        "household.consent_refused": gettext_lazy(
            "{actor} recorded that {target} did not agree ({purpose}, version {version})"
        ),
        "household.consent_withdrawn": gettext_lazy(
            "{actor} recorded that {target} withdrew consent ({purpose})"
        ),
    }
)

# Our own wording, in plain language (read aloud on the phone, often through an interpreter).
DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    ConsentPurpose.PARTICIPATION: {
        "en": (
            "We would like you to take part in the Welcome Groups program. A small group of "
            "trained volunteers will talk with you, mostly by phone or video, for about six "
            "months. They help with the things that matter to you. We keep your information "
            "safe and only staff of the program can read it. Taking part is free. You can "
            "stop at any time, and stopping does not change any other help you get."
        ),
        "fr": (
            "Nous vous proposons de participer au programme des groupes d'accueil. Un petit "
            "groupe de bénévoles formés parlera avec vous, surtout par téléphone ou en vidéo, "
            "pendant environ six mois. Ils vous aident pour ce qui compte pour vous. Nous "
            "gardons vos informations en sécurité et seul le personnel du programme peut les "
            "lire. La participation est gratuite. Vous pouvez arrêter à tout moment, et cela "
            "ne change aucune autre aide que vous recevez."
        ),
    },
    ConsentPurpose.SHARE_PROFILE: {
        "en": (
            "When we find a group for you, we would like to tell the volunteers a little about "
            "your family: first names, ages, languages, what you would like help with and when "
            "you are free. We never tell them about your immigration papers, your address or "
            "your phone number. You can say no, or change your mind later."
        ),
        "fr": (
            "Quand nous trouverons un groupe pour vous, nous aimerions dire un peu aux "
            "bénévoles qui est votre famille : les prénoms, les âges, les langues, l'aide que "
            "vous souhaitez et vos disponibilités. Nous ne leur parlons jamais de vos papiers "
            "d'immigration, de votre adresse ou de votre numéro de téléphone. Vous pouvez dire "
            "non, ou changer d'avis plus tard."
        ),
    },
    ConsentPurpose.RESEARCH: {
        "en": (
            "We ask short questions before and after the program to learn if it helps. We "
            "would like to use your answers, without your name, to study and improve the "
            "program. Nobody will be able to know which answers are yours. You can say no and "
            "still take part."
        ),
        "fr": (
            "Nous posons quelques questions avant et après le programme pour savoir s'il aide. "
            "Nous aimerions utiliser vos réponses, sans votre nom, pour étudier et améliorer le "
            "programme. Personne ne pourra savoir quelles réponses sont les vôtres. Vous pouvez "
            "dire non et participer quand même."
        ),
    },
    ConsentPurpose.STORIES: {
        "en": (
            "Sometimes we share stories or photos to show what the program does, for example "
            "in a newsletter or a report. We would only use your story or photos if you agree, "
            "and we would not use your full name. You can say no and still take part."
        ),
        "fr": (
            "Parfois, nous partageons des histoires ou des photos pour montrer ce que fait le "
            "programme, par exemple dans une infolettre ou un rapport. Nous utiliserions votre "
            "histoire ou vos photos seulement si vous êtes d'accord, et jamais avec votre nom "
            "complet. Vous pouvez dire non et participer quand même."
        ),
    },
}


def ensure_consent_texts() -> int:
    """Create the default texts (English and French, version CONSENT_VERSION) where missing.
    Returns how many were created. Safe to run any number of times."""
    created = 0
    for purpose, texts in DEFAULT_TEXTS.items():
        for language, text in texts.items():
            _row, made = ConsentText.objects.get_or_create(
                purpose=purpose,
                language=language,
                version=CONSENT_VERSION,
                defaults={"text": text},
            )
            created += made
    return created


def consent_versions() -> list[str]:
    versions = set(ConsentText.objects.values_list("version", flat=True).distinct())
    versions.add(CONSENT_VERSION)
    return sorted(versions, reverse=True)


def _require(user, household: Household) -> None:
    if user is None or not user.has_perm("newcomers.manage_households"):
        raise PermissionDenied
    if not Household.objects.visible_to(user).filter(pk=household.pk).exists():
        raise PermissionDenied


@transaction.atomic
def consent_record(
    *,
    household: Household,
    purpose: str,
    given: bool,
    language: str,
    method: str,
    obtained_at: datetime,
    by,
    version: str = CONSENT_VERSION,
    obtained_by_name: str = "",
) -> Consent:
    """Record the household's answer for one purpose. A previous current answer for the same
    purpose is closed, not overwritten."""
    _require(by, household)
    errors = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("Choose what the consent is for.")
    if method not in ConsentMethod.values:
        errors["method"] = _("Choose how the consent was given.")
    if not language:
        errors["language"] = _("Enter the language the consent was given in.")
    if obtained_at > timezone.now():
        errors["obtained_on"] = _("The date cannot be in the future.")
    if version not in consent_versions():
        errors["version"] = _("Choose a version of the consent text.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    Household.objects.select_for_update().filter(pk=household.pk).first()
    household.consents.filter(purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=by
    )
    consent = Consent.objects.create(
        household=household,
        purpose=purpose,
        given=given,
        version=version,
        language=language,
        method=method,
        obtained_by=by,
        obtained_by_name=obtained_by_name or by.display_name,
        obtained_at=obtained_at,
    )
    audit.record(
        "household.consent_given" if given else "household.consent_refused",
        actor=by,
        target=household,
        data={"purpose": purpose, "version": version, "consent": consent.pk},
    )
    if not given:
        _take_effect(household=household, purpose=purpose, by=by)
    return consent


@transaction.atomic
def consent_withdraw(*, household: Household, purpose: str, by) -> Consent | None:
    """The household takes back its consent for ``purpose``; it takes effect at once.
    Returns the withdrawn answer, or None when there was nothing to withdraw."""
    _require(by, household)
    consent = (
        household.consents.select_for_update()
        .filter(purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        return None
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = by
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    audit.record(
        "household.consent_withdrawn",
        actor=by,
        target=household,
        data={"purpose": purpose, "consent": consent.pk},
    )
    _take_effect(household=household, purpose=purpose, by=by)
    return consent


def _take_effect(*, household: Household, purpose: str, by) -> None:
    """Without consent to take part, a household still waiting leaves the waitlist. (A matched
    household's match is closed by staff through the match's own workflow.)"""
    if purpose != ConsentPurpose.PARTICIPATION:
        return
    from .households import household_withdraw

    household.refresh_from_db(fields=["status"])
    if household.status in (
        HouseholdStatus.RECEIVED,
        HouseholdStatus.ONBOARDING,
        HouseholdStatus.WAITING,
        HouseholdStatus.PAUSED,
    ):
        household_withdraw(
            household=household,
            reason=_("Consent to take part was withdrawn."),
            by=by,
        )


def has_consent(household: Household, purpose: str) -> bool:
    """True when the household's current answer for ``purpose`` is yes and not withdrawn."""
    return household.consents.filter(
        purpose=purpose, given=True, withdrawn_at__isnull=True
    ).exists()


def current_consents(household: Household) -> list[dict]:
    """One row per purpose, in the purposes' order: the current answer (or None) and the
    answers it replaced."""
    answers = list(household.consents.select_related("obtained_by", "withdrawn_by"))
    rows = []
    for purpose in ConsentPurpose:
        mine = [c for c in answers if c.purpose == purpose]
        current = next((c for c in mine if c.withdrawn_at is None), None)
        past = [c for c in mine if c is not current]
        rows.append(
            {
                "purpose": purpose,
                "label": purpose.label,
                "current": current,
                "in_force": bool(current and current.in_force),
                "past": past,
                # What the page describes: the current answer, else the latest withdrawn one.
                "latest": current or (past[0] if past else None),
            }
        )
    return rows


@dataclass
class SharedProfile:
    """What a matched group may read about its household. Nothing about immigration, no
    contact details, no staff notes."""

    text: str
    region: str
    languages: list[str]
    priorities: list[str]
    availability: list[str]
    channels: list[str]
    meeting_mode: str
    women_only: bool
    members: list[dict] = field(default_factory=list)


def shared_profile_for_volunteers(household: Household) -> SharedProfile | None:
    """The shared part of the profile, or None when the household has not agreed (or no
    longer agrees) to share it. Callers must still check that the volunteer's group is
    matched with this household."""
    if not has_consent(household, ConsentPurpose.SHARE_PROFILE):
        return None
    return SharedProfile(
        text=household.shared_profile,
        region=household.region.name,
        languages=list(household.languages or []),
        priorities=list(household.priorities or []),
        availability=list(household.availability or []),
        channels=list(household.channels or []),
        meeting_mode=household.meeting_mode,
        women_only=household.women_only,
        members=[
            {
                "first_name": member.first_name,
                "age_band": member.age_band,
                "languages": list(member.languages or []),
            }
            for member in household.members.all()
        ],
    )
