"""Incidents on a match's pages. Staff on the case see the match's incidents, open first, with
a link to report one; other staff of the program only the link. Members of the group see only
the link to report a concern: never the list, nor anyone's report."""

from __future__ import annotations

from django.urls import reverse

from . import panels
from . import services_incidents as services
from .models import IncidentStatus


@panels.register("incidents", "matches/incidents/_panel_staff.html", staff=True, members=False)
def staff_incidents(request, match):
    case_staff = services.is_case_staff(request.user, match)
    incidents = list(services.incidents_for(request.user, match)) if case_staff else []
    can_report = services.can_report_now(match)
    if not incidents and not can_report:
        return None
    return {
        "case_staff": case_staff,
        "incidents": incidents,
        "unresolved": sum(1 for i in incidents if i.status != IncidentStatus.RESOLVED),
        "report_url": reverse("incident_new_staff", args=[match.pk]) if can_report else "",
    }


@panels.register("incidents", "matches/incidents/_panel_members.html", staff=False, members=True)
def member_incidents(request, match):
    if not services.can_report_now(match):
        return None
    return {"report_url": reverse("incident_new_member", args=[match.pk])}
