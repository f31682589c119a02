"""The matching engine: scores, explanations and the batch optimiser, in numpy and scipy only.

Nothing here imports Django or another app, so the engine can be tested with hypothesis,
benchmarked from the command line (``python -m accueil.matching bench``) and fed from an
instance file (``python -m accueil.matching solve``) exactly as the staff pages feed it from the
database (``accueil/matching/features.py``).

Vocabulary: a *household* row ``i`` and a *group* column ``j``. A pair is *feasible* when no hard
constraint excludes it; its *score* is the sum of whole-point contributions of the soft criteria.
Only feasible pairs with a positive score are ever proposed.

Every contribution is rounded to whole points before it is summed, so an explanation
("Speaks Arabic with the family: +30") always adds up to the score shown next to it, and the
batch optimiser works on integers, which makes "the exact optimum" a well-defined number.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields

import numpy as np
from scipy.optimize import linear_sum_assignment

# The 21 weekly availability slots, in the order of their bits (same as core.taxonomy.SLOTS,
# which a test keeps equal: the engine may not import Django to read it).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODS = ("morning", "afternoon", "evening")
SLOTS = tuple(f"{day}_{period}" for day in DAYS for period in PERIODS)

REMOTE, IN_PERSON, EITHER = 0, 1, 2
MEETING_MODES = {"remote": REMOTE, "in_person": IN_PERSON, "either": EITHER}
URGENCIES = {"routine": 0, "soon": 1, "urgent": 2}

# Hard constraints. Each has a code an explanation can name.
GROUP_NOT_READY = "group_not_ready"
GROUP_FULL = "group_full"
HOUSEHOLD_PAUSED = "household_paused"
WOMEN_ONLY = "women_only"
IN_PERSON_REGION = "in_person_region"
NO_LANGUAGE = "no_language"
ENDED_EARLY = "ended_early"
CONFLICT = "conflict"
CASELOAD_FULL = "caseload_full"
PAIR_EXCLUSIONS = (ENDED_EARLY, CONFLICT)


@dataclass
class Weights:
    """Points each criterion can add. The defaults are documented in docs/matching.md; a
    program changes them on its matching settings page."""

    priorities: int = 40  # all of the household's ranked priorities covered by the group
    language_shared: int = 30  # a volunteer speaks one of the household's languages
    language_interpreter: int = 10  # nobody does, but an interpreter speaks one of them
    availability_per_slot: int = 4  # per weekly slot (morning, afternoon, evening) in common
    availability_max_slots: int = 4  # slots beyond this many add nothing
    region: int = 10  # same region, for a household open to meeting in person
    group_size: int = 5  # enough members for the size of the household
    wait_per_week: int = 1  # per full week on the waitlist...
    wait_max_weeks: int = 52  # ...up to this many weeks
    urgency_soon: int = 5
    urgency_urgent: int = 15

    @classmethod
    def from_dict(cls, data: dict | None) -> Weights:
        data = data or {}
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown weights: {', '.join(sorted(unknown))}")
        return cls(**{k: int(v) for k, v in data.items()})

    def as_dict(self) -> dict:
        return asdict(self)


def suggested_members(household_size):
    """Members a group should have for a household of this size: 3 up to 3 people, 4 up to 6,
    then 5. Works on scalars and arrays."""
    size = np.asarray(household_size)
    return np.where(size <= 3, 3, np.where(size <= 6, 4, 5))


def rank_weights(ranks: np.ndarray) -> np.ndarray:
    """Rank 1 weighs 3, rank 2 weighs 2, rank 3 and after weigh 1; not asked for weighs 0."""
    ranks = np.asarray(ranks)
    return np.where(ranks > 0, np.maximum(4 - ranks, 1), 0).astype(np.float32)


@dataclass
class Households:
    ids: list
    priorities: np.ndarray  # (n, P) float32 rank weights: 3 for the first asked, 2, then 1
    priority_ranks: np.ndarray  # (n, P) int8: 1 = most important, 0 = not asked for
    languages: np.ndarray  # (n, L) bool
    availability: np.ndarray  # (n,) uint32 slot bits
    women_only: np.ndarray  # (n,) bool
    mode: np.ndarray  # (n,) int8: REMOTE, IN_PERSON or EITHER
    region: np.ndarray  # (n,) int32
    size: np.ndarray  # (n,) int16
    wait_days: np.ndarray  # (n,) int32
    urgency: np.ndarray  # (n,) int8: 0 routine, 1 soon, 2 urgent
    paused: np.ndarray  # (n,) bool
    coordinator: np.ndarray  # (n,) int32, -1 when none

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Groups:
    ids: list
    skills: np.ndarray  # (m, P) bool
    languages: np.ndarray  # (m, L) bool
    availability: np.ndarray  # (m,) uint32
    women_only_ok: np.ndarray  # (m,) bool: every active member is a woman
    in_person_ok: np.ndarray  # (m,) bool: at least one member meets in person
    region: np.ndarray  # (m,) int32
    members: np.ndarray  # (m,) int16
    ready: np.ndarray  # (m,) bool
    capacity: np.ndarray  # (m,) int16: matches the group can still take
    not_ready_reasons: list = field(default_factory=list)  # text per group, "" when ready

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Instance:
    """Everything the engine needs. ``priority_codes``, ``language_codes`` and ``region_codes``
    name the columns of the feature arrays, for explanations."""

    households: Households
    groups: Groups
    priority_codes: list
    language_codes: list
    region_codes: list
    interpreter_languages: np.ndarray  # (L,) bool
    weights: Weights = field(default_factory=Weights)
    # Pairs that may never be proposed: (household index, group index) -> reason code.
    excluded_pairs: dict = field(default_factory=dict)
    # Remaining caseload per coordinator index (how many new matches they can take).
    caseload_left: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    caseload_limit: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    coordinator_names: list = field(default_factory=list)


# --- scores ------------------------------------------------------------------------------


def row_terms(inst: Instance, rows=None):
    """Per-household points that do not depend on the group: the waiting bonus and urgency."""
    h, w = inst.households, inst.weights
    rows = slice(None) if rows is None else rows
    weeks = np.minimum(h.wait_days[rows] // 7, w.wait_max_weeks)
    wait = weeks * w.wait_per_week
    urgency = np.select(
        [h.urgency[rows] == 2, h.urgency[rows] == 1], [w.urgency_urgent, w.urgency_soon], 0
    )
    return wait.astype(np.float64), urgency.astype(np.float64)


def _priority_factor(inst: Instance, rows) -> np.ndarray:
    """Points per unit of rank weight: the priorities weight shared out over what the household
    asked for (float32, computed the same way for the matrix and for one pair)."""
    asked = inst.households.priorities[rows].sum(axis=1, dtype=np.float32)
    factor = np.zeros_like(asked)
    np.divide(np.float32(inst.weights.priorities), asked, out=factor, where=asked > 0)
    return factor


def _language_facts(inst: Instance, rows):
    h, g = inst.households, inst.groups
    hl = h.languages[rows].astype(np.float32)
    shared = (hl @ g.languages.T.astype(np.float32)) > 0
    interp = (hl @ inst.interpreter_languages.astype(np.float32)) > 0  # (r,)
    return shared, interp


def _feasible(inst: Instance, rows, shared, interp, same_region, *, ranking: bool):
    """Hard constraints for households ``rows`` against every group. In ranking mode a
    coordinator whose caseload is full excludes their households; the batch instead enforces
    caseloads inside the optimiser."""
    h, g = inst.households, inst.groups
    ok = (g.ready & (g.capacity > 0))[None, :] & ~h.paused[rows][:, None]
    ok &= ~(h.women_only[rows][:, None] & ~g.women_only_ok[None, :])
    in_person_only = h.mode[rows] == IN_PERSON
    ok &= ~(in_person_only[:, None] & ~(same_region & g.in_person_ok[None, :]))
    ok &= shared | interp[:, None]
    if ranking and len(inst.caseload_left):
        coordinator = h.coordinator[rows]
        full = (coordinator >= 0) & (inst.caseload_left[np.maximum(coordinator, 0)] <= 0)
        ok &= ~full[:, None]
    if inst.excluded_pairs:
        row_index = np.atleast_1d(np.arange(len(h))[rows])
        position = {int(r): k for k, r in enumerate(row_index)}
        for i, j in inst.excluded_pairs:
            k = position.get(i)
            if k is not None:
                ok[k, j] = False
    return ok


def score_rows(inst: Instance, rows=None, *, ranking: bool = False):
    """Scores (float32, whole points) and feasibility (bool) of households ``rows`` (a slice,
    an index array or None for all) against every group. Built in place, one criterion after
    another, so a 5,000 x 2,000 instance needs a few matrices of 40 MB, not one per criterion."""
    rows = slice(None) if rows is None else rows
    h, g, w = inst.households, inst.groups, inst.weights

    # Rank weights are small integers, so this product is exact whatever the summation order.
    total = h.priorities[rows] @ g.skills.T.astype(np.float32)
    total *= _priority_factor(inst, rows)[:, None]
    np.rint(total, out=total)

    shared, interp = _language_facts(inst, rows)
    total += shared * np.float32(w.language_shared)
    if w.language_interpreter:
        total += (~shared & interp[:, None]) * np.float32(w.language_interpreter)

    common = np.bitwise_count(h.availability[rows][:, None] & g.availability[None, :])
    np.minimum(common, w.availability_max_slots, out=common)
    total += common * np.float32(w.availability_per_slot)
    del common

    same_region = h.region[rows][:, None] == g.region[None, :]
    meets = h.mode[rows] != REMOTE
    total += (same_region & meets[:, None] & g.in_person_ok[None, :]) * np.float32(w.region)

    enough = g.members[None, :] >= suggested_members(h.size[rows])[:, None]
    total += enough * np.float32(w.group_size)
    del enough

    wait, urgency = row_terms(inst, rows)
    total += (wait + urgency).astype(np.float32)[:, None]
    feasible = _feasible(inst, rows, shared, interp, same_region, ranking=ranking)
    return total, feasible


# --- explanations --------------------------------------------------------------------------


@dataclass
class Contribution:
    """One criterion's part in a pair's score, or a hard constraint that excludes the pair.
    ``data`` holds codes (languages, slots, priorities), never text, so the Django layer
    can put it into words in the reader's language."""

    code: str
    points: int = 0
    excluded: bool = False
    data: dict = field(default_factory=dict)


