"""The matching bench: batch runs on synthetic instances and the ranking latency of one household.

Run as ``python -m accueil.matching bench`` or ``python bench/matching.py``; each case prints one
JSON object on one line, so runs can be appended to a file and compared. bench/README.md says
what each key means and the targets. No Django import.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import tracemalloc

import numpy as np

from . import engine, reasons, synthetic

DEFAULT_SIZES = "300x100,1000x500,5000x2000"
QUICK_SIZES = "60x25,120x50"
DEFAULT_CAPACITIES = "1,1-3"
LONG_WAIT_DAYS = 180
EXACT = ("auto", "assignment", "flow", "certified")


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        try:
            n, m = (int(x) for x in part.strip().lower().split("x"))
        except ValueError:
            raise ValueError(
                f"bad size {part!r}: expected HOUSEHOLDSxGROUPS, e.g. 5000x2000"
            ) from None
        if n <= 0 or m <= 0:
            raise ValueError(f"bad size {part!r}: both numbers must be positive")
        sizes.append((n, m))
    return sizes


def parse_capacities(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        try:
            low, _, high = part.strip().partition("-")
            low, high = int(low), int(high or low)
        except ValueError:
            raise ValueError(f"bad capacity {part!r}: expected 1 or 1-3") from None
        if not 0 <= low <= high:
            raise ValueError(f"bad capacity {part!r}")
        out.append((low, high))
    return out


def _capacity_label(capacity: tuple[int, int]) -> str:
    low, high = capacity
    return str(low) if low == high else f"{low}-{high}"


def warm_up() -> None:
    """Imports, BLAS threads, ortools' shared library and first-touch page faults cost a few
    hundred milliseconds once per process; the first case should not pay for them."""
    inst = synthetic.instance(40, 15, seed=99, capacity=(1, 2), coordinators=2, caseload=3)
    for method in ("assignment", "flow", "certified", "sparse", "greedy"):
        engine.solve(inst, method=method)
    for i in range(3):
        for r in engine.rank_groups(inst, i):
            reasons.describe_all(engine.explain(inst, i, r.index))


def _long_wait_share(inst: engine.Instance, assignment: engine.Assignment, long_wait) -> float:
    if not long_wait.any():
        return 0.0
    matched = np.zeros(len(inst.households), dtype=bool)
    matched[[i for i, _, _ in assignment.pairs]] = True
    return round(float(matched[long_wait].mean()), 4)


def _traced_peak_mb(inst: engine.Instance, method: str, top_k: int) -> float:
    """Peak of the memory Python and numpy allocate during one solve, above what was allocated
    before it. A separate run, because tracing slows every allocation down."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        engine.solve(inst, method=method, top_k=top_k)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round((peak - before) / 2**20, 1)


def batch_case(
    n: int,
    m: int,
    capacity: tuple[int, int],
    *,
    seed: int,
    repeat: int = 1,
    method: str = "auto",
    top_k: int = 20,
) -> dict:
    inst = synthetic.instance(n, m, seed=seed, capacity=capacity)
    runs = []
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        result = engine.solve(inst, method=method, top_k=top_k)
        runs.append((time.perf_counter() - t0, result))
    # The median run by wall time: on a shared two-core machine the minimum flatters.
    runs.sort(key=lambda run: run[0])
    total_seconds, result = runs[len(runs) // 2]
    exact = result if method in EXACT else engine.solve(inst, method="auto")
    greedy = engine.solve(inst, method="greedy")
    sparse = engine.solve(inst, method="sparse", top_k=top_k)
    long_wait = inst.households.wait_days > LONG_WAIT_DAYS
    optimum = exact.total
    return {
        "case": f"batch-{n}x{m}-cap{_capacity_label(capacity)}",
        "households": n,
        "groups": m,
        "capacity": _capacity_label(capacity),
        "method": result.method,
        "repeat": len(runs),
        "build_seconds": round(result.build_seconds, 4),
        "solve_seconds": round(result.solve_seconds, 4),
        "total_seconds": round(total_seconds, 4),
        "peak_memory_mb": _traced_peak_mb(inst, method, top_k),
        "memory_measure": "tracemalloc",
        "total_score": result.total,
        "optimum_score": optimum,
        "proposals": len(result.pairs),
        "greedy_score": greedy.total,
        "greedy_gap_percent": _gap(optimum, greedy.total),
        "sparse_top_k": top_k,
        "sparse_score": sparse.total,
        "sparse_gap_percent": _gap(optimum, sparse.total),
        "long_wait_households": int(long_wait.sum()),
        "long_wait_share_proposed": _long_wait_share(inst, exact, long_wait),
        "long_wait_share_greedy": _long_wait_share(inst, greedy, long_wait),
        "seed": seed,
        "warm": True,
    }


def _gap(optimum: int, score: int) -> float:
    return round(100.0 * (optimum - score) / optimum, 3) if optimum else 0.0


def ranking_case(*, households: int, groups: int = 2000, seed: int = 7, top: int = 10) -> dict:
    """What a coordinator's "suggest groups" page costs: score one household against every
    group, keep the ten best and put each of their contributions into words."""
    inst = synthetic.instance(households, groups, seed=seed, capacity=(1, 2))
    times = []
    for i in range(households):
        t0 = time.perf_counter()
        for r in engine.rank_groups(inst, i, top=top):
            reasons.describe_all(engine.explain(inst, i, r.index))
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return {
        "case": f"ranking-1x{groups}",
        "households": households,
        "groups": groups,
        "top": top,
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[min(len(times) - 1, int(np.ceil(0.95 * len(times))) - 1)], 3),
        "max_ms": round(times[-1], 3),
        "seed": seed,
        "warm": True,
    }


def run(
    *,
    sizes: str | None = None,
    capacities: str = DEFAULT_CAPACITIES,
    repeat: int = 1,
    quick: bool = False,
    method: str = "auto",
    top_k: int = 20,
    ranking_households: int | None = None,
    out=None,
) -> list[dict]:
    """Run every case, printing each line as soon as it is measured (a long bench shows
    progress) and returning them all."""
    out = out or sys.stdout
    size_list = parse_sizes(sizes or (QUICK_SIZES if quick else DEFAULT_SIZES))
    capacity_list = parse_capacities(capacities)
    warm_up()
    lines = []

    def emit(line: dict) -> None:
        lines.append(line)
        print(json.dumps(line), file=out, flush=True)

    for k, (n, m) in enumerate(size_list):
        for capacity in capacity_list:
            emit(
                batch_case(n, m, capacity, seed=1000 + k, repeat=repeat, method=method, top_k=top_k)
            )
    # Ranking is always against 2,000 groups: that is the size the 2 ms target is about.
    emit(ranking_case(households=ranking_households or (200 if quick else 500)))
    return lines
