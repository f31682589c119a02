"""Every messaging endpoint, requested by every persona (the list is covered in
accounts/tests/test_permissions.py)."""

import pytest
from django.urls import reverse

from accueil.conftest import MANAGERS, assert_personas
from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage

from .conftest import make_sms

pytestmark = pytest.mark.django_db


def test_it_lets_managers_and_admins_only_retry_a_failed_message(personas):
    message = make_sms()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED)

    # The first allowed persona retries it; the second is told it is no longer failed.
    assert_personas(
        personas, reverse("outbox_retry", args=[message.pk]), MANAGERS, method="post", ok=(302,)
    )

    retried_by = AuditEntry.objects.for_record(message).filter(code="message.retried")
    assert [entry.actor for entry in retried_by] == [personas.admin]
