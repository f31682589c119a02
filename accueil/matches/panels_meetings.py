"""Meetings on a match's pages. Staff see every meeting, with links to book, change or cancel;
members of the group see the meetings to come (when, how, the link or the place, the
interpreter), never anything about the family beyond that."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from . import panels
from . import services_meetings as services
from .models import MeetingKind


def _rows(meetings) -> list[dict]:
    now = timezone.now()
    language = get_language()
    return [
        {
            "meeting": meeting,
            "when": services.when_text(meeting, language),
            "is_past": meeting.ends_at <= now,
        }
        for meeting in meetings
    ]


@panels.register("meetings", "matches/meetings/_panel_staff.html", staff=True, members=False)
def staff_meetings(request, match):
    kind = services.kind_to_book(match)
    meetings = list(match.meetings.select_related("interpreter").order_by("starts_at", "pk"))
    if not meetings and kind is None:
        return None
    return {
        "rows": _rows(meetings),
        "book_url": reverse("meeting_new", args=[match.pk]) if kind else "",
        "book_introduction": kind == MeetingKind.INTRODUCTION,
    }


@panels.register("meetings", "matches/meetings/_panel_members.html", staff=False, members=True)
def member_meetings(request, match):
    # Meetings to come (or under way), cancelled ones too so nobody turns up for nothing.
    now = timezone.now()
    recent = match.meetings.filter(starts_at__gt=now - timedelta(minutes=services.MAX_MINUTES))
    meetings = [
        meeting
        for meeting in recent.select_related("interpreter").order_by("starts_at", "pk")
        if meeting.ends_at > now
    ]
    if not meetings:
        return None
    return {"rows": _rows(meetings)}
