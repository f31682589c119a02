"""Demo volunteers over every stage of the journey, and Welcome Groups (8 of 12 ready).

Idempotent: people are found by email and groups by name, so a second run changes nothing.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import transaction
from django.utils import timezone
from faker import Faker

from accueil.accounts.models import Organisation, Program, Region, Role, User
from accueil.core.taxonomy import SLOTS, IntegrationPriority
from accueil.env import read_or_create_key

from .models import (
    CodeOfConductSignature,
    GroupMembership,
    Reference,
    ScreeningStep,
    StepStatus,
    StepType,
    TrainingCompletion,
    TrainingModule,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
    WelcomeGroup,
)

DEMO_DOMAIN = "demo.accueil.example"
COUNT = 60
# Stage of each demo volunteer, in order: 38 approved or active, most of them in groups.
STAGES = (
    [VolunteerStatus.APPLIED] * 6
    + [VolunteerStatus.IN_SCREENING] * 10
    + [VolunteerStatus.APPROVED] * 32
    + [VolunteerStatus.ACTIVE] * 6
    + [VolunteerStatus.ON_HOLD] * 3
    + [VolunteerStatus.DECLINED] * 2
    + [VolunteerStatus.WITHDRAWN] * 1
)
LOCALES = ["en_CA", "fr_CA", "es_MX", "en_IN", "tl_PH", "pt_BR", "ar_AA", "it_IT"]
# Languages a Toronto volunteer pool offers besides English.
SECOND_LANGUAGES = ["fr", "ar", "es", "fa", "ti", "so", "uk", "ur", "tr", "sw", "prs", "am"]
HEARD = [
    "A friend",
    "Faith community",
    "University newsletter",
    "Instagram",
    "Settlement agency",
    "Library poster",
]
GROUP_NAMES = [
    "Parkdale Welcome Group",
    "Danforth Neighbours",
    "High Park Circle",
    "Scarborough Bridges",
    "Mississauga Friends",
    "Brampton Open Doors",
    "Ottawa Centretown Group",
    "Kanata Welcome",
    "Leslieville Supper Club",
    "North York Newcomer Pals",
    "Etobicoke Lakeshore Group",
    "Glebe Good Neighbours",
]
# Of the 12 groups, the last 4 are not ready, each for a different reason.
NOT_READY = {8: "short", 9: "no_lead", 10: "expired_check", 11: "training"}


def seed() -> str:
    if TrainingModule.objects.count() == 0 and "load_training" in get_commands():
        call_command("load_training", verbosity=0)
    password = read_or_create_key(
        settings.VAR_DIR / "demo_password", lambda: "welcome-" + secrets.token_hex(4)
    )
    with transaction.atomic():
        volunteers = _volunteers(password)
        _groups(volunteers)
    from .readiness import readiness_for_groups

    readiness = readiness_for_groups(WelcomeGroup.objects.filter(name__in=GROUP_NAMES))
    ready = sum(1 for r in readiness.values() if r.ready)
    return (
        f"Volunteers: {COUNT} demo volunteers (volunteer01@{DEMO_DOMAIN} to volunteer{COUNT}@{DEMO_DOMAIN}, "
        f"same password) at every stage; {len(readiness)} Welcome Groups, {ready} of them ready to match."
    )


def _volunteers(password: str) -> list[Volunteer]:
    fake = Faker(LOCALES)
    Faker.seed(2026)
    host = Organisation.objects.get(kind=Organisation.Kind.HOST)
    programs = list(Program.objects.order_by("pk"))
    regions = list(Region.objects.order_by("pk"))
    modules = list(TrainingModule.objects.all())
    coordinators = list(User.objects.filter(role=Role.COORDINATOR).order_by("pk"))
    today = timezone.localdate()
    now = timezone.now()
    result = []
    for i in range(COUNT):
        locale = LOCALES[i % len(LOCALES)]
        name = f"{fake[locale].unique.first_name()} {fake[locale].unique.last_name()}"
        email = f"volunteer{i + 1:02d}@{DEMO_DOMAIN}"
        existing = Volunteer.objects.filter(user__email=email).first()
        if existing:
            result.append(existing)
            continue
        status = STAGES[i]
        program = programs[i % len(programs)]
        region = (
            regions[(i // 2) % len(regions)] if program.pk == programs[0].pk else regions[i % 2]
        )
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email,
            password,
            full_name=name,
            role=Role.VOLUNTEER,
            organisation=host,
            language="fr" if locale == "fr_CA" else "en",
        )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        # The newest applications are the ones still at the start of the pipeline.
        applied = now - timedelta(days=4 + i * 3)
        volunteer = Volunteer.objects.create(
            user=user,
            program=program,
            region=region,
            status=status,
            status_changed_at=applied + timedelta(days=min(i % 40, 30)),
            coordinator=coordinators[i % len(coordinators)]
            if coordinators and status != VolunteerStatus.APPLIED
            else None,
            gender=["woman", "man", "woman", "non_binary", "", "woman", "man"][i % 7],
            postal_prefix=["M6K", "M4K", "M6P", "M1P", "L5B", "L6Y", "K1R", "K2K"][i % 8],
            in_person=i % 3 != 0,
            skills=[p.value for k, p in enumerate(IntegrationPriority) if (i + k) % 4 == 0][:4],
            availability=[slot for k, slot in enumerate(SLOTS) if (i * 5 + k) % 6 == 0],
            heard_from=HEARD[i % len(HEARD)],
            motivation="I arrived in Canada myself years ago and remember how much a friendly voice helped.",
            consent_version="2026-11",
            consented_at=applied,
            applied_at=applied,
            approved_at=applied + timedelta(days=35)
            if status in (VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE)
            else None,
            decline_reason="References raised concerns about boundaries."
            if status == VolunteerStatus.DECLINED
            else "",
        )
        VolunteerLanguage.objects.create(
            volunteer=volunteer, code="en", level="native" if locale.startswith("en") else "fluent"
        )
        second = SECOND_LANGUAGES[i % len(SECOND_LANGUAGES)]
        VolunteerLanguage.objects.create(
            volunteer=volunteer, code=second, level=["native", "fluent", "conversational"][i % 3]
        )
        for n in (1, 2):
            Reference.objects.create(
                volunteer=volunteer,
                name=fake["en_CA"].name(),
                email=f"referee{i + 1:02d}-{n}@example.org",
                relation=["Former manager", "Neighbour", "Teacher", "Team captain"][(i + n) % 4],
                requested_at=applied + timedelta(days=3)
                if status != VolunteerStatus.APPLIED
                else None,
                answered_at=applied + timedelta(days=8)
                if status not in (VolunteerStatus.APPLIED, VolunteerStatus.IN_SCREENING) or n == 1
                else None,
                recommends=True
                if status not in (VolunteerStatus.APPLIED, VolunteerStatus.DECLINED)
                else None,
            )
        if status != VolunteerStatus.APPLIED:
            _steps(volunteer, status, applied, today, i)
        if status in (VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE):
            CodeOfConductSignature.objects.create(
                volunteer=volunteer,
                version="2026-11",
                signed_name=name,
                signed_at=applied + timedelta(days=20),
            )
            for module in modules:
                if "volunteer" in module.required_for or "group_lead" in module.required_for:
                    TrainingCompletion.objects.get_or_create(
                        user=user,
                        module=module,
                        defaults={
                            "completed_at": applied + timedelta(days=25),
                            "refresher_due_on": (today + timedelta(days=600))
                            if module.refresher_months
                            else None,
                        },
                    )
        result.append(volunteer)
    return result


def _steps(volunteer, status, applied, today, i):
    all_done = status in (VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE)
    for order, step_type in enumerate(StepType):
        done = all_done or (status == VolunteerStatus.IN_SCREENING and order < i % 5)
        ScreeningStep.objects.create(
            volunteer=volunteer,
            step_type=step_type,
            order=order,
            status=StepStatus.DONE
            if done
            else (StepStatus.IN_PROGRESS if order == i % 5 else StepStatus.NOT_STARTED),
            completed_at=applied + timedelta(days=5 + order * 5) if done else None,
            expires_on=(today + timedelta(days=200 + i * 10))
            if step_type == StepType.POLICE_CHECK and done
            else None,
            outcome="Warm, reliable, clear about boundaries."
            if step_type == StepType.INTERVIEW and done
            else "",
        )


def _groups(volunteers: list[Volunteer]) -> None:
    approved = [
        v for v in volunteers if v.status in (VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE)
    ]
    screening = [v for v in volunteers if v.status == VolunteerStatus.IN_SCREENING]
    by_program: dict[int, list[Volunteer]] = {}
    for volunteer in approved:
        by_program.setdefault(volunteer.program_id, []).append(volunteer)
    today = timezone.localdate()
    for index, name in enumerate(GROUP_NAMES):
        if WelcomeGroup.objects.filter(name=name).exists():
            continue
        program_id = sorted(by_program)[index % len(by_program)]
        pool = by_program[program_id]
        reason = NOT_READY.get(index)
        size = 2 if reason == "short" else 4 if index in (0, 4) else 3
        members = [pool.pop(0) for _ in range(min(size, len(pool)))]
        if not members:
            continue
        group = WelcomeGroup.objects.create(
            name=name, program_id=program_id, region=members[0].region
        )
        for position, volunteer in enumerate(members):
            role = (
                GroupMembership.Role.LEAD
                if position == 0 and reason != "no_lead"
                else GroupMembership.Role.MEMBER
            )
            GroupMembership.objects.create(group=group, user=volunteer.user, role=role)
        if reason == "expired_check":
            ScreeningStep.objects.filter(
                volunteer=members[1], step_type=StepType.POLICE_CHECK
            ).update(expires_on=today - timedelta(days=54))
        if reason == "training" and screening:
            # A friend who joined by code and is still being screened and trained.
            friend = screening.pop(0)
            GroupMembership.objects.create(
                group=group, user=friend.user, role=GroupMembership.Role.MEMBER
            )
            TrainingCompletion.objects.filter(user=members[2].user).delete()
