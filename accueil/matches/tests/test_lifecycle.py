"""Every move of a match: the legal ones through the real services, and each illegal one
refused with a sentence and no change."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accueil.core.models import AuditEntry
from accueil.factories import UserFactory
from accueil.matches import services
from accueil.matches.models import TRANSITIONS, Match, MatchStatus, Outcome
from accueil.newcomers.models import HouseholdStatus

from .factories import in_state, lead_of, proposed

pytestmark = pytest.mark.django_db

ALL = list(MatchStatus)


def _move(match, to, by):
    """The service that makes ``to`` happen (the closed state: ending early, the move that
    every state after acceptance allows)."""
    if to == MatchStatus.ACCEPTED:
        services.match_accept_for_group(match=match, by=lead_of(match.group))
        return services.match_record_household_answer(match=match, by=by, accepted=True)
    if to == MatchStatus.DECLINED:
        return services.match_decline_for_group(match=match, by=by, reason="No")
    if to == MatchStatus.CANCELLED:
        return services.match_withdraw(match=match, by=by, reason="No")
    if to == MatchStatus.INTRODUCTION_SCHEDULED:
        return services.match_mark_introduction_scheduled(match=match, by=by)
    if to == MatchStatus.ACTIVE:
        if match.status == MatchStatus.PAUSED:
            return services.match_resume(match=match, by=by)
        return services.match_start(match=match, by=by)
    if to == MatchStatus.PAUSED:
        return services.match_pause(match=match, by=by, reason="Travelling")
    if to == MatchStatus.CLOSING:
        return services.match_begin_closing(match=match, by=by)
    if to == MatchStatus.CLOSED:
        return services.match_close(match=match, by=by, outcome=Outcome.ENDED_EARLY, reason="x")
    if to == MatchStatus.PROPOSED:
        raise ValidationError("no service moves a match back to proposed")
    raise AssertionError(to)


ILLEGAL = [
    (start, to)
    for start in ALL
    for to in ALL
    if to not in TRANSITIONS[start] and to != start and to != MatchStatus.PROPOSED
]
LEGAL = [(start, to) for start in ALL for to in sorted(TRANSITIONS[start])]


@pytest.mark.parametrize(("start", "to"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_an_illegal_move_is_refused_and_changes_nothing(personas, start, to):
    match = in_state(start, personas.coordinator)
    before = AuditEntry.objects.count()
    with pytest.raises((ValidationError, PermissionDenied)):
        _move(match, to, personas.coordinator)
    match.refresh_from_db()
    assert match.status == start
    # Only the group's own acceptance may be recorded on the way to "accepted".
    assert AuditEntry.objects.filter(code__startswith="match.").count() <= before + 1


@pytest.mark.parametrize(("start", "to"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_a_legal_move_happens(personas, start, to):
    match = in_state(start, personas.coordinator)
    _move(match, to, personas.coordinator)
    match.refresh_from_db()
    assert match.status == to


def test_acceptance_needs_both_sides_in_either_order(personas):
    match = proposed(personas.coordinator)
    services.match_record_household_answer(match=match, by=personas.coordinator, accepted=True)
    assert match.status == MatchStatus.PROPOSED
    services.match_accept_for_group(match=match, by=lead_of(match.group))
    assert match.status == MatchStatus.ACCEPTED
    codes = list(AuditEntry.objects.for_record(match).values_list("code", flat=True))
    assert {"match.group_accepted", "match.household_accepted", "match.accepted"} <= set(codes)


def test_only_the_group_lead_accepts_for_the_group(personas):
    match = proposed(personas.coordinator)
    member = match.group.memberships.filter(role="member").first().user
    with pytest.raises(PermissionDenied):
        services.match_accept_for_group(match=match, by=member)
    with pytest.raises(PermissionDenied):
        services.match_accept_for_group(match=match, by=personas.coordinator)


def test_a_declining_household_needs_a_reason_and_stays_on_the_waitlist(personas):
    match = proposed(personas.coordinator)
    with pytest.raises(ValidationError):
        services.match_record_household_answer(
            match=match, by=personas.coordinator, accepted=False, reason=" "
        )
    services.match_record_household_answer(
        match=match, by=personas.coordinator, accepted=False, reason="Prefers another day"
    )
    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert match.declined_by == "household"
    match.household.refresh_from_db()
    assert match.household.status == HouseholdStatus.WAITING


def test_starting_sets_the_planned_end_and_the_household_is_matched(personas):
    match = in_state(MatchStatus.INTRODUCTION_SCHEDULED, personas.coordinator)
    services.match_start(match=match, by=personas.coordinator, on=date(2027, 1, 31))
    assert match.planned_end == date(2027, 7, 31)
    match.household.refresh_from_db()
    assert match.household.status == HouseholdStatus.MATCHED


def test_an_extension_needs_a_later_date_and_a_reason(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    with pytest.raises(ValidationError):
        services.match_extend(
            match=match, by=personas.coordinator, new_end=match.planned_end, reason="More time"
        )
    with pytest.raises(ValidationError):
        services.match_extend(
            match=match,
            by=personas.coordinator,
            new_end=match.planned_end + timedelta(days=90),
            reason="",
        )
    old_end = match.planned_end
    extension = services.match_extend(
        match=match,
        by=personas.coordinator,
        new_end=old_end + timedelta(days=90),
        reason="The family asked for three more months",
    )
    assert extension.previous_end == old_end
    match.refresh_from_db()
    assert match.planned_end == old_end + timedelta(days=90)


def test_completed_only_from_closing_and_ending_early_needs_a_reason(personas):
    match = in_state(MatchStatus.ACTIVE, personas.coordinator)
    with pytest.raises(ValidationError):
        services.match_close(match=match, by=personas.coordinator, outcome=Outcome.COMPLETED)
    with pytest.raises(ValidationError):
        services.match_close(match=match, by=personas.coordinator, outcome=Outcome.ENDED_EARLY)
    services.match_close(
        match=match, by=personas.coordinator, outcome=Outcome.ENDED_EARLY, reason="Moved away"
    )
    match.refresh_from_db()
    assert match.ended_early and match.status == MatchStatus.CLOSED
    match.household.refresh_from_db()
    assert match.household.status == HouseholdStatus.WAITING


def test_a_completed_match_closes_the_household(personas):
    match = in_state(MatchStatus.CLOSED, personas.coordinator)
    assert match.outcome == Outcome.COMPLETED
    match.household.refresh_from_db()
    assert match.household.status == HouseholdStatus.CLOSED


def test_the_profile_window_opens_at_acceptance_and_closes_after_retention(personas):
    match = proposed(personas.coordinator)
    assert not match.profile_visible_to_group()
    match = in_state(MatchStatus.CLOSED, personas.coordinator)
    closed = match.closed_at
    assert match.profile_visible_to_group(now=closed + timedelta(days=29), retention_days=30)
    assert not match.profile_visible_to_group(now=closed + timedelta(days=30), retention_days=30)


def test_staff_of_another_program_cannot_move_a_match(personas):
    match = proposed(personas.coordinator)
    stranger = UserFactory(role="coordinator")  # of no program
    with pytest.raises(PermissionDenied):
        services.match_withdraw(match=match, by=stranger, reason="x")
    assert Match.objects.get(pk=match.pk).status == MatchStatus.PROPOSED


def test_a_closed_match_frees_the_group_and_the_household(personas):
    match = in_state(MatchStatus.CLOSED, personas.coordinator)
    assert not Match.objects.open().filter(pk=match.pk).exists()
    assert timezone.now() >= match.closed_at


def test_closing_announces_the_close_once_committed(personas, django_capture_on_commit_callbacks):
    """The surveys app will send the post-surveys from this signal."""
    from accueil.matches.signals import match_closed

    received = []

    def handler(sender, match, outcome, **kwargs):
        received.append((match.pk, outcome))

    match_closed.connect(handler)
    try:
        match = in_state(MatchStatus.CLOSING, personas.coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            services.match_close(match=match, by=personas.coordinator, outcome=Outcome.COMPLETED)
    finally:
        match_closed.disconnect(handler)
    assert received == [(match.pk, Outcome.COMPLETED)]
