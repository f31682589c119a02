"""Email through Django's SMTP backend to a real SMTP server on loopback."""

import pytest

from accueil.core.models import AuditEntry
from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import outbox_deliver

from .conftest import make_email

pytestmark = pytest.mark.django_db


def test_it_sends_with_a_message_id_derived_from_the_idempotency_key(smtp_server):
    message = make_email(
        to="amina@example.org",
        subject="Votre groupe d'accueil",
        body_text="Rendez-vous jeudi à 18 h.",
        body_html="<p>Rendez-vous jeudi à 18 h.</p>",
        language="fr",
        idempotency_key="meeting-42-amina",
    )

    assert outbox_deliver(message.pk) == OutboxMessage.Status.SENT

    [received] = smtp_server.messages
    assert received["Message-ID"] == "<meeting-42-amina@accueil.example>"
    assert received["To"] == "amina@example.org"
    assert received["Subject"] == "Votre groupe d'accueil"
    assert received["Content-Language"] == "fr"
    assert received.get_body(("plain",)).get_content().strip() == "Rendez-vous jeudi à 18 h."
    assert "<p>" in received.get_body(("html",)).get_content()
    message.refresh_from_db()
    assert message.provider_message_id == "<meeting-42-amina@accueil.example>"
    assert message.sent_at is not None


def test_it_keeps_a_temporarily_refused_recipient_in_the_queue(smtp_server):
    smtp_server.handler.rcpt_reply = "450 4.2.0 Mailbox busy, try again later"
    message = make_email()

    assert outbox_deliver(message.pk) == OutboxMessage.Status.QUEUED

    message.refresh_from_db()
    assert message.attempts == 1
    assert "450" in message.last_error
    assert smtp_server.messages == []


def test_it_gives_up_at_once_on_a_permanently_refused_recipient(smtp_server):
    smtp_server.handler.rcpt_reply = "550 5.1.1 No such user here"
    message = make_email()

    assert outbox_deliver(message.pk) == OutboxMessage.Status.FAILED

    message.refresh_from_db()
    assert message.attempts == 1
    assert "550" in message.last_error
    assert AuditEntry.objects.for_record(message).filter(code="message.failed").count() == 1


def test_it_does_not_count_a_message_without_address_as_sent(smtp_server):
    message = make_email(to="")

    assert outbox_deliver(message.pk) == OutboxMessage.Status.FAILED

    message.refresh_from_db()
    assert message.last_error == "no recipient address"
    assert smtp_server.messages == []


def test_it_retries_when_the_mail_server_is_down(smtp_server):
    smtp_server.stop()
    message = make_email()

    assert outbox_deliver(message.pk) == OutboxMessage.Status.QUEUED

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert "ConnectionRefusedError" in message.last_error