def _codes(mask, codes) -> list:
    return [codes[k] for k in np.flatnonzero(mask)]


def explain(inst: Instance, i: int, j: int, *, ranking: bool = True) -> list[Contribution]:
    """Why household ``i`` and group ``j`` score what they score, or why they are excluded.
    The points of the soft contributions add up to ``score_rows``' value for the pair."""
    h, g, w = inst.households, inst.groups, inst.weights
    out: list[Contribution] = []

    # Hard constraints first: they decide before any point counts.
    if not g.ready[j]:
        reason = g.not_ready_reasons[j] if j < len(g.not_ready_reasons) else ""
        out.append(Contribution(GROUP_NOT_READY, excluded=True, data={"reason": reason}))
    elif g.capacity[j] <= 0:
        out.append(Contribution(GROUP_FULL, excluded=True))
    if h.paused[i]:
        out.append(Contribution(HOUSEHOLD_PAUSED, excluded=True))
    if h.women_only[i] and not g.women_only_ok[j]:
        out.append(Contribution(WOMEN_ONLY, excluded=True))
    same_region = h.region[i] == g.region[j]
    if h.mode[i] == IN_PERSON and not (same_region and g.in_person_ok[j]):
        data = {"region": inst.region_codes[h.region[i]] if inst.region_codes else ""}
        out.append(Contribution(IN_PERSON_REGION, excluded=True, data=data))
    shared = h.languages[i] & g.languages[j]
    interp = h.languages[i] & inst.interpreter_languages
    if not shared.any() and not interp.any():
        data = {"languages": _codes(h.languages[i], inst.language_codes)}
        out.append(Contribution(NO_LANGUAGE, excluded=True, data=data))
    pair_reason = inst.excluded_pairs.get((i, j))
    if pair_reason:
        out.append(Contribution(pair_reason, excluded=True))
    if ranking and len(inst.caseload_left) and h.coordinator[i] >= 0:
        c = h.coordinator[i]
        if inst.caseload_left[c] <= 0:
            name = inst.coordinator_names[c] if c < len(inst.coordinator_names) else ""
            limit = int(inst.caseload_limit[c]) if c < len(inst.caseload_limit) else 0
            out.append(
                Contribution(CASELOAD_FULL, excluded=True, data={"name": name, "limit": limit})
            )

    # Soft criteria, in the order staff read them.
    asked = h.priority_ranks[i]
    order = np.argsort(np.where(asked > 0, asked, 127), kind="stable")
    ranked = [k for k in order if asked[k] > 0]
    covered = np.float32(h.priorities[i][g.skills[j]].sum(dtype=np.float32))
    factor = _priority_factor(inst, np.array([i]))[0]
    out.append(
        Contribution(
            "priorities",
            int(np.rint(covered * factor)),
            data={
                "covered": [inst.priority_codes[k] for k in ranked if g.skills[j, k]],
                "missing": [inst.priority_codes[k] for k in ranked if not g.skills[j, k]],
            },
        )
    )
    if shared.any():
        out.append(
            Contribution(
                "language_shared",
                w.language_shared,
                data={"languages": _codes(shared, inst.language_codes)},
            )
        )
    elif interp.any():
        out.append(
            Contribution(
                "language_interpreter",
                w.language_interpreter,
                data={"languages": _codes(interp, inst.language_codes)},
            )
        )
    common = int(h.availability[i]) & int(g.availability[j])
    slots = [slot for bit, slot in enumerate(SLOTS) if common >> bit & 1]
    points = min(len(slots), w.availability_max_slots) * w.availability_per_slot
    out.append(Contribution("availability", points, data={"slots": slots}))
    if h.mode[i] != REMOTE:
        near = bool(same_region and g.in_person_ok[j])
        out.append(
            Contribution(
                "region",
                w.region if near else 0,
                data={"same_region": bool(same_region), "in_person_ok": bool(g.in_person_ok[j])},
            )
        )
    suggested = int(suggested_members(int(h.size[i])))
    out.append(
        Contribution(
            "group_size",
            w.group_size if g.members[j] >= suggested else 0,
            data={
                "members": int(g.members[j]),
                "household_size": int(h.size[i]),
                "suggested": suggested,
            },
        )
    )
    wait, urgency = row_terms(inst, np.array([i]))
    if wait[0]:
        out.append(Contribution("wait", int(wait[0]), data={"days": int(h.wait_days[i])}))
    if urgency[0]:
        level = "urgent" if h.urgency[i] == 2 else "soon"
        out.append(Contribution("urgency", int(urgency[0]), data={"urgency": level}))
    return out


