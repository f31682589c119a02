"""Acceptance: a mail server outage delays messages; it never loses or doubles one."""

from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import outbox_sweep

from .conftest import make_email

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

COUNT = 200


def test_it_delivers_every_message_exactly_once_after_a_mail_server_outage(smtp_server):
    smtp_server.stop()
    for n in range(COUNT):
        make_email(n)

    outage = outbox_sweep()

    assert outage == {"sent": 0, "retrying": COUNT, "failed": 0, "skipped": 0}
    swept_at = timezone.now()
    messages = OutboxMessage.objects.all()
    assert {m.status for m in messages} == {OutboxMessage.Status.QUEUED}
    assert {m.attempts for m in messages} == {1}
    assert all(m.next_attempt_at > swept_at for m in messages)
    assert all(m.last_error for m in messages)
    # Nothing is due again before the backoff has passed.
    assert outbox_sweep(now=swept_at)["retrying"] == 0

    smtp_server.start()
    now = swept_at
    for _ in range(5):  # bounded: one sweep should do, a few more prove nothing is left over
        now += timedelta(seconds=settings.OUTBOX_BACKOFF_BASE_SECONDS + 1)
        if not OutboxMessage.objects.due(now).exists():
            break
        outbox_sweep(now=now)

    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert len(smtp_server.messages) == COUNT
    assert len(received) == COUNT
    assert max(received.values()) == 1
    expected_ids = {
        f"<{key}@accueil.example>"
        for key in OutboxMessage.objects.values_list("idempotency_key", flat=True)
    }
    assert set(received) == expected_ids
    assert {message["To"] for message in smtp_server.messages} == {
        f"person{n}@example.org" for n in range(COUNT)
    }
    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboxMessage.Status.SENT: COUNT}
    assert not OutboxMessage.objects.exclude(last_error="").exists()
