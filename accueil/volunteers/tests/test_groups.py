import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accueil.conftest import PERSONAS, assert_personas
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, RegionFactory
from accueil.volunteers.models import GroupMembership, Volunteer, VolunteerStatus, WelcomeGroup
from accueil.volunteers.services import groups as services

pytestmark = pytest.mark.django_db


def enrol(user, program, region, status=VolunteerStatus.APPROVED, **extra):
    return Volunteer.objects.create(
        user=user,
        program=program,
        region=region,
        status=status,
        consent_version="2026-11",
        consented_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def setup(personas):
    program, region = ProgramFactory(), RegionFactory()
    personas.coordinator.programs.add(program)
    enrol(personas.volunteer, program, region)
    enrol(personas.outsider, ProgramFactory(name="Other program"), region)
    group = services.group_create(
        name="Danforth Group", program=program, region=region, by=personas.coordinator
    )
    services.group_add_member(
        group=group, user=personas.volunteer, by=personas.coordinator, role="lead"
    )
    return program, region, group


def test_it_creates_a_group_with_an_unambiguous_invite_code(setup):
    _, _, group = setup
    assert len(group.invite_code) == 8
    assert not set(group.invite_code) & set("01IOL")
    assert AuditEntry.objects.filter(code="group.created").exists()


def test_it_refuses_group_building_outside_ones_programs(personas, setup):
    _, region, _ = setup
    other = ProgramFactory(name="Claimants")
    with pytest.raises(PermissionDenied):
        services.group_create(name="X", program=other, region=region, by=personas.coordinator)


def test_it_lets_a_friend_join_by_code(personas, setup):
    program, region, group = setup
    from accueil.factories import UserFactory

    friend = UserFactory(role="volunteer")
    enrol(friend, program, region, status=VolunteerStatus.IN_SCREENING)
    membership = services.group_join_by_code(user=friend, code=group.invite_code.lower())
    assert membership.group == group and membership.role == "member"
    assert AuditEntry.objects.filter(code="group.joined_by_code", actor=friend).exists()
    with pytest.raises(ValidationError):
        services.group_join_by_code(user=friend, code=group.invite_code)  # already in


def test_it_explains_a_wrong_code(personas, setup):
    with pytest.raises(ValidationError) as exc:
        services.group_join_by_code(user=personas.outsider, code="NOPE2345")
    assert "No group has this code" in str(exc.value)


def test_it_refuses_a_volunteer_of_another_program(personas, setup):
    _, _, group = setup
    with pytest.raises(ValidationError, match="another program"):
        services.group_join_by_code(user=personas.outsider, code=group.invite_code)


def test_it_keeps_one_lead(personas, setup):
    program, region, group = setup
    from accueil.factories import UserFactory

    other = UserFactory(role="volunteer")
    enrol(other, program, region)
    services.group_add_member(group=group, user=other, by=personas.coordinator)
    services.group_set_lead(group=group, user=other, by=personas.coordinator)
    leads = group.memberships.filter(left_at__isnull=True, role="lead")
    assert [m.user for m in leads] == [other]


def test_it_keeps_membership_history(personas, setup):
    _, _, group = setup
    membership = group.memberships.get(user=personas.volunteer)
    services.group_remove_member(membership=membership, by=personas.volunteer)
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert AuditEntry.objects.filter(code="group.left", actor=personas.volunteer).exists()
    assert GroupMembership.objects.filter(group=group).count() == 1


def test_it_suggests_compatible_approved_volunteers(personas, setup):
    program, region, group = setup
    from accueil.factories import UserFactory

    personas.volunteer.volunteer.availability = ["tue_evening", "thu_evening"]
    personas.volunteer.volunteer.save()
    enrol(
        UserFactory(role="volunteer", full_name="Good Fit"),
        program,
        region,
        availability=["tue_evening", "thu_evening"],
    )
    enrol(
        UserFactory(role="volunteer", full_name="Far Away"),
        program,
        RegionFactory(name="Thunder Bay"),
    )
    enrol(
        UserFactory(role="volunteer", full_name="Still Screening"),
        program,
        region,
        status=VolunteerStatus.IN_SCREENING,
    )
    suggestions = services.suggest_members(group)
    names = [v.user.full_name for v, _, _ in suggestions]
    assert names[0] == "Good Fit" and "Still Screening" not in names
    assert "2 times a week in common" in suggestions[0][2]


def test_it_names_the_shared_languages_in_a_suggestion(personas, setup):
    program, region, group = setup
    from django.utils import translation

    from accueil.factories import UserFactory

    personas.volunteer.volunteer.languages.create(code="ar", level="fluent")
    personas.volunteer.volunteer.languages.create(code="prs", level="basic")
    candidate = enrol(UserFactory(role="volunteer", full_name="Speaks Arabic"), program, region)
    candidate.languages.create(code="ar", level="native")
    candidate.languages.create(code="prs", level="fluent")
    suggestions = services.suggest_members(group)
    assert "shares Arabic, Dari" in suggestions[0][2]
    with translation.override("fr"):
        why = [str(reason) for reason in services.suggest_members(group)[0][2]]
    assert any("arabe" in reason.lower() for reason in why), why


def test_it_lets_a_volunteer_start_a_group_and_lead_it(personas, setup):
    from accueil.factories import UserFactory

    program, region, _ = setup
    founder = UserFactory(role="volunteer")
    enrol(founder, program, region, status=VolunteerStatus.IN_SCREENING)
    group = services.group_start(user=founder, name="Friends from the choir")
    assert group.memberships.get().role == "lead"
    with pytest.raises(ValidationError):
        services.group_start(user=founder, name="Second group")


def test_it_aggregates_the_group_profile(personas, setup):
    _, _, group = setup
    volunteer = personas.volunteer.volunteer
    volunteer.skills = ["housing", "employment"]
    volunteer.gender = "woman"
    volunteer.save()
    volunteer.languages.create(code="ar", level="fluent")
    profile = services.group_profile(group)
    assert profile["languages"] == {"ar": "fluent"}
    assert dict(profile["skills"])["housing"] == 1 and dict(profile["genders"])["woman"] == 1


# Views -----------------------------------------------------------------------------------


def test_it_shows_a_group_to_its_members_and_program_staff_only(personas, setup):
    _, _, group = setup
    assert_personas(
        personas,
        reverse("group_detail", args=[group.pk]),
        {"admin", "manager", "coordinator", "volunteer"},
    )


def test_it_lists_groups_to_staff_and_members(personas, setup):
    assert_personas(
        personas,
        reverse("group_list"),
        {"admin", "manager", "coordinator", "volunteer", "interpreter", "outsider"},
    )
    # The outsider and interpreter see the page, but no group.
    response = personas.client_for("outsider").get(reverse("group_list"))
    assert response.context["rows"] == []


def test_it_shows_the_group_form_to_staff_only(personas, setup):
    assert_personas(personas, reverse("group_create"), {"admin", "manager", "coordinator"})


def test_it_offers_join_and_start_to_volunteers(personas, setup):
    assert_personas(personas, reverse("group_join"), {"volunteer", "interpreter", "outsider"})
    assert_personas(personas, reverse("group_start"), {"volunteer", "outsider"})


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lets_only_program_staff_add_members(personas, setup, name):
    program, region, group = setup
    from accueil.factories import UserFactory

    newcomer = enrol(UserFactory(role="volunteer"), program, region)
    response = personas.client_for(name).post(
        reverse("group_add_member", args=[group.pk]), {"volunteer": newcomer.pk, "role": "member"}
    )
    added = group.memberships.filter(user=newcomer.user).exists()
    if name in {"admin", "manager", "coordinator"}:
        assert response.status_code == 302 and added
    elif name == "anonymous":
        assert response.status_code == 302 and not added
    else:
        assert response.status_code == 404 and not added


def test_it_joins_by_code_from_the_form_and_keeps_a_wrong_code(personas, setup):
    assert setup
    client = personas.client_for("outsider")
    response = client.post(reverse("group_join"), {"code": "WRONG234"})
    assert response.status_code == 200
    assert 'value="WRONG234"' in response.content.decode()
    assert "No group has this code" in response.content.decode()


def test_it_lists_groups_in_constant_queries(personas, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program, region, _ = setup
    client = personas.client_for("manager")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("group_list"))
    for i in range(8):
        WelcomeGroup.objects.create(name=f"G{i}", program=program, region=region)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("group_list"))
    assert len(many) == len(few)


def test_it_shows_a_volunteer_what_is_next(personas, setup):
    html = personas.client_for("volunteer").get(reverse("volunteer_home")).content.decode()
    assert "Danforth Group" in html and "you lead this group" in html
    assert "Needs 2 more approved members" in html


def test_it_keeps_staff_and_partners_out_of_the_volunteer_home(personas, setup):
    assert_personas(personas, reverse("volunteer_home"), {"volunteer", "interpreter", "outsider"})


def test_it_reads_codes_typed_with_dashes_and_spaces(personas, setup):
    program, region, group = setup
    from accueil.factories import UserFactory

    friend = UserFactory(role="volunteer")
    enrol(friend, program, region)
    spaced = f"{group.invite_code[:4].lower()} - {group.invite_code[4:]}"
    assert services.group_join_by_code(user=friend, code=spaced).group == group


def test_it_does_not_let_a_declined_volunteer_start_a_group(personas, setup):
    from accueil.factories import UserFactory

    program, region, _ = setup
    declined = UserFactory(role="volunteer")
    enrol(declined, program, region, status=VolunteerStatus.DECLINED)
    with pytest.raises(ValidationError, match="Only current volunteers"):
        services.group_start(user=declined, name="Nope")
