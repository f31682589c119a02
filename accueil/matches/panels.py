"""Parts of a match's pages that other modules of this app contribute (meetings, activity,
check-ins): each registers a function that returns the context of its partial template, or
None when it has nothing to show to this person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    staff: bool  # shown on the staff match page
    members: bool  # shown on the group members' match page
    context: Callable  # (request, match) -> dict | None


PANELS: list[Panel] = []


def register(name: str, template: str, *, staff: bool = True, members: bool = False):
    def decorator(function):
        PANELS.append(Panel(name, template, staff, members, function))
        return function

    return decorator


def render_context(request, match, *, for_staff: bool) -> list[dict]:
    """The panels to include, in registration order, each with its own context."""
    out = []
    for panel in PANELS:
        if (for_staff and not panel.staff) or (not for_staff and not panel.members):
            continue
        context = panel.context(request, match)
        if context is not None:
            out.append({"template": panel.template, "context": context, "name": panel.name})
    return out
