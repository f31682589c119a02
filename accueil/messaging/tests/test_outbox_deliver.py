"""outbox_deliver: one claim per attempt, whatever the number of workers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.messaging.channels.base import DeliveryError
from accueil.messaging.channels.sms import FileBackend
from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import LEASE, outbox_deliver

from .conftest import make_sms

pytestmark = pytest.mark.django_db

# Backends below stand for a second worker that gets the same message while the first one is
# still sending; they record what that worker got.
second_worker_outcomes = []


class SecondWorkerDuringSendBackend(FileBackend):
    def send(self, message):
        second_worker_outcomes.append(outbox_deliver(message.pk))
        return super().send(message)


class SlowFailingWorkerBackend(FileBackend):
    """The first worker outlives its lease and then fails; meanwhile a second one sends."""

    sends = 0

    def send(self, message):
        type(self).sends += 1
        if type(self).sends == 1:
            after_lease = timezone.now() + LEASE + timedelta(seconds=1)
            second_worker_outcomes.append(outbox_deliver(message.pk, now=after_lease))
            raise DeliveryError("connection reset after a long wait")
        return super().send(message)


class SlowSucceedingWorkerBackend(FileBackend):
    """The first worker outlives its lease and then succeeds; the second one failed."""

    sends = 0

    def send(self, message):
        type(self).sends += 1
        if type(self).sends == 2:
            raise DeliveryError("provider answered HTTP 503")
        if type(self).sends == 1:
            after_lease = timezone.now() + LEASE + timedelta(seconds=1)
            second_worker_outcomes.append(outbox_deliver(message.pk, now=after_lease))
        return super().send(message)


class CrashingBackend:
    def send(self, message):
        raise KeyError("a bug in a backend")


@pytest.fixture(autouse=True)
def _clear_outcomes():
    second_worker_outcomes.clear()
    SlowFailingWorkerBackend.sends = 0
    SlowSucceedingWorkerBackend.sends = 0


def test_it_sends_a_message_once_when_delivered_twice(sms_files):
    message = make_sms()

    assert outbox_deliver(message.pk) == OutboxMessage.Status.SENT
    assert outbox_deliver(message.pk) is None

    assert len(list(sms_files.iterdir())) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)


def test_it_lets_no_second_worker_claim_a_message_being_sent(sms_files, settings):
    settings.SMS_BACKEND = f"{__name__}.SecondWorkerDuringSendBackend"
    message = make_sms()

    assert outbox_deliver(message.pk) == OutboxMessage.Status.SENT

    assert second_worker_outcomes == [None]
    assert len(list(sms_files.iterdir())) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_it_does_not_requeue_a_message_another_worker_sent_after_the_lease(sms_files, settings):
    settings.SMS_BACKEND = f"{__name__}.SlowFailingWorkerBackend"
    message = make_sms()

    # The slow worker's failure comes too late to count: the message is already sent.
    assert outbox_deliver(message.pk) is None

    assert second_worker_outcomes == [OutboxMessage.Status.SENT]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert outbox_deliver(message.pk, now=timezone.now() + timedelta(days=1)) is None
    assert len(list(sms_files.iterdir())) == 1


def test_it_does_not_resend_a_message_a_late_worker_sent_after_all(sms_files, settings):
    settings.SMS_BACKEND = f"{__name__}.SlowSucceedingWorkerBackend"
    message = make_sms()

    assert outbox_deliver(message.pk) == OutboxMessage.Status.SENT

    # The second worker had put it back in the queue; the late success takes it out again.
    assert second_worker_outcomes == [OutboxMessage.Status.QUEUED]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert outbox_deliver(message.pk, now=timezone.now() + timedelta(days=1)) is None
    assert len(list(sms_files.iterdir())) == 1


def test_it_does_not_claim_a_message_before_it_is_due(sms_files):
    message = make_sms()
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=1)
    )

    assert outbox_deliver(message.pk) is None

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.QUEUED, 0)


def test_it_requeues_a_message_whose_backend_crashed(settings):
    settings.SMS_BACKEND = f"{__name__}.CrashingBackend"
    message = make_sms()

    assert outbox_deliver(message.pk) == OutboxMessage.Status.QUEUED

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.lease_expires_at is None
    assert message.last_error == "KeyError: 'a bug in a backend'"


def test_it_ignores_a_message_that_does_not_exist(db):
    assert outbox_deliver(987654) is None
