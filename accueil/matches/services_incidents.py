"""Incidents and safeguarding: who may report, who may read and act, and the alert that a
high-severity report sends at once.

Anyone in a match reports: current members of the matched group (volunteers and interpreters),
and staff of the match's program (usually on the household's behalf). Reports are taken from
acceptance until the match closes, and for 30 days after.

Only *staff on the case* read incidents and act on them: the match's own coordinator, program
managers and administrators. Other coordinators of the program do not, and nor does the group.

A high-severity report emails the match's coordinator and every active program manager at once,
in each one's language, with a link to the incident behind sign-in. The email never carries what
happened nor the household's name. Every step is written to the audit trail with ids and codes
only: the words stay encrypted in the incident.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.messaging.services import outbox_enqueue_template_email

from .models import (
    PROFILE_STATUSES,
    Incident,
    IncidentCategory,
    IncidentSeverity,
    IncidentStatus,
    Match,
    MatchStatus,
)
from .services import is_staff_of
from .services_activity import is_member_of

audit.register(
    {
        "match.incident_reported": gettext_lazy("{actor} reported an incident on {target}"),
        "match.incident_alert_sent": gettext_lazy(
            "Staff were alerted at once to a high-severity incident on {target}"
        ),
        "match.incident_triaged": gettext_lazy("{actor} triaged an incident on {target}"),
        "match.incident_actions_added": gettext_lazy(
            "{actor} recorded actions on an incident on {target}"
        ),
        "match.incident_resolved": gettext_lazy("{actor} resolved an incident on {target}"),
    }
)

# Reports are taken from acceptance until the match closes, and for this long after.
REPORT_DAYS_AFTER_CLOSING = 30
TEXT_MAX = 5000

EMAIL_TEMPLATE = "matches/incidents/email/high_severity"
EMAIL_SUBJECT_TEMPLATE = "matches/incidents/email/high_severity_subject.txt"


# -- who --------------------------------------------------------------------------------------


def can_report_now(match: Match, *, now=None) -> bool:
    """Whether the match takes reports in its current state."""
    if match.status in PROFILE_STATUSES:
        return True
    if match.status == MatchStatus.CLOSED and match.closed_at is not None:
        now = now or timezone.now()
        return now < match.closed_at + timedelta(days=REPORT_DAYS_AFTER_CLOSING)
    return False


def may_report(user, match: Match) -> bool:
    """A current member of the group, or staff of the match's program (whatever the state)."""
    return is_member_of(user, match) or is_staff_of(user, match)


def is_case_staff(user, match: Match) -> bool:
    """Staff on the case: the match's coordinator, program managers and administrators. Not
    every coordinator of the program."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role in ("admin", "program_manager"):
        return user.has_perm("matches.propose")
    return (
        user.role == "coordinator" and match.coordinator_id == user.pk and is_staff_of(user, match)
    )


def incidents_for(user, match: Match):
    """The match's incidents for staff on the case, open first; nothing for anyone else."""
    if not is_case_staff(user, match):
        return Incident.objects.none()
    return Incident.objects.filter(match=match).select_related("reported_by").open_first()


# -- reporting --------------------------------------------------------------------------------


