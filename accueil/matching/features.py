"""From the database to the engine's arrays.

Group features cost several queries (memberships, volunteers, their languages, police checks,
training for readiness), so they are built once per program and kept in the cache until
something they depend on changes: a receiver below bumps a version number whenever a group, a
membership, a volunteer, a screening step, a training completion or a match is saved or
deleted, and the key also carries the date, because a police check expires at midnight.
Household features are cheap (their own row) and are built per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.core.cache import cache
from django.db.models import Max
from django.db.models.signals import post_delete, post_save
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accueil.accounts.models import Role, User
from accueil.core.taxonomy import SLOTS, Gender, IntegrationPriority, slots_to_mask
from accueil.matches.models import Match, MatchStatus, ProgramMatchSettings
from accueil.newcomers.models import Household, HouseholdStatus, MeetingMode, Urgency
from accueil.volunteers.models import (
    GroupMembership,
    ScreeningStep,
    TrainingCompletion,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
    WelcomeGroup,
)
from accueil.volunteers.readiness import readiness_for_groups

from . import engine
from .models import MatchingSettings, PairExclusion

PRIORITY_CODES = list(IntegrationPriority.values)
# Levels at which a volunteer can hold a conversation with the family.
SPEAKING_LEVELS = ("conversational", "fluent", "native")
APPROVED = (VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE)
VERSION_KEY = "matching:features-version"
CACHE_SECONDS = 60 * 60


def settings_for(program) -> MatchingSettings:
    found, _created = MatchingSettings.objects.get_or_create(program=program)
    return found


# --- cache invalidation -----------------------------------------------------------------


def _bump(**_kwargs) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


for _model in (
    WelcomeGroup,
    GroupMembership,
    Volunteer,
    VolunteerLanguage,
    ScreeningStep,
    TrainingCompletion,
    Match,
    User,
):
    post_save.connect(_bump, sender=_model, dispatch_uid=f"matching-bump-{_model.__name__}")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"matching-bump-del-{_model.__name__}")


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.set(VERSION_KEY, 1, None)
        version = 1
    return version


# --- groups -----------------------------------------------------------------------------


@dataclass
class GroupRow:
    """One group's features in plain Python, the form the cache keeps."""

    id: int
    name: str
    region_id: int
    skills: list
    languages: list
    availability: int
    women_only_ok: bool
    in_person_ok: bool
    members: int
    ready: bool
    not_ready_reason: str
    room: int


@dataclass
class ProgramGroups:
    rows: list
    interpreter_languages: list


