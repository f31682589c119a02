"""The household answers a proposed match itself, through a link texted to it.

Staff send the link (``answer_link_send``); the household opens it on its phone, in its
language, and says yes or no (``answer_link_answer``). The answer is recorded exactly as staff
would record it after a call (``services.household_answer``), with how = "sms_link" and nobody
as the person who recorded it, and the match's coordinator gets an email.

A link works once, for ANSWER_LINK_VALID_FOR, while the match is proposed and the household
has not answered. Sending a new link revokes the earlier unused ones.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.messaging.services import outbox_enqueue_sms, outbox_enqueue_template_email

from . import services
from .forms import REASON_MAX
from .models import (
    ANSWER_LINK_VALID_FOR,
    AnswerLinkAnswer,
    HouseholdAnswer,
    HouseholdAnswerLink,
    Match,
    MatchStatus,
)
from .models.answer_link import hash_token, new_token
from .services_meetings import family_language, held_until_daytime

INVALID = "answer_link_invalid"


def answer_link_url(token: str) -> str:
    return settings.SITE_URL + reverse("answer_link", args=[token])


def can_send(match: Match) -> bool:
    """Whether the match's state allows a link (who may send it is checked apart)."""
    return (
        match.status == MatchStatus.PROPOSED
        and match.household_accepted_at is None
        and bool(match.household.phone)
    )


def answer_link_latest(match: Match) -> HouseholdAnswerLink | None:
    return match.answer_links.select_related("created_by").order_by("-created_at", "-pk").first()


def answer_link_state(match: Match) -> dict:
    """What the staff match page shows: the last link and whether one can be sent now."""
    latest = answer_link_latest(match)
    language = family_language(match.household)
    return {
        "latest": latest,
        "expired": latest is not None and latest.is_expired(),
        "can_send": can_send(match),
        "language_name": get_language_info(language)["name_translated"],
        "valid_days": ANSWER_LINK_VALID_FOR.days,
    }


@transaction.atomic
def answer_link_send(*, match: Match, by, now: datetime | None = None) -> HouseholdAnswerLink:
    """Text the household a link to answer the proposal. The raw token is only in the text
    message (and on the returned object as ``token``, for the caller's tests): the database
    keeps its hash."""
    if not services.is_staff_of(by, match):
        raise PermissionDenied
    now = now or timezone.now()
    locked = (
        Match.objects.select_for_update(of=("self",))
        .select_related("household", "program", "group")
        .get(pk=match.pk)
    )
    if locked.status != MatchStatus.PROPOSED:
        raise ValidationError(_("A link can be sent only while the match is proposed."))
    if locked.household_accepted_at is not None:
        raise ValidationError(_("The household has already accepted this match."))
    household = locked.household
    if not household.phone:
        raise ValidationError(_("The household has no phone number to send a text message to."))
    locked.answer_links.unused().update(revoked_at=now)
    token = new_token()
    language = family_language(household)
    link = HouseholdAnswerLink.objects.create(
        match=locked,
        token_hash=hash_token(token),
        language=language,
        created_by=by,
        expires_at=now + ANSWER_LINK_VALID_FOR,
    )
    with translation.override(language):
        body = render_to_string(
            "matches/answer_link/sms.txt",
            {
                "program": locked.program.short_name or locked.program.name,
                "link": answer_link_url(token),
            },
        ).strip()
    outbox_enqueue_sms(
        to=household.phone,
        body_text=body,
        language=language,
        template="matches.answer_link",
        idempotency_key=f"answer-link-{link.pk}",
        not_before=held_until_daytime(now),
    )
    audit.record(
        "match.answer_link_sent",
        actor=by,
        target=locked,
        data={"link": link.pk, "language": language},
        action=AuditEntry.Action.CREATE,
    )
    link.token = token
    return link


def _still_open(link: HouseholdAnswerLink, match: Match, now: datetime) -> bool:
    return (
        link.is_usable(now)
        and match.status == MatchStatus.PROPOSED
        and match.household_accepted_at is None
    )


def answer_link_resolve(token: str, *, now: datetime | None = None) -> HouseholdAnswerLink | None:
    """The link behind ``token`` if it still works: known, not expired, not used, not revoked,
    and its match still waits for the household's answer. None otherwise."""
    link = (
        HouseholdAnswerLink.objects.by_token(token)
        .select_related("match", "match__household", "match__group", "match__program")
        .first()
    )
    if link is None or not _still_open(link, link.match, now or timezone.now()):
        return None
    return link


def answer_link_language(token: str) -> str | None:
    """The language of a known link, used or not: its "no longer valid" page speaks it."""
    return HouseholdAnswerLink.objects.by_token(token).values_list("language", flat=True).first()


@transaction.atomic
def answer_link_answer(
    *, token: str, accepted: bool, reason: str = "", now: datetime | None = None
) -> Match:
    """Record the household's yes or no given through the link, once. A link that no longer
    works raises ValidationError with code ``INVALID``."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Write %(count)s characters or fewer.") % {"count": REASON_MAX}}
        )
    invalid = ValidationError(_("This link is no longer valid."), code=INVALID)
    found = HouseholdAnswerLink.objects.by_token(token).values_list("pk", "match_id").first()
    if found is None:
        raise invalid
    link_pk, match_pk = found
    # The match first, then the link: the same order as answer_link_send, so the two cannot
    # wait on each other.
    match = Match.objects.select_for_update(of=("self",)).get(pk=match_pk)
    link = HouseholdAnswerLink.objects.select_for_update().get(pk=link_pk)
    if not _still_open(link, match, now):
        raise invalid
    answer = AnswerLinkAnswer.ACCEPTED if accepted else AnswerLinkAnswer.DECLINED
    # Claim the link with a conditional update as well as the lock: on a database without row
    # locks (SQLite), a second submit still finds nothing to claim.
    claimed = HouseholdAnswerLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now, answer=answer
    )
    if not claimed:
        raise invalid
    coordinator = match.coordinator
    if not accepted and not reason:
        # Staff read the reason: write the default in the coordinator's language.
        with translation.override(_staff_language(coordinator)):
            reason = _("Declined through the text-message link (no reason given).")
    try:
        services.household_answer(
            match=match, by=None, accepted=accepted, how=HouseholdAnswer.SMS_LINK, reason=reason
        )
    except ValidationError:
        raise invalid from None
    _tell_coordinator(match, link, accepted=accepted, now=now)
    return match


def _staff_language(person) -> str:
    return (getattr(person, "language", "") if person else "") or settings.LANGUAGE_CODE


def _tell_coordinator(
    match: Match, link: HouseholdAnswerLink, *, accepted: bool, now: datetime
) -> None:
    """Nothing personal in the email: the household's number and a link to the match page."""
    coordinator = match.coordinator
    if coordinator is None or not coordinator.email or not coordinator.is_active:
        return
    outbox_enqueue_template_email(
        to=coordinator.email,
        template_name="matches/answer_link/email/answered",
        context={
            "name": coordinator.display_name,
            "match": match.pk,
            "household": match.household_id,
            "accepted": accepted,
            "both_accepted": match.status == MatchStatus.ACCEPTED,
            "link": settings.SITE_URL + reverse("match_detail", args=[match.pk]),
        },
        subject=(
            gettext_lazy("A household accepted a match")
            if accepted
            else gettext_lazy("A household declined a match")
        ),
        language=_staff_language(coordinator),
        template="matches.answer_link_answered",
        recipient=coordinator,
        idempotency_key=f"answer-link-{link.pk}-answered",
        not_before=held_until_daytime(now),
    )