def _clean_text(value: str, field: str, required_message, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(str(required_message))
    elif len(value) > TEXT_MAX:
        errors.setdefault(field, []).append(
            _("Keep this to %(count)s characters or fewer.") % {"count": TEXT_MAX}
        )
    return value


@transaction.atomic
def incident_report(
    *,
    match: Match,
    by,
    category: str,
    severity: str,
    what_happened: str,
    on_behalf_of_household: bool = False,
) -> Incident:
    if not may_report(by, match):
        raise PermissionDenied
    match = Match.objects.select_related("coordinator", "group").get(pk=match.pk)
    if not can_report_now(match):
        if match.status == MatchStatus.CLOSED:
            raise ValidationError(
                _("Incidents can be reported up to %(days)s days after a match closes.")
                % {"days": REPORT_DAYS_AFTER_CLOSING}
            )
        raise ValidationError(_("Incidents can be reported once the match has been accepted."))
    errors: dict[str, list[str]] = {}
    if category not in IncidentCategory.values:
        errors.setdefault("category", []).append(_("Choose what kind of incident it is."))
    if severity not in IncidentSeverity.values:
        errors.setdefault("severity", []).append(_("Choose how serious it is."))
    what_happened = _clean_text(what_happened, "what_happened", _("Say what happened."), errors)
    if errors:
        raise ValidationError(errors)
    incident = Incident.objects.create(
        match=match,
        reported_by=by,
        on_behalf_of_household=bool(on_behalf_of_household),
        category=category,
        severity=severity,
        what_happened=what_happened,
    )
    audit.record(
        "match.incident_reported",
        actor=by,
        target=match,
        data={
            "incident": incident.pk,
            "category": category,
            "severity": severity,
            "on_behalf_of_household": incident.on_behalf_of_household,
        },
        action=AuditEntry.Action.CREATE,
    )
    if severity == IncidentSeverity.HIGH:
        sent = _alert_staff(match, incident)
        audit.record(
            "match.incident_alert_sent",
            actor=None,
            target=match,
            data={"incident": incident.pk, "recipients": sent},
        )
    return incident


def alert_recipients(match: Match) -> list:
    """The match's coordinator and every active program manager, each once."""
    people = list(
        get_user_model()
        .objects.filter(role="program_manager", is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    coordinator = match.coordinator
    if (
        coordinator is not None
        and coordinator.is_active
        and coordinator.email
        and all(person.pk != coordinator.pk for person in people)
    ):
        people.insert(0, coordinator)
    return people


def _render_subject(template_name: str, context: dict) -> str:
    return " ".join(render_to_string(template_name, context).split())


_lazy_subject = lazy(_render_subject, str)


def _alert_staff(match: Match, incident: Incident) -> list[int]:
    """Email staff at once. Only numbers, the category and the severity: what happened stays
    in the app, behind sign-in. Returns the ids of the people emailed."""
    link = settings.SITE_URL + reverse("incident_detail", args=[match.pk, incident.pk])
    sent = []
    for person in alert_recipients(match):
        context = {
            "name": person.display_name,
            "match_number": match.pk,
            "incident_number": incident.pk,
            # Lazy: rendered in the recipient's language.
            "category": IncidentCategory(incident.category).label,
            "severity": IncidentSeverity(incident.severity).label,
            "link": link,
        }
        # No quiet hours here, unlike the concern email: a high-severity incident is a safety
        # alert, and staff must hear of it whatever the time.
        outbox_enqueue_template_email(
            to=person.email,
            template_name=EMAIL_TEMPLATE,
            context=context,
            subject=_lazy_subject(EMAIL_SUBJECT_TEMPLATE, context),
            language=getattr(person, "language", "") or settings.LANGUAGE_CODE,
            template="matches.incident_high_severity",
            recipient=person,
            idempotency_key=f"incident-high-{incident.pk}-{person.pk}",
        )
        sent.append(person.pk)
    return sent


# -- staff on the case ------------------------------------------------------------------------


def _require_case_staff(by, incident: Incident) -> Incident:
    if not is_case_staff(by, incident.match):
        raise PermissionDenied
    return Incident.objects.select_for_update().select_related("match").get(pk=incident.pk)


@transaction.atomic
def incident_triage(*, incident: Incident, by, triage_notes: str) -> Incident:
    """Staff on the case look at a new report and say what they make of it."""
    incident = _require_case_staff(by, incident)
    if incident.status != IncidentStatus.OPEN:
        raise ValidationError(_("This incident has already been triaged."))
    errors: dict[str, list[str]] = {}
    notes = _clean_text(
        triage_notes, "triage_notes", _("Write what you found and what happens next."), errors
    )
    if errors:
        raise ValidationError(errors)
    incident.triage_notes = notes
    incident.status = IncidentStatus.TRIAGED
    incident.triaged_by = by
    incident.triaged_at = timezone.now()
    incident.save(update_fields=["triage_notes", "status", "triaged_by", "triaged_at"])
    audit.record(
        "match.incident_triaged",
        actor=by,
        target=incident.match,
        data={"incident": incident.pk, "from": IncidentStatus.OPEN, "to": IncidentStatus.TRIAGED},
    )
    return incident


@transaction.atomic
def incident_add_actions(*, incident: Incident, by, actions: str) -> Incident:
    """Record something done about the incident. Entries are added, never replaced, each under
    the day and the person who wrote it."""
    incident = _require_case_staff(by, incident)
    if incident.status == IncidentStatus.RESOLVED:
        raise ValidationError(_("This incident is resolved: no more actions can be added."))
    errors: dict[str, list[str]] = {}
    text = _clean_text(actions, "actions", _("Say what was done."), errors)
    if errors:
        raise ValidationError(errors)
    entry = f"{timezone.localdate().isoformat()} – {by.display_name}\n{text}"
    incident.actions = f"{incident.actions}\n\n{entry}" if incident.actions else entry
    incident.save(update_fields=["actions"])
    audit.record(
        "match.incident_actions_added",
        actor=by,
        target=incident.match,
        data={"incident": incident.pk},
    )
    return incident


@transaction.atomic
def incident_resolve(*, incident: Incident, by, resolution: str) -> Incident:
    """Close the incident, saying how it was resolved (required)."""
    incident = _require_case_staff(by, incident)
    if incident.status == IncidentStatus.RESOLVED:
        raise ValidationError(_("This incident is already resolved."))
    errors: dict[str, list[str]] = {}
    text = _clean_text(resolution, "resolution", _("Say how the incident was resolved."), errors)
    if errors:
        raise ValidationError(errors)
    previous = incident.status
    incident.resolution = text
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_by = by
    incident.resolved_at = timezone.now()
    incident.save(update_fields=["resolution", "status", "resolved_by", "resolved_at"])
    audit.record(
        "match.incident_resolved",
        actor=by,
        target=incident.match,
        data={"incident": incident.pk, "from": previous, "to": IncidentStatus.RESOLVED},
    )
    return incident