def total_points(contributions: list[Contribution]) -> int:
    return sum(c.points for c in contributions if not c.excluded)


def is_excluded(contributions: list[Contribution]) -> bool:
    return any(c.excluded for c in contributions)


# --- ranking -------------------------------------------------------------------------------


@dataclass
class Ranked:
    index: int  # group (or household) index
    score: int
    feasible: bool


def rank_groups(inst: Instance, i: int, *, top: int | None = 10) -> list[Ranked]:
    """Groups for household ``i``: feasible ones by score (ties: group order), then the
    excluded ones by what they would have scored."""
    scores, feasible = score_rows(inst, np.array([i]), ranking=True)
    return _rank(scores[0], feasible[0], top)


def rank_households(inst: Instance, j: int, *, top: int | None = 10) -> list[Ranked]:
    """Households for group ``j``: the same criteria read down one column."""
    scores, feasible = score_rows(inst, None, ranking=True)
    column, ok = scores[:, j], feasible[:, j]
    # Among equal scores, the longer wait first.
    wait = inst.households.wait_days
    order = np.lexsort((np.arange(len(column)), -wait, -column, ~ok))
    if top is not None:
        order = order[:top]
    return [Ranked(int(k), int(column[k]), bool(ok[k])) for k in order]


def _rank(scores, feasible, top):
    order = np.lexsort((np.arange(len(scores)), -scores, ~feasible))
    if top is not None:
        order = order[:top]
    return [Ranked(int(k), int(scores[k]), bool(feasible[k])) for k in order]


