from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_totp is for demo and development data only.")
        totp = Authenticator.objects.filter(
            user__email__iexact=email, type=Authenticator.Type.TOTP
        ).first()
        if totp is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        secret = get_adapter().decrypt(totp.data["secret"])
        counter = next(iter(yield_hotp_counters_from_time()))
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
