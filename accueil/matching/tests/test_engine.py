"""Properties of the matching engine on small random instances, checked against rules written out
again here from the features (not the engine's own feasibility code) and a brute-force optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accueil.matching import engine, reasons, synthetic

EXACT_METHODS = ("assignment", "flow", "certified", "auto")
PRIORITIES = ["employment", "housing", "socializing"]
LANGUAGES = ["ar", "en", "ti"]
REGIONS = ["north", "south"]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- instances -----------------------------------------------------------------------------


def _mask(draw, size):
    return draw(st.lists(st.booleans(), min_size=size, max_size=size))


@st.composite
def instances(draw, max_households=6, max_groups=5):
    n = draw(st.integers(1, max_households))
    m = draw(st.integers(1, max_groups))
    p, nl = len(PRIORITIES), len(LANGUAGES)
    ranks = np.zeros((n, p), dtype=np.int8)
    for i in range(n):
        order = draw(st.permutations(range(p)))
        asked = draw(st.integers(0, p))
        ranks[i, list(order[:asked])] = np.arange(1, asked + 1)
    slots = st.integers(0, 2**21 - 1)
    # Few slots and two regions, so ties, shared slots and exclusions all happen often.
    small_slots = st.sampled_from([0, 1, 2, 3, 1 << 20, (1 << 20) | 1, 2**21 - 1]) | slots
    n_coord = draw(st.integers(0, 2))
    # No caseload array at all is how a program without caseloads looks.
    with_caseloads = n_coord > 0 and draw(st.booleans())
    households = engine.Households(
        ids=[f"h{i}" for i in range(n)],
        priorities=engine.rank_weights(ranks),
        priority_ranks=ranks,
        languages=np.array([_mask(draw, nl) for _ in range(n)], dtype=bool).reshape(n, nl),
        availability=np.array([draw(small_slots) for _ in range(n)], dtype=np.uint32),
        women_only=np.array(_mask(draw, n), dtype=bool),
        mode=np.array(draw(st.lists(st.sampled_from([0, 1, 2]), min_size=n, max_size=n)), np.int8),
        region=np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), np.int32),
        size=np.array(draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)), np.int16),
        wait_days=np.array(
            draw(
                st.lists(
                    st.sampled_from([0, 6, 7, 13, 200, 364, 400, 900]) | st.integers(0, 800),
                    min_size=n,
                    max_size=n,
                )
            ),
            np.int32,
        ),
        urgency=np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), np.int8),
        paused=np.array(
            draw(st.lists(st.sampled_from([False, False, True]), min_size=n, max_size=n)), bool
        ),
        coordinator=np.array(
            draw(st.lists(st.integers(-1, n_coord - 1), min_size=n, max_size=n)), np.int32
        ),
    )
    ready = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)), dtype=bool) | np.array(
        draw(st.lists(st.booleans(), min_size=m, max_size=m)), dtype=bool
    )
    groups = engine.Groups(
        ids=[f"g{j}" for j in range(m)],
        skills=np.array([_mask(draw, p) for _ in range(m)], dtype=bool).reshape(m, p),
        languages=np.array([_mask(draw, nl) for _ in range(m)], dtype=bool).reshape(m, nl),
        availability=np.array([draw(small_slots) for _ in range(m)], dtype=np.uint32),
        women_only_ok=np.array(_mask(draw, m), dtype=bool),
        in_person_ok=np.array(_mask(draw, m), dtype=bool),
        region=np.array(draw(st.lists(st.integers(0, 1), min_size=m, max_size=m)), np.int32),
        members=np.array(draw(st.lists(st.integers(1, 6), min_size=m, max_size=m)), np.int16),
        ready=ready,
        capacity=np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)), np.int16),
        not_ready_reasons=["" if r else "police check expired" for r in ready],
    )
    pairs = draw(
        st.dictionaries(
            st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)),
            st.sampled_from(engine.PAIR_EXCLUSIONS),
            max_size=3,
        )
    )
    weights = draw(
        st.just(engine.Weights())
        | st.builds(
            engine.Weights,
            priorities=st.integers(0, 60),
            language_shared=st.integers(0, 40),
            language_interpreter=st.integers(0, 20),
            availability_per_slot=st.integers(0, 6),
            availability_max_slots=st.integers(0, 5),
            region=st.integers(0, 15),
            group_size=st.integers(0, 8),
            wait_per_week=st.integers(0, 2),
            wait_max_weeks=st.integers(0, 60),
            urgency_soon=st.integers(0, 10),
            urgency_urgent=st.integers(0, 20),
        )
    )
    left = np.array(draw(st.lists(st.integers(0, 2), min_size=n_coord, max_size=n_coord)))
    left = left.astype(np.int32) if with_caseloads else np.zeros(0, dtype=np.int32)
    return engine.Instance(
        households=households,
        groups=groups,
        priority_codes=list(PRIORITIES),
        language_codes=list(LANGUAGES),
        region_codes=list(REGIONS),
        interpreter_languages=np.array(_mask(draw, nl), dtype=bool),
        weights=weights,
        excluded_pairs=pairs,
        caseload_left=left,
        caseload_limit=left.copy(),
        coordinator_names=[f"coordinator {c}" for c in range(len(left))],
    )


# --- the rules, written out again -----------------------------------------------------------


def broken_rules(inst, i, j, *, ranking=False) -> set[str]:
    """Hard constraints household i and group j break, read straight from the features."""
    h, g = inst.households, inst.groups
    broken = set()
    if not g.ready[j]:
        broken.add(engine.GROUP_NOT_READY)
    elif g.capacity[j] <= 0:
        broken.add(engine.GROUP_FULL)
    if h.paused[i]:
        broken.add(engine.HOUSEHOLD_PAUSED)
    if h.women_only[i] and not g.women_only_ok[j]:
        broken.add(engine.WOMEN_ONLY)
    if h.mode[i] == engine.IN_PERSON and not (h.region[i] == g.region[j] and g.in_person_ok[j]):
        broken.add(engine.IN_PERSON_REGION)
    spoken = set(np.flatnonzero(h.languages[i]))
    understood = set(np.flatnonzero(g.languages[j])) | set(
        np.flatnonzero(inst.interpreter_languages)
    )
    if not spoken & understood:
        broken.add(engine.NO_LANGUAGE)
    if (i, j) in inst.excluded_pairs:
        broken.add(inst.excluded_pairs[(i, j)])
    c = h.coordinator[i]
    if ranking and len(inst.caseload_left) and c >= 0 and inst.caseload_left[c] <= 0:
        broken.add(engine.CASELOAD_FULL)
    return broken


def caseload(inst, c) -> int | None:
    """Matches coordinator c may still take; None when there is no limit."""
    if c < 0 or not len(inst.caseload_left):
        return None
    return int(inst.caseload_left[c])


def check_valid(inst, result):
    h_seen = set()
    per_group = np.zeros(len(inst.groups), dtype=int)
    per_coordinator = {}
    scores, _ = engine.score_rows(inst)
    for i, j, score in result.pairs:
        assert i not in h_seen, f"household {i} proposed twice"
        h_seen.add(i)
        assert not broken_rules(inst, i, j), (i, j, broken_rules(inst, i, j))
        assert score > 0
        assert score == int(scores[i, j])
        per_group[j] += 1
        c = int(inst.households.coordinator[i])
        per_coordinator[c] = per_coordinator.get(c, 0) + 1
    assert (per_group <= np.maximum(inst.groups.capacity, 0)).all()
    for c, count in per_coordinator.items():
        limit = caseload(inst, c)
        assert limit is None or count <= limit, f"coordinator {c}: {count} > {limit}"
    assert result.total == sum(s for _, _, s in result.pairs)


def brute_force(inst) -> int:
    """The best total by trying every assignment (each household: unmatched or one group)."""
    scores, _ = engine.score_rows(inst)
    n, m = scores.shape
    options = [
        [
            (j, int(scores[i, j]))
            for j in range(m)
            if not broken_rules(inst, i, j) and scores[i, j] > 0
        ]
        for i in range(n)
    ]
    room = [max(int(c), 0) for c in inst.groups.capacity]
    left = {c: caseload(inst, c) for c in set(inst.households.coordinator.tolist())}
    best = 0

    def visit(i, total):
        nonlocal best
        if i == n:
            best = max(best, total)
            return
        visit(i + 1, total)
        c = int(inst.households.coordinator[i])
        if left[c] is not None and left[c] <= 0:
            return
        for j, s in options[i]:
            if room[j] > 0:
                room[j] -= 1
                if left[c] is not None:
                    left[c] -= 1
                visit(i + 1, total + s)
                room[j] += 1
                if left[c] is not None:
                    left[c] += 1

    visit(0, 0)
    return best


# --- properties -----------------------------------------------------------------------------


@FAST
@given(instances())
def test_every_method_respects_the_hard_constraints(inst):
    for method in (*EXACT_METHODS, "sparse", "greedy"):
        check_valid(inst, engine.solve(inst, method=method, top_k=2))


@FAST
@given(instances())
def test_exact_methods_reach_the_brute_force_optimum(inst):
    optimum = brute_force(inst)
    for method in EXACT_METHODS:
        result = engine.solve(inst, method=method)
        check_valid(inst, result)
        assert result.total == optimum, method
    # A first graph of one group per household: the certificate must find what is missing.
    narrow = engine.solve(inst, method="certified", top_k=1)
    check_valid(inst, narrow)
    assert narrow.total == optimum
    for method, top_k in (("greedy", 20), ("sparse", 1), ("sparse", 2), ("sparse", 20)):
        assert engine.solve(inst, method=method, top_k=top_k).total <= optimum, method


@FAST
@given(instances())
def test_same_input_same_output(inst):
    for method in (*EXACT_METHODS, "sparse", "greedy"):
        first = engine.solve(inst, method=method, top_k=2)
        second = engine.solve(inst, method=method, top_k=2)
        assert first.pairs == second.pairs
        assert first.method == second.method


@FAST
@given(instances())
def test_flow_leaves_no_longer_wait_behind_an_equal_score(inst):
    """In the flow's answer, nobody left out could take a matched household's place with the
    same score while having waited longer (when their coordinator's caseload allows it)."""
    result = engine.solve(inst, method="flow")
    scores = engine.candidate_matrix(inst)
    wait, coordinator = inst.households.wait_days, inst.households.coordinator
    matched = {i for i, _, _ in result.pairs}
    used = {}
    for i in matched:
        used[int(coordinator[i])] = used.get(int(coordinator[i]), 0) + 1
    for i, j, score in result.pairs:
        for k in set(range(len(inst.households))) - matched:
            if scores[k, j] != score or wait[k] <= wait[i]:
                continue
            c = int(coordinator[k])
            limit = caseload(inst, c)
            room = limit is None or c == coordinator[i] or used.get(c, 0) < limit
            assert not room, f"household {k} (waited {wait[k]}) should replace {i} ({wait[i]})"


@FAST
@given(instances())
def test_explanations_add_up_and_name_every_exclusion(inst):
    for ranking in (False, True):
        scores, feasible = engine.score_rows(inst, ranking=ranking)
        for i in range(len(inst.households)):
            for j in range(len(inst.groups)):
                contributions = engine.explain(inst, i, j, ranking=ranking)
                assert engine.total_points(contributions) == int(scores[i, j])
                excluded = {c.code for c in contributions if c.excluded}
                assert excluded == broken_rules(inst, i, j, ranking=ranking)
                assert engine.is_excluded(contributions) == (not feasible[i, j])
                for c in contributions:
                    assert c.points >= 0 and (c.points == 0 or not c.excluded)


@FAST
@given(instances())
def test_ranking_puts_feasible_groups_first_by_score(inst):
    for i in range(len(inst.households)):
        ranked = engine.rank_groups(inst, i, top=None)
        assert sorted(r.index for r in ranked) == list(range(len(inst.groups)))
        flags = [r.feasible for r in ranked]
        assert flags == sorted(flags, reverse=True)
        for part in ([r for r in ranked if r.feasible], [r for r in ranked if not r.feasible]):
            keys = [(-r.score, r.index) for r in part]
            assert keys == sorted(keys)
        for r in ranked:
            assert r.feasible == (not broken_rules(inst, i, r.index, ranking=True))
        assert engine.rank_groups(inst, i, top=2) == ranked[:2]


# --- examples -------------------------------------------------------------------------------


def _two_households(waits, *, coordinators=None, caseloads=()):
    """Two households that differ only in their wait, one group with room for one."""
    n = len(waits)
    ranks = np.zeros((n, 1), dtype=np.int8)
    ranks[:, 0] = 1
    households = engine.Households(
        ids=[f"h{i}" for i in range(n)],
        priorities=engine.rank_weights(ranks),
        priority_ranks=ranks,
        languages=np.ones((n, 1), dtype=bool),
        availability=np.full(n, 0b111, dtype=np.uint32),
        women_only=np.zeros(n, dtype=bool),
        mode=np.full(n, engine.EITHER, dtype=np.int8),
        region=np.zeros(n, dtype=np.int32),
        size=np.full(n, 3, dtype=np.int16),
        wait_days=np.array(waits, dtype=np.int32),
        urgency=np.zeros(n, dtype=np.int8),
        paused=np.zeros(n, dtype=bool),
        coordinator=np.array(coordinators or [-1] * n, dtype=np.int32),
    )
    groups = engine.Groups(
        ids=["g0"],
        skills=np.ones((1, 1), dtype=bool),
        languages=np.ones((1, 1), dtype=bool),
        availability=np.array([0b1], dtype=np.uint32),
        women_only_ok=np.zeros(1, dtype=bool),
        in_person_ok=np.ones(1, dtype=bool),
        region=np.zeros(1, dtype=np.int32),
        members=np.array([4], dtype=np.int16),
        ready=np.ones(1, dtype=bool),
        capacity=np.array([1], dtype=np.int16),
        not_ready_reasons=[""],
    )
    left = np.array(caseloads, dtype=np.int32)
    return engine.Instance(
        households=households,
        groups=groups,
        priority_codes=["employment"],
        language_codes=["ar"],
        region_codes=["north"],
        interpreter_languages=np.zeros(1, dtype=bool),
        caseload_left=left,
        caseload_limit=left.copy(),
        coordinator_names=[f"c{k}" for k in range(len(left))],
    )


# Same week (equal waiting bonus) and both past the 52-week cap: the scores are equal.
@pytest.mark.parametrize("waits", [(10, 12), (12, 10), (400, 500), (500, 400), (0, 3)])
@pytest.mark.parametrize("method", EXACT_METHODS)
def test_equal_scores_go_to_the_longest_wait(waits, method):
    inst = _two_households(waits)
    scores = engine.candidate_matrix(inst)
    assert scores[0, 0] == scores[1, 0] > 0
    result = engine.solve(inst, method=method)
    assert [i for i, _, _ in result.pairs] == [int(np.argmax(waits))]


@pytest.mark.parametrize("method", EXACT_METHODS)
def test_longest_wait_among_three(method):
    inst = _two_households((11, 13, 8))
    result = engine.solve(inst, method=method)
    assert [i for i, _, _ in result.pairs] == [1]


def test_flow_without_caseloads_ignores_coordinators():
    """Households can name coordinators in a program that sets no caseloads (an empty
    caseload array): the flow must then treat them all as unlimited, as the other methods do.
    It used to send households of coordinator 1, 2... into other households' nodes."""
    inst = _two_households((10, 12, 300, 5), coordinators=(0, 1, 2, 1))
    inst.groups.capacity[:] = 3
    exact = engine.solve(inst, method="assignment")
    assert len(exact.pairs) == 3
    flow = engine.solve(inst, method="flow")
    check_valid(inst, flow)
    assert flow.pairs == exact.pairs


def test_assignment_never_breaks_a_caseload():
    """Asking for "assignment" by name when a coordinator's caseload binds must not propose
    more matches than the coordinator can take."""
    inst = _two_households((10, 12, 30), coordinators=(0, 0, 0), caseloads=(1,))
    inst.groups.capacity[:] = 3
    result = engine.solve(inst, method="assignment")
    check_valid(inst, result)
    assert len(result.pairs) == 1
    assert result.total == brute_force(inst)


# --- words ----------------------------------------------------------------------------------


def _every_contribution():
    data = {
        engine.GROUP_NOT_READY: [{"reason": "police check expired"}, {}],
        engine.GROUP_FULL: [{}],
        engine.HOUSEHOLD_PAUSED: [{}],
        engine.WOMEN_ONLY: [{}],
        engine.IN_PERSON_REGION: [{"region": "north"}],
        engine.NO_LANGUAGE: [{"languages": ["ti"]}],
        engine.ENDED_EARLY: [{}],
        engine.CONFLICT: [{}],
        engine.CASELOAD_FULL: [{"name": "Amal", "limit": 12}],
    }
    for code, variants in data.items():
        for d in variants:
            yield engine.Contribution(code, excluded=True, data=d)
    soft = {
        "priorities": [
            {"covered": ["employment"], "missing": ["housing"]},
            {"covered": ["employment"], "missing": []},
            {"covered": [], "missing": ["housing"]},
            {"covered": [], "missing": []},
        ],
        "language_shared": [{"languages": ["ar", "en"]}],
        "language_interpreter": [{"languages": ["ti"]}],
        "availability": [{"slots": []}, {"slots": ["tue_evening"]}, {"slots": engine.SLOTS[:3]}],
        "region": [
            {"same_region": True, "in_person_ok": True},
            {"same_region": True, "in_person_ok": False},
            {"same_region": False, "in_person_ok": True},
        ],
        "group_size": [{"members": 1, "household_size": 2, "suggested": 3}, {"members": 4}],
        "wait": [{"days": 1}, {"days": 200}],
        "urgency": [{"urgency": "soon"}, {"urgency": "urgent"}],
    }
    for code, variants in soft.items():
        for d in variants:
            yield engine.Contribution(code, points=7, data=d)


@pytest.mark.parametrize("contribution", list(_every_contribution()), ids=lambda c: c.code)
def test_every_contribution_reads_as_a_sentence(contribution):
    text = reasons.describe(contribution)
    assert text.strip()
    # The fallback for an unknown code prints the code itself.
    assert text.removeprefix("Excluded: ").split(":")[0] != contribution.code
    if contribution.excluded:
        assert text.startswith("Excluded: ")
        assert len(text) > len("Excluded: ") + 5
    else:
        assert text.endswith(": +7")
        assert not text.startswith("Excluded")


def test_every_code_the_engine_emits_has_a_sentence():
    emitted = {
        engine.GROUP_NOT_READY,
        engine.GROUP_FULL,
        engine.HOUSEHOLD_PAUSED,
        engine.WOMEN_ONLY,
        engine.IN_PERSON_REGION,
        engine.NO_LANGUAGE,
        engine.CASELOAD_FULL,
        *engine.PAIR_EXCLUSIONS,
        "priorities",
        "language_shared",
        "language_interpreter",
        "availability",
        "region",
        "group_size",
        "wait",
        "urgency",
    }
    assert emitted == {c.code for c in _every_contribution()}


@FAST
@given(instances(max_households=3, max_groups=3))
def test_describe_all_puts_exclusions_first(inst):
    for i in range(len(inst.households)):
        for j in range(len(inst.groups)):
            described = reasons.describe_all(engine.explain(inst, i, j))
            flags = [d["excluded"] for d in described]
            assert flags == sorted(flags, reverse=True)
            for d in described:
                assert d["text"] and d["text"].startswith("Excluded: ") == d["excluded"]


@pytest.mark.parametrize("capacity", [(1, 1), (1, 3), (0, 2)])
def test_the_certified_flow_proves_its_answer_from_a_narrow_start(capacity):
    """One group per household to start with is far from enough on a 300 x 100 instance: the
    prices must bring in the missing pairs, and the proof must close without falling back to
    the full flow."""
    inst = synthetic.instance(300, 100, seed=3, capacity=capacity)
    certified = engine.solve(inst, method="certified", top_k=1)
    assert certified.method == "certified"
    assert certified.total == engine.solve(inst, method="flow").total


def test_the_certified_flow_refuses_a_wrong_proof():
    """The duality check is what makes the answer trustworthy. Raising the price of a group
    that still has room keeps every pair covered, but the prices then add up to more than the
    matching weighs: that is no proof, and the caller must fall back to the full flow."""
    inst = synthetic.instance(10, 15, seed=5, capacity=(1, 3))  # more room than households
    matrix = engine.candidate_matrix(inst)
    pairs = engine._solve_certified(inst, matrix, top_k=3)
    assert pairs is not None
    used = np.bincount([j for _, j in pairs], minlength=len(inst.groups))
    with_room = np.flatnonzero(inst.groups.capacity > used)
    assert len(with_room)
    original = engine._group_prices

    def overpriced(*args, **kwargs):
        prices = original(*args, **kwargs)
        if prices is not None:
            prices[with_room[0]] += 1
        return prices

    engine._group_prices = overpriced
    try:
        assert engine._solve_certified(inst, matrix, top_k=3) is None
    finally:
        engine._group_prices = original
