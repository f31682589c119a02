"""Factories for volunteers and their screening, shared by every volunteers test.

VolunteerFactory()                                  # applied, English, Toronto
VolunteerFactory(approved=True)                     # approved, every default step done
VolunteerFactory(screened=True, status="in_screening")   # steps created and done
VolunteerFactory(languages=[("fr", "fluent"), ("ar", "basic")])
VolunteerFactory(references=2)                      # two referees, not yet asked
VolunteerFactory(approved=True, check_expires_on=date(2026, 10, 2))
"""

from datetime import timedelta

import factory
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.volunteers.models import (
    CodeOfConductSignature,
    Reference,
    ScreeningStep,
    StepStatus,
    StepType,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
)
from accueil.volunteers.models.screening import DEFAULT_STEPS

CONSENT_VERSION = "2026-11"


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.VOLUNTEER)
    program = factory.SubFactory(ProgramFactory)
    region = factory.SubFactory(RegionFactory)
    status = VolunteerStatus.APPLIED
    status_changed_at = factory.LazyFunction(timezone.now)
    applied_at = factory.LazyFunction(timezone.now)
    consent_version = CONSENT_VERSION
    consented_at = factory.LazyFunction(timezone.now)
    postal_prefix = "M6H"
    in_person = True
    skills = factory.LazyFunction(lambda: ["socializing", "language_practice"])
    availability = factory.LazyFunction(lambda: ["tue_evening", "sat_morning", "sat_afternoon"])
    heard_from = "A friend"
    motivation = "I arrived in Canada myself twenty years ago and want to give back."

    class Params:
        # Approved after a complete screening: every default step done, check valid 3 years.
        approved = factory.Trait(
            status=VolunteerStatus.APPROVED,
            approved_at=factory.LazyFunction(timezone.now),
        )
        active = factory.Trait(
            status=VolunteerStatus.ACTIVE,
            approved_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def languages(obj, create, extracted, **kwargs):
        """A list of (code, level); English (fluent) by default."""
        if not create:
            return
        for code, level in extracted if extracted is not None else [("en", "fluent")]:
            VolunteerLanguage.objects.create(volunteer=obj, code=code, level=level)

    @factory.post_generation
    def references(obj, create, extracted, **kwargs):
        """How many referees to add (not yet asked): references=2."""
        if create and extracted:
            for n in range(int(extracted)):
                ReferenceFactory(volunteer=obj, name=f"Referee {n + 1} of {obj.user.full_name}")

    @factory.post_generation
    def screened(obj, create, extracted, **kwargs):
        """Every default step created and completed. Approved and active volunteers are
        screened unless screened=False is passed."""
        if extracted is None:
            extracted = obj.status in (VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE)
        if create and extracted:
            complete_screening(obj)

    @factory.post_generation
    def check_expires_on(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.steps.filter(step_type=StepType.POLICE_CHECK).update(expires_on=extracted)


def complete_screening(volunteer: Volunteer, *, check_expires_on=None) -> None:
    """Create the default steps, all done, and a current code-of-conduct signature."""
    from accueil.volunteers.services.screening import CODE_OF_CONDUCT_VERSION

    now = timezone.now()
    expires = check_expires_on or (timezone.localdate() + timedelta(days=3 * 365))
    for order, step_type in enumerate(DEFAULT_STEPS):
        ScreeningStep.objects.update_or_create(
            volunteer=volunteer,
            step_type=step_type,
            defaults={
                "order": order,
                "status": StepStatus.DONE,
                "completed_at": now,
                "expires_on": expires if step_type == StepType.POLICE_CHECK else None,
                "outcome": "suitable" if step_type == StepType.INTERVIEW else "",
            },
        )
    CodeOfConductSignature.objects.get_or_create(
        volunteer=volunteer,
        version=CODE_OF_CONDUCT_VERSION,
        defaults={"signed_name": volunteer.user.full_name},
    )


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    volunteer = factory.SubFactory(VolunteerFactory)
    name = factory.Sequence(lambda n: f"Referee {n}")
    email = factory.Sequence(lambda n: f"referee{n}@example.net")
    relation = "Colleague"


class ScreeningStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningStep
        django_get_or_create = ("volunteer", "step_type")

    volunteer = factory.SubFactory(VolunteerFactory, status=VolunteerStatus.IN_SCREENING)
    step_type = StepType.INTERVIEW
    status = StepStatus.NOT_STARTED
