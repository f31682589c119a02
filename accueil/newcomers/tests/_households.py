"""Shortcuts for the household page tests, on top of the app's shared factories."""

from datetime import timedelta

from django.utils import timezone

from accueil.factories import ProgramFactory, RegionFactory
from accueil.newcomers.models import Household, HouseholdStatus

from .factories import ConsentFactory, HouseholdFactory, OnboardingCallFactory


def make_household(*, program=None, region=None, organisation=None, **fields) -> Household:
    """A refugee claimant household, received, in Toronto (the program runs there)."""
    fields.setdefault("claimant", True)
    return HouseholdFactory(
        program=program or ProgramFactory(name="Welcome Groups for refugee claimants"),
        region=region or RegionFactory(name="Toronto"),
        referring_organisation=organisation,
        **fields,
    )


def make_ready(household: Household, *, by) -> Household:
    """Everything the waitlist asks for: onboarding done, profile filled, consent given."""
    now = timezone.now()
    household.status = HouseholdStatus.ONBOARDING
    household.priorities = ["socializing", "employment"]
    household.availability = ["mon_evening", "sat_morning"]
    household.channels = ["whatsapp"]
    household.shared_profile = "A family of four who love football."
    household.save()
    OnboardingCallFactory(
        household=household,
        coordinator=by,
        scheduled_at=now - timedelta(days=1),
        completed_at=now,
        duration_minutes=40,
    )
    ConsentFactory(household=household, obtained_by=by)
    return household
