from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def production_settings(app_configs, **kwargs):
    errors = []
    if settings.PRODUCTION and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        errors.append(
            Error(
                "Production runs on PostgreSQL: set DATABASE_URL=postgres://…",
                id="accueil.E001",
            )
        )
    if settings.PRODUCTION and "locmem" in settings.EMAIL_BACKEND:
        errors.append(Error("Production needs a real EMAIL_BACKEND.", id="accueil.E002"))
    return errors
