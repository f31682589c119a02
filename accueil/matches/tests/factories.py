"""Matches in any state, built through the services (so their history is real)."""

from datetime import date, timedelta

from accueil.matches import services
from accueil.matches.models import Match, MatchStatus, Outcome
from accueil.matching.tests.factories import make_world


def lead_of(group):
    return group.memberships.get(role="lead", left_at__isnull=True).user


def proposed(coordinator, *, world=None) -> Match:
    world = world or make_world(coordinator=coordinator)
    world.household.coordinator = coordinator
    world.household.save(update_fields=["coordinator"])
    return services.match_propose(
        household=world.household, group=world.alpha, by=coordinator, score=80, explanation=[]
    )


def in_state(status: str, coordinator, *, world=None) -> Match:
    """A match moved through the real services up to ``status``."""
    match = proposed(coordinator, world=world)
    if status == MatchStatus.PROPOSED:
        return match
    if status == MatchStatus.DECLINED:
        return services.match_decline_for_group(match=match, by=coordinator, reason="Too far")
    if status == MatchStatus.CANCELLED:
        return services.match_withdraw(match=match, by=coordinator, reason="Family moved")
    services.match_accept_for_group(match=match, by=lead_of(match.group))
    services.match_record_household_answer(match=match, by=coordinator, accepted=True)
    if status == MatchStatus.ACCEPTED:
        return match
    services.match_mark_introduction_scheduled(match=match, by=coordinator)
    if status == MatchStatus.INTRODUCTION_SCHEDULED:
        return match
    services.match_start(match=match, by=coordinator, on=date.today() - timedelta(days=30))
    if status == MatchStatus.ACTIVE:
        return match
    if status == MatchStatus.PAUSED:
        return services.match_pause(match=match, by=coordinator, reason="Family travelling")
    services.match_begin_closing(match=match, by=coordinator)
    if status == MatchStatus.CLOSING:
        return match
    return services.match_close(match=match, by=coordinator, outcome=Outcome.COMPLETED)
