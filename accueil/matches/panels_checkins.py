"""The check-ins panel on the staff match page: every check-in, the next one due first."""

from __future__ import annotations

from datetime import timedelta

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


@register("checkins-members", "matches/checkins/_panel_members.html", staff=False, members=True)
def checkins_members_panel(request, match) -> dict | None:
    """The group's next check-in, once it is due within a week (or overdue): a link to answer
    it themselves."""
    if match.started_on is None:
        return None
    soon = timezone.localdate() + timedelta(days=7)
    checkin = (
        match.checkins.filter(
            cancelled_at__isnull=True, completed_at__isnull=True, due_on__lte=soon
        )
        .order_by("due_on", "pk")
        .first()
    )
    if checkin is None:
        return None
    return {"match": match, "checkin": checkin}
