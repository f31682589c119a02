import base64
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email (an invitation's ``.ics``)."""

    filename: str
    content_type: str
    content: bytes

    def to_json(self) -> dict:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Attachment":
        return cls(data["filename"], data["content_type"], base64.b64decode(data["content"]))


class OutboxQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_authenticated and user.has_perm("messaging.view_outbox"):
            return self
        return self.none()

    def due(self, now=None):
        """Messages a sweep should try now: queued and due, or stuck in sending past the lease."""
        now = now or timezone.now()
        return self.filter(
            Q(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=OutboxMessage.Status.SENDING, lease_expires_at__lte=now)
        )

    def failed(self):
        return self.filter(status=OutboxMessage.Status.FAILED)


class OutboxMessage(models.Model):
    """One message to one person, written in the same transaction as the action that caused it.

    A worker claims a row by a conditional UPDATE (only one worker can win it), sends, and
    records the outcome. A provider outage leaves rows queued with a later ``next_attempt_at``;
    nothing is lost. ``idempotency_key`` stops the same message being queued twice, and it is
    sent to providers (Message-ID for email) so a retried send can be recognised downstream.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    template = models.CharField(_("kind of message"), max_length=64)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    # Addresses and bodies are personal data: encrypted at rest.
    to_address = EncryptedTextField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    subject = EncryptedTextField(_("subject"), blank=True)
    body_text = EncryptedTextField(_("text"))
    body_html = EncryptedTextField(_("HTML"), blank=True)
    # A JSON list of Attachment.to_json(); encrypted like the bodies (an invitation names the
    # people invited and the meeting link).
    attachments_json = EncryptedTextField(_("attachments"), blank=True)
    idempotency_key = models.CharField(max_length=128, unique=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    @property
    def attachments(self) -> list[Attachment]:
        if not self.attachments_json:
            return []
        return [Attachment.from_json(item) for item in json.loads(self.attachments_json)]

    def backoff(self) -> timedelta:
        """Exponential backoff: base, twice base, four times base … capped at six hours."""
        base = settings.OUTBOX_BACKOFF_BASE_SECONDS
        return timedelta(seconds=min(base * 2 ** max(self.attempts - 1, 0), 6 * 3600))
