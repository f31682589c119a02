"""Put the engine's contributions into words.

No Django import: the caller passes ``gettext`` and ``ngettext`` (Django's, in the reader's
language, on the staff pages; identity functions for the command line) and a ``Names`` object
that turns codes into names (languages, priorities, slots, regions). ``makemessages`` still
finds the strings below, because it looks for the calls, not for where the functions come from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import engine
from .engine import Contribution


def _identity(message: str) -> str:
    return message


def _plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


@dataclass
class Names:
    """How codes read. The defaults print the codes themselves (command line)."""

    language: Callable[[str], str] = _identity
    priority: Callable[[str], str] = _identity
    slot: Callable[[str], str] = _identity
    region: Callable[[str], str] = _identity
    join: Callable[[list], str] = field(default=lambda items: ", ".join(items))
    # "Arabic or Dari": for sentences where any one of them would do (or none does).
    join_any: Callable[[list], str] = field(default=lambda items: ", ".join(items))


def _signed(points: int) -> str:
    return f"+{points}" if points >= 0 else str(points)


def describe(
    contribution: Contribution,
    *,
    gettext: Callable[[str], str] = _identity,
    ngettext: Callable[[str, str, int], str] = _plural,
    names: Names | None = None,
) -> str:
    """One sentence for one contribution: "Speaks Arabic with the family: +30", or
    "Excluded: …" for a hard constraint."""
    names = names or Names()
    text = _sentence(contribution, gettext, ngettext, names)
    if contribution.excluded:
        return gettext("Excluded: %(reason)s") % {"reason": text}
    # Translatable: French puts a space before the colon.
    return gettext("%(text)s: %(points)s") % {"text": text, "points": _signed(contribution.points)}


def _sentence(c: Contribution, gettext, ngettext, names: Names) -> str:
    d = c.data
    languages = names.join([names.language(code) for code in d.get("languages", [])])
    any_language = names.join_any([names.language(code) for code in d.get("languages", [])])
    if c.code == engine.GROUP_NOT_READY:
        if d.get("reason"):
            return gettext("the group is not ready (%(reason)s)") % {"reason": d["reason"]}
        return gettext("the group is not ready")
    if c.code == engine.GROUP_FULL:
        return gettext("the group already supports as many households as it can")
    if c.code == engine.HOUSEHOLD_PAUSED:
        return gettext("the household's place on the waitlist is paused")
    if c.code == engine.WOMEN_ONLY:
        return gettext("the family asked for a women-only group")
    if c.code == engine.IN_PERSON_REGION:
        return gettext(
            "the family wants to meet in person and nobody in the group can meet them in %(region)s"
        ) % {"region": names.region(d.get("region", ""))}
    if c.code == engine.NO_LANGUAGE:
        return gettext("nobody in the group and no interpreter speaks %(languages)s") % {
            "languages": any_language
        }
    if c.code == engine.ENDED_EARLY:
        return gettext("an earlier match between this group and this family ended early")
    if c.code == engine.CONFLICT:
        return gettext("staff ruled this group out for this family")
    if c.code == engine.CASELOAD_FULL:
        limit = d.get("limit", 0)
        return ngettext(
            "%(name)s's caseload is full (%(limit)s match)",
            "%(name)s's caseload is full (%(limit)s matches)",
            limit,
        ) % {"name": d.get("name", ""), "limit": limit}
    if c.code == "priorities":
        covered = names.join([names.priority(code) for code in d.get("covered", [])])
        missing = names.join_any([names.priority(code) for code in d.get("missing", [])])
        if covered and missing:
            return gettext("Can help with %(covered)s, not with %(missing)s") % {
                "covered": covered,
                "missing": missing,
            }
        if covered:
            return gettext("Can help with %(covered)s") % {"covered": covered}
        if missing:
            return gettext("Nobody in the group offers help with %(missing)s") % {
                "missing": missing
            }
        return gettext("The family has not ranked any priorities yet")
    if c.code == "language_shared":
        return gettext("Speaks %(languages)s with the family") % {"languages": languages}
    if c.code == "language_interpreter":
        return gettext("No shared language; an interpreter speaks %(languages)s") % {
            "languages": languages
        }
    if c.code == "availability":
        slots = d.get("slots", [])
        if not slots:
            return gettext("No time in common in the week")
        return ngettext(
            "%(count)s time a week in common (%(slots)s)",
            "%(count)s times a week in common (%(slots)s)",
            len(slots),
        ) % {"count": len(slots), "slots": names.join([names.slot(s) for s in slots])}
    if c.code == "region":
        if d.get("same_region") and d.get("in_person_ok"):
            return gettext("Can meet in person in the family's region")
        if d.get("same_region"):
            return gettext("Same region, but nobody in the group meets in person")
        return gettext("In another region, so meetings would be remote")
    if c.code == "group_size":
        return ngettext(
            "%(members)s member for a household of %(size)s (%(suggested)s suggested)",
            "%(members)s members for a household of %(size)s (%(suggested)s suggested)",
            d.get("members", 0),
        ) % {
            "members": d.get("members", 0),
            "size": d.get("household_size", 0),
            "suggested": d.get("suggested", 0),
        }
    if c.code == "wait":
        days = d.get("days", 0)
        return ngettext("Waiting for %(days)s day", "Waiting for %(days)s days", days) % {
            "days": days
        }
    if c.code == "urgency":
        if d.get("urgency") == "urgent":
            return gettext("Referred as urgent")
        return gettext("Referred as needing support soon")
    return c.code


def describe_all(contributions, **kwargs) -> list[dict]:
    """Every contribution as ``{"code", "points", "excluded", "text"}``, exclusions first."""
    ordered = sorted(contributions, key=lambda c: not c.excluded)
    return [
        {
            "code": c.code,
            "points": c.points,
            "excluded": c.excluded,
            "text": describe(c, **kwargs),
        }
        for c in ordered
    ]
