from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "accueil.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import checks, permissions  # noqa: F401 - system checks and rules