def program_groups(program, *, on: date | None = None) -> ProgramGroups:
    """Active groups of the program and the interpreters' languages, from the cache when
    nothing changed since they were built."""
    on = on or timezone.localdate()
    # The language too: a group's not-ready reason is a sentence in the reader's language.
    key = f"matching:groups:{program.pk}:{on.isoformat()}:{get_language()}:{_version()}"
    found = cache.get(key)
    if found is None:
        found = _build_program_groups(program, on=on)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _build_program_groups(program, *, on: date) -> ProgramGroups:
    groups = list(WelcomeGroup.objects.filter(program=program, is_active=True).order_by("pk"))
    readiness = readiness_for_groups(groups, on=on)
    memberships = list(
        GroupMembership.objects.filter(group__in=groups, left_at__isnull=True).values_list(
            "group_id", "user_id"
        )
    )
    volunteers = {
        v.user_id: v
        for v in Volunteer.objects.filter(user_id__in={u for _g, u in memberships})
        .only("user_id", "status", "gender", "in_person", "skills", "availability")
        .prefetch_related("languages")
    }
    open_counts: dict[int, int] = {}
    for group_id in (
        Match.objects.open().filter(group__in=groups).values_list("group_id", flat=True)
    ):
        open_counts[group_id] = open_counts.get(group_id, 0) + 1
    # A group rests for the program's rest period after a match closes.
    rest_days = ProgramMatchSettings.for_program(program).group_rest_days
    last_closed = dict(
        Match.objects.filter(group__in=groups, status=MatchStatus.CLOSED, closed_at__isnull=False)
        .values("group_id")
        .annotate(last=Max("closed_at"))
        .values_list("group_id", "last")
    )
    by_group: dict[int, list] = {}
    for group_id, user_id in memberships:
        volunteer = volunteers.get(user_id)
        if volunteer is not None and volunteer.status in APPROVED:
            by_group.setdefault(group_id, []).append(volunteer)

    rows = []
    for group in groups:
        people = by_group.get(group.pk, [])
        skills = sorted({code for v in people for code in v.skills if code in PRIORITY_CODES})
        languages = sorted(
            {
                lang.code
                for v in people
                for lang in v.languages.all()
                if lang.level in SPEAKING_LEVELS
            }
        )
        # The group's times are those when at least two members are free (one, for a group of
        # one): a meeting with a single volunteer every time is not what the program asks.
        counts = [0] * len(SLOTS)
        for v in people:
            for slot in v.availability:
                if slot in SLOTS:
                    counts[SLOTS.index(slot)] += 1
        needed = min(2, len(people)) or 1
        availability = slots_to_mask([s for s, c in zip(SLOTS, counts, strict=True) if c >= needed])
        state = readiness[group.pk]
        reasons = [r.message for r in state.reasons]
        closed = last_closed.get(group.pk)
        if closed is not None and rest_days:
            until = timezone.localtime(closed).date() + timedelta(days=rest_days)
            if on < until:
                reasons.append(
                    _("resting after its last match until %(date)s")
                    % {"date": formats.date_format(until, "DATE_FORMAT")}
                )
        rows.append(
            GroupRow(
                id=group.pk,
                name=group.name,
                region_id=group.region_id,
                skills=skills,
                languages=languages,
                availability=availability,
                women_only_ok=bool(people) and all(v.gender == Gender.WOMAN for v in people),
                in_person_ok=any(v.in_person for v in people),
                members=len(people),
                ready=not reasons,
                not_ready_reason="; ".join(reasons),
                room=max(group.capacity - open_counts.get(group.pk, 0), 0),
            )
        )
    interpreters = sorted(
        set(
            VolunteerLanguage.objects.filter(
                volunteer__user__role=Role.INTERPRETER,
                volunteer__user__is_active=True,
                volunteer__user__programs=program,
                level__in=SPEAKING_LEVELS,
            ).values_list("code", flat=True)
        )
    )
    return ProgramGroups(rows=rows, interpreter_languages=interpreters)


# --- households ---------------------------------------------------------------------------


def wait_days(household: Household, today: date) -> int:
    start = household.waitlisted_at or household.status_changed_at
    if start is None:
        return 0
    return max((today - timezone.localtime(start).date()).days, 0)


@dataclass
class Loaded:
    """An instance and the objects behind its rows and columns."""

    instance: engine.Instance
    households: list
    groups: list  # GroupRow
    settings: MatchingSettings


