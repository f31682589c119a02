from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "accueil.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from . import permissions, receivers  # noqa: F401 - registers rules and receivers
        from .views import staff_panels  # noqa: F401 - the match page's surveys panel

        post_migrate.connect(_sync_instruments, sender=self)

    def seed_demo(self) -> str:
        from .demo import seed

        return seed()


def _sync_instruments(sender, using="default", **kwargs) -> None:
    """Shipped instrument files are loaded after every migrate, so a new version of a file
    reaches the database with the deploy that brings it."""
    from .services_instruments import instruments_sync

    instruments_sync(using=using)
