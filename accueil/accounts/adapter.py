"""allauth and axes integration: closed sign-up, mail through the outbox, encrypted TOTP secrets."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils import translation

from accueil.core.fields import decrypt, encrypt


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # The same address everywhere (rate limits, lockouts, audit): see core.client_ip.
        from accueil.core.client_ip import client_ip

        return client_ip(request) or "unknown"

    def is_open_for_signup(self, request) -> bool:
        # People join by invitation (and, for volunteers, through the public application).
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's mail in the recipient's language and queue it in the outbox."""
        from allauth.core import context as allauth_context

        from accueil.messaging.services import outbox_enqueue_email

        from .models import User

        recipient = User.objects.filter(email__iexact=email).first()
        language = recipient.language if recipient else translation.get_language()
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": None}
        ctx.update(context)
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        outbox_enqueue_email(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            language=language,
            template=template_prefix.rsplit("/", 1)[-1],
            recipient=recipient,
        )


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)


def axes_username(request, credentials) -> str | None:
    """Axes keys lockouts on the account; allauth posts the address as ``login``."""
    if credentials:
        for key in ("email", "login", "username"):
            if credentials.get(key):
                return str(credentials[key]).strip().lower()
    if request is not None and request.method == "POST":
        value = request.POST.get("login")
        return value.strip().lower() if value else None
    return None
