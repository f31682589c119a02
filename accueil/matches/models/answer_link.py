"""A link texted to a household so it can answer a proposed match itself, on its phone.

Only the SHA-256 of the link's token is stored (as for invitations): a leaked database cannot
be turned into working links. A link works once, for ANSWER_LINK_VALID_FOR, while the match is
still proposed and the household has not answered; sending a new one revokes the earlier ones.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ANSWER_LINK_VALID_FOR = timedelta(days=7)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """256 random bits: too many to guess, so the public page needs no rate limit."""
    return secrets.token_urlsafe(32)


def default_expiry():
    return timezone.now() + ANSWER_LINK_VALID_FOR


class AnswerLinkAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class HouseholdAnswerLinkQuerySet(models.QuerySet):
    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token or ""))

    def unused(self):
        return self.filter(used_at__isnull=True, revoked_at__isnull=True)


class HouseholdAnswerLink(models.Model):
    match = models.ForeignKey(
        "matches.Match", on_delete=models.CASCADE, related_name="answer_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=default_expiry)
    used_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.CharField(
        _("answer"), max_length=10, choices=AnswerLinkAnswer.choices, blank=True
    )
    revoked_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    objects = HouseholdAnswerLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("answer link")
        verbose_name_plural = _("answer links")

    def __str__(self) -> str:
        return f"{self.match_id}: {self.created_at:%Y-%m-%d %H:%M}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def is_usable(self, now=None) -> bool:
        """The link itself still works (the match's state is checked by the services)."""
        return self.used_at is None and self.revoked_at is None and not self.is_expired(now)
