"""Attachments on outbox email: kept encrypted in the row, sent as MIME parts through a real SMTP
server on loopback."""

import pytest
from django.db import connection
from icalendar import Calendar

from accueil.messaging.models import Attachment, OutboxMessage
from accueil.messaging.services import outbox_deliver, outbox_enqueue_template_email

from .conftest import make_email

pytestmark = pytest.mark.django_db

ICS = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Accueil//Meetings//EN\r\n"
    "METHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:meeting-7@accueil.example\r\n"
    "SEQUENCE:0\r\n"
    "DTSTAMP:20261201T120000Z\r\n"
    "DTSTART:20261203T230000Z\r\n"
    "DTEND:20261204T000000Z\r\n"
    "SUMMARY:Première rencontre\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
).encode()


def invitation(method: str = "REQUEST") -> Attachment:
    return Attachment("invitation.ics", f"text/calendar; method={method}", ICS)


def test_it_sends_an_ics_as_a_calendar_attachment(smtp_server):
    message = make_email(attachments=[invitation()], idempotency_key="meeting-7-0-amina")

    assert outbox_deliver(message.pk) == OutboxMessage.Status.SENT

    [received] = smtp_server.messages
    [part] = list(received.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    calendar = Calendar.from_ical(part.get_content())
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "meeting-7@accueil.example"
    assert str(event["SUMMARY"]) == "Première rencontre"
    # The text body is still there, beside the attachment.
    assert received.get_body(("plain",)).get_content().strip() == "See you on Thursday at 6 pm."


def test_it_keeps_the_method_of_a_cancellation(smtp_server):
    message = make_email(attachments=[invitation("CANCEL")])

    outbox_deliver(message.pk)

    [received] = smtp_server.messages
    [part] = list(received.iter_attachments())
    assert part.get_param("method") == "CANCEL"


def test_it_sends_a_binary_attachment_unchanged(smtp_server):
    content = bytes(range(256))
    message = make_email(attachments=[Attachment("data.bin", "application/octet-stream", content)])

    outbox_deliver(message.pk)

    [received] = smtp_server.messages
    [part] = list(received.iter_attachments())
    assert part.get_content_type() == "application/octet-stream"
    assert part.get_content() == content


def test_it_stores_attachments_encrypted():
    message = make_email(attachments=[invitation()])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attachments_json FROM messaging_outboxmessage WHERE id = %s", [message.pk]
        )
        [stored] = cursor.fetchone()
    assert "invitation.ics" not in stored
    assert "VCALENDAR" not in stored
    assert OutboxMessage.objects.get(pk=message.pk).attachments == [invitation()]


def test_it_sends_no_attachment_when_none_was_given(smtp_server):
    message = make_email()

    outbox_deliver(message.pk)

    assert OutboxMessage.objects.get(pk=message.pk).attachments == []
    [received] = smtp_server.messages
    assert list(received.iter_attachments()) == []


def test_it_passes_attachments_through_a_template_email():
    message = outbox_enqueue_template_email(
        to="ana@example.org",
        template_name="volunteers/apply/email/resume_link",
        context={"name": "Ana", "link": "https://accueil.example.org/x/", "expires_at": None},
        subject="Hello",
        language="fr",
        template="test.invitation",
        attachments=[invitation()],
    )

    assert OutboxMessage.objects.get(pk=message.pk).attachments == [invitation()]