# --- the batch -----------------------------------------------------------------------------


@dataclass
class Assignment:
    pairs: list  # [(household index, group index, score)], by household index
    total: int
    method: str
    build_seconds: float = 0.0
    solve_seconds: float = 0.0


def candidate_matrix(inst: Instance) -> np.ndarray:
    """Scores of every pair that may be proposed, 0 elsewhere (infeasible, or not positive)."""
    scores, feasible = score_rows(inst, None, ranking=False)
    scores[~feasible] = 0.0
    np.maximum(scores, 0.0, out=scores)
    return scores


def _caseloads_bind(inst: Instance, matrix: np.ndarray) -> bool:
    coordinators = inst.households.coordinator
    if not len(inst.caseload_left):
        return False
    has_candidates = matrix.any(axis=1)
    counts = np.bincount(
        coordinators[(coordinators >= 0) & has_candidates], minlength=len(inst.caseload_left)
    )
    return bool((counts > inst.caseload_left).any())


def solve(inst: Instance, *, method: str = "auto", top_k: int = 20) -> Assignment:
    """The set of proposals with the largest total score under group capacities and coordinator
    caseloads; among equal totals, the longest waits first.

    ``auto`` uses scipy's linear_sum_assignment on the score matrix when every group has room
    for one match, and the certified flow (``_solve_certified``) when some have room for more;
    when a coordinator's caseload could bind, a min-cost flow on every pair carries the
    caseloads as arc capacities. All three are exact. ``assignment`` (groups with room for
    several matches become several columns) and ``certified`` asked for by name switch to the
    full flow when caseloads could bind too (``method`` says so).
    ``sparse`` keeps each household's ``top_k`` best groups and solves the flow on that graph:
    faster on very large instances, possibly below the optimum (the bench reports the gap)."""
    t0 = time.perf_counter()
    matrix = candidate_matrix(inst)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    # top_k is the sparse mode's, and the certified flow's only when asked for by name: its
    # own default (a first graph of 40 groups per household) is the fastest measured.
    certified_k = top_k if method == "certified" else CERTIFIED_TOP_K
    if method in ("auto", "assignment", "certified") and _caseloads_bind(inst, matrix):
        # Neither linear_sum_assignment nor the certified flow has room for caseloads: only
        # the full flow can honour them.
        method = "flow"
    elif method == "auto":
        # One place per group: the assignment is fastest. Several: the certified flow, which
        # avoids repeating each group's column once per place.
        method = "assignment" if (inst.groups.capacity <= 1).all() else "certified"
    if method == "assignment":
        pairs = _solve_assignment(inst, matrix)
    elif method == "flow":
        pairs = _solve_flow(inst, matrix, top_k=None)
    elif method == "sparse":
        pairs = _solve_flow(inst, matrix, top_k=top_k)
    elif method == "certified":
        pairs = _solve_certified(inst, matrix, top_k=certified_k)
        if pairs is None:
            method, pairs = "flow", _solve_flow(inst, matrix, top_k=None)
    elif method == "greedy":
        pairs = _solve_greedy(inst, matrix)
    else:
        raise ValueError(f"unknown method {method!r}")
    solve_seconds = time.perf_counter() - t1
    pairs.sort()
    result = [(i, j, int(matrix[i, j])) for i, j in pairs]
    return Assignment(
        result,
        sum(s for _, _, s in result),
        method,
        build_seconds=build,
        solve_seconds=solve_seconds,
    )


