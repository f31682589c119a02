"""outbox_sweep: picks up whatever is due, including messages a dead worker left behind."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.messaging.channels.base import DeliveryError
from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import LEASE, outbox_deliver, outbox_sweep

from .conftest import make_sms

pytestmark = pytest.mark.django_db

NOTHING = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}


class DyingWorkerBackend:
    """The worker process is killed mid-send: nothing records an outcome."""

    def send(self, message):
        raise SystemExit("worker killed")


def test_it_picks_up_a_message_stuck_in_sending_after_its_lease(sms_files, settings):
    settings.SMS_BACKEND = f"{__name__}.DyingWorkerBackend"
    message = make_sms()
    started = timezone.now()
    with pytest.raises(SystemExit):
        outbox_deliver(message.pk, now=started)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENDING
    assert message.lease_expires_at == started + LEASE

    settings.SMS_BACKEND = "accueil.messaging.channels.sms.FileBackend"
    # While the lease holds, the worker may still be sending: leave it alone.
    assert outbox_sweep(now=started + LEASE - timedelta(seconds=1)) == NOTHING
    assert outbox_sweep(now=started + LEASE) == {**NOTHING, "sent": 1}

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 2)
    assert message.lease_expires_at is None
    assert len(list(sms_files.iterdir())) == 1


def test_it_sends_the_oldest_due_messages_first_up_to_the_limit(sms_files):
    now = timezone.now()
    messages = [make_sms(n) for n in range(3)]
    for age, message in zip([1, 3, 2], messages, strict=True):
        OutboxMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=now - timedelta(minutes=age)
        )

    assert outbox_sweep(now=now, limit=2) == {**NOTHING, "sent": 2}

    sent = set(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).values_list("pk", flat=True)
    )
    assert sent == {messages[1].pk, messages[2].pk}
    assert outbox_sweep(now=now) == {**NOTHING, "sent": 1}


def test_it_leaves_sent_failed_and_cancelled_messages_alone(sms_files):
    for n, status in enumerate(
        [OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED, OutboxMessage.Status.CANCELLED]
    ):
        message = make_sms(n)
        OutboxMessage.objects.filter(pk=message.pk).update(status=status)

    assert outbox_sweep(now=timezone.now() + timedelta(days=1)) == NOTHING
    assert not sms_files.exists()


def test_it_reads_the_clock_for_each_delivery_when_no_time_is_given(settings, db):
    settings.SMS_BACKEND = f"{__name__}.SlowFailingBackend"
    SlowFailingBackend.finished.clear()
    first, second = make_sms(1), make_sms(2)

    outbox_sweep()

    # The second message was claimed after the first send ended: its retry time counts from
    # then, not from when the sweep started (a long sweep would hand out times already past).
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.next_attempt_at >= SlowFailingBackend.finished[0] + second.backoff()


class SlowFailingBackend:
    finished = []

    def send(self, message):
        time.sleep(0.1)
        self.finished.append(timezone.now())
        raise DeliveryError("provider answered HTTP 503")
