"""SMS through HttpProviderBackend to a real HTTP server on loopback that misbehaves."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import outbox_sweep

from .conftest import SmsProvider, free_port, make_sms

pytestmark = pytest.mark.django_db

NOTHING = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}


def test_it_retries_a_failing_provider_with_exponential_backoff(sms_provider):
    sms_provider.answer(500, 500, 500)
    base = timedelta(seconds=settings.OUTBOX_BACKOFF_BASE_SECONDS)
    message = make_sms(body_text="Votre groupe vous attend jeudi.", language="fr")
    now = timezone.now()

    waits = []
    for attempt in (1, 2, 3):
        assert outbox_sweep(now=now) == {**NOTHING, "retrying": 1}
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboxMessage.Status.QUEUED, attempt)
        assert message.last_error == "provider answered HTTP 500"
        waits.append(message.next_attempt_at - now)
        # A sweep a second before the next attempt is due leaves the message alone.
        assert outbox_sweep(now=message.next_attempt_at - timedelta(seconds=1)) == NOTHING
        assert sms_provider.posts == attempt
        now = message.next_attempt_at

    assert waits == [base, 2 * base, 4 * base]
    assert outbox_sweep(now=now) == {**NOTHING, "sent": 1}
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.provider_message_id == "SM123"
    assert message.attempts == 4
    assert message.last_error == ""
    assert sms_provider.posts == 4


def test_it_sends_credentials_an_idempotency_key_and_the_form(sms_provider):
    sms_provider.answer(500)
    message = make_sms(to="+15550109999", body_text="Bonjour", idempotency_key="reminder-7")
    now = timezone.now()
    outbox_sweep(now=now)
    outbox_sweep(now=now + timedelta(hours=1))

    assert sms_provider.posts == 2
    for request in sms_provider.requests:
        assert request["path"] == "/Messages.json"
        assert request["headers"]["authorization"] == SmsProvider.expected_authorization()
        # The same key on every attempt lets the provider drop a duplicate.
        assert request["headers"]["idempotency-key"] == "reminder-7"
        assert request["form"] == {"To": "+15550109999", "From": "+15550100000", "Body": "Bonjour"}
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_it_gives_up_at_once_when_the_provider_rejects_the_message(sms_provider):
    sms_provider.answer(400)
    message = make_sms()

    assert outbox_sweep() == {**NOTHING, "failed": 1}

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.FAILED, 1)
    assert message.last_error == "provider answered HTTP 400"
    assert AuditEntry.objects.for_record(message).filter(code="message.failed").count() == 1
    # A failed message is never tried again by a sweep, however late.
    assert outbox_sweep(now=timezone.now() + timedelta(days=30)) == NOTHING
    assert sms_provider.posts == 1


@pytest.mark.parametrize("status", [408, 429, 502, 503])
def test_it_retries_answers_that_mean_try_again_later(sms_provider, status):
    sms_provider.answer(status)
    message = make_sms()

    assert outbox_sweep() == {**NOTHING, "retrying": 1}

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED


def test_it_fails_after_the_last_allowed_attempt(sms_provider, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    sms_provider.answer(*[500] * 10)
    message = make_sms()
    now = timezone.now()

    outcomes = []
    for _ in range(3):
        counts = outbox_sweep(now=now)
        outcomes.append("failed" if counts["failed"] else "retrying")
        now += timedelta(hours=7)  # past the longest backoff

    assert outcomes == ["retrying", "retrying", "failed"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.FAILED, 3)
    assert AuditEntry.objects.for_record(message).filter(code="message.failed").count() == 1
    assert outbox_sweep(now=now) == NOTHING
    assert sms_provider.posts == 3


def test_it_retries_when_the_provider_cannot_be_reached(settings):
    settings.SMS_BACKEND = "accueil.messaging.channels.sms.HttpProviderBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{free_port()}/Messages.json"  # nobody listens
    message = make_sms()

    assert outbox_sweep() == {**NOTHING, "retrying": 1}

    message.refresh_from_db()
    assert message.last_error.startswith("provider unreachable")
