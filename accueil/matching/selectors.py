"""Reads for the matching pages: ranked candidates with their reasons in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from accueil.accounts.models import Region
from accueil.core.languages import language_name
from accueil.core.taxonomy import IntegrationPriority, slot_label
from accueil.matches.models import OPEN_STATUSES
from accueil.newcomers.models import Household, HouseholdStatus
from accueil.volunteers.models import WelcomeGroup

from . import engine, reasons
from .features import Loaded, build_instance


def _lower_first(label: str) -> str:
    """A label inside a sentence: "Finding work" reads "finding work", and "Practising English or
    French" keeps its capitals after the first letter."""
    return label[:1].lower() + label[1:]


def _names(region_names: dict) -> reasons.Names:
    priorities = dict(IntegrationPriority.choices)
    return reasons.Names(
        language=language_name,
        priority=lambda code: _lower_first(str(priorities.get(code, code))),
        slot=slot_label,
        region=lambda rid: region_names.get(rid, ""),
        join=lambda items: str(get_text_list([str(i) for i in items], gettext("and"))),
        join_any=lambda items: str(get_text_list([str(i) for i in items], gettext("or"))),
    )


def describe(contributions, region_names: dict) -> list[dict]:
    """Contributions (engine objects or their stored dicts) as translated sentences."""
    items = [
        c if isinstance(c, engine.Contribution) else engine.Contribution(**c) for c in contributions
    ]
    return reasons.describe_all(
        items, gettext=gettext, ngettext=ngettext, names=_names(region_names)
    )


def as_data(contributions) -> list[dict]:
    """What a match or a proposal stores: codes and numbers, never text."""
    return [
        {"code": c.code, "points": c.points, "excluded": c.excluded, "data": c.data}
        for c in contributions
    ]


def region_names(ids) -> dict:
    return dict(Region.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


@dataclass
class Candidate:
    obj: object  # a WelcomeGroup row (features.GroupRow) or a Household
    pk: int
    score: int
    feasible: bool
    rank: int | None  # 1 for the best feasible candidate; None when excluded
    reasons: list  # [{"code", "points", "excluded", "text"}]
    contributions: list  # engine.Contribution, for storing with a proposal


def _candidate(loaded: Loaded, i: int, j: int, item, score, feasible, rank, regions) -> Candidate:
    contributions = engine.explain(loaded.instance, i, j, ranking=True)
    return Candidate(
        obj=item,
        pk=item.pk if hasattr(item, "pk") else item.id,
        score=int(score),
        feasible=bool(feasible),
        rank=rank,
        reasons=describe(contributions, regions),
        contributions=contributions,
    )


@dataclass
class Ranking:
    household: Household | None
    group: object | None
    candidates: list  # feasible, best first, at most top_n
    excluded: list  # the excluded candidates that would score best, with why not (top_n)
    more: int  # feasible candidates beyond top_n
    loaded: Loaded
    excluded_more: int = 0  # excluded candidates beyond top_n (see ``pair`` for any one)


def ranked_groups(household: Household, *, top: int | None = None) -> Ranking:
    """The program's groups for one household: the best ``top`` (the program's setting by
    default) with their reasons, and every excluded group with why not."""
    loaded = build_instance(household.program, [household])
    top = top or loaded.settings.top_n
    scores, feasible = engine.score_rows(loaded.instance, np.array([0]), ranking=True)
    order = engine._rank(scores[0], feasible[0], None)
    regions = region_names(loaded.instance.region_codes)
    candidates, excluded, position, shut = [], [], 0, 0
    for ranked in order:
        group = loaded.groups[ranked.index]
        if ranked.feasible:
            position += 1
            if position <= top:
                candidates.append(
                    _candidate(
                        loaded, 0, ranked.index, group, ranked.score, True, position, regions
                    )
                )
        else:
            shut += 1
            if shut <= top:
                excluded.append(
                    _candidate(loaded, 0, ranked.index, group, ranked.score, False, None, regions)
                )
    return Ranking(
        household, None, candidates, excluded, max(position - top, 0), loaded, max(shut - top, 0)
    )


def waiting_households(program):
    return (
        Household.objects.filter(program=program, status=HouseholdStatus.WAITING)
        .exclude(matches__status__in=OPEN_STATUSES)
        .select_related("region", "coordinator")
        .order_by("waitlisted_at", "pk")
    )


def ranked_households(group: WelcomeGroup, *, top: int | None = None) -> Ranking:
    """Waiting households of the group's program for one group, read down its column."""
    households = list(waiting_households(group.program))
    loaded = build_instance(group.program, households)
    top = top or loaded.settings.top_n
    col = next((j for j, row in enumerate(loaded.groups) if row.id == group.pk), None)
    regions = region_names(loaded.instance.region_codes)
    if col is None or not households:
        return Ranking(None, group, [], [], 0, loaded, 0)
    ranked = engine.rank_households(loaded.instance, col, top=None)
    candidates, excluded, position, shut = [], [], 0, 0
    for r in ranked:
        household = loaded.households[r.index]
        if r.feasible:
            position += 1
            if position <= top:
                candidates.append(
                    _candidate(loaded, r.index, col, household, r.score, True, position, regions)
                )
        else:
            shut += 1
            if shut <= top:
                excluded.append(
                    _candidate(loaded, r.index, col, household, r.score, False, None, regions)
                )
    return Ranking(
        None, group, candidates, excluded, max(position - top, 0), loaded, max(shut - top, 0)
    )


def pair(household: Household, group_id: int) -> Candidate | None:
    """One household and one group of its program: score and every reason, or None when the
    group is not an active group of the household's program."""
    loaded = build_instance(household.program, [household])
    col = next((j for j, row in enumerate(loaded.groups) if row.id == group_id), None)
    if col is None:
        return None
    scores, feasible = engine.score_rows(loaded.instance, np.array([0]), ranking=True)
    rank = None
    if feasible[0, col]:
        ahead = feasible[0] & (scores[0] > scores[0, col])
        ties = feasible[0, :col] & (scores[0, :col] == scores[0, col])
        rank = int(ahead.sum() + ties.sum()) + 1
    regions = region_names(loaded.instance.region_codes)
    return _candidate(
        loaded, 0, col, loaded.groups[col], scores[0, col], feasible[0, col], rank, regions
    )


def preview(program, weights: engine.Weights, *, limit: int = 5) -> list[dict]:
    """How the first waiting households' top groups change with ``weights``: for each, the top
    ``limit`` groups under the saved weights and under the new ones."""
    households = list(waiting_households(program)[:limit])
    if not households:
        return []
    current = build_instance(program, households)
    proposed = build_instance(program, households, weights=weights)
    rows = []
    for i, household in enumerate(households):
        before = engine.rank_groups(current.instance, i, top=limit)
        after = engine.rank_groups(proposed.instance, i, top=limit)
        rows.append(
            {
                "household": household,
                "before": [(current.groups[r.index].name, r.score) for r in before if r.feasible],
                "after": [(proposed.groups[r.index].name, r.score) for r in after if r.feasible],
            }
        )
    return rows
