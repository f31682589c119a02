from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load realistic demo data (idempotent). Each app that has demo data defines "
        "seed_demo() on its AppConfig; they run in INSTALLED_APPS order."
    )

    def handle(self, *args, **options):
        summaries = []
        for config in apps.get_app_configs():
            seeder = getattr(config, "seed_demo", None)
            if seeder is not None:
                summary = seeder()
                if summary:
                    summaries.append(summary)
        # The login table last, where a newcomer looks first.
        for summary in reversed(summaries):
            self.stdout.write(summary)
