"""The "Surveys" panel of the staff match page: both sides' surveys about this match (their
before and after surveys), each with its status and a link to it. Registered into
``matches.panels`` so the matches app needs no knowledge of surveys."""

from __future__ import annotations

from accueil.matches.panels import register

from .. import selectors


@register("surveys", "surveys/staff/_match_panel.html", staff=True, members=False)
def surveys_panel(request, match) -> dict | None:
    if not request.user.has_perm("surveys.administer"):
        return None
    return {
        "match": match,
        "administrations": selectors.administrations_of_match(request.user, match),
    }
