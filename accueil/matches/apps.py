from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchesConfig(AppConfig):
    name = "accueil.matches"
    label = "matches"
    verbose_name = _("Matches")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import permissions  # noqa: F401 - registers rules

        # The parts of a match's pages register their panels (see panels.py), in page order.
        parts = ("meetings", "activity", "checkins", "incidents", "closing")
        for part in parts:
            import_module(f"{self.name}.panels_{part}")
        from .models import Match

        auditlog.register(Match, exclude_fields=["updated_at"], mask_fields=["override_reason"])

    def seed_demo(self) -> str:
        from .demo import seed

        return seed()
