"""The failed-messages queue for managers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accueil.factories import UserFactory
from accueil.messaging.models import OutboxMessage

from .conftest import make_email, make_sms

pytestmark = pytest.mark.django_db


def make_failed(count: int, *, start: int = 0):
    for n in range(start, start + count):
        recipient = UserFactory(mfa=False) if n % 2 else None
        message = make_sms(n, recipient=recipient) if n % 3 else make_email(n, recipient=recipient)
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.FAILED,
            attempts=8,
            last_error="provider answered HTTP 400",
        )


def test_it_lists_failed_messages_only(personas):
    make_failed(2)
    queued = make_sms(99)
    client = personas.client_for("manager")

    response = client.get(reverse("outbox_failed"))

    assert response.status_code == 200
    listed = [message.pk for message in response.context["page"].object_list]
    assert sorted(listed) == sorted(OutboxMessage.objects.failed().values_list("pk", flat=True))
    assert queued.pk not in listed
    assert response.context["counts"] == {"queued": 1, "failed": 2}
    assert "provider answered HTTP 400" in response.content.decode()
    assert reverse("outbox_retry", args=[listed[0]]) in response.content.decode()


def test_it_says_so_when_nothing_failed(personas):
    response = personas.client_for("admin").get(reverse("outbox_failed"))

    assert list(response.context["page"].object_list) == []
    assert response.context["counts"]["failed"] == 0


def test_it_runs_the_same_number_of_queries_for_2_or_20_failed_messages(personas):
    client = personas.client_for("manager")
    client.get(reverse("outbox_failed"))  # warm caches (content types, session)

    make_failed(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("outbox_failed")).status_code == 200
    make_failed(18, start=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("outbox_failed"))

    assert response.context["counts"]["failed"] == 20
    assert len(response.context["page"].object_list) == 20
    assert len(many) == len(few), "\n".join(query["sql"] for query in many.captured_queries)
