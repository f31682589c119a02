from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

# Backends that print or keep messages instead of delivering them.
NON_DELIVERING = ("console", "locmem", "filebased", "dummy")


@register(deploy=True)
def production_settings(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    errors = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        errors.append(
            Error("Production runs on PostgreSQL: set DATABASE_URL=postgres://…", id="accueil.E001")
        )
    if any(word in settings.EMAIL_BACKEND for word in NON_DELIVERING):
        errors.append(
            Error(
                f"EMAIL_BACKEND={settings.EMAIL_BACKEND} does not deliver mail (and may print it).",
                hint="Use django.core.mail.backends.smtp.EmailBackend or an anymail backend.",
                id="accueil.E002",
            )
        )
    if settings.SMS_BACKEND.rsplit(".", 1)[-1] in ("ConsoleBackend", "FileBackend"):
        errors.append(
            Error(
                f"SMS_BACKEND={settings.SMS_BACKEND} does not deliver text messages.",
                hint="Use accueil.messaging.channels.sms.HttpProviderBackend.",
                id="accueil.E003",
            )
        )
    site = urlsplit(settings.SITE_URL)
    if site.scheme != "https" or site.hostname in ("127.0.0.1", "localhost", None):
        errors.append(
            Error(
                f"SITE_URL={settings.SITE_URL} is not the public https address; links in mail would not work.",
                id="accueil.E004",
            )
        )
    if not settings.MFA_REQUIRED_ROLES:
        errors.append(
            Error(
                "MFA_REQUIRED_ROLES is empty: staff would not need two-step verification.",
                id="accueil.E005",
            )
        )
    return errors
