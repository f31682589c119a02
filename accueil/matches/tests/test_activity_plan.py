"""The match plan: staff and the group lead add and revise goals; every member reads them."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.matches import services_activity as services
from accueil.matches.models import Goal, GoalStatus, MatchStatus
from accueil.volunteers.models import GroupMembership, WelcomeGroup

from .factories import in_state, lead_of

pytestmark = pytest.mark.django_db


def _match(personas, status=MatchStatus.ACTIVE):
    match = in_state(status, personas.coordinator)
    GroupMembership.objects.create(group=match.group, user=personas.volunteer)
    other = WelcomeGroup.objects.filter(program=match.program).exclude(pk=match.group_id).first()
    GroupMembership.objects.create(group=other, user=personas.outsider)
    return match


def _goal(match, by, **fields):
    values = {
        "priority": "employment",
        "what": "Write a CV in English",
        "who": "Sam",
        "by_when": date(2031, 1, 31),
    }
    values.update(fields)
    return services.goal_add(match=match, by=by, **values)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- who reaches what -------------------------------------------------------------------------


def test_only_staff_of_the_program_reach_the_staff_plan(personas):
    match = _match(personas)
    goal = _goal(match, personas.coordinator)
    for url in (
        reverse("match_plan", args=[match.pk]),
        reverse("match_goal_new", args=[match.pk]),
        reverse("match_goal_edit", args=[match.pk, goal.pk]),
    ):
        assert_personas(personas, url, STAFF)
    personas.coordinator.programs.clear()
    for url in (
        reverse("match_plan", args=[match.pk]),
        reverse("match_goal_new", args=[match.pk]),
        reverse("match_goal_edit", args=[match.pk, goal.pk]),
    ):
        assert_personas(personas, url, MANAGERS)


def test_every_member_reads_the_plan_and_only_the_lead_changes_it(personas):
    match = _match(personas)
    goal = _goal(match, personas.coordinator)
    assert_personas(personas, reverse("my_match_plan", args=[match.pk]), {"volunteer"})
    # A member who is not the lead: no form pages.
    assert_personas(personas, reverse("my_match_goal_new", args=[match.pk]), set())
    assert_personas(personas, reverse("my_match_goal_edit", args=[match.pk, goal.pk]), set())
    lead = _client(lead_of(match.group))
    assert lead.get(reverse("my_match_goal_new", args=[match.pk])).status_code == 200
    assert lead.get(reverse("my_match_goal_edit", args=[match.pk, goal.pk])).status_code == 200
    # The lead is not staff: the staff pages do not exist for them.
    assert lead.get(reverse("match_plan", args=[match.pk])).status_code == 404


def test_a_goal_of_another_match_is_not_found(personas):
    match = _match(personas)
    other = in_state(MatchStatus.ACTIVE, personas.coordinator)
    goal = _goal(other, personas.coordinator)
    client = personas.client_for("coordinator")
    assert client.get(reverse("match_goal_edit", args=[match.pk, goal.pk])).status_code == 404
    lead = _client(lead_of(match.group))
    assert lead.get(reverse("my_match_goal_edit", args=[match.pk, goal.pk])).status_code == 404


# -- the services -----------------------------------------------------------------------------


def test_staff_and_the_lead_add_goals_and_others_cannot(personas):
    match = _match(personas)
    assert _goal(match, personas.coordinator).created_by == personas.coordinator
    assert _goal(match, lead_of(match.group)).created_by == lead_of(match.group)
    for user in (personas.volunteer, personas.outsider, personas.partner_a):
        with pytest.raises(PermissionDenied):
            _goal(match, user)
    assert Goal.objects.count() == 2
    entry = AuditEntry.objects.for_record(match).filter(code="match.goal_added").first()
    assert set(entry.additional_data) == {"goal", "priority", "status"}


def test_a_goal_needs_a_priority_and_words(personas):
    match = _match(personas)
    with pytest.raises(ValidationError) as caught:
        _goal(match, personas.coordinator, priority="astrology", what="  ")
    assert set(caught.value.message_dict) == {"priority", "what"}


@pytest.mark.parametrize("status", [MatchStatus.PROPOSED, MatchStatus.CLOSED])
def test_the_plan_is_kept_from_acceptance_until_closing(personas, status):
    match = _match(personas, status)
    with pytest.raises(ValidationError):
        _goal(match, personas.coordinator)
    response = personas.client_for("coordinator").get(reverse("match_goal_new", args=[match.pk]))
    assert response.status_code == 302


def test_a_goal_is_revised_and_the_change_audited(personas):
    match = _match(personas)
    goal = _goal(match, personas.coordinator)
    lead = lead_of(match.group)
    services.goal_update(
        goal=goal,
        by=lead,
        priority="employment",
        what="Write a CV in English",
        who="Sam and Noor",
        by_when=None,
        status=GoalStatus.IN_PROGRESS,
    )
    goal.refresh_from_db()
    assert (goal.who, goal.by_when, goal.status, goal.updated_by) == (
        "Sam and Noor",
        None,
        GoalStatus.IN_PROGRESS,
        lead,
    )
    entry = AuditEntry.objects.for_record(match).get(code="match.goal_changed")
    assert entry.additional_data == {
        "goal": goal.pk,
        "fields": ["by_when", "status", "who"],
        "from": "planned",
        "to": "in_progress",
    }


# -- the pages --------------------------------------------------------------------------------


def test_staff_add_a_goal_from_the_page(personas):
    match = _match(personas)
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("match_goal_new", args=[match.pk]),
        {"priority": "housing", "what": "Find a two-bedroom flat", "who": "", "status": "planned"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("match_plan", args=[match.pk])
    html = response.content.decode()
    assert "Goal added to the plan." in html
    assert "Find a two-bedroom flat" in html
    assert "Housing" in html
    assert Goal.objects.get().priority == "housing"


def test_the_lead_revises_a_goal_and_members_read_it(personas):
    match = _match(personas)
    goal = _goal(match, personas.coordinator)
    lead = _client(lead_of(match.group))
    response = lead.post(
        reverse("my_match_goal_edit", args=[match.pk, goal.pk]),
        {
            "priority": "employment",
            "what": "Write a CV in English",
            "who": "Sam",
            "by_when": "2031-01-31",
            "status": "done",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my_match_plan", args=[match.pk])
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DONE
    html = (
        personas.client_for("volunteer")
        .get(reverse("my_match_plan", args=[match.pk]))
        .content.decode()
    )
    assert "Write a CV in English" in html
    assert "Done" in html  # the status in words, not only a colour
    assert reverse("my_match_goal_edit", args=[match.pk, goal.pk]) not in html
    lead_html = lead.get(reverse("my_match_plan", args=[match.pk])).content.decode()
    assert reverse("my_match_goal_edit", args=[match.pk, goal.pk]) in lead_html


def test_a_refused_goal_keeps_what_was_typed(personas):
    match = _match(personas)
    response = personas.client_for("coordinator").post(
        reverse("match_goal_new", args=[match.pk]),
        {"priority": "", "what": "", "who": "Noor from the library", "status": "planned"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the integration priority this goal serves." in html
    assert 'href="#id_priority"' in html
    assert "Say what the goal is." in html
    assert 'value="Noor from the library"' in html
    assert 'href="#id_status_0"' not in html
    assert not Goal.objects.exists()
