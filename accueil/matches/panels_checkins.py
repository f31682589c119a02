"""The check-ins panel on the staff match page: every check-in, the next one due first."""

from __future__ import annotations

from django.utils import timezone

from .panels import register


@register("checkins", "matches/checkins/_panel.html", staff=True, members=False)
def checkins_panel(request, match) -> dict | None:
    if match.started_on is None:
        return None
    checkins = list(match.checkins.filter(cancelled_at__isnull=True).order_by("due_on", "pk"))
    pending = [c for c in checkins if c.is_pending]
    return {
        "match": match,
        "checkins": checkins,
        "next": pending[0] if pending else None,
        "today": timezone.localdate(),
    }
