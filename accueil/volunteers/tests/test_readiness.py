"""Every reason the readiness gate gives, and the day an expiring check flips it."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.volunteers.models import (
    GroupMembership,
    ScreeningStep,
    StepStatus,
    StepType,
    TrainingCompletion,
    TrainingModule,
    Volunteer,
    VolunteerStatus,
    WelcomeGroup,
)
from accueil.volunteers.readiness import group_readiness, readiness_for_groups

pytestmark = pytest.mark.django_db


def make_volunteer(program, region, name, status=VolunteerStatus.APPROVED, check_expires=None):
    user = UserFactory(role=Role.VOLUNTEER, full_name=name)
    volunteer = Volunteer.objects.create(
        user=user,
        program=program,
        region=region,
        status=status,
        consent_version="2026-11",
        consented_at=timezone.now(),
    )
    ScreeningStep.objects.create(
        volunteer=volunteer,
        step_type=StepType.POLICE_CHECK,
        status=StepStatus.DONE,
        expires_on=check_expires or date.today() + timedelta(days=400),
    )
    return volunteer


@pytest.fixture
def ready_group():
    program, region = ProgramFactory(), RegionFactory()
    group = WelcomeGroup.objects.create(
        name="Parkdale Welcome Group", program=program, region=region
    )
    for i, name in enumerate(["Sam Rivera", "Noor Haddad", "Léa Roy"]):
        volunteer = make_volunteer(program, region, name)
        role = GroupMembership.Role.LEAD if i == 0 else GroupMembership.Role.MEMBER
        GroupMembership.objects.create(group=group, user=volunteer.user, role=role)
    return group


def _codes(readiness):
    return [reason.code for reason in readiness.reasons]


def test_it_finds_a_complete_group_ready(ready_group):
    readiness = group_readiness(ready_group)
    assert readiness.ready, readiness.summary()
    assert readiness.summary() == "Ready to be matched"


def test_it_counts_missing_approved_members(ready_group):
    ready_group.memberships.filter(role="member").first().delete()
    readiness = group_readiness(ready_group)
    assert _codes(readiness) == ["members"]
    assert readiness.reasons[0].message == "needs 1 more approved member"


def test_it_does_not_count_members_who_are_not_approved(ready_group):
    volunteer = Volunteer.objects.get(user__full_name="Noor Haddad")
    volunteer.status = VolunteerStatus.IN_SCREENING
    volunteer.save()
    readiness = group_readiness(ready_group)
    assert _codes(readiness) == ["members", "not_approved"]
    assert "Noor Haddad is not approved yet (In screening)" in readiness.summary()


def test_it_needs_a_lead(ready_group):
    ready_group.memberships.update(role=GroupMembership.Role.MEMBER)
    assert _codes(group_readiness(ready_group)) == ["lead"]


def test_it_names_the_member_whose_police_check_expired(ready_group):
    ScreeningStep.objects.filter(volunteer__user__full_name="Sam Rivera").update(
        expires_on=date(2026, 10, 2)
    )
    readiness = group_readiness(ready_group, on=date(2026, 11, 25))
    assert _codes(readiness) == ["check_expired"]
    assert readiness.reasons[0].message == "Sam Rivera's police check expired on Oct. 2, 2026"


def test_it_flips_on_the_day_after_a_check_expires(ready_group):
    ScreeningStep.objects.filter(volunteer__user__full_name="Léa Roy").update(
        expires_on=date(2027, 3, 31)
    )
    assert group_readiness(ready_group, on=date(2027, 3, 31)).ready  # valid through its last day
    assert not group_readiness(ready_group, on=date(2027, 4, 1)).ready


def test_it_lists_required_training_not_done(ready_group):
    module = TrainingModule.objects.create(
        slug="boundaries", content={"en": {"title": "Boundaries"}}, required_for=["volunteer"]
    )
    readiness = group_readiness(ready_group)
    assert _codes(readiness) == ["training", "training", "training"]
    assert "Sam Rivera has not finished the required training: Boundaries" in readiness.summary()
    for user_id in ready_group.memberships.values_list("user_id", flat=True):
        TrainingCompletion.objects.create(user_id=user_id, module=module)
    assert group_readiness(ready_group).ready


def test_it_asks_leads_for_lead_training_only(ready_group):
    TrainingModule.objects.create(
        slug="leading", content={"en": {"title": "Leading a group"}}, required_for=["group_lead"]
    )
    readiness = group_readiness(ready_group)
    assert [r.message for r in readiness.reasons] == [
        "Sam Rivera has not finished the required training: Leading a group"
    ]


def test_it_treats_an_overdue_refresher_as_missing(ready_group):
    module = TrainingModule.objects.create(
        slug="conf",
        content={"en": {"title": "Confidentiality"}},
        required_for=["volunteer"],
        refresher_months=24,
    )
    for user_id in ready_group.memberships.values_list("user_id", flat=True):
        TrainingCompletion.objects.create(
            user_id=user_id, module=module, refresher_due_on=date(2026, 12, 1)
        )
    assert group_readiness(ready_group, on=date(2026, 12, 1)).ready
    assert _codes(group_readiness(ready_group, on=date(2026, 12, 2))) == ["training"] * 3


def test_it_reports_an_inactive_group(ready_group):
    ready_group.is_active = False
    ready_group.save()
    assert _codes(group_readiness(ready_group)) == ["inactive"]


def test_it_ignores_members_who_left(ready_group):
    ScreeningStep.objects.filter(volunteer__user__full_name="Léa Roy").update(
        expires_on=date(2020, 1, 1)
    )
    ready_group.memberships.filter(user__full_name="Léa Roy").update(left_at=timezone.now())
    assert _codes(group_readiness(ready_group)) == ["members"]


def test_it_computes_many_groups_in_constant_queries(ready_group, django_assert_num_queries):
    program, region = ready_group.program, ready_group.region
    more = []
    for g in range(5):
        group = WelcomeGroup.objects.create(name=f"Group {g}", program=program, region=region)
        for i in range(3):
            volunteer = make_volunteer(program, region, f"Person {g}-{i}")
            GroupMembership.objects.create(
                group=group, user=volunteer.user, role="lead" if i == 0 else "member"
            )
        more.append(group)
    TrainingModule.objects.create(
        slug="m", content={"en": {"title": "M"}}, required_for=["volunteer"]
    )
    with django_assert_num_queries(5):
        readiness_for_groups([ready_group])
    with django_assert_num_queries(5):
        result = readiness_for_groups([ready_group, *more])
    assert len(result) == 6


def test_it_hides_other_members_screening_facts_from_members(ready_group):
    ScreeningStep.objects.filter(volunteer__user__full_name="Sam Rivera").update(
        expires_on=date(2020, 1, 1)
    )
    readiness = group_readiness(ready_group)
    sam = ready_group.memberships.get(user__full_name="Sam Rivera").user_id
    noor = ready_group.memberships.get(user__full_name="Noor Haddad").user_id
    assert readiness.for_member(sam) == ["Sam Rivera's police check expired on Jan. 1, 2020"]
    assert readiness.for_member(noor) == ["some members still have checks or training to finish"]
