"""Synthetic instances shaped like a real program's waiting list, for the bench and the tests.

The proportions are assumptions, not data: most households speak Arabic, Dari or Tigrinya and
some English; every group speaks English or French and about a third also speak one of the
newcomers' languages; people are free mostly on evenings and weekends; waits are skewed, with a
tail past 180 days. No Django import.
"""

from __future__ import annotations

import numpy as np

from .engine import SLOTS, Groups, Households, Instance, Weights, rank_weights

PRIORITIES = [
    "socializing",
    "language_practice",
    "employment",
    "housing",
    "health_care",
    "education_childcare",
    "legal_immigration",
    "digital_skills",
    "getting_around",
    "other",
]
LANGUAGES = ["en", "fr", "ar", "prs", "fa", "ti", "es", "ps", "so", "sw", "uk", "am", "ku", "ur"]
# How often each language is a household's language, and a group's extra language.
HOUSEHOLD_LANGUAGE_SHARE = [
    0.3,
    0.08,
    0.35,
    0.12,
    0.06,
    0.1,
    0.08,
    0.04,
    0.03,
    0.03,
    0.04,
    0.02,
    0.02,
    0.02,
]
GROUP_EXTRA_SHARE = [
    0.0,
    0.0,
    0.15,
    0.04,
    0.04,
    0.02,
    0.1,
    0.01,
    0.01,
    0.01,
    0.03,
    0.01,
    0.01,
    0.01,
]
# Evenings and weekends are the likely slots.
SLOT_WEIGHT = np.array(
    [0.15 if s.endswith("morning") else 0.15 if s.endswith("afternoon") else 0.45 for s in SLOTS]
)
SLOT_WEIGHT[15:] = 0.35  # Saturday and Sunday, all day


def _slot_masks(rng, count, mean_slots):
    chosen = rng.random((count, len(SLOTS))) < SLOT_WEIGHT * mean_slots / SLOT_WEIGHT.sum()
    bits = (1 << np.arange(len(SLOTS), dtype=np.uint32)).astype(np.uint32)
    return (chosen.astype(np.uint32) * bits).sum(axis=1).astype(np.uint32)


def instance(
    n_households: int,
    n_groups: int,
    *,
    seed: int = 0,
    capacity: tuple[int, int] = (1, 1),
    ready_share: float = 1.0,
    regions: int = 6,
    coordinators: int = 0,
    caseload: int = 0,
    weights: Weights | None = None,
) -> Instance:
    rng = np.random.default_rng(seed)
    n, m, p, nl = n_households, n_groups, len(PRIORITIES), len(LANGUAGES)

    # Households rank one to three priorities; rank weights 3, 2, 1.
    ranks = np.zeros((n, p), dtype=np.int8)
    how_many = rng.integers(1, 4, size=n)
    for i in range(n):
        picked = rng.choice(p - 1, size=how_many[i], replace=False)
        ranks[i, picked] = np.arange(1, how_many[i] + 1)
    priorities = rank_weights(ranks)

    h_lang = rng.random((n, nl)) < np.array(HOUSEHOLD_LANGUAGE_SHARE)
    none = ~h_lang.any(axis=1)
    h_lang[none, 2] = True  # everyone speaks something
    g_lang = rng.random((m, nl)) < np.array(GROUP_EXTRA_SHARE)
    g_lang[:, 0] = True
    g_lang[:, 1] = rng.random(m) < 0.3

    mode = rng.choice([0, 1, 2], size=n, p=[0.5, 0.15, 0.35]).astype(np.int8)
    households = Households(
        ids=[f"h{i}" for i in range(n)],
        priorities=priorities,
        priority_ranks=ranks,
        languages=h_lang,
        availability=_slot_masks(rng, n, 6),
        women_only=rng.random(n) < 0.1,
        mode=mode,
        region=rng.integers(0, regions, size=n).astype(np.int32),
        size=rng.integers(1, 9, size=n).astype(np.int16),
        wait_days=np.minimum(rng.exponential(60, size=n), 720).astype(np.int32),
        urgency=rng.choice([0, 1, 2], size=n, p=[0.8, 0.15, 0.05]).astype(np.int8),
        paused=rng.random(n) < 0.03,
        coordinator=(
            rng.integers(0, coordinators, size=n).astype(np.int32)
            if coordinators
            else np.full(n, -1, dtype=np.int32)
        ),
    )
    skills = rng.random((m, p)) < 0.35
    ready = rng.random(m) < ready_share
    groups = Groups(
        ids=[f"g{j}" for j in range(m)],
        skills=skills,
        languages=g_lang,
        availability=_slot_masks(rng, m, 7),
        women_only_ok=rng.random(m) < 0.25,
        in_person_ok=rng.random(m) < 0.7,
        region=rng.integers(0, regions, size=m).astype(np.int32),
        members=rng.integers(3, 7, size=m).astype(np.int16),
        ready=ready,
        capacity=rng.integers(capacity[0], capacity[1] + 1, size=m).astype(np.int16),
        not_ready_reasons=["" if r else "a member's police check expired" for r in ready],
    )
    interpreters = np.zeros(nl, dtype=bool)
    interpreters[[2, 3, 4, 5, 6]] = True  # Arabic, Dari, Farsi, Tigrinya, Spanish
    return Instance(
        households=households,
        groups=groups,
        priority_codes=list(PRIORITIES),
        language_codes=list(LANGUAGES),
        region_codes=[f"region-{k}" for k in range(regions)],
        interpreter_languages=interpreters,
        weights=weights or Weights(),
        caseload_left=np.full(coordinators, caseload, dtype=np.int32),
        caseload_limit=np.full(coordinators, caseload, dtype=np.int32),
        coordinator_names=[f"coordinator {k}" for k in range(coordinators)],
    )
