import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .base import DeliveryError


def send(message) -> str:
    """Send one outbox row through Django's configured email backend; return its Message-ID."""
    # The Message-ID derives from the idempotency key: a retry after an unknown outcome carries
    # the same id, so mail systems and people can recognise a duplicate.
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "accueil.invalid"
    message_id = f"<{message.idempotency_key}@{domain}>"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"Message-ID": message_id, "Content-Language": message.language},
        connection=get_connection(fail_silently=False),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"recipient refused: {exc.recipients and list(exc.recipients.values())[0]}", permanent=True) from exc
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    return message_id
