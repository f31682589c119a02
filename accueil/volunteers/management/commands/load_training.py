from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accueil.volunteers.training.loader import MODULES_DIR, TrainingDataError, load_training


class Command(BaseCommand):
    help = (
        "Load the training modules kept in the repository (accueil/volunteers/training/modules) "
        "into the database. Safe to run again: modules are updated by slug."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=MODULES_DIR,
            help="A folder of module folders (default: the modules shipped with Accueil).",
        )

    def handle(self, *args, directory: Path, verbosity: int = 1, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        try:
            report = load_training(directory)
        except TrainingDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity < 1:
            return
        for label, slugs in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ):
            if slugs:
                self.stdout.write(f"{label}: {', '.join(slugs)}")
        self.stdout.write(self.style.SUCCESS("Training modules loaded."))
