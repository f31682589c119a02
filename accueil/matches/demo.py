"""Demo matches in every state, built through the real services so each has its history:
proposals waiting for an answer, an accepted match, an introduction booked, active matches with
activity logs and check-ins (some done, some overdue), a paused one, one closing, closed ones,
a declined proposal and a withdrawn one; and a completed match for each past household of the
demo, ended in the last two years (their surveys are the impact report's sample). One volunteer raised a concern, so the risk queue is
not empty.

Idempotent: nothing happens when the demo already has matches.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accueil.accounts.models import Role, User
from accueil.newcomers.models import Household, HouseholdStatus
from accueil.volunteers.models import GroupMembership, WelcomeGroup
from accueil.volunteers.readiness import readiness_for_groups

from . import services
from .demo_incidents import seed_incident
from .models import CheckIn, Match, MatchStatus, Outcome
from .services_activity import activity_log, goal_add
from .services_checkins import checkin_complete, checkin_record_household, checkin_record_volunteers

ENDED_EARLY_DAYS = 90
# (final state, days since the start for started matches)
PLAN = [
    (MatchStatus.PROPOSED, None),
    (MatchStatus.PROPOSED, None),
    (MatchStatus.ACCEPTED, None),
    (MatchStatus.INTRODUCTION_SCHEDULED, None),
    (MatchStatus.ACTIVE, 150),
    (MatchStatus.ACTIVE, 120),
    (MatchStatus.ACTIVE, 95),
    (MatchStatus.ACTIVE, 70),
    (MatchStatus.ACTIVE, 45),
    (MatchStatus.ACTIVE, 30),
    (MatchStatus.ACTIVE, 20),
    (MatchStatus.ACTIVE, 10),
    (MatchStatus.PAUSED, 60),
    (MatchStatus.CLOSING, 175),
    (MatchStatus.CLOSED, 200),
    (MatchStatus.CLOSED, 240),
    (MatchStatus.CLOSED, ENDED_EARLY_DAYS),
    (MatchStatus.DECLINED, None),
    (MatchStatus.CANCELLED, None),
    (MatchStatus.ACTIVE, 35),
]

NOTES = [
    "Practised English over tea and looked at the bus map together.",
    "Helped fill in the school registration forms.",
    "Video call: talked about finding a family doctor.",
    "Went to the library together and got library cards.",
]


def _lead(group) -> User | None:
    membership = group.memberships.filter(
        role=GroupMembership.Role.LEAD, left_at__isnull=True
    ).first()
    return membership.user if membership else None


def _members(group) -> list:
    return [m.user for m in group.memberships.filter(left_at__isnull=True).select_related("user")]


def seed() -> str:
    if not Match.objects.exists():
        _seed()
        seed_incident()
    active = Match.objects.filter(status=MatchStatus.ACTIVE).count()
    return (
        f"Matches: {Match.objects.count()} demo matches in every state, {active} of them active, "
        "with activity logs and check-ins; the coordinators' caseload is at /caseload/."
    )


def _seed() -> None:
    coordinators = list(User.objects.filter(role=Role.COORDINATOR).prefetch_related("programs"))
    with transaction.atomic():
        groups = list(WelcomeGroup.objects.filter(is_active=True).order_by("pk"))
        ready = readiness_for_groups(groups)
        groups = [g for g in groups if ready[g.pk].ready and _lead(g) is not None]
        for group in groups:
            # Demo groups support two or three households at a time.
            group.capacity = 3
            group.save(update_fields=["capacity"])
        by_status = {
            status: list(Household.objects.filter(status=status).order_by("pk"))
            for status in (HouseholdStatus.WAITING, HouseholdStatus.MATCHED, HouseholdStatus.CLOSED)
        }
        # The past matches first: they are closed when the current ones take the places.
        _alumni(groups, coordinators)
        slots = {g.pk: 3 for g in groups}
        for state, days in PLAN:
            # Each household ends in the status the households demo gave it: matched ones
            # carry the matches under way, closed ones the completed matches, and waiting ones
            # the proposals (and the match that ended early, which sends its family back).
            if state in (MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.CLOSING):
                pool = by_status[HouseholdStatus.MATCHED]
            elif state == MatchStatus.CLOSED and days != ENDED_EARLY_DAYS:
                pool = by_status[HouseholdStatus.CLOSED]
            else:
                pool = by_status[HouseholdStatus.WAITING]
            for household in list(pool):
                group = next(
                    (g for g in groups if g.program_id == household.program_id and slots[g.pk]),
                    None,
                )
                by = next((c for c in coordinators if household.program in c.programs.all()), None)
                if group is None or by is None:
                    continue
                pool.remove(household)
                slots[group.pk] -= 1
                _match(household, group, by, state, days)
                break


def _alumni(groups, coordinators) -> None:
    """Matches that ended in the last two years, for the past households of the demo: a
    completed six-month match each, started between 8 and 22 months ago."""
    today = timezone.localdate()
    # The past households were referred 9 months ago or more; the two recent closed ones get
    # their matches from PLAN.
    past = Household.objects.filter(
        status=HouseholdStatus.CLOSED,
        matches__isnull=True,
        referral_date__lte=today - timedelta(days=260),
    )
    for k, household in enumerate(past.order_by("pk")):
        program_groups = [g for g in groups if g.program_id == household.program_id]
        by = next((c for c in coordinators if household.program in c.programs.all()), None)
        if not program_groups or by is None:
            continue
        group = program_groups[k % len(program_groups)]
        household.status = HouseholdStatus.WAITING
        household.coordinator = by
        household.save(update_fields=["status", "coordinator"])
        match = services.match_propose(
            household=household, group=group, by=by, score=72, explanation=[]
        )
        services.match_accept_for_group(match=match, by=_lead(group))
        services.match_record_household_answer(match=match, by=by, accepted=True)
        services.match_mark_introduction_scheduled(match=match, by=by)
        started = today - timedelta(days=240 + (k * 13) % 420)
        services.match_start(match=match, by=by, on=started)
        services.match_begin_closing(match=match, by=by)
        services.match_close(match=match, by=by, outcome=Outcome.COMPLETED)
        ended = started + timedelta(days=182 + k % 3 * 14)
        closed_at = timezone.make_aware(datetime.combine(ended, time(15)))
        Match.objects.filter(pk=match.pk).update(
            planned_end=ended, closed_at=closed_at, status_changed_at=closed_at
        )
        # Their check-ins happened outside the demo: none is left waiting.
        CheckIn.objects.pending().filter(match=match).update(cancelled_at=closed_at)


def _match(household, group, by, state, days) -> Match:
    today = timezone.localdate()
    household.status = HouseholdStatus.WAITING
    household.coordinator = by
    if household.waitlisted_at is None:
        household.waitlisted_at = timezone.now() - timedelta(days=(days or 0) + 40)
    household.save(update_fields=["status", "coordinator", "waitlisted_at"])
    match = services.match_propose(
        household=household, group=group, by=by, score=70, explanation=[]
    )
    lead = _lead(group)
    if state == MatchStatus.PROPOSED:
        return match
    if state == MatchStatus.DECLINED:
        return services.match_decline_for_group(
            match=match, by=lead, reason="The group's evenings are full until spring."
        )
    if state == MatchStatus.CANCELLED:
        return services.match_withdraw(
            match=match, by=by, reason="The family moved to another city before the answer."
        )
    services.match_accept_for_group(match=match, by=lead)
    services.match_record_household_answer(match=match, by=by, accepted=True)
    if state == MatchStatus.ACCEPTED:
        return match
    services.match_mark_introduction_scheduled(match=match, by=by)
    if state == MatchStatus.INTRODUCTION_SCHEDULED:
        return match
    services.match_start(match=match, by=by, on=today - timedelta(days=days))
    goal_add(
        match=match,
        by=by,
        priority=(household.priorities or ["socializing"])[0],
        what="Meet every week and practise everyday English.",
        who="The whole group",
    )
    _activities(match, days)
    _checkins(match, by, days)
    if state == MatchStatus.PAUSED:
        return services.match_pause(match=match, by=by, reason="The family is travelling.")
    if state == MatchStatus.CLOSING:
        return services.match_begin_closing(match=match, by=by)
    if state == MatchStatus.CLOSED:
        if days == ENDED_EARLY_DAYS:
            return services.match_close(
                match=match,
                by=by,
                outcome=Outcome.ENDED_EARLY,
                reason="The family moved to another province.",
            )
        services.match_begin_closing(match=match, by=by)
        return services.match_close(match=match, by=by, outcome=Outcome.COMPLETED)
    return match


def _activities(match, days) -> None:
    """A weekly contact until three weeks ago for the oldest matches (so some go quiet and
    show in the risk queue), and a concern on one."""
    members = _members(match.group)
    today = timezone.localdate()
    quiet = 21 if days >= 120 else 0
    for k, ago in enumerate(range(days - 3, quiet, -7)):
        author = members[k % len(members)]
        activity_log(
            match=match,
            by=author,
            date=today - timedelta(days=ago),
            mode=["video", "phone", "in_person", "messages"][k % 4],
            duration_minutes=[60, 45, 90, 20][k % 4],
            participants=[author],
            priorities=(match.household.priorities or [])[:1],
            note=NOTES[k % len(NOTES)],
            concern=days == 35 and k == 1,
            concern_text=(
                "The father seemed very low and said he is not sleeping." if days == 35 else ""
            ),
        )


def _checkins(match, by, days) -> None:
    """Check-ins done up to a month ago; the most recent ones left due or overdue."""
    today = timezone.localdate()
    for n, checkin in enumerate(
        CheckIn.objects.filter(match=match, due_on__lte=today - timedelta(days=30)).order_by(
            "due_on"
        )
    ):
        checkin_record_volunteers(checkin=checkin, by=by, rating=4, wellbeing=4, workload=3)
        checkin_record_household(
            checkin=checkin, by=by, satisfaction=5 if n % 2 else 4, through_interpreter=True
        )
        checkin_complete(checkin=checkin, by=by, outcome="on_track")
