"""Demo organisations, programs, regions and people. Idempotent: a second run changes nothing.

Called by ``manage.py seed_demo`` through AccountsConfig.seed_demo; returns the login table.
"""

import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.db import transaction

from accueil.accounts.models import Organisation, Program, Region, Role, User
from accueil.env import read_or_create_key

DEMO_DOMAIN = "demo.accueil.example"

REGIONS = [("Toronto", "ON"), ("Peel", "ON"), ("Ottawa", "ON")]

PROGRAMS = [
    {
        "name": "Welcome Groups for government-assisted refugees",
        "short_name": "GAR Welcome Groups",
        "description": "Groups of three to five trained volunteers support a newly arrived "
        "government-assisted refugee household for six months, mostly by phone and video.",
        "regions": ["Toronto", "Peel", "Ottawa"],
    },
    {
        "name": "Welcome Groups for refugee claimants",
        "short_name": "Claimant Welcome Groups",
        "description": "Remote social support for refugee claimants waiting for their hearing, "
        "who often cannot use federally funded settlement services.",
        "regions": ["Toronto", "Peel"],
    },
]

HOST = "Welcome Collective (demo)"
PARTNERS = ["Northside Settlement Services (demo)", "Lakeshore Refugee Health Clinic (demo)"]

# (email local part, full name, preferred name, role, organisation, language, programs)
STAFF = [
    ("admin", "Nadia Rahimi", "Nadia", Role.ADMIN, HOST, "en", "all"),
    ("manager", "Marc-André Tremblay", "Marc-André", Role.PROGRAM_MANAGER, HOST, "fr", "all"),
    ("coordinator", "Amina Haddad", "Amina", Role.COORDINATOR, HOST, "en", ["GAR Welcome Groups"]),
    (
        "coordinator2",
        "Daniel Okafor",
        "Daniel",
        Role.COORDINATOR,
        HOST,
        "en",
        ["Claimant Welcome Groups"],
    ),
    ("partner", "Lucía Fernández", "Lucía", Role.PARTNER_REFERRER, PARTNERS[0], "es", []),
    ("partner2", "Samir Abdi", "Samir", Role.PARTNER_REFERRER, PARTNERS[1], "en", []),
]
MEMBERS = [
    ("volunteer", "Claire Dubois", "Claire", Role.VOLUNTEER, HOST, "fr", ["GAR Welcome Groups"]),
    ("interpreter", "Yonas Tesfaye", "Yonas", Role.INTERPRETER, HOST, "en", "all"),
]


def seed() -> str:
    return _Seeder().run()


class _Seeder:
    def run(self) -> str:
        password = read_or_create_key(
            settings.VAR_DIR / "demo_password", lambda: "welcome-" + secrets.token_hex(4)
        )
        with transaction.atomic():
            regions = {
                name: Region.objects.get_or_create(name=name, defaults={"province": p})[0]
                for name, p in REGIONS
            }
            programs = {}
            for spec in PROGRAMS:
                program, created = Program.objects.get_or_create(
                    name=spec["name"],
                    defaults={"short_name": spec["short_name"], "description": spec["description"]},
                )
                if created:
                    program.regions.set([regions[r] for r in spec["regions"]])
                programs[spec["short_name"]] = program
            orgs = {
                HOST: Organisation.objects.get_or_create(
                    name=HOST, defaults={"kind": Organisation.Kind.HOST}
                )[0]
            }
            for name in PARTNERS:
                orgs[name] = Organisation.objects.get_or_create(
                    name=name, defaults={"kind": Organisation.Kind.PARTNER}
                )[0]

            logins = []
            for spec in STAFF + MEMBERS:
                user = self._person(spec, orgs, programs, password)
                logins.append(user)

        return self._login_table(logins, password)

    def _person(self, spec, orgs, programs, password):
        local, full_name, preferred, role, org, language, program_names = spec
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                password,
                full_name=full_name,
                preferred_name=preferred,
                role=role,
                organisation=orgs[org],
                language=language,
            )
            chosen = (
                programs.values()
                if program_names == "all"
                else [programs[n] for n in program_names]
            )
            user.programs.set(chosen)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if user.needs_mfa:
                TOTP.activate(user, generate_totp_secret())
                RecoveryCodes.activate(user)
        return user

    def _login_table(self, users, password) -> str:
        from allauth.mfa.adapter import get_adapter

        lines = [
            "",
            "Demo logins — every account's password: " + password,
            "Staff need a second step: add the TOTP secret to an authenticator app, or run",
            "  .venv/bin/python manage.py demo_totp EMAIL   (prints the current 6-digit code)",
            "or use the recovery code once.",
            "",
            f"{'role':<18} {'email':<36} {'TOTP secret':<34} recovery code",
        ]
        for user in users:
            secret = recovery = "-"  # noqa: S105 - a placeholder for "none"
            totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            if totp:
                secret = get_adapter().decrypt(totp.data["secret"])
            codes = Authenticator.objects.filter(
                user=user, type=Authenticator.Type.RECOVERY_CODES
            ).first()
            if codes:
                unused = RecoveryCodes(codes).get_unused_codes()
                recovery = unused[0] if unused else "(all used)"
            lines.append(
                f"{user.get_role_display()!s:<18} {user.email:<36} {secret:<34} {recovery}"
            )
        lines.append("")
        return "\n".join(lines)
