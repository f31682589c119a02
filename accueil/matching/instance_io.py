"""Instance files: the engine's input as JSON with readable codes, and its answer as JSON.

This is what ``python -m accueil.matching solve`` reads, what the tests and the bench can write,
and what a developer can attach to a bug report without a database. No Django import.

Format (docs/matching.md has an example)::

    {"weights": {...},                      optional, any keys of engine.Weights
     "interpreter_languages": ["ar"],       optional, default []
     "caseloads": {"c1": 2},                optional: coordinator id -> matches they can still take
     "households": [{...}],                 required
     "groups": [{...}],                     required
     "excluded_pairs": [{...}]}             optional, default []

Household fields (``id`` and ``region`` are required):
    priorities []          ranked, most important first (rank weights 3, 2, then 1)
    languages []
    availability []        engine.SLOTS codes such as "tue_evening"
    women_only false
    meeting_mode "either"  "remote", "in_person" or "either" (the household model's default)
    size 1
    wait_days 0
    urgency "routine"      "routine", "soon" or "urgent"
    paused false
    coordinator null       a coordinator id; one absent from "caseloads" has no caseload limit

Group fields (``id``, ``region`` and ``members`` are required):
    skills [], languages [], availability []
    women_only false       true when every active member is a woman
    in_person false        true when at least one member meets in person
    ready true
    not_ready_reason ""    shown in the "not ready" explanation
    capacity 1             matches the group can still take

Excluded pair fields: ``household``, ``group``, ``reason`` ("ended_early" or "conflict").

The code lists (priorities, languages, regions) are collected from the file and sorted, so the
same file always gives the same instance. Anything unexpected raises ``ValueError`` naming the
household or group and the field: a typo in a file should never silently change a proposal.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import engine, reasons

TOP_KEYS = {
    "weights",
    "interpreter_languages",
    "caseloads",
    "households",
    "groups",
    "excluded_pairs",
}
HOUSEHOLD_DEFAULTS = {
    "priorities": [],
    "languages": [],
    "availability": [],
    "women_only": False,
    "meeting_mode": "either",
    "size": 1,
    "wait_days": 0,
    "urgency": "routine",
    "paused": False,
    "coordinator": None,
}
HOUSEHOLD_REQUIRED = ("id", "region")
GROUP_DEFAULTS = {
    "skills": [],
    "languages": [],
    "availability": [],
    "women_only": False,
    "in_person": False,
    "ready": True,
    "not_ready_reason": "",
    "capacity": 1,
}
GROUP_REQUIRED = ("id", "region", "members")
PAIR_KEYS = {"household", "group", "reason"}
MODE_NAMES = {code: name for name, code in engine.MEETING_MODES.items()}
URGENCY_NAMES = {code: name for name, code in engine.URGENCIES.items()}


# --- checks ---------------------------------------------------------------------------------


def _where(kind: str, ident) -> str:
    return f"{kind} {ident!r}" if ident is not None else kind


def _fields(record, kind: str, index: int, required, defaults) -> dict:
    if not isinstance(record, dict):
        raise ValueError(f"{kind} #{index + 1}: expected an object, got {type(record).__name__}")
    ident = record.get("id")
    where = _where(kind, ident) if isinstance(ident, str) else f"{kind} #{index + 1}"
    unknown = set(record) - set(required) - set(defaults)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for name in required:
        if name not in record:
            raise ValueError(f"{where}: missing field {name!r}")
    return {**defaults, **record}


def _text(value, where: str, name: str, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: {name!r} must be a non-empty string")
    return value


def _flag(value, where: str, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: {name!r} must be true or false")
    return value


def _count(value, where: str, name: str) -> int:
    # bool is an int in Python; "size": true is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: {name!r} must be a whole number")
    if value < 0:
        raise ValueError(f"{where}: {name!r} must not be negative (got {value})")
    return value


def _codes(value, where: str, name: str, allowed=None) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: {name!r} must be a list")
    for code in value:
        _text(code, where, f"{name} entry")
        if allowed is not None and code not in allowed:
            raise ValueError(f"{where}: unknown {name} code {code!r}")
    if len(set(value)) != len(value):
        raise ValueError(f"{where}: {name!r} lists a code twice")
    return value


def _choice(value, where: str, name: str, allowed: dict):
    if value not in allowed:
        raise ValueError(
            f"{where}: unknown {name} {value!r} (expected one of {', '.join(allowed)})"
        )
    return allowed[value]


def _unique_ids(records: list[dict], kind: str) -> dict:
    index = {}
    for k, record in enumerate(records):
        ident = record["id"]
        if ident in index:
            raise ValueError(f"{_where(kind, ident)}: duplicate id")
        index[ident] = k
    return index


def _mask(codes: list[str]) -> int:
    mask = 0
    for slot in codes:
        mask |= 1 << engine.SLOTS.index(slot)
    return mask


def _matrix(rows: list[list[str]], columns: list[str]) -> np.ndarray:
    position = {code: k for k, code in enumerate(columns)}
    out = np.zeros((len(rows), len(columns)), dtype=bool)
    for i, codes in enumerate(rows):
        out[i, [position[c] for c in codes]] = True
    return out


# --- loading --------------------------------------------------------------------------------


def load_instance(data: dict) -> engine.Instance:
    """Build an engine.Instance from a decoded instance file; ``ValueError`` on any problem."""
    if not isinstance(data, dict):
        raise ValueError("the instance must be a JSON object")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ValueError(f"unknown top-level key(s) {', '.join(sorted(unknown))}")
    for key in ("households", "groups"):
        if not isinstance(data.get(key), list):
            raise ValueError(f"{key!r} must be a list")

    weights = data.get("weights") or {}
    if not isinstance(weights, dict):
        raise ValueError("'weights' must be an object")
    for name, value in weights.items():
        _count(value, "weights", name)
    weights = engine.Weights.from_dict(weights)

    interpreters = _codes(
        data.get("interpreter_languages", []), "instance", "interpreter_languages"
    )
    caseloads = data.get("caseloads") or {}
    if not isinstance(caseloads, dict):
        raise ValueError("'caseloads' must be an object")
    for name, left in caseloads.items():
        _count(left, f"caseloads[{name!r}]", "remaining")

    households = [
        _household(_fields(r, "household", k, HOUSEHOLD_REQUIRED, HOUSEHOLD_DEFAULTS))
        for k, r in enumerate(data["households"])
    ]
    groups = [
        _group(_fields(r, "group", k, GROUP_REQUIRED, GROUP_DEFAULTS))
        for k, r in enumerate(data["groups"])
    ]
    h_index = _unique_ids(households, "household")
    g_index = _unique_ids(groups, "group")

    priority_codes = sorted(
        {c for h in households for c in h["priorities"]} | {c for g in groups for c in g["skills"]}
    )
    language_codes = sorted(
        {c for r in households + groups for c in r["languages"]} | set(interpreters)
    )
    region_codes = sorted({r["region"] for r in households + groups})
    coordinator_names = sorted(set(caseloads) | {h["coordinator"] for h in households} - {None})

    n = len(households)
    ranks = np.zeros((n, len(priority_codes)), dtype=np.int8)
    p_index = {code: k for k, code in enumerate(priority_codes)}
    for i, h in enumerate(households):
        for rank, code in enumerate(h["priorities"], start=1):
            ranks[i, p_index[code]] = min(rank, 127)
    r_index = {code: k for k, code in enumerate(region_codes)}
    c_index = {name: k for k, name in enumerate(coordinator_names)}

    hh = engine.Households(
        ids=[h["id"] for h in households],
        priorities=engine.rank_weights(ranks),
        priority_ranks=ranks,
        languages=_matrix([h["languages"] for h in households], language_codes),
        availability=np.array([h["mask"] for h in households], dtype=np.uint32),
        women_only=np.array([h["women_only"] for h in households], dtype=bool),
        mode=np.array([h["mode"] for h in households], dtype=np.int8),
        region=np.array([r_index[h["region"]] for h in households], dtype=np.int32),
        size=np.array([h["size"] for h in households], dtype=np.int16),
        wait_days=np.array([h["wait_days"] for h in households], dtype=np.int32),
        urgency=np.array([h["urgency_level"] for h in households], dtype=np.int8),
        paused=np.array([h["paused"] for h in households], dtype=bool),
        coordinator=np.array(
            [-1 if h["coordinator"] is None else c_index[h["coordinator"]] for h in households],
            dtype=np.int32,
        ),
    )
    gg = engine.Groups(
        ids=[g["id"] for g in groups],
        skills=_matrix([g["skills"] for g in groups], priority_codes),
        languages=_matrix([g["languages"] for g in groups], language_codes),
        availability=np.array([g["mask"] for g in groups], dtype=np.uint32),
        women_only_ok=np.array([g["women_only"] for g in groups], dtype=bool),
        in_person_ok=np.array([g["in_person"] for g in groups], dtype=bool),
        region=np.array([r_index[g["region"]] for g in groups], dtype=np.int32),
        members=np.array([g["members"] for g in groups], dtype=np.int16),
        ready=np.array([g["ready"] for g in groups], dtype=bool),
        capacity=np.array([g["capacity"] for g in groups], dtype=np.int16),
        not_ready_reasons=["" if g["ready"] else g["not_ready_reason"] for g in groups],
    )

    # A coordinator without a caseload entry has no limit: n remaining matches can never bind.
    left = np.array([caseloads.get(name, n) for name in coordinator_names], dtype=np.int32)
    return engine.Instance(
        households=hh,
        groups=gg,
        priority_codes=priority_codes,
        language_codes=language_codes,
        region_codes=region_codes,
        interpreter_languages=np.array([c in interpreters for c in language_codes], dtype=bool),
        weights=weights,
        excluded_pairs=_pairs(data.get("excluded_pairs", []), h_index, g_index),
        caseload_left=left,
        caseload_limit=left.copy(),
        coordinator_names=coordinator_names,
    )


def _household(h: dict) -> dict:
    where = _where("household", _text(h["id"], "household", "id"))
    _text(h["region"], where, "region")
    _codes(h["priorities"], where, "priorities")
    _codes(h["languages"], where, "languages")
    h["mask"] = _mask(_codes(h["availability"], where, "availability", engine.SLOTS))
    for name in ("women_only", "paused"):
        _flag(h[name], where, name)
    h["mode"] = _choice(h["meeting_mode"], where, "meeting_mode", engine.MEETING_MODES)
    h["urgency_level"] = _choice(h["urgency"], where, "urgency", engine.URGENCIES)
    _count(h["size"], where, "size")
    _count(h["wait_days"], where, "wait_days")
    _text(h["coordinator"], where, "coordinator", allow_none=True)
    return h


def _group(g: dict) -> dict:
    where = _where("group", _text(g["id"], "group", "id"))
    _text(g["region"], where, "region")
    _codes(g["skills"], where, "skills")
    _codes(g["languages"], where, "languages")
    g["mask"] = _mask(_codes(g["availability"], where, "availability", engine.SLOTS))
    for name in ("women_only", "in_person", "ready"):
        _flag(g[name], where, name)
    if not isinstance(g["not_ready_reason"], str):
        raise ValueError(f"{where}: 'not_ready_reason' must be a string")
    _count(g["members"], where, "members")
    _count(g["capacity"], where, "capacity")
    return g


def _pairs(pairs, h_index: dict, g_index: dict) -> dict:
    if not isinstance(pairs, list):
        raise ValueError("'excluded_pairs' must be a list")
    out = {}
    for k, pair in enumerate(pairs):
        where = f"excluded pair #{k + 1}"
        if not isinstance(pair, dict) or set(pair) != PAIR_KEYS:
            raise ValueError(f"{where}: expected exactly the fields household, group, reason")
        household, group, reason = pair["household"], pair["group"], pair["reason"]
        if household not in h_index:
            raise ValueError(f"{where}: unknown household {household!r}")
        if group not in g_index:
            raise ValueError(f"{where}: unknown group {group!r} (household {household!r})")
        if reason not in engine.PAIR_EXCLUSIONS:
            raise ValueError(
                f"{where}: household {household!r}, group {group!r}: unknown reason {reason!r} "
                f"(expected one of {', '.join(engine.PAIR_EXCLUSIONS)})"
            )
        key = (h_index[household], g_index[group])
        if key in out:
            raise ValueError(f"{where}: household {household!r}, group {group!r} listed twice")
        out[key] = reason
    return out


# --- dumping --------------------------------------------------------------------------------


def _name(codes: list, k: int, prefix: str) -> str:
    return codes[k] if 0 <= k < len(codes) else f"{prefix}{k}"


def _slot_codes(mask) -> list[str]:
    mask = int(mask)
    return [slot for bit, slot in enumerate(engine.SLOTS) if mask >> bit & 1]


def dump_instance(inst: engine.Instance) -> dict:
    """The instance as a file ``load_instance`` reads back to the same proposals. Every weight
    and every coordinator's remaining caseload is written out, so a dump of a database instance
    stays meaningful when the program's settings change later. Unranked code lists are sorted,
    as ``load_instance`` sorts its columns: dumping what was loaded gives the same file."""
    h, g = inst.households, inst.groups
    languages = inst.language_codes
    coordinators = [
        _name(inst.coordinator_names, c, "coordinator-") for c in range(len(inst.caseload_left))
    ]
    households = []
    for i in range(len(h)):
        asked = h.priority_ranks[i]
        order = sorted(np.flatnonzero(asked > 0), key=lambda k: (asked[k], k))
        c = int(h.coordinator[i])
        households.append(
            {
                "id": str(h.ids[i]),
                "priorities": [inst.priority_codes[k] for k in order],
                "languages": sorted(languages[k] for k in np.flatnonzero(h.languages[i])),
                "availability": _slot_codes(h.availability[i]),
                "women_only": bool(h.women_only[i]),
                "meeting_mode": MODE_NAMES[int(h.mode[i])],
                "region": _name(inst.region_codes, int(h.region[i]), "region-"),
                "size": int(h.size[i]),
                "wait_days": int(h.wait_days[i]),
                "urgency": URGENCY_NAMES[int(h.urgency[i])],
                "paused": bool(h.paused[i]),
                "coordinator": None if c < 0 else _name(coordinators, c, "coordinator-"),
            }
        )
    groups = []
    for j in range(len(g)):
        group = {
            "id": str(g.ids[j]),
            "skills": sorted(inst.priority_codes[k] for k in np.flatnonzero(g.skills[j])),
            "languages": sorted(languages[k] for k in np.flatnonzero(g.languages[j])),
            "availability": _slot_codes(g.availability[j]),
            "women_only": bool(g.women_only_ok[j]),
            "in_person": bool(g.in_person_ok[j]),
            "region": _name(inst.region_codes, int(g.region[j]), "region-"),
            "members": int(g.members[j]),
            "ready": bool(g.ready[j]),
            "capacity": max(int(g.capacity[j]), 0),
        }
        if not g.ready[j] and j < len(g.not_ready_reasons) and g.not_ready_reasons[j]:
            group["not_ready_reason"] = g.not_ready_reasons[j]
        groups.append(group)
    return {
        "weights": inst.weights.as_dict(),
        "interpreter_languages": sorted(
            languages[k] for k in np.flatnonzero(inst.interpreter_languages)
        ),
        "caseloads": {
            name: max(int(left), 0)
            for name, left in zip(coordinators, inst.caseload_left, strict=True)
        },
        "households": households,
        "groups": groups,
        "excluded_pairs": [
            {"household": str(h.ids[i]), "group": str(g.ids[j]), "reason": reason}
            for (i, j), reason in sorted(inst.excluded_pairs.items())
        ],
    }


def assignment_json(
    inst: engine.Instance,
    assignment: engine.Assignment,
    *,
    gettext: Callable[[str], str] | None = None,
) -> dict:
    """The batch's answer with ids instead of indexes and every proposal explained (the
    contributions in words; identity gettext, so the sentences are the English source)."""
    kwargs = {"gettext": gettext} if gettext else {}
    h_ids, g_ids = inst.households.ids, inst.groups.ids
    matched = set()
    proposals = []
    for i, j, score in assignment.pairs:
        matched.add(i)
        # ranking=False: the batch enforces caseloads itself, as it did for this proposal.
        contributions = engine.explain(inst, i, j, ranking=False)
        proposals.append(
            {
                "household": h_ids[i],
                "group": g_ids[j],
                "score": int(score),
                "explanation": [d["text"] for d in reasons.describe_all(contributions, **kwargs)],
            }
        )
    return {
        "method": assignment.method,
        "total_score": int(assignment.total),
        "build_seconds": round(assignment.build_seconds, 6),
        "solve_seconds": round(assignment.solve_seconds, 6),
        "proposals": proposals,
        "unmatched_households": [h_ids[i] for i in range(len(h_ids)) if i not in matched],
    }