def _slots(inst: Instance, matrix: np.ndarray) -> np.ndarray:
    """Column index of each group slot: a group with room for c matches appears c times (at most
    as many times as it has candidate households)."""
    capacity = np.clip(inst.groups.capacity.astype(np.int64), 0, None)
    useful = np.minimum(capacity, np.count_nonzero(matrix, axis=0))
    return np.repeat(np.arange(matrix.shape[1]), useful)


def _solve_assignment(inst: Instance, matrix: np.ndarray) -> list:
    rows = np.flatnonzero(matrix.any(axis=1))
    columns = _slots(inst, matrix)
    if not len(rows) or not len(columns):
        return []
    sub = matrix[np.ix_(rows, columns)]
    r, c = linear_sum_assignment(sub, maximize=True)
    keep = sub[r, c] > 0
    pairs = [(int(rows[a]), int(columns[b])) for a, b in zip(r[keep], c[keep], strict=True)]
    return _favour_longest_wait(inst, matrix, pairs)


def _favour_longest_wait(inst: Instance, matrix: np.ndarray, pairs: list) -> list:
    """Among optimal assignments, prefer those who have waited longest: a household left out
    takes the place of a matched one when it scores exactly the same with that group and has
    waited longer. Each swap keeps the total score, group capacities and (since caseloads do
    not bind on this path) caseloads, so the result stays optimal."""
    if not pairs:
        return pairs
    wait = inst.households.wait_days
    matched = np.zeros(matrix.shape[0], dtype=bool)
    matched[[i for i, _ in pairs]] = True
    left_out = np.flatnonzero(~matched & matrix.any(axis=1))
    if not len(left_out):
        return pairs
    assigned_rows = np.array([i for i, _ in pairs])
    assigned_cols = np.array([j for _, j in pairs])
    scores = matrix[assigned_rows, assigned_cols]
    same = matrix[np.ix_(left_out, assigned_cols)] == scores[None, :]
    longer = wait[left_out][:, None] > wait[assigned_rows][None, :]
    worth = np.flatnonzero((same & longer).any(axis=0))
    if not len(worth):
        return pairs
    available = np.ones(len(left_out), dtype=bool)
    # Shortest waits give up their place first; each place goes to the longest wait.
    for k in worth[np.argsort(wait[assigned_rows[worth]], kind="stable")]:
        candidates = np.flatnonzero(
            same[:, k] & available & (wait[left_out] > wait[assigned_rows[k]])
        )
        if not len(candidates):
            continue
        best = candidates[np.argmax(wait[left_out[candidates]])]
        available[best] = False
        assigned_rows[k] = left_out[best]
    return list(zip(assigned_rows.tolist(), assigned_cols.tolist(), strict=True))


