import smtplib
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText

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
    for attachment in message.attachments:
        email.attach(_mime_part(attachment))
    try:
        sent = email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _reply in exc.recipients.values()]
        # 4xx refusals (greylisting, a full mailbox) are temporary: only 5xx is final.
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        raise DeliveryError(f"recipient refused: {codes}", permanent=permanent) from exc
    except (smtplib.SMTPException, OSError) as exc:  # OSError covers refused and timed out
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if not sent:
        # Django's backends skip a message without recipients and report 0 sent: that is
        # a message nobody will receive, not a sent one.
        raise DeliveryError("no recipient address", permanent=True)
    return message_id


def _mime_part(attachment) -> MIMEBase:
    """A MIME part for one attachment, keeping parameters of the content type that Django's
    ``attach(filename, content, mimetype)`` would drop: an invitation must go out as
    ``text/calendar; method=REQUEST`` (or CANCEL) for mail clients to offer accept/decline."""
    maintype, _slash, rest = attachment.content_type.partition("/")
    subtype, *params = [part.strip() for part in rest.split(";")]
    if maintype == "text":
        text = attachment.content.decode("utf-8")
        part = MIMEText(text, subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment.content)
        encoders.encode_base64(part)
    for param in params:
        name, _eq, value = param.partition("=")
        if name.strip():
            part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part
