"""The match pages: who reaches them, what the group sees of the household and when, and the
moves made from the pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accueil.conftest import assert_personas
from accueil.matches.models import Match, MatchStatus
from accueil.matching.tests.factories import make_world, ready_group
from accueil.newcomers.models import ConsentPurpose
from accueil.newcomers.tests.factories import ConsentFactory

from .factories import in_state, lead_of, proposed

pytestmark = pytest.mark.django_db

SHARED = "A family of four who love football and want to practise English."


def _member_client(match) -> Client:
    client = Client()
    client.force_login(match.group.memberships.filter(role="member").first().user)
    return client


def _sharing(match):
    ConsentFactory(household=match.household, purpose=ConsentPurpose.SHARE_PROFILE)
    match.household.shared_profile = SHARED
    match.household.save(update_fields=["shared_profile"])


def test_the_staff_page_is_for_staff_of_the_program(personas):
    match = proposed(personas.coordinator)
    url = reverse("match_detail", args=[match.pk])
    assert_personas(personas, url, {"admin", "manager", "coordinator"})
    personas.coordinator.programs.clear()
    assert personas.client_for("coordinator").get(url).status_code == 404


def test_the_members_page_is_for_members_of_the_group_only(personas):
    match = proposed(personas.coordinator)
    url = reverse("my_match", args=[match.pk])
    # Staff use the staff page; every persona here is outside the group.
    assert_personas(personas, url, set())
    assert _member_client(match).get(url).status_code == 200
    # A volunteer of another group of the same program: 404.
    other = ready_group(match.program, match.household.region, name="Other group")
    client = Client()
    client.force_login(lead_of(other))
    assert client.get(url).status_code == 404
    assert client.get(reverse("match_detail", args=[match.pk])).status_code == 404
    for action in ("accept_group", "decline_group", "withdraw", "start"):
        assert client.post(reverse("match_act", args=[match.pk, action])).status_code == 404


def test_every_action_refuses_outsiders(personas):
    match = proposed(personas.coordinator)
    for action in ("accept_group", "withdraw", "household_answer"):
        url = reverse("match_act", args=[match.pk, action])
        for name in ("volunteer", "interpreter", "partner_a", "outsider"):
            assert personas.client_for(name).post(url, {"reason": "x"}).status_code == 404
        response = personas.client_for("anonymous").post(url)
        assert response.status_code == 302
    assert Match.objects.get(pk=match.pk).status == MatchStatus.PROPOSED


def test_the_profile_is_hidden_before_acceptance_and_after_the_retention_window(personas):
    match = proposed(personas.coordinator)
    _sharing(match)
    client = _member_client(match)
    url = reverse("my_match", args=[match.pk])
    assert SHARED not in client.get(url).content.decode()

    match = in_state(MatchStatus.ACCEPTED, personas.coordinator, world=None)
    _sharing(match)
    client = _member_client(match)
    url = reverse("my_match", args=[match.pk])
    assert SHARED in client.get(url).content.decode()

    match.status = MatchStatus.CLOSED
    match.closed_at = timezone.now() - timedelta(days=29)
    match.save()
    assert SHARED in client.get(url).content.decode()
    match.closed_at = timezone.now() - timedelta(days=31)
    match.save()
    assert SHARED not in client.get(url).content.decode()


def test_the_profile_needs_the_sharing_consent(personas):
    match = in_state(MatchStatus.ACCEPTED, personas.coordinator)
    match.household.shared_profile = SHARED
    match.household.save(update_fields=["shared_profile"])
    page = _member_client(match).get(reverse("my_match", args=[match.pk])).content.decode()
    assert SHARED not in page


def test_the_lead_accepts_from_the_members_page(personas):
    match = proposed(personas.coordinator)
    client = Client()
    client.force_login(lead_of(match.group))
    page = client.get(reverse("my_match", args=[match.pk])).content.decode()
    assert "Yes, we welcome this family" in page
    response = client.post(reverse("match_act", args=[match.pk, "accept_group"]))
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.group_accepted_at is not None
    # A member who is not the lead has no buttons and cannot post.
    member = _member_client(match)
    assert (
        "Yes, we welcome this family"
        not in member.get(reverse("my_match", args=[match.pk])).content.decode()
    )
    assert member.post(reverse("match_act", args=[match.pk, "decline_group"])).status_code == 404


def test_a_move_without_its_reason_keeps_the_page_and_what_was_typed(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("match_act", args=[match.pk, "extend"]),
        {"new_end": match.planned_end.isoformat(), "reason": "Three more months, please"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a date after the current end of the match." in page
    assert "Three more months, please" in page
    response = client.post(
        reverse("match_act", args=[match.pk, "extend"]),
        {
            "new_end": (match.planned_end + timedelta(days=60)).isoformat(),
            "reason": "Three more months, please",
        },
    )
    assert response.status_code == 302
    assert match.extensions.count() == 1


def test_staff_move_a_match_through_its_life_from_the_page(personas):
    world = make_world(coordinator=personas.coordinator)
    match = in_state(MatchStatus.INTRODUCTION_SCHEDULED, personas.coordinator, world=world)
    client = personas.client_for("coordinator")
    for action, data, status in [
        ("start", {}, MatchStatus.ACTIVE),
        ("pause", {"reason": "Travelling"}, MatchStatus.PAUSED),
        ("resume", {}, MatchStatus.ACTIVE),
        ("begin_closing", {}, MatchStatus.CLOSING),
        ("complete", {}, MatchStatus.CLOSED),
    ]:
        response = client.post(reverse("match_act", args=[match.pk, action]), data)
        assert response.status_code == 302, (action, response.status_code)
        match.refresh_from_db()
        assert match.status == status
    page = client.get(reverse("match_detail", args=[match.pk])).content.decode()
    assert "History" in page


def test_my_matches_lists_the_groups_matches(personas):
    match = proposed(personas.coordinator)
    response = _member_client(match).get(reverse("my_matches"))
    assert response.status_code == 200
    assert match.group.name in response.content.decode()
    # Every volunteer and interpreter has the page (the outsider is a volunteer of no group:
    # an empty list); staff, partners and anonymous people do not.
    assert_personas(personas, reverse("my_matches"), {"volunteer", "interpreter", "outsider"})