def _solve_greedy(inst: Instance, matrix: np.ndarray) -> list:
    """The baseline the bench compares with: best pair first, while both sides have room."""
    h_idx, g_idx = np.nonzero(matrix)
    scores = matrix[h_idx, g_idx]
    wait = inst.households.wait_days[h_idx]
    order = np.lexsort((g_idx, h_idx, -wait, -scores))
    room = np.clip(inst.groups.capacity.astype(np.int64), 0, None).copy()
    caseload = inst.caseload_left.astype(np.int64).copy()
    coordinators = inst.households.coordinator
    taken = np.zeros(matrix.shape[0], dtype=bool)
    pairs = []
    for k in order:
        i, j = int(h_idx[k]), int(g_idx[k])
        if taken[i] or room[j] <= 0:
            continue
        c = coordinators[i]
        if c >= 0 and len(caseload) and caseload[c] <= 0:
            continue
        taken[i] = True
        room[j] -= 1
        if c >= 0 and len(caseload):
            caseload[c] -= 1
        pairs.append((i, j))
    return pairs


# Costs in the flow are integers: scores in whole points scaled so the tie-break fits below one.
def _wait_weights(inst: Instance, matrix: np.ndarray):
    """Integer arc weights for the flow: score x scale + a wait bonus from 1 to n (the longest
    wait highest). The bonuses of all households together stay below ``scale``, so a larger
    total score always wins, and among equal totals the longer waits do."""
    n = matrix.shape[0]
    order = np.lexsort((np.arange(n), -inst.households.wait_days))
    wait_rank = np.empty(n, dtype=np.int64)
    wait_rank[order] = np.arange(n)
    bonus = n - wait_rank
    scale = n * (n + 1) + 1
    return bonus, scale


CHUNK_ROWS = 512  # rows per slice when picking top pairs: bounds the index arrays' memory


