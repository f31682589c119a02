"""outbox_retry: a failed message goes back in the queue with a fresh attempt budget."""

import pytest
from django_tasks_db.models import DBTaskResult

from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import outbox_retry, outbox_sweep

from .conftest import make_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_message(sms_provider):
    sms_provider.answer(400)
    message = make_sms()
    outbox_sweep()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    return message


def test_it_requeues_a_failed_message(
    failed_message, personas, sms_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(message=failed_message, by=personas.manager)

    failed_message.refresh_from_db()
    assert (failed_message.status, failed_message.attempts) == (OutboxMessage.Status.QUEUED, 0)
    entry = AuditEntry.objects.for_record(failed_message).get(code="message.retried")
    assert entry.actor == personas.manager
    assert DBTaskResult.objects.get().args_kwargs == {"args": [failed_message.pk], "kwargs": {}}

    assert outbox_sweep()["sent"] == 1
    failed_message.refresh_from_db()
    assert failed_message.provider_message_id == "SM123"


def test_it_retries_a_message_once_when_asked_twice(failed_message, personas):
    stale_copy = OutboxMessage.objects.get(pk=failed_message.pk)
    outbox_retry(message=failed_message, by=personas.manager)

    with pytest.raises(ValueError, match="Only failed messages"):
        outbox_retry(message=stale_copy, by=personas.admin)

    assert AuditEntry.objects.for_record(failed_message).filter(code="message.retried").count() == 1


def test_it_refuses_to_retry_a_message_that_was_not_failed(sms_files, personas):
    message = make_sms()

    with pytest.raises(ValueError, match="Only failed messages"):
        outbox_retry(message=message, by=personas.manager)

    assert not AuditEntry.objects.filter(code="message.retried").exists()
