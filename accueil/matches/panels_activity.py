"""The activity log and the plan on a match's pages: recent activities with the hours, and the
plan's open goals. Staff and members get each panel through a registration of its own, since
the panel function is not told which page it is on."""

from __future__ import annotations

from django.urls import reverse

from . import panels
from . import services_activity as services
from .models import Goal, GoalStatus, MatchStatus

RECENT = 5
# The group has nothing to log or plan before both sides said yes, nor when it did not go ahead.
NOT_UNDER_WAY = {MatchStatus.PROPOSED, MatchStatus.DECLINED, MatchStatus.CANCELLED}


def _activity(request, match, *, for_staff: bool) -> dict | None:
    if match.started_on is None:
        return None
    return {
        "for_staff": for_staff,
        "hours": services.match_hours(match),
        "recent": list(services.activity_rows(match)[:RECENT]),
        "can_log": not for_staff and match.status in services.LOGGABLE,
        "log_url": reverse("match_activity" if for_staff else "activity_list", args=[match.pk]),
    }


def _plan(request, match, *, for_staff: bool) -> dict | None:
    if match.status in NOT_UNDER_WAY:
        return None
    goals = list(Goal.objects.filter(match=match).order_by("by_when", "created_at", "pk"))
    return {
        "open_goals": [goal for goal in goals if goal.is_open],
        "done": sum(1 for goal in goals if goal.status == GoalStatus.DONE),
        "can_plan": services.can_plan(request.user, match),
        "plan_url": reverse("match_plan" if for_staff else "my_match_plan", args=[match.pk]),
    }


@panels.register("activity", "matches/activity/_panel_activity.html", staff=True, members=False)
def staff_activity(request, match):
    return _activity(request, match, for_staff=True)


@panels.register("activity", "matches/activity/_panel_activity.html", staff=False, members=True)
def member_activity(request, match):
    return _activity(request, match, for_staff=False)


@panels.register("plan", "matches/activity/_panel_plan.html", staff=True, members=False)
def staff_plan(request, match):
    return _plan(request, match, for_staff=True)


@panels.register("plan", "matches/activity/_panel_plan.html", staff=False, members=True)
def member_plan(request, match):
    return _plan(request, match, for_staff=False)