def _row_top(values: np.ndarray, rows: np.ndarray, take: int, floor: float):
    """For each of ``rows``, the columns of its ``take`` largest values above ``floor`` (given
    per row), as (row, column) arrays. Done in slices of rows, so the index array argpartition
    returns never holds more than CHUNK_ROWS rows."""
    out_h, out_g = [], []
    take = min(take, values.shape[1])
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        block = values[chunk]
        best = np.argpartition(-block, take - 1, axis=1)[:, :take]
        keep = (
            np.take_along_axis(block, best, axis=1)
            > np.asarray(floor)[start : start + len(chunk), None]
        )
        out_h.append(np.repeat(chunk, take)[keep.ravel()])
        out_g.append(best.ravel()[keep.ravel()])
    if not out_h:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_h), np.concatenate(out_g)


def _top_k_arcs(matrix: np.ndarray, top_k: int):
    n, m = matrix.shape
    if m <= top_k:
        return np.nonzero(matrix)
    return _row_top(matrix, np.arange(n), top_k, np.zeros(n))


def _solve_flow(inst: Instance, matrix: np.ndarray, *, top_k: int | None) -> list:
    if top_k is not None:
        h_idx, g_idx = _top_k_arcs(matrix, top_k)
    else:
        h_idx, g_idx = np.nonzero(matrix)
    return _flow_on_arcs(inst, matrix, h_idx, g_idx, caseloads=True)


def _flow_on_arcs(inst: Instance, matrix: np.ndarray, h_idx, g_idx, *, caseloads: bool) -> list:
    """Min-cost flow on the given household -> group arcs: source -> coordinator (caseload) ->
    household (1) -> group (capacity) -> sink, plus a free arc source -> sink so that leaving
    someone unmatched costs nothing."""
    from ortools.graph.python import min_cost_flow  # imported here: only this path needs it

    n, m = matrix.shape
    if not len(h_idx):
        return []
    bonus, scale = _wait_weights(inst, matrix)
    scores = matrix[h_idx, g_idx].astype(np.int64)
    costs = -(scores * scale + bonus[h_idx])

    coordinators = inst.households.coordinator
    n_coord = len(inst.caseload_left) if caseloads else 0
    source, sink = 0, 1
    coord_node = 2  # coordinators start here; one extra "no coordinator" node at the end
    house_node = coord_node + n_coord + 1
    group_node = house_node + n

    starts, ends, caps, unit = [], [], [], []

    def arcs(s, e, c, u):
        s = np.asarray(s, dtype=np.int32)
        starts.append(s)
        ends.append(np.asarray(e, dtype=np.int32))
        caps.append(np.broadcast_to(np.asarray(c, dtype=np.int64), s.shape))
        unit.append(np.broadcast_to(np.asarray(u, dtype=np.int64), s.shape))

    left = inst.caseload_left[:n_coord].astype(np.int64)
    limits = np.append(np.maximum(left, 0), n)
    arcs(np.full(n_coord + 1, source), coord_node + np.arange(n_coord + 1), limits, 0)
    # Without a caseload array every household goes through the unlimited node, as in the
    # other methods; a coordinator index would otherwise point at another household's node.
    coordinator_of = np.where((coordinators >= 0) & (coordinators < n_coord), coordinators, n_coord)
    households = np.unique(h_idx)
    arcs(coord_node + coordinator_of[households], house_node + households, 1, 0)
    arcs(house_node + h_idx, group_node + g_idx, 1, costs)
    capacity = np.clip(inst.groups.capacity.astype(np.int64), 0, None)
    arcs(group_node + np.arange(m), np.full(m, sink), capacity, 0)
    supply = int(min(len(households), capacity.sum()))
    arcs([source], [sink], [supply], [0])

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(starts),
        np.concatenate(ends),
        np.concatenate(caps),
        np.concatenate(unit),
    )
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    first = sum(len(s) for s in starts[:2])  # the household -> group arcs come third
    used = flow.flows(np.arange(first, first + len(h_idx)))
    chosen = np.flatnonzero(used > 0)
    return [(int(h_idx[k]), int(g_idx[k])) for k in chosen]


