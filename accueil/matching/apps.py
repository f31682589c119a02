from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "accueil.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import features, permissions  # noqa: F401 - registers rules and cache receivers
        from .models import MatchingSettings, PairExclusion

        auditlog.register(MatchingSettings, exclude_fields=["updated_at"])
        auditlog.register(PairExclusion, exclude_fields=["updated_at"], mask_fields=["reason"])
