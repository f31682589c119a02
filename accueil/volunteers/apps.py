from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "accueil.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import permissions  # noqa: F401 - registers rules
        from .models import GroupMembership, ScreeningStep, Volunteer, WelcomeGroup
        from .services import (  # noqa: F401 - each registers its audit codes
            application,
            groups,
            reminders,
            screening,
            training,
        )

        auditlog.register(
            Volunteer,
            exclude_fields=["updated_at"],
            mask_fields=["phone", "motivation", "decline_reason"],
        )
        auditlog.register(ScreeningStep, exclude_fields=["updated_at"], mask_fields=["notes"])
        auditlog.register(WelcomeGroup, exclude_fields=["updated_at"])
        auditlog.register(GroupMembership, exclude_fields=["updated_at"])

    def seed_demo(self) -> str:
        from .demo import seed

        return seed()
