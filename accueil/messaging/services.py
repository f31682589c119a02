"""The outbox: every email and SMS is a row first, then a delivery attempt.

Callers enqueue inside their own transaction; delivery starts after commit (a task) and a
periodic sweep picks up anything due, so a lost task, a crashed worker or a provider outage
only delays a message.
"""

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accueil.core import audit

from .channels import email as email_channel
from .channels import sms as sms_channel
from .channels.base import DeliveryError
from .models import Attachment, Channel, OutboxMessage

logger = logging.getLogger(__name__)

# How long a worker may hold a message before another may try it again.
LEASE = timedelta(minutes=5)


def _enqueue(**fields) -> OutboxMessage:
    key = fields.pop("idempotency_key", None) or uuid.uuid4().hex
    message, created = OutboxMessage.objects.get_or_create(idempotency_key=key, defaults=fields)
    if created:
        from .tasks import deliver_message

        transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def outbox_enqueue_email(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str,
    template: str,
    recipient=None,
    idempotency_key: str | None = None,
    attachments: Sequence[Attachment] = (),
    not_before=None,
) -> OutboxMessage:
    """``not_before`` holds the message back (quiet hours), as for text messages."""
    extra = {"next_attempt_at": not_before} if not_before is not None else {}
    return _enqueue(
        channel=Channel.EMAIL,
        to_address=to,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        attachments_json=json.dumps([a.to_json() for a in attachments]) if attachments else "",
        language=language,
        template=template,
        recipient=recipient,
        idempotency_key=idempotency_key,
        **extra,
    )


def outbox_enqueue_template_email(
    *,
    to: str,
    template_name: str,
    context: dict,
    subject,
    language: str,
    template: str,
    recipient=None,
    idempotency_key: str | None = None,
    attachments: Sequence[Attachment] = (),
    not_before=None,
) -> OutboxMessage:
    """Render ``<template_name>.txt`` (and ``.html`` when it exists) and the subject in the
    recipient's language, then queue the message. Every templated email goes through here."""
    with translation.override(language):
        body = render_to_string(f"{template_name}.txt", context).strip() + "\n"
        try:
            html = render_to_string(f"{template_name}.html", context)
        except TemplateDoesNotExist:
            html = ""
        subject = str(subject)
    return outbox_enqueue_email(
        to=to,
        subject=subject,
        body_text=body,
        body_html=html,
        language=language,
        template=template,
        recipient=recipient,
        idempotency_key=idempotency_key,
        attachments=attachments,
        not_before=not_before,
    )


def outbox_enqueue_sms(
    *,
    to: str,
    body_text: str,
    language: str,
    template: str,
    recipient=None,
    idempotency_key: str | None = None,
    not_before=None,
) -> OutboxMessage:
    """``not_before`` holds the message back (quiet hours): the delivery task finds it not yet
    due and the sweep sends it once that time has come."""
    extra = {"next_attempt_at": not_before} if not_before is not None else {}
    return _enqueue(
        channel=Channel.SMS,
        to_address=to,
        body_text=body_text,
        language=language,
        template=template,
        recipient=recipient,
        idempotency_key=idempotency_key,
        **extra,
    )


def _send(message: OutboxMessage) -> str:
    if message.channel == Channel.EMAIL:
        return email_channel.send(message)
    return sms_channel.get_backend().send(message)


def outbox_deliver(message_id: int, *, now=None) -> OutboxMessage.Status | None:
    """Try to send one message. Safe to call any number of times from any number of workers:
    the conditional UPDATE lets exactly one caller claim a due message.

    Returns the outcome, or None when there was nothing to claim or the claim was lost (the
    lease ran out and another worker recorded the outcome)."""
    now = now or timezone.now()
    claimed = (
        OutboxMessage.objects.due(now)
        .filter(pk=message_id)
        .update(
            status=OutboxMessage.Status.SENDING,
            lease_expires_at=now + LEASE,
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        provider_id = _send(message)
    except DeliveryError as exc:
        return _record_failure(message, str(exc), permanent=exc.permanent, now=now)
    except Exception as exc:  # a bug in a backend must not strand the row in "sending"
        logger.exception("outbox backend crashed", extra={"message_id": message.pk})
        return _record_failure(message, f"{type(exc).__name__}: {exc}", permanent=False, now=now)
    # A success is true even if our lease ran out meanwhile, and it stops a queued retry of
    # that other claim from sending again; it never rewrites a final outcome (sent, failed).
    OutboxMessage.objects.filter(
        pk=message.pk, status__in=[OutboxMessage.Status.SENDING, OutboxMessage.Status.QUEUED]
    ).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:128],
        last_error="",
        lease_expires_at=None,
    )
    logger.info("outbox sent", extra={"message_id": message.pk, "channel": message.channel})
    return OutboxMessage.Status.SENT


def _record_failure(
    message: OutboxMessage, error: str, *, permanent: bool, now
) -> OutboxMessage.Status | None:
    give_up = permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    status = OutboxMessage.Status.FAILED if give_up else OutboxMessage.Status.QUEUED
    with transaction.atomic():
        # Only while the claim is still ours (same attempt, still sending): after a lease
        # ran out, another worker may have sent the message meanwhile, and putting it
        # back in the queue would send it twice.
        recorded = OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.SENDING, attempts=message.attempts
        ).update(
            status=status,
            last_error=error[:2000],
            next_attempt_at=now + message.backoff(),
            lease_expires_at=None,
        )
        if recorded and give_up:
            audit.record("message.failed", actor=None, target=message)
    logger.warning(
        "outbox attempt failed",
        extra={
            "message_id": message.pk,
            "attempt": message.attempts,
            "gave_up": give_up,
            "stale": not recorded,
        },
    )
    return status if recorded else None


def outbox_sweep(*, now=None, limit: int = 500) -> dict[str, int]:
    """Deliver every due message (oldest first). Idempotent: run it as often as you like."""
    counts = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
    ids = list(
        OutboxMessage.objects.due(now or timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        # Each delivery reads the clock itself (unless a caller fixed ``now``): a long sweep
        # behind a slow provider would otherwise hand out leases and retry times that have
        # already passed, and another worker could claim the same message while it is sent.
        outcome = outbox_deliver(message_id, now=now)
        if outcome == OutboxMessage.Status.SENT:
            counts["sent"] += 1
        elif outcome == OutboxMessage.Status.QUEUED:
            counts["retrying"] += 1
        elif outcome == OutboxMessage.Status.FAILED:
            counts["failed"] += 1
        else:
            counts["skipped"] += 1
    return counts


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, by) -> OutboxMessage:
    """Put a failed message back in the queue now, with a fresh attempt budget."""
    # Conditional on the row still being failed, so a double click (or two managers) retries
    # once: one audit entry, one delivery task.
    now = timezone.now()
    requeued = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.FAILED
    ).update(status=OutboxMessage.Status.QUEUED, attempts=0, next_attempt_at=now)
    if not requeued:
        raise ValueError("Only failed messages can be retried")
    message.status = OutboxMessage.Status.QUEUED
    message.attempts = 0
    message.next_attempt_at = now
    audit.record("message.retried", actor=by, target=message)
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message
