"""The command line (``python -m accueil.matching``) and the instance file format, end to end."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from accueil.matching import engine, instance_io, synthetic

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "matching-example.json"
BATCH_KEYS = {
    "case",
    "households",
    "groups",
    "capacity",
    "build_seconds",
    "solve_seconds",
    "total_seconds",
    "peak_memory_mb",
    "total_score",
    "optimum_score",
    "greedy_score",
    "sparse_score",
    "sparse_gap_percent",
    "long_wait_households",
    "long_wait_share_proposed",
    "long_wait_share_greedy",
    "warm",
}
RANKING_KEYS = {"case", "households", "groups", "p50_ms", "p95_ms", "max_ms", "warm"}


def run(*args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "accueil.matching", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


@pytest.mark.parametrize("method", ["auto", "assignment", "flow", "sparse", "greedy"])
def test_solve_prints_a_valid_assignment(method):
    done = run("solve", str(EXAMPLE), "--method", method)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    data = example()
    households = {h["id"]: h for h in data["households"]}
    groups = {g["id"]: g for g in data["groups"]}
    inst = instance_io.load_instance(data)
    h_index = {h: i for i, h in enumerate(inst.households.ids)}
    g_index = {g: j for j, g in enumerate(inst.groups.ids)}
    excluded = {(p["household"], p["group"]) for p in data["excluded_pairs"]}

    taken = {}
    seen = set()
    per_coordinator = {}
    for proposal in answer["proposals"]:
        h, g = proposal["household"], proposal["group"]
        assert h in households and g in groups
        assert h not in seen
        seen.add(h)
        taken[g] = taken.get(g, 0) + 1
        assert (h, g) not in excluded
        assert groups[g].get("ready", True) and not households[h].get("paused", False)
        coordinator = households[h].get("coordinator")
        if coordinator:
            per_coordinator[coordinator] = per_coordinator.get(coordinator, 0) + 1
        # The score again, from the explanation of the pair.
        contributions = engine.explain(inst, h_index[h], g_index[g], ranking=False)
        assert not engine.is_excluded(contributions)
        assert proposal["score"] == engine.total_points(contributions) > 0
        assert len(proposal["explanation"]) == len(contributions)
        assert all(isinstance(text, str) and text for text in proposal["explanation"])
    for g, count in taken.items():
        assert count <= groups[g].get("capacity", 1)
    for coordinator, count in per_coordinator.items():
        assert count <= data["caseloads"].get(coordinator, len(households))
    assert answer["total_score"] == sum(p["score"] for p in answer["proposals"])
    assert set(answer["unmatched_households"]) == set(households) - seen
    assert answer["method"] in ("assignment", "flow", "sparse", "greedy")
    if method in ("auto", "assignment", "flow"):
        # The example's caseloads bind, so only the flow is exact there.
        assert answer["method"] == "flow"
        assert answer["total_score"] == engine.solve(inst, method="flow").total


def test_example_covers_every_hard_constraint_and_both_capacities():
    inst = instance_io.load_instance(example())
    codes = {
        c.code
        for i in range(len(inst.households))
        for j in range(len(inst.groups))
        for c in engine.explain(inst, i, j, ranking=True)
        if c.excluded
    }
    assert codes >= {
        engine.GROUP_NOT_READY,
        engine.GROUP_FULL,
        engine.HOUSEHOLD_PAUSED,
        engine.WOMEN_ONLY,
        engine.IN_PERSON_REGION,
        engine.NO_LANGUAGE,
        engine.ENDED_EARLY,
        engine.CONFLICT,
    }
    capacities = set(inst.groups.capacity.tolist())
    assert 1 in capacities and max(capacities) > 1
    # A coordinator's caseload binds: without it there would be more proposals.
    unlimited = copy.deepcopy(example())
    unlimited.pop("caseloads")
    assert engine.solve(instance_io.load_instance(unlimited)).total > engine.solve(inst).total


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"households": [], "groups": [], "extra": 1}', "extra"),
        ('{"households": [{"id": "h1", "region": "n", "size": -2}], "groups": []}', "'h1'"),
    ],
)
def test_solve_rejects_a_bad_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    done = run("solve", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert done.stderr.startswith("error: ")


def test_solve_reports_a_missing_file(tmp_path):
    done = run("solve", str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert "cannot read" in done.stderr


def test_bench_quick_prints_json_lines():
    done = run("bench", "--quick", timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    batches = [line for line in lines if line["case"].startswith("batch-")]
    rankings = [line for line in lines if line["case"].startswith("ranking-")]
    assert len(batches) == 4 and len(rankings) == 1
    assert {line["capacity"] for line in batches} == {"1", "1-3"}
    for line in batches:
        assert set(line) >= BATCH_KEYS, BATCH_KEYS - set(line)
        assert line["warm"] is True
        assert line["total_score"] == line["optimum_score"]
        assert line["greedy_score"] <= line["optimum_score"]
        assert line["sparse_score"] <= line["optimum_score"]
        assert 0 <= line["long_wait_share_proposed"] <= 1
    ranking = rankings[0]
    assert set(ranking) >= RANKING_KEYS
    assert ranking["households"] >= 200 and ranking["groups"] == 2000
    assert 0 < ranking["p50_ms"] <= ranking["p95_ms"] <= ranking["max_ms"]


# --- the format ------------------------------------------------------------------------------


def _break(change):
    data = example()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["households"][1].update(colour="blue"), ["h-tesfaye", "colour"]),
        (lambda d: d["groups"][0].update(availability=["tue_night"]), ["g-maple", "tue_night"]),
        (lambda d: d["households"][0].update(meeting_mode="phone"), ["h-haddad", "meeting_mode"]),
        (lambda d: d["households"][2].update(urgency="asap"), ["h-rahimi", "urgency"]),
        (lambda d: d["households"].append(dict(d["households"][0])), ["h-haddad", "duplicate"]),
        (lambda d: d["groups"].append(dict(d["groups"][1])), ["g-birch", "duplicate"]),
        (lambda d: d["households"][3].update(size=-1), ["h-mensah", "size"]),
        (lambda d: d["households"][3].update(wait_days=-5), ["h-mensah", "wait_days"]),
        (lambda d: d["groups"][2].update(members=-3), ["g-cedar", "members"]),
        (lambda d: d["groups"][2].update(capacity=-1), ["g-cedar", "capacity"]),
        (lambda d: d["groups"][2].update(in_person="yes"), ["g-cedar", "in_person"]),
        (lambda d: d["groups"][2].pop("region"), ["g-cedar", "region"]),
        (lambda d: d["households"][0].pop("id"), ["household #1", "id"]),
        (
            lambda d: d["excluded_pairs"].append(
                {"household": "h-x", "group": "g-maple", "reason": "conflict"}
            ),
            ["h-x"],
        ),
        (
            lambda d: d["excluded_pairs"].append(
                {"household": "h-nour", "group": "g-oak", "reason": "conflict"}
            ),
            ["g-oak"],
        ),
        (
            lambda d: d["excluded_pairs"].append(
                {"household": "h-nour", "group": "g-maple", "reason": "dislike"}
            ),
            ["h-nour", "g-maple", "dislike"],
        ),
        (lambda d: d["caseloads"].update({"coord-amal": -1}), ["coord-amal"]),
        (lambda d: d["weights"].update(speed=3), ["speed"]),
        (lambda d: d["households"][0].update(priorities=["housing", "housing"]), ["h-haddad"]),
    ],
)
def test_load_instance_names_what_is_wrong(change, words):
    with pytest.raises(ValueError) as caught:
        instance_io.load_instance(_break(change))
    for word in words:
        assert word in str(caught.value)


def test_defaults_and_code_lists():
    inst = instance_io.load_instance(
        {
            "households": [{"id": "h", "region": "west", "languages": ["so", "en"]}],
            "groups": [{"id": "g", "region": "east", "members": 3, "languages": ["en"]}],
        }
    )
    h, g = inst.households, inst.groups
    assert inst.language_codes == ["en", "so"] and inst.region_codes == ["east", "west"]
    assert h.mode[0] == engine.EITHER and h.size[0] == 1 and h.wait_days[0] == 0
    assert h.coordinator[0] == -1 and not h.paused[0] and not h.women_only[0]
    assert g.capacity[0] == 1 and g.ready[0] and not g.in_person_ok[0]
    assert inst.weights == engine.Weights()
    assert [i for i, _, _ in engine.solve(inst).pairs] == [0]


@pytest.mark.parametrize("capacity", [(1, 1), (0, 3)])
def test_dump_then_load_gives_the_same_proposals(capacity):
    inst = synthetic.instance(40, 15, seed=5, capacity=capacity, coordinators=3, caseload=4)
    data = instance_io.dump_instance(inst)
    again = instance_io.load_instance(json.loads(json.dumps(data)))
    assert instance_io.dump_instance(again) == data
    for method in ("auto", "greedy", "sparse"):
        first = engine.solve(inst, method=method)
        second = engine.solve(again, method=method)
        # Ids, not indexes: load_instance keeps the file's order, so indexes agree too.
        assert first.pairs == second.pairs and first.method == second.method


def test_dump_of_the_example_reads_back_to_the_same_answer():
    inst = instance_io.load_instance(example())
    again = instance_io.load_instance(instance_io.dump_instance(inst))
    first = instance_io.assignment_json(inst, engine.solve(inst))
    second = instance_io.assignment_json(again, engine.solve(again))
    for answer in (first, second):
        answer.pop("build_seconds")
        answer.pop("solve_seconds")
    assert first == second
