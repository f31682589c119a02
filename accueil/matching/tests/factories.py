"""Builders for matching tests, on top of the shared factories.

ready_group(program, region)                      # three approved Arabic speakers and a lead
ready_group(program, region, languages=[("fr", "fluent")], name="Francophones")
waiting_household(program, region, days=30)       # on the waitlist for 30 days, speaks Arabic
unready_group(program, region)                    # one member, no lead: never proposed
make_world(coordinator=personas.coordinator)      # a household, two ready groups, one forming
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.newcomers.models import Household
from accueil.newcomers.tests.factories import HouseholdFactory
from accueil.volunteers.models import GroupMembership, WelcomeGroup
from accueil.volunteers.tests.factories import VolunteerFactory


def _member(group, *, languages, lead=False, **fields):
    volunteer = VolunteerFactory(
        approved=True,
        program=group.program,
        region=group.region,
        user=UserFactory(role=Role.VOLUNTEER),
        languages=languages,
        **fields,
    )
    GroupMembership.objects.create(
        group=group,
        user=volunteer.user,
        role=GroupMembership.Role.LEAD if lead else GroupMembership.Role.MEMBER,
    )
    return volunteer


def ready_group(
    program, region, *, name=None, languages=(("ar", "fluent"),), members=3, capacity=1, **fields
) -> WelcomeGroup:
    """An active group ready to be matched: ``members`` approved, screened volunteers who speak
    ``languages``, the first of them its lead. ``fields`` go to every volunteer (skills…)."""
    group = WelcomeGroup.objects.create(
        name=name or f"Welcome Group {WelcomeGroup.objects.count() + 1}",
        program=program,
        region=region,
        capacity=capacity,
    )
    for k in range(members):
        _member(group, languages=list(languages), lead=k == 0, **fields)
    return group


def unready_group(program, region, *, name=None) -> WelcomeGroup:
    """Only one approved member and no lead: excluded with "the group is not ready"."""
    group = WelcomeGroup.objects.create(
        name=name or f"Forming group {WelcomeGroup.objects.count() + 1}",
        program=program,
        region=region,
    )
    volunteer = VolunteerFactory(
        approved=True, program=program, region=region, languages=[("ar", "fluent")]
    )
    GroupMembership.objects.create(group=group, user=volunteer.user)
    return group


def waiting_household(program, region, *, days=30, **fields) -> Household:
    """A household on the program's waitlist for ``days`` days, Arabic-speaking, remote or in
    person."""
    fields.setdefault("meeting_mode", "either")
    return HouseholdFactory(
        program=program,
        region=region,
        waiting=True,
        waitlisted_at=timezone.now() - timedelta(days=days),
        **fields,
    )


@dataclass
class World:
    """One program with a waiting household and three groups: ``alpha`` ranks first, ``beta``
    second (nobody in it offers help with the family's priorities), ``forming`` is not ready."""

    program: object
    region: object
    household: Household
    alpha: WelcomeGroup
    beta: WelcomeGroup
    forming: WelcomeGroup


def make_world(*, coordinator=None, program=None) -> World:
    program = program or ProgramFactory(name="Welcome Groups for refugee claimants")
    region = RegionFactory(name="Toronto")
    if coordinator is not None:
        coordinator.programs.add(program)
    return World(
        program=program,
        region=region,
        household=waiting_household(program, region, head_name="Amina Haddad", days=30),
        alpha=ready_group(program, region, name="Alpha Welcome Group"),
        beta=ready_group(program, region, name="Beta Welcome Group", skills=[]),
        forming=unready_group(program, region, name="Gamma forming group"),
    )