def build_instance(program, households, *, weights: engine.Weights | None = None) -> Loaded:
    """The engine's instance for ``households`` (objects of ``program``) against the program's
    active groups. Coordinators' remaining caseloads come from their open matches."""
    today = timezone.localdate()
    settings = settings_for(program)
    program_data = program_groups(program, on=today)
    groups = program_data.rows
    households = list(households)

    language_codes = sorted(
        {code for g in groups for code in g.languages}
        | set(program_data.interpreter_languages)
        | {code for h in households for code in (h.languages or [])}
    )
    lang_index = {code: k for k, code in enumerate(language_codes)}
    region_ids = sorted({g.region_id for g in groups} | {h.region_id for h in households})
    region_index = {rid: k for k, rid in enumerate(region_ids)}
    priority_index = {code: k for k, code in enumerate(PRIORITY_CODES)}

    n, m, p, nl = len(households), len(groups), len(PRIORITY_CODES), len(language_codes)
    ranks = np.zeros((n, p), dtype=np.int8)
    h_lang = np.zeros((n, nl), dtype=bool)
    for i, h in enumerate(households):
        for rank, code in enumerate(h.priorities or [], start=1):
            if code in priority_index and not ranks[i, priority_index[code]]:
                ranks[i, priority_index[code]] = rank
        for code in h.languages or []:
            h_lang[i, lang_index[code]] = True
    modes = {MeetingMode.REMOTE: 0, MeetingMode.IN_PERSON: 1, MeetingMode.EITHER: 2}
    urgencies = {Urgency.ROUTINE: 0, Urgency.SOON: 1, Urgency.URGENT: 2}

    coordinator_ids = sorted({h.coordinator_id for h in households if h.coordinator_id})
    coord_index = {uid: k for k, uid in enumerate(coordinator_ids)}
    open_by_coordinator: dict[int, int] = {}
    for uid in (
        Match.objects.open()
        .filter(coordinator_id__in=coordinator_ids)
        .values_list("coordinator_id", flat=True)
    ):
        open_by_coordinator[uid] = open_by_coordinator.get(uid, 0) + 1
    names = dict(User.objects.filter(pk__in=coordinator_ids).values_list("pk", "full_name"))

    h = engine.Households(
        ids=[x.pk for x in households],
        priorities=engine.rank_weights(ranks),
        priority_ranks=ranks,
        languages=h_lang,
        availability=np.array(
            [slots_to_mask(s for s in (x.availability or []) if s in SLOTS) for x in households],
            dtype=np.uint32,
        ),
        women_only=np.array([x.women_only for x in households], dtype=bool),
        mode=np.array([modes.get(x.meeting_mode, 0) for x in households], dtype=np.int8),
        region=np.array([region_index[x.region_id] for x in households], dtype=np.int32),
        size=np.array([x.household_size for x in households], dtype=np.int16),
        wait_days=np.array([wait_days(x, today) for x in households], dtype=np.int32),
        urgency=np.array([urgencies.get(x.urgency, 0) for x in households], dtype=np.int8),
        paused=np.array([x.status != HouseholdStatus.WAITING for x in households], dtype=bool),
        coordinator=np.array(
            [coord_index.get(x.coordinator_id, -1) for x in households], dtype=np.int32
        ),
    )
    skills = np.zeros((m, p), dtype=bool)
    g_lang = np.zeros((m, nl), dtype=bool)
    for j, g in enumerate(groups):
        for code in g.skills:
            skills[j, priority_index[code]] = True
        for code in g.languages:
            g_lang[j, lang_index[code]] = True
    gr = engine.Groups(
        ids=[g.id for g in groups],
        skills=skills,
        languages=g_lang,
        availability=np.array([g.availability for g in groups], dtype=np.uint32),
        women_only_ok=np.array([g.women_only_ok for g in groups], dtype=bool),
        in_person_ok=np.array([g.in_person_ok for g in groups], dtype=bool),
        region=np.array([region_index[g.region_id] for g in groups], dtype=np.int32),
        members=np.array([g.members for g in groups], dtype=np.int16),
        ready=np.array([g.ready for g in groups], dtype=bool),
        capacity=np.array([g.room for g in groups], dtype=np.int16),
        not_ready_reasons=[g.not_ready_reason for g in groups],
    )
    interpreters = np.zeros(nl, dtype=bool)
    for code in program_data.interpreter_languages:
        interpreters[lang_index[code]] = True

    row_of = {x.pk: i for i, x in enumerate(households)}
    col_of = {g.id: j for j, g in enumerate(groups)}
    excluded = {}
    household_ids = list(row_of)
    for hid, gid in (
        Match.objects.ended_early()
        .filter(household_id__in=household_ids)
        .values_list("household_id", "group_id")
    ):
        if gid in col_of:
            excluded[(row_of[hid], col_of[gid])] = engine.ENDED_EARLY
    for hid, gid in PairExclusion.objects.filter(household_id__in=household_ids).values_list(
        "household_id", "group_id"
    ):
        if gid in col_of:
            excluded[(row_of[hid], col_of[gid])] = engine.CONFLICT

    limit = settings.caseload_limit
    instance = engine.Instance(
        households=h,
        groups=gr,
        priority_codes=list(PRIORITY_CODES),
        language_codes=language_codes,
        region_codes=region_ids,
        interpreter_languages=interpreters,
        weights=weights or settings.weights(),
        excluded_pairs=excluded,
        caseload_left=np.array(
            [limit - open_by_coordinator.get(uid, 0) for uid in coordinator_ids], dtype=np.int32
        ),
        caseload_limit=np.full(len(coordinator_ids), limit, dtype=np.int32),
        coordinator_names=[names.get(uid, "") for uid in coordinator_ids],
    )
    return Loaded(instance=instance, households=households, groups=groups, settings=settings)
