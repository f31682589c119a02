"""Before/after statistics for the impact report, in numpy and scipy only.

Each respondent answers the same instrument at the start of a match and again at its end, so
every figure here works on *pairs*: the change ``after - before`` of one person. The report shows
what happened (means, how many people improved) for any group, and adds a test and an effect size
only when there are enough pairs for them to mean something (``min_inferential``); below that a
p-value would be read as evidence when it is noise.

Signs: ``mean_change``, ``t``, the confidence interval, ``dz`` and ``rank_biserial`` always
describe ``after - before`` as measured. Only the counts ``improved`` and ``worse`` know which
direction is good (``higher_is_better=False`` for loneliness or distress scales), so a template
never has to flip a sign it did not compute.

Nothing here imports Django: the module is tested against scipy with hypothesis.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy import special
from scipy import stats as scipy_stats

K = TypeVar("K", bound=Hashable)

# Below this many pairs the report shows descriptive figures only.
MIN_INFERENTIAL = 10

# A spread of differences this small relative to the differences themselves is floating-point
# noise (``0.3 - 0.1`` is not exactly ``0.2``), not variation: the change is constant, and a
# t statistic of 1e16 would be nonsense.
_NOISE = 1e-12


@dataclass(frozen=True)
class Paired:
    n: int
    mean_before: float | None
    mean_after: float | None
    sd_before: float | None
    sd_after: float | None
    mean_change: float | None
    sd_change: float | None
    improved: int
    unchanged: int
    worse: int
    higher_is_better: bool
    descriptive_only: bool
    ci_low: float | None = None
    ci_high: float | None = None
    t: float | None = None
    p_t: float | None = None
    w: float | None = None
    p_wilcoxon: float | None = None
    dz: float | None = None
    rank_biserial: float | None = None


@dataclass(frozen=True)
class Share:
    n: int
    count: int
    proportion: float | None  # 0..1; None when nobody answered

    @property
    def percent(self) -> float | None:
        return None if self.proportion is None else 100 * self.proportion


def paired(
    before: Sequence[float] | np.ndarray,
    after: Sequence[float] | np.ndarray,
    *,
    min_inferential: int = MIN_INFERENTIAL,
    tolerance: float = 0.0,
    higher_is_better: bool = True,
) -> Paired:
    """Describe the change from ``before[i]`` to ``after[i]`` and, with at least
    ``min_inferential`` pairs, test it (paired t and Wilcoxon signed-rank, 95% CI, effect sizes).

    A change within ``±tolerance`` counts as unchanged (a scale's smallest meaningful step).
    Missing answers must be dropped, pair by pair, before calling: NaN is refused rather than
    silently making every figure NaN."""
    if min_inferential < 2:
        raise ValueError("min_inferential must be at least 2: a test needs a spread.")
    if not tolerance >= 0:  # also refuses NaN
        raise ValueError("tolerance must be zero or positive.")
    b = _as_scores(before, "before")
    a = _as_scores(after, "after")
    if b.shape != a.shape:
        raise ValueError(f"before has {b.size} values and after {a.size}; they must be pairs.")
    n = int(b.size)
    d = a - b

    up = int(np.count_nonzero(d > tolerance))
    down = int(np.count_nonzero(d < -tolerance))
    improved, worse = (up, down) if higher_is_better else (down, up)
    described = {
        "n": n,
        "mean_before": _mean(b),
        "mean_after": _mean(a),
        "sd_before": _sd(b),
        "sd_after": _sd(a),
        "mean_change": _mean(d),
        "sd_change": _sd_of_change(d),
        "improved": improved,
        "unchanged": n - up - down,
        "worse": worse,
        "higher_is_better": higher_is_better,
    }
    if n < min_inferential:
        return Paired(**described, descriptive_only=True)
    return Paired(**described, descriptive_only=False, **_inferential(d, described["sd_change"]))


def paired_many(
    groups: Mapping[K, tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]],
    **options,
) -> dict[K, Paired]:
    """``paired()`` for each ``key: (before, after)``, with the same options for all."""
    return {key: paired(before, after, **options) for key, (before, after) in groups.items()}


def share(values: Sequence[int] | np.ndarray, favourable: Collection[int]) -> Share:
    """How many of ``values`` are one of the ``favourable`` answers (e.g. "often" and "always"
    to "I feel isolated")."""
    chosen = np.asarray(values).ravel()
    n = int(chosen.size)
    count = int(np.count_nonzero(np.isin(chosen, list(favourable)))) if n else 0
    return Share(n=n, count=count, proportion=count / n if n else None)


def paired_shares(
    before: Sequence[int] | np.ndarray,
    after: Sequence[int] | np.ndarray,
    favourable: Collection[int],
) -> tuple[Share, Share]:
    """The same share before and after, over the same people ("feel isolated: 57% → 31%")."""
    if len(before) != len(after):
        raise ValueError(
            f"before has {len(before)} values and after {len(after)}; they must be pairs."
        )
    return share(before, favourable), share(after, favourable)


def _as_scores(values, name: str) -> np.ndarray:
    scores = np.asarray(values, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of scores.")
    if not np.isfinite(scores).all():
        raise ValueError(f"{name} holds a missing or infinite score; drop that pair first.")
    return scores


def _mean(x: np.ndarray) -> float | None:
    return float(np.mean(x)) if x.size else None


def _sd(x: np.ndarray) -> float | None:
    return float(np.std(x, ddof=1)) if x.size > 1 else None


def _sd_of_change(d: np.ndarray) -> float | None:
    sd = _sd(d)
    if sd is None:
        return None
    return 0.0 if sd <= _NOISE * float(np.max(np.abs(d))) else sd


def _inferential(d: np.ndarray, sd: float) -> dict[str, float | None]:
    n = d.size
    df = n - 1
    mean = float(np.mean(d))
    se = sd / math.sqrt(n)
    # stdtr/stdtrit are the Student t CDF and its inverse, the functions scipy's own ttest_rel
    # and its confidence_interval() use, so the figures agree to the last digits.
    half_width = float(special.stdtrit(df, 0.975)) * se
    figures: dict[str, float | None] = {
        "ci_low": mean - half_width,
        "ci_high": mean + half_width,
    }
    if sd > 0:
        t = mean / se
        figures |= {"t": t, "p_t": float(2 * special.stdtr(df, -abs(t))), "dz": mean / sd}
    # (When every difference is the same, the t test and dz are undefined: left None.)

    nonzero = d[d != 0]
    if nonzero.size:
        # Same defaults as the report promises: zeros dropped ('wilcox'), two-sided, scipy's
        # choice between the exact and the normal distribution.
        result = scipy_stats.wilcoxon(d)
        ranks = scipy_stats.rankdata(np.abs(nonzero))
        for_gain = ranks[nonzero > 0].sum()
        for_loss = ranks[nonzero < 0].sum()
        figures |= {
            "w": float(result.statistic),
            "p_wilcoxon": float(result.pvalue),
            "rank_biserial": float((for_gain - for_loss) / ranks.sum()),
        }
    return figures
