"""The "Try again" button on a failed message."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage

from .conftest import make_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_message(db):
    message = make_sms()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=8, last_error="provider answered HTTP 503"
    )
    return message


def test_it_requeues_a_failed_message(personas, failed_message, django_capture_on_commit_callbacks):
    client = personas.client_for("manager")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox_retry", args=[failed_message.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("outbox_failed")
    failed_message.refresh_from_db()
    assert (failed_message.status, failed_message.attempts) == (OutboxMessage.Status.QUEUED, 0)
    entry = AuditEntry.objects.for_record(failed_message).get(code="message.retried")
    assert entry.actor == personas.manager
    assert DBTaskResult.objects.get().args_kwargs == {"args": [failed_message.pk], "kwargs": {}}
    [notice] = get_messages(response.wsgi_request)
    assert f"#{failed_message.pk}" in str(notice)


def test_it_retries_once_when_the_button_is_pressed_twice(personas, failed_message):
    client = personas.client_for("admin")
    url = reverse("outbox_retry", args=[failed_message.pk])

    client.post(url)
    response = client.post(url)

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        "This message is no longer failed."
    )
    assert AuditEntry.objects.for_record(failed_message).filter(code="message.retried").count() == 1


def test_it_refuses_a_get(personas, failed_message):
    response = personas.client_for("manager").get(reverse("outbox_retry", args=[failed_message.pk]))

    assert response.status_code == 405
    failed_message.refresh_from_db()
    assert failed_message.status == OutboxMessage.Status.FAILED


def test_it_hides_a_missing_message_like_a_forbidden_one(personas):
    response = personas.client_for("manager").post(reverse("outbox_retry", args=[987654]))

    assert response.status_code == 404
