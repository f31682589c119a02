"""outbox_enqueue_email / outbox_enqueue_sms: a row first, a delivery task after commit."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accueil.messaging.models import Channel, OutboxMessage
from accueil.messaging.services import _enqueue, outbox_deliver

from .conftest import make_email, make_sms

pytestmark = pytest.mark.django_db


def test_it_queues_one_row_per_idempotency_key(django_capture_on_commit_callbacks):
    fields = {
        "channel": Channel.SMS,
        "to_address": "+15550100001",
        "body_text": "Rappel : rencontre jeudi.",
        "language": "fr",
        "template": "test.reminder",
        "idempotency_key": "match-12-reminder-2026-12-03",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        first = _enqueue(**fields)
        second = _enqueue(**fields)

    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(callbacks) == 1  # one delivery task, not two


def test_it_gives_each_message_without_key_its_own_row(db):
    make_sms(1)
    make_sms(1)

    assert OutboxMessage.objects.count() == 2
    assert len(set(OutboxMessage.objects.values_list("idempotency_key", flat=True))) == 2


def test_it_enqueues_a_task_carrying_only_the_message_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = make_email(to="private.person@example.org", subject="Confidential subject")

    task_row = DBTaskResult.objects.get()
    assert task_row.task_path == "accueil.messaging.tasks.deliver_message"
    assert task_row.queue_name == "outbox"
    assert task_row.args_kwargs == {"args": [message.pk], "kwargs": {}}
    stored = json.dumps(task_row.args_kwargs)
    assert "private.person" not in stored
    assert "Confidential" not in stored


def test_it_enqueues_no_task_until_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        make_sms()
        assert not DBTaskResult.objects.exists()

    assert len(callbacks) == 1


def test_it_keeps_addresses_and_bodies_encrypted_at_rest(db):
    from django.db import connection

    message = make_email(to="amina@example.org", body_text="Rendez-vous jeudi")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_address, body_text FROM messaging_outboxmessage WHERE id = %s",
            [message.pk],
        )
        to_address, body_text = cursor.fetchone()
    assert "amina" not in to_address
    assert "Rendez-vous" not in body_text
    message.refresh_from_db()
    assert message.to_address == "amina@example.org"


def test_it_holds_an_sms_back_until_not_before(db):
    later = timezone.now() + timedelta(hours=9)
    message = make_sms(not_before=later)

    assert message.next_attempt_at == later
    assert outbox_deliver(message.pk) is None  # not due: the sweep sends it at 8 am
    assert OutboxMessage.objects.due(later).filter(pk=message.pk).exists()
