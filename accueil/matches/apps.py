from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchesConfig(AppConfig):
    name = "accueil.matches"
    label = "matches"
    verbose_name = _("Matches")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import permissions  # noqa: F401 - registers rules
        from .models import Match

        auditlog.register(Match, exclude_fields=["updated_at"], mask_fields=["override_reason"])
