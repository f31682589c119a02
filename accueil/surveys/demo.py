"""Demo survey answers: before and after each past match, for the households and the
volunteers, with a plausible, uneven improvement (some people do worse, most a little better),
so the impact report has something honest to show. A few recent surveys stay open (a link sent,
a reminder due) so the staff list is not all finished work.

Answers are drawn from a seeded generator and entered through the services (on the phone
through an interpreter, on the phone with staff, from paper, or through the link), then the
dates are moved back to when they would have been collected. Idempotent: households and
volunteers that already have survey answers are left alone.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from accueil.accounts.models import Role, User
from accueil.matches.models import Match, MatchStatus
from accueil.volunteers.models import Volunteer, VolunteerStatus

from .models import Administration, AdminStatus, Mode, Phase
from .services import administration_enter, administration_schedule, administration_send

SEED = 2027
MODES = [Mode.INTERPRETER, Mode.LINK, Mode.INTERVIEW, Mode.INTERPRETER, Mode.PAPER]


def seed() -> str:
    with transaction.atomic():
        _seed()
    households = (
        Administration.objects.filter(
            household__isnull=False, phase=Phase.POST, status=AdminStatus.SUBMITTED
        )
        .values("household")
        .distinct()
        .count()
    )
    volunteers = (
        Administration.objects.filter(person__isnull=False, status=AdminStatus.SUBMITTED)
        .values("person")
        .distinct()
        .count()
    )
    return (
        f"Surveys: before-and-after answers for {households} households and {volunteers} "
        "volunteers; the impact report is at /surveys/impact/."
    )


def _seed() -> None:
    rng = np.random.default_rng(SEED)
    closed = list(
        Match.objects.filter(status=MatchStatus.CLOSED, closed_at__isnull=False)
        .select_related("program", "household", "coordinator")
        .order_by("pk")
    )
    for k, match in enumerate(closed):
        household = match.household
        if Administration.objects.filter(household=household, status="submitted").exists():
            continue
        by = match.coordinator or User.objects.filter(role=Role.COORDINATOR).first()
        support = float(np.clip(rng.normal(2.35, 0.45), 1.3, 3.6))
        change = float(rng.normal(0.32, 0.38))
        started = match.started_on or match.closed_at.date() - timedelta(days=182)
        pre_at = timezone.make_aware(datetime.combine(started - timedelta(days=20), time(15)))
        pre = administration_schedule(
            program=match.program, phase=Phase.PRE, household=household, by=by
        )
        _answer(pre, by, rng, support, mode=MODES[k % len(MODES)], at=pre_at)
        post = administration_schedule(
            program=match.program, phase=Phase.POST, household=household, match=match, by=by
        )
        if k % 11 == 10:  # a late post-survey: the link went out, nobody answered yet
            continue
        at = match.closed_at + timedelta(days=5 + k % 9)
        _answer(post, by, rng, support + change, mode=MODES[(k + 2) % len(MODES)], at=at)
    _volunteers(rng, closed)


def _volunteers(rng, closed) -> None:
    staff = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    posts = {
        a.person_id: a
        for a in Administration.objects.filter(person__isnull=False, phase=Phase.POST)
        .select_related("match")
        .order_by("pk")
    }
    approved = (
        Volunteer.objects.filter(
            status__in=[VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE],
            approved_at__isnull=False,
        )
        .select_related("user", "program")
        .order_by("pk")
    )
    for k, volunteer in enumerate(approved):
        person = volunteer.user
        if Administration.objects.filter(person=person, status="submitted").exists():
            continue
        confidence = float(np.clip(rng.normal(2.6, 0.5), 1.4, 3.8))
        pre = administration_schedule(
            program=volunteer.program, phase=Phase.PRE, person=person, by=staff
        )
        first_match = min((m.started_on for m in closed if m.started_on), default=None)
        pre_at = volunteer.approved_at
        if first_match and pre_at.date() > first_match:
            pre_at = timezone.make_aware(datetime.combine(first_match, time(15))) - timedelta(
                days=30 + k
            )
        post = posts.get(person.pk)
        if post is None and k % 7 == 3:
            # Approved lately and not matched yet: the link is out, not answered yet.
            if pre is not None and pre.sent_at is None:
                administration_send(pre)
            continue
        _answer(pre, staff, rng, confidence, mode=Mode.LINK, at=pre_at)
        if post is not None and post.is_open:
            later = confidence + float(rng.normal(0.3, 0.35))
            at = post.match.closed_at + timedelta(days=3 + k % 6)
            _answer(post, staff, rng, later, mode=Mode.LINK, at=at)


def _value(rng, level: float, scale: list[int], reverse: bool) -> int:
    """An answer near ``level`` (on a 1-4 footing) mapped onto the item's scale."""
    low, high = min(scale), max(scale)
    position = (level - 1) / 3 * (high - low) + low + rng.normal(0, 0.65)
    value = int(np.clip(round(position), low, high))
    return low + high - value if reverse else value


def _answer(administration, by, rng, level: float, *, mode: str, at) -> None:
    if administration is None or not administration.is_open:
        return
    answers = {}
    for response in administration.responses.select_related("instrument"):
        spec = response.instrument.spec
        # Loneliness and isolation run against support: a reverse-worded item, or the whole
        # instrument when lower is better.
        against = spec.better == "lower"
        values = {}
        for item in spec.items:
            scale = spec.scale_of(item)
            if scale is None:
                continue
            if rng.random() < 0.02:  # now and then a question is skipped
                values[item.number] = None
                continue
            reverse = item.reverse != against
            if spec.slug == "program-items" and item.number == 3:  # "I feel socially isolated"
                reverse = True
            values[item.number] = _value(rng, level, sorted(scale.values), reverse)
        answers[response.pk] = values
    interpreter = User.objects.filter(role=Role.INTERPRETER).order_by("pk").first()
    entry_mode = Mode.INTERVIEW if mode == Mode.LINK else mode
    administration_enter(
        administration,
        by=by,
        answers=answers,
        mode=entry_mode,
        language=administration.language,
        interpreter=interpreter if entry_mode == Mode.INTERPRETER else None,
    )
    fields = {"created_at": at - timedelta(days=2), "submitted_at": at, "updated_at": at}
    if administration.person_id:  # most volunteers tick "you may use my answers for research"
        fields["research_consent"] = bool(rng.random() < 0.8)
    if mode == Mode.LINK:
        channel = "sms" if administration.household_id else "email"
        fields.update(
            mode=Mode.LINK, interviewer=None, sent_at=at - timedelta(days=2), channel=channel
        )
    Administration.objects.filter(pk=administration.pk).update(**fields)
    administration.responses.update(submitted_at=at)