def _group_prices(weights, h_idx, g_idx, match_of, m):
    """The least group prices v >= 0 that, with the matching ``match_of`` (group per household,
    -1 when unmatched), satisfy the optimality conditions on the given arcs:
    an unmatched household's arc to k needs v[k] >= w(i, k); a household matched to j needs
    v[k] - v[j] >= w(i, k) - w(i, j) for its other arcs. A longest-path problem over groups,
    solved by Bellman-Ford rounds; None if it does not settle (the matching was not optimal
    on these arcs)."""
    v = np.zeros(m, dtype=np.int64)
    matched_to = match_of[h_idx]
    free = matched_to < 0
    np.maximum.at(v, g_idx[free], weights[free])
    taken = ~free
    src = matched_to[taken]
    dst = g_idx[taken]
    own = np.zeros(len(match_of), dtype=np.int64)
    mine = (matched_to >= 0) & (g_idx == matched_to)
    own[h_idx[mine]] = weights[mine]
    step = weights[taken] - own[h_idx[taken]]
    order = np.argsort(dst, kind="stable")
    src, dst, step = src[order], dst[order], step[order]
    if not len(dst):
        return v
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    targets = dst[starts]
    for _round in range(m + 1):
        best = np.maximum.reduceat(v[src] + step, starts)
        raised = best > v[targets]
        if not raised.any():
            return v
        v[targets[raised]] = best[raised]
    return None


CERTIFIED_TOP_K = 40


def _solve_certified(
    inst: Instance,
    matrix: np.ndarray,
    *,
    top_k: int = CERTIFIED_TOP_K,
    rounds: int = 12,
    add_per_round: int = 4,
):
    """Exact, without handing every pair to the solver. Solve the min-cost flow on each
    household's ``top_k`` groups, compute the prices that prove this matching optimal on those
    arcs (linear-programming duality: household and group prices that cover every arc's
    weight), then check every other pair against them in one vectorised pass. A pair whose
    weight exceeds its prices could improve the matching: it joins the arcs and the flow runs
    again. When no pair exceeds its prices, the same prices prove the matching optimal for the
    whole instance. Weights are the flow's integers (score first, then the longest wait), so
    ties are settled exactly as the full flow would. Returns None when the proof cannot be
    made within ``rounds`` (the caller then solves the full problem)."""
    n, m = matrix.shape
    bonus, scale = _wait_weights(inst, matrix)
    positive = matrix > 0
    if not positive.any():
        return []
    h_idx, g_idx = _top_k_arcs(matrix, top_k)
    # Pairs that may not be proposed can never exceed a price.
    base = matrix.astype(np.float64)
    base *= scale
    base[~positive] = -np.inf
    del positive
    buffer = np.empty_like(base)
    for _round in range(rounds):
        pairs = _flow_on_arcs(inst, matrix, h_idx, g_idx, caseloads=False)
        match_of = np.full(n, -1, dtype=np.int64)
        for i, j in pairs:
            match_of[i] = j
        weights = matrix[h_idx, g_idx].astype(np.int64) * scale + bonus[h_idx]
        v = _group_prices(weights, h_idx, g_idx, match_of, m)
        if v is None:
            return None
        matched = np.flatnonzero(match_of >= 0)
        u = np.zeros(n, dtype=np.int64)
        u[matched] = (
            matrix[matched, match_of[matched]].astype(np.int64) * scale
            + bonus[matched]
            - v[match_of[matched]]
        )
        # Every pair at once: score x scale - group price, against what the household's price
        # leaves (float64 is exact for these integers, which stay far below 2**53).
        np.subtract(base, v[None, :], out=buffer)
        room = (u - bonus).astype(np.float64)
        violated_rows = np.flatnonzero(buffer.max(axis=1) > room)
        if not len(violated_rows):
            # The proof itself, checked rather than trusted: prices that are non-negative,
            # cover every pair (just checked) and add up to the matching's weight mean no
            # matching can weigh more (linear-programming duality).
            capacity = np.clip(inst.groups.capacity.astype(np.int64), 0, None)
            primal = int(
                (matrix[matched, match_of[matched]].astype(np.int64) * scale + bonus[matched]).sum()
            )
            dual = int(u.sum() + (capacity * v).sum())
            if (u < 0).any() or (v < 0).any() or dual != primal:
                return None
            return pairs
        # The few pairs of each such household that exceed their prices most join the arcs.
        extra_h, extra_g = _row_top(buffer, violated_rows, add_per_round, room[violated_rows])
        h_idx = np.concatenate([h_idx, extra_h])
        g_idx = np.concatenate([g_idx, extra_g])
    return None
