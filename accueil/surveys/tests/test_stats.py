"""Paired before/after statistics: checked against scipy on random data, against arithmetic done by
hand on a small example, and on the edge cases a small program produces (few pairs, nobody
changing at all)."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from accueil.surveys.stats import Paired, Share, paired, paired_many, paired_shares, share

# No example database on disk: the suite leaves nothing behind in the working tree.
quick = hypothesis_settings(max_examples=100, deadline=None, database=None)

INFERENTIAL = ("ci_low", "ci_high", "t", "p_t", "w", "p_wilcoxon", "dz", "rank_biserial")


def close(expected, scale: float = 1.0):
    # Relative agreement to 9 digits; the absolute term only matters for figures that cancel
    # to about zero (a confidence bound next to 0), where relative error is meaningless.
    return pytest.approx(expected, rel=1e-9, abs=1e-12 * max(1.0, scale))


# --- random pairs ----------------------------------------------------------------------------

n_pairs = st.integers(10, 200)
likert_total = st.integers(4, 16)  # a 4-item scale scored 1..4: few values, many ties
real_score = st.floats(-50, 50, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def scale_pairs(draw):
    n = draw(n_pairs)
    before = draw(st.lists(likert_total, min_size=n, max_size=n))
    after = draw(st.lists(likert_total, min_size=n, max_size=n))
    return np.array(before, dtype=float), np.array(after, dtype=float)


@st.composite
def small_changes(draw):
    # Most people move by at most one point, many not at all: zero differences and tied ranks.
    n = draw(n_pairs)
    before = np.array(draw(st.lists(likert_total, min_size=n, max_size=n)), dtype=float)
    steps = draw(st.lists(st.sampled_from([-2, -1, 0, 0, 0, 1, 1]), min_size=n, max_size=n))
    return before, before + np.array(steps, dtype=float)


@st.composite
def real_pairs(draw):
    n = draw(n_pairs)
    before = draw(st.lists(real_score, min_size=n, max_size=n))
    after = draw(st.lists(real_score, min_size=n, max_size=n))
    return np.array(before), np.array(after)


any_pairs = st.one_of(scale_pairs(), small_changes(), real_pairs())


def rank_biserial_by_hand(differences) -> float | None:
    """Average ranks counted one difference at a time: a difference's rank among the non-zero
    absolute differences is 1 + how many are smaller + half of the others equal to it."""
    kept = [float(x) for x in differences if x != 0]
    if not kept:
        return None
    plus = minus = 0.0
    for x in kept:
        smaller = sum(1 for y in kept if abs(y) < abs(x))
        equal_others = sum(1 for y in kept if abs(y) == abs(x)) - 1
        rank = 1 + smaller + equal_others / 2
        if x > 0:
            plus += rank
        else:
            minus += rank
    total = len(kept) * (len(kept) + 1) / 2
    return (plus - minus) / total


# --- agreement with scipy --------------------------------------------------------------------


@quick
@given(any_pairs)
def test_it_matches_scipy_paired_t_test(pair):
    before, after = pair
    result = paired(before, after)
    difference = after - before
    scale = float(np.max(np.abs(difference)))
    with warnings.catch_warnings():
        # scipy warns of precision loss when every difference is the same; the test is below.
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = scipy_stats.ttest_rel(after, before)
        low, high = reference.confidence_interval()

    assert result.n == len(before)
    assert not result.descriptive_only
    assert result.mean_change == close(float(np.mean(difference)), scale)
    assert result.ci_low == close(float(low), scale)
    assert result.ci_high == close(float(high), scale)
    if result.sd_change == 0:
        # Every difference the same (or the same up to rounding noise): no t test.
        assert result.t is None and result.p_t is None and result.dz is None
    else:
        assert result.sd_change == close(float(np.std(difference, ddof=1)), scale)
        assert result.t == close(float(reference.statistic))
        assert result.p_t == close(float(reference.pvalue))
        assert result.dz == close(float(np.mean(difference) / np.std(difference, ddof=1)))


@quick
@given(any_pairs)
def test_it_matches_scipy_wilcoxon_and_an_independent_rank_biserial(pair):
    before, after = pair
    result = paired(before, after)
    difference = after - before

    if not np.any(difference):
        assert result.w is None and result.p_wilcoxon is None and result.rank_biserial is None
        return
    reference = scipy_stats.wilcoxon(difference)
    assert result.w == close(float(reference.statistic))
    assert result.p_wilcoxon == close(float(reference.pvalue))
    assert result.rank_biserial == close(rank_biserial_by_hand(difference))
    assert -1 <= result.rank_biserial <= 1


@quick
@given(any_pairs, st.sampled_from([0.0, 0.5, 1.0, 3.0]))
def test_it_counts_everybody_once_and_flips_only_the_counts_for_lower_is_better(pair, tolerance):
    before, after = pair
    higher = paired(before, after, tolerance=tolerance)
    lower = paired(before, after, tolerance=tolerance, higher_is_better=False)
    difference = after - before

    assert higher.improved + higher.unchanged + higher.worse == higher.n
    assert higher.improved == int(np.sum(difference > tolerance))
    assert higher.worse == int(np.sum(difference < -tolerance))
    assert (lower.improved, lower.unchanged, lower.worse) == (
        higher.worse,
        higher.unchanged,
        higher.improved,
    )
    # Everything else keeps the sign of after - before, whichever direction is good.
    ignored = {"improved", "worse", "higher_is_better"}
    for field in dataclasses.fields(Paired):
        if field.name not in ignored:
            assert getattr(lower, field.name) == getattr(higher, field.name), field.name


# --- a small example by hand -----------------------------------------------------------------


def test_it_computes_a_small_example_as_by_hand():
    # before  2 3 3 4 5   (mean 17/5 = 3.4)
    # after   3 5 3 3 7   (mean 21/5 = 4.2)
    # change  1 2 0 -1 2  (mean 4/5 = 0.8)
    # deviations of the change from 0.8: 0.2 1.2 -0.8 -1.8 1.2, squares sum to
    #   0.04 + 1.44 + 0.64 + 3.24 + 1.44 = 6.8, so var = 6.8/4 = 1.7 and sd = sqrt(1.7)
    # before: squares of -1.4 -0.4 -0.4 0.6 1.6 sum to 5.2  -> sd = sqrt(5.2/4) = sqrt(1.3)
    # after:  squares of -1.2 0.8 -1.2 -1.2 2.8 sum to 12.8 -> sd = sqrt(12.8/4) = sqrt(3.2)
    # se = sqrt(1.7/5) = sqrt(0.34); t = 0.8/sqrt(0.34) = 1.37199; dz = 0.8/sqrt(1.7) = 0.61357
    # With 4 degrees of freedom the t CDF has a closed form (below); t(0.975, 4) = 2.776445105,
    #   so the CI is 0.8 ± 2.776445105 * sqrt(0.34) = (-0.81893, 2.41893).
    # Wilcoxon: the zero is dropped; |1| |2| |-1| |2| rank 1.5 3.5 1.5 3.5 (ties share ranks
    #   1-2 and 3-4). Positive ranks 1.5 + 3.5 + 3.5 = 8.5, negative 1.5, total 4*5/2 = 10.
    #   W = min(8.5, 1.5) = 1.5. Of the 2^4 = 16 equally likely sign patterns, 3 give a negative
    #   rank sum <= 1.5 (none, either 1.5), so the two-sided p = 2 * 3/16 = 0.375.
    #   Rank-biserial = (8.5 - 1.5) / 10 = 0.7.
    # Counts: 3 improved (1, 2, 2), 1 unchanged, 1 worse.
    result = paired([2, 3, 3, 4, 5], [3, 5, 3, 3, 7], min_inferential=5)

    t = 0.8 / math.sqrt(0.34)
    u = t * t / 4
    cdf = 0.5 + 3 / 8 * (t / math.sqrt(1 + u)) * (1 - u / (3 * (1 + u)))
    half_width = 2.776445105197793 * math.sqrt(0.34)
    assert result == Paired(
        n=5,
        mean_before=close(3.4),
        mean_after=close(4.2),
        sd_before=close(math.sqrt(1.3)),
        sd_after=close(math.sqrt(3.2)),
        mean_change=close(0.8),
        sd_change=close(math.sqrt(1.7)),
        improved=3,
        unchanged=1,
        worse=1,
        higher_is_better=True,
        descriptive_only=False,
        ci_low=close(0.8 - half_width),
        ci_high=close(0.8 + half_width),
        t=close(t),
        p_t=close(2 * (1 - cdf)),
        w=1.5,
        p_wilcoxon=close(0.375),
        dz=close(0.8 / math.sqrt(1.7)),
        rank_biserial=close(0.7),
    )


def test_it_gives_plain_python_numbers():
    # So a result can go straight into JSON, a CSV export or a template.
    result = paired([2, 3, 3, 4, 5], [3, 5, 3, 3, 7], min_inferential=5)
    for field in dataclasses.fields(Paired):
        value = getattr(result, field.name)
        assert type(value) in {int, float, bool}, field.name


# --- few pairs, no change, bad input ---------------------------------------------------------


def test_it_only_describes_fewer_than_ten_pairs():
    result = paired([10, 12, 9, 14, 8, 11, 13, 7, 12], [12, 12, 11, 13, 10, 14, 13, 9, 15])

    assert result.descriptive_only
    assert result.n == 9
    # changes 2 0 2 -1 2 3 0 2 3: sum 13, six up, two unchanged, one down
    assert result.mean_change == close(13 / 9)
    assert (result.improved, result.unchanged, result.worse) == (6, 2, 1)
    for name in INFERENTIAL:
        assert getattr(result, name) is None, name


def test_it_tests_from_ten_pairs_or_the_threshold_given():
    before = [10, 12, 9, 14, 8, 11, 13, 7, 12, 10]
    after = [12, 12, 11, 13, 10, 14, 13, 9, 15, 11]

    assert not paired(before, after).descriptive_only
    assert paired(before, after, min_inferential=11).descriptive_only
    assert paired(before[:3], after[:3], min_inferential=3).p_t is not None


def test_it_handles_no_pairs():
    result = paired([], [])

    assert result.n == 0
    assert result.descriptive_only
    assert (result.improved, result.unchanged, result.worse) == (0, 0, 0)
    for name in ("mean_before", "mean_after", "sd_before", "sd_after", "mean_change", *INFERENTIAL):
        assert getattr(result, name) is None, name
    assert result.sd_change is None


def test_it_handles_one_pair():
    result = paired([8], [11])

    assert (result.n, result.mean_before, result.mean_after, result.mean_change) == (1, 8, 11, 3)
    assert result.sd_before is result.sd_after is result.sd_change is None
    assert result.improved == 1
    assert result.descriptive_only


def test_it_handles_nobody_changing():
    scores = [4, 7, 7, 9, 12, 16, 5, 8, 8, 10, 11, 6]
    result = paired(scores, scores)

    assert not result.descriptive_only
    assert (result.mean_change, result.sd_change) == (0, 0)
    assert (result.improved, result.unchanged, result.worse) == (0, 12, 0)
    assert result.ci_low == result.ci_high == 0
    for name in ("t", "p_t", "w", "p_wilcoxon", "dz", "rank_biserial"):
        assert getattr(result, name) is None, name


def test_it_treats_a_constant_change_as_having_no_spread_despite_rounding():
    before = np.array([0.1, 0.7, 1.3, 2.9, 0.35, 1.1, 3.3, 0.2, 2.2, 1.7])
    after = before + 0.2  # in binary, these differences are not all exactly 0.2
    assert np.std(after - before, ddof=1) > 0

    result = paired(before, after)

    assert result.sd_change == 0
    assert result.t is None and result.dz is None
    assert result.ci_low == close(0.2) and result.ci_high == close(0.2)
    assert result.w == 0 and result.rank_biserial == close(1.0)  # everybody went up


def test_it_treats_a_change_within_tolerance_as_unchanged():
    before = [10, 10, 10, 10, 10]
    after = [9.5, 10, 10.4, 11, 8]

    result = paired(before, after, tolerance=0.5)

    assert (result.improved, result.unchanged, result.worse) == (1, 3, 1)


def test_it_counts_a_fall_as_improvement_when_lower_is_better():
    # Loneliness: 12 -> 8 is better, 6 -> 9 is worse.
    result = paired([12, 10, 6, 7], [8, 10, 9, 5], higher_is_better=False)

    assert (result.improved, result.unchanged, result.worse) == (2, 1, 1)
    assert result.mean_change == close(-3 / 4)  # still after - before
    assert not result.higher_is_better


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        ([1, 2, 3], [1, 2], "pairs"),
        ([1, float("nan"), 3], [1, 2, 3], "missing"),
        ([1, 2, 3], [1, 2, None], "missing"),
        ([1, 2, 3], [1, 2, float("inf")], "missing"),
        ([[1, 2], [3, 4]], [[1, 2], [3, 4]], "flat"),
    ],
)
def test_it_refuses_values_that_are_not_pairs_of_scores(before, after, message):
    with pytest.raises(ValueError, match=message):
        paired(before, after)


@pytest.mark.parametrize(
    "options", [{"min_inferential": 1}, {"tolerance": -0.5}, {"tolerance": float("nan")}]
)
def test_it_refuses_meaningless_options(options):
    with pytest.raises(ValueError):
        paired([1, 2, 3], [2, 3, 4], **options)


def test_it_runs_many_groups_with_the_same_options():
    groups = {
        "loneliness": (np.array([12.0, 10, 6, 7]), np.array([8.0, 10, 9, 5])),
        "belonging": (np.array([2.0, 3, 3, 4, 5]), np.array([3.0, 5, 3, 3, 7])),
    }

    results = paired_many(groups, min_inferential=4, higher_is_better=False)

    assert results == {
        key: paired(before, after, min_inferential=4, higher_is_better=False)
        for key, (before, after) in groups.items()
    }
    assert results["loneliness"].improved == 2


# --- shares of one answer --------------------------------------------------------------------


def test_it_computes_shares_before_and_after():
    # "I feel isolated", 1 = never ... 5 = always; "often" or "always" (4, 5) is what we count.
    # 19 people answered both times: 11 said often/always before (11/19 = 57.9%),
    # 6 after (6/19 = 31.6%).
    before = [5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 1, 2, 3, 3, 2, 1, 3, 2]
    after = [4, 5, 3, 2, 4, 2, 5, 3, 2, 4, 4, 1, 2, 3, 1, 2, 1, 2, 2]

    first, last = paired_shares(before, after, favourable={4, 5})

    assert first == Share(n=19, count=11, proportion=close(11 / 19))
    assert last == Share(n=19, count=6, proportion=close(6 / 19))
    assert f"{first.percent:.1f}% -> {last.percent:.1f}%" == "57.9% -> 31.6%"


def test_it_gives_no_share_of_nobody():
    empty = share([], favourable={4, 5})

    assert empty == Share(n=0, count=0, proportion=None)
    assert empty.percent is None


def test_it_refuses_shares_of_unpaired_answers():
    with pytest.raises(ValueError, match="pairs"):
        paired_shares([1, 2, 3], [1, 2], favourable={1})
