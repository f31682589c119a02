"""A demo incident, reported through the real service by a member of the group, so the staff
panel and the incident page have something to show. Idempotent: nothing happens when any
incident exists already."""

from __future__ import annotations

from django.db import transaction

from .models import Incident, IncidentCategory, IncidentSeverity, Match, MatchStatus
from .services_activity import current_members
from .services_incidents import incident_report

DEMO_TEXT = (
    "At our visit on Saturday the landlord came by and shouted at the family about noise. "
    "The children were frightened. Nobody was hurt, but the family asked us what their rights "
    "are and we did not know what to tell them."
)


@transaction.atomic
def seed_incident() -> str:
    if Incident.objects.exists():
        return "Incidents: already there."
    match = Match.objects.filter(status=MatchStatus.ACTIVE).order_by("pk").first()
    if match is None:
        return "Incidents: no active match to report on."
    member = current_members(match).first()
    if member is None:
        return f"Incidents: match #{match.pk} has no group member to report."
    incident = incident_report(
        match=match,
        by=member,
        category=IncidentCategory.WELLBEING,
        severity=IncidentSeverity.MEDIUM,
        what_happened=DEMO_TEXT,
    )
    return f"Incidents: #{incident.pk} reported on match #{match.pk}."
