from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accueil.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import permissions, receivers  # noqa: F401 - rules and audit receivers
        from .models import Invitation, Organisation, Program, Region, User

        # Field changes are diffed by auditlog; contact fields are masked so the trail keeps
        # a reference to the person and the fact of a change, not a copy of their details.
        auditlog.register(
            User,
            exclude_fields=["password", "last_login", "updated_at"],
            mask_fields=["email", "full_name", "preferred_name"],
        )
        auditlog.register(Organisation)
        auditlog.register(Program)
        auditlog.register(Region)
        auditlog.register(
            Invitation, exclude_fields=["token_hash"], mask_fields=["email", "full_name"]
        )

    def seed_demo(self) -> str:
        from .demo import seed

        return seed()
