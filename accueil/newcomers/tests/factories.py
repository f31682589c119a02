"""Factories for households and what hangs off them, shared by every newcomers test.

HouseholdFactory()                                   # a GAR family referred by a partner, received
HouseholdFactory(claimant=True)                      # a refugee claimant (claim date, no arrival)
HouseholdFactory(waiting=True)                       # eligible, onboarded, on the waitlist
HouseholdFactory(referring_organisation=agency, status="matched")
HouseholdFactory(consent=True)                       # with the participation consent
HouseholdMemberFactory(household=h), ConsentFactory(household=h), OnboardingCallFactory(...)
ProgramIntakeFactory(program=p, self_referral_enabled=True)

phone_hash and identity_hash are computed from the phone and name+dates as the referral
service computes them, so duplicate detection works on factory-made households too.
"""

import datetime

import factory
from django.utils import timezone

from accueil.core.fields import keyed_hash
from accueil.factories import OrganisationFactory, ProgramFactory, RegionFactory
from accueil.newcomers.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Household,
    HouseholdMember,
    HouseholdStatus,
    ImmigrationStatus,
    OnboardingCall,
    ProgramIntake,
    ReferralSource,
)
from accueil.newcomers.services.duplicates import identity_hash


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    region = factory.SubFactory(RegionFactory)
    status = HouseholdStatus.RECEIVED
    source = ReferralSource.PARTNER
    referring_organisation = factory.SubFactory(OrganisationFactory)
    referral_date = factory.LazyFunction(timezone.localdate)
    head_name = factory.Sequence(lambda n: f"Amina Haddad {n}")
    phone = factory.Sequence(lambda n: f"+1416555{n % 10000:04d}")
    phone_hash = factory.LazyAttribute(lambda o: keyed_hash(o.phone))
    whatsapp = True
    languages = factory.LazyFunction(lambda: ["ar"])
    interpreter_needed = True
    immigration_status = ImmigrationStatus.GAR
    arrival_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    claim_date = None
    identity_hash = factory.LazyAttribute(
        lambda o: identity_hash(o.head_name, o.arrival_date, o.claim_date)
    )
    household_size = 4
    composition = "Two parents and two children aged 4 and 9"
    city = "Toronto"
    priorities = factory.LazyFunction(lambda: ["socializing", "language_practice", "employment"])
    is_eligible = True
    eligibility_reason = "Arrived within the window."

    class Params:
        claimant = factory.Trait(
            immigration_status=ImmigrationStatus.CLAIMANT,
            arrival_date=None,
            claim_date=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=200)
            ),
        )
        waiting = factory.Trait(
            status=HouseholdStatus.WAITING,
            waitlisted_at=factory.LazyFunction(
                lambda: timezone.now() - datetime.timedelta(days=20)
            ),
            shared_profile="A family of four who love football and want to practise English.",
        )

    @factory.post_generation
    def program_region(obj, create, extracted, **kwargs):
        """The program runs in the household's region, as in real data."""
        if create:
            obj.program.regions.add(obj.region)

    @factory.post_generation
    def consent(obj, create, extracted, **kwargs):
        """consent=True: the participation consent, obtained by the partner."""
        if create and extracted:
            ConsentFactory(household=obj)


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    first_name = factory.Sequence(lambda n: f"Member {n}")
    age_band = HouseholdMember.AgeBand.ADULT
    languages = factory.LazyFunction(lambda: ["ar"])


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    household = factory.SubFactory(HouseholdFactory)
    purpose = ConsentPurpose.PARTICIPATION
    given = True
    version = "2026-11"
    language = "ar"
    method = ConsentMethod.INTERPRETER
    obtained_by_name = "Pat Partner"
    obtained_at = factory.LazyFunction(timezone.now)


class OnboardingCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnboardingCall

    household = factory.SubFactory(HouseholdFactory)
    language = "ar"
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))


class ProgramIntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramIntake
        django_get_or_create = ("program",)

    program = factory.SubFactory(ProgramFactory)
