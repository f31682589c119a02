from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accueil.accounts.services import invitation_create_admin


class Command(BaseCommand):
    help = (
        "Invite an administrator (creating the host organisation on a new installation). "
        "The link is emailed through the outbox and printed here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="The administrator's full name.")
        parser.add_argument(
            "--organisation",
            default="",
            help="Name of the host organisation, if it does not exist yet.",
        )
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, choices=[c for c, _ in settings.LANGUAGES]
        )

    def handle(self, *args, email, name, organisation, language, **options):
        from accueil.accounts.models import Organisation

        if (
            not organisation
            and not Organisation.objects.filter(kind=Organisation.Kind.HOST).exists()
        ):
            raise CommandError(
                "There is no host organisation yet: give its name with --organisation."
            )
        try:
            link = invitation_create_admin(
                email=email, full_name=name, organisation_name=organisation, language=language
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Invitation sent to {email}. The link works once, for {settings.INVITATION_VALID_DAYS} days:"
        )
        self.stdout.write(link)
