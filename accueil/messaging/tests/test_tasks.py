"""The background tasks: a worker needs nothing but the id to deliver a message."""

import pytest
from django_tasks_db.models import DBTaskResult

from accueil.messaging.models import OutboxMessage
from accueil.messaging.tasks import deliver_message, sweep_outbox

from .conftest import make_sms

pytestmark = pytest.mark.django_db


def test_it_delivers_a_message_from_the_stored_task_arguments(
    sms_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = make_sms()
    task_row = DBTaskResult.objects.get()

    # What a worker does with the row: import the task, call it with the stored arguments.
    outcome = task_row.task.call(*task_row.args_kwargs["args"], **task_row.args_kwargs["kwargs"])

    assert outcome == "sent"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert deliver_message.call(message.pk) is None  # a second run does nothing


def test_it_sweeps_and_reports_counts(sms_files):
    make_sms(1)
    make_sms(2)

    assert sweep_outbox.call() == {"sent": 2, "retrying": 0, "failed": 0, "skipped": 0}
