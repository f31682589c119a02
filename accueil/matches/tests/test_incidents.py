"""Incidents and safeguarding: who reports and who reads (every persona on every page), the
alert a high-severity report sends, encryption at rest, the audit trail, and triage, actions
and resolution."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import include, path, reverse
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.factories import UserFactory
from accueil.matches import panels
from accueil.matches import services_incidents as services
from accueil.matches.models import (
    Incident,
    IncidentCategory,
    IncidentSeverity,
    IncidentStatus,
    Match,
    MatchStatus,
)
from accueil.messaging.models import OutboxMessage
from accueil.volunteers.models import GroupMembership, WelcomeGroup

from .factories import in_state

# The site's URLs with the incident pages, whether or not the app's urls.py includes them yet.
urlpatterns = [
    path("", include("accueil.matches.urls_incidents")),
    path("", include("accueil.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

WHAT = "The landlord shouted at Amina and threatened to change the locks tonight."


@pytest.fixture(autouse=True)
def incident_panels(monkeypatch):
    """The incident panels on the match pages, for these tests only (apps.py may not list the
    module yet, and the rest of the suite must not depend on these URLs)."""
    monkeypatch.setattr(panels, "PANELS", list(panels.PANELS))
    from accueil.matches import panels_incidents

    if not any(panel.name == "incidents" for panel in panels.PANELS):
        panels.PANELS.extend(
            [
                panels.Panel(
                    "incidents",
                    "matches/incidents/_panel_staff.html",
                    True,
                    False,
                    panels_incidents.staff_incidents,
                ),
                panels.Panel(
                    "incidents",
                    "matches/incidents/_panel_members.html",
                    False,
                    True,
                    panels_incidents.member_incidents,
                ),
            ]
        )


def _match(personas, status=MatchStatus.ACTIVE) -> Match:
    """A match coordinated by the ``coordinator`` persona, with the ``volunteer`` and the
    ``interpreter`` personas in its group and the ``outsider`` persona (a volunteer) in another
    group of the same program."""
    match = in_state(status, personas.coordinator)
    GroupMembership.objects.create(group=match.group, user=personas.volunteer)
    GroupMembership.objects.create(group=match.group, user=personas.interpreter)
    other = WelcomeGroup.objects.filter(program=match.program).exclude(pk=match.group_id).first()
    GroupMembership.objects.create(group=other, user=personas.outsider)
    return match


def _report(match, by, severity=IncidentSeverity.MEDIUM, **fields):
    values = {
        "match": match,
        "by": by,
        "category": IncidentCategory.SAFETY,
        "severity": severity,
        "what_happened": WHAT,
    }
    values.update(fields)
    return services.incident_report(**values)


def _form(**changes):
    data = {"category": "safety", "severity": "low", "what_happened": WHAT}
    data.update(changes)
    return data


def _colleague(match):
    """A coordinator of the same program who is not the match's coordinator."""
    user = UserFactory(
        role=Role.COORDINATOR, full_name="Colin Colleague", email="colleague@example.org"
    )
    user.programs.add(match.program)
    return user


# -- who reaches what -------------------------------------------------------------------------


def test_only_members_of_the_group_reach_the_members_form(personas):
    match = _match(personas)
    url = reverse("incident_new_member", args=[match.pk])
    assert_personas(personas, url, {"volunteer", "interpreter"})
    assert_personas(
        personas, url, {"volunteer", "interpreter"}, method="post", data=_form(), ok=(302,)
    )
    reporters = set(Incident.objects.values_list("reported_by", flat=True))
    assert reporters == {personas.volunteer.pk, personas.interpreter.pk}
    assert not Incident.objects.filter(on_behalf_of_household=True).exists()


def test_only_staff_of_the_program_reach_the_staff_form(personas):
    match = _match(personas)
    url = reverse("incident_new_staff", args=[match.pk])
    assert_personas(personas, url, STAFF)
    personas.coordinator.programs.clear()
    assert_personas(personas, url, MANAGERS)


def test_staff_report_on_the_households_behalf(personas):
    match = _match(personas)
    client = personas.client_for("coordinator")
    response = client.post(
        reverse("incident_new_staff", args=[match.pk]), _form(on_behalf_of_household="on")
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incident_detail", args=[match.pk, incident.pk])
    assert incident.on_behalf_of_household and incident.reported_by == personas.coordinator


def test_only_staff_on_the_case_read_an_incident(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer)
    url = reverse("incident_detail", args=[match.pk, incident.pk])
    assert_personas(personas, url, STAFF)
    colleague = _colleague(match)
    client = personas.client_for("admin")
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    # Nor can the colleague act on it.
    response = client.post(url, {"action": "resolve", "resolve-resolution": "Done."})
    assert response.status_code == 404
    assert Incident.objects.get().status == IncidentStatus.OPEN


def test_an_incident_is_reached_only_through_its_own_match(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer)
    other = in_state(MatchStatus.ACTIVE, personas.coordinator)
    url = reverse("incident_detail", args=[other.pk, incident.pk])
    assert personas.client_for("manager").get(url).status_code == 404


def test_a_colleague_may_report_but_then_does_not_read_it(personas):
    match = _match(personas)
    colleague = _colleague(match)
    client = personas.client_for("admin")
    client.force_login(colleague)
    response = client.post(reverse("incident_new_staff", args=[match.pk]), _form())
    assert response.status_code == 302
    assert response["Location"] == reverse("match_detail", args=[match.pk])
    assert Incident.objects.get().reported_by == colleague


def test_only_the_reporter_sees_the_confirmation_and_not_staff_notes(personas):
    match = _match(personas)
    client = personas.client_for("volunteer")
    response = client.post(
        reverse("incident_new_member", args=[match.pk]), _form(severity="medium")
    )
    incident = Incident.objects.get()
    url = reverse("incident_reported_member", args=[match.pk, incident.pk])
    assert response["Location"] == url
    services.incident_triage(
        incident=incident, by=personas.coordinator, triage_notes="Called the landlord's agent."
    )
    assert_personas(personas, url, {"volunteer"})
    page = client.get(url).content.decode()
    assert "Report sent" in page and "Medium" in page
    assert "landlord&#x27;s agent" not in page and "landlord's agent" not in page


def test_members_never_see_a_match_that_did_not_go_ahead(personas):
    match = _match(personas, MatchStatus.DECLINED)
    response = personas.client_for("volunteer").get(reverse("incident_new_member", args=[match.pk]))
    assert response.status_code == 404


# -- when -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        MatchStatus.ACCEPTED,
        MatchStatus.INTRODUCTION_SCHEDULED,
        MatchStatus.PAUSED,
        MatchStatus.CLOSING,
        MatchStatus.CLOSED,
    ],
)
def test_reports_are_taken_from_acceptance_until_30_days_after_closing(personas, status):
    match = _match(personas, status)
    assert _report(match, personas.volunteer).status == IncidentStatus.OPEN


def test_no_reports_before_acceptance(personas):
    match = _match(personas, MatchStatus.PROPOSED)
    with pytest.raises(services.ValidationError):
        _report(match, personas.coordinator)
    response = personas.client_for("volunteer").post(
        reverse("incident_new_member", args=[match.pk]), _form()
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my_match", args=[match.pk])
    assert not Incident.objects.exists()


def test_no_reports_more_than_30_days_after_closing(personas):
    match = _match(personas, MatchStatus.CLOSED)
    Match.objects.filter(pk=match.pk).update(closed_at=timezone.now() - timedelta(days=31))
    match.refresh_from_db()
    with pytest.raises(services.ValidationError):
        _report(match, personas.volunteer)


def test_outsiders_cannot_report_through_the_service(personas):
    match = _match(personas)
    for user in (personas.outsider, personas.partner_a):
        with pytest.raises(services.PermissionDenied):
            _report(match, user)


# -- the form ---------------------------------------------------------------------------------


def test_errors_are_summarised_and_nothing_is_lost(personas):
    match = _match(personas)
    client = personas.client_for("volunteer")
    response = client.post(
        reverse("incident_new_member", args=[match.pk]), _form(severity="", category="privacy")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_severity_0"' in page
    assert "threatened to change the locks" in page
    assert re.search(r'<input[^>]*value="privacy"[^>]*checked', page)
    assert "<legend>" in page
    assert not Incident.objects.exists()


# -- the alert --------------------------------------------------------------------------------


def test_a_high_severity_report_alerts_the_coordinator_and_every_program_manager(personas):
    match = _match(personas)
    personas.coordinator.language = "fr"
    personas.coordinator.save(update_fields=["language"])
    second = UserFactory(
        role=Role.PROGRAM_MANAGER, full_name="Pia Manager", email="pia@example.org", language="es"
    )
    UserFactory(
        role=Role.PROGRAM_MANAGER,
        full_name="Gone Manager",
        email="gone@example.org",
        is_active=False,
    )
    incident = _report(match, personas.volunteer, severity=IncidentSeverity.HIGH)
    mails = OutboxMessage.objects.filter(template="matches.incident_high_severity")
    by_address = {mail.to_address: mail for mail in mails}
    assert set(by_address) == {"coordinator@example.org", "manager@example.org", "pia@example.org"}
    assert by_address["coordinator@example.org"].language == "fr"
    assert by_address["manager@example.org"].language == personas.manager.language
    assert by_address["pia@example.org"].language == "es"
    assert "Bonjour" in by_address["coordinator@example.org"].body_text
    link = reverse("incident_detail", args=[match.pk, incident.pk])
    for mail in mails:
        assert link in mail.body_text
        for secret in ("landlord", "locks", "Amina", "Haddad"):
            assert secret not in mail.body_text and secret not in mail.subject
        assert str(match.pk) in mail.subject
    assert {mail.recipient_id for mail in mails} == {
        personas.coordinator.pk,
        personas.manager.pk,
        second.pk,
    }


def test_the_alert_goes_once_to_a_coordinator_who_is_also_listed(personas):
    match = _match(personas)
    Match.objects.filter(pk=match.pk).update(coordinator=personas.manager)
    match.refresh_from_db()
    _report(match, personas.volunteer, severity=IncidentSeverity.HIGH)
    mails = OutboxMessage.objects.filter(template="matches.incident_high_severity")
    assert sorted(mail.to_address for mail in mails) == ["manager@example.org"]


@pytest.mark.parametrize("severity", [IncidentSeverity.LOW, IncidentSeverity.MEDIUM])
def test_lower_severities_send_no_email(personas, severity):
    match = _match(personas)
    _report(match, personas.volunteer, severity=severity)
    assert not OutboxMessage.objects.exists()


# -- at rest and in the trail -----------------------------------------------------------------


def test_what_happened_and_staff_notes_are_encrypted_at_rest(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer)
    services.incident_triage(incident=incident, by=personas.coordinator, triage_notes="Triage text")
    services.incident_add_actions(incident=incident, by=personas.coordinator, actions="Action text")
    services.incident_resolve(incident=incident, by=personas.coordinator, resolution="Fixed text")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT what_happened, triage_notes, actions, resolution FROM matches_incident"
        )
        row = cursor.fetchone()
    for raw, plain in zip(
        row, ("landlord", "Triage text", "Action text", "Fixed text"), strict=True
    ):
        assert raw and plain not in raw
    incident.refresh_from_db()
    assert incident.what_happened == WHAT
    assert "Action text" in incident.actions


def test_every_step_is_audited_without_the_words(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer, severity=IncidentSeverity.HIGH)
    services.incident_triage(incident=incident, by=personas.coordinator, triage_notes="Notes")
    services.incident_add_actions(incident=incident, by=personas.manager, actions="Called")
    services.incident_resolve(incident=incident, by=personas.admin, resolution="Moved out")
    entries = AuditEntry.objects.filter(code__startswith="match.incident_").order_by("pk")
    assert [(e.code, e.actor_id) for e in entries] == [
        ("match.incident_reported", personas.volunteer.pk),
        ("match.incident_alert_sent", None),
        ("match.incident_triaged", personas.coordinator.pk),
        ("match.incident_actions_added", personas.manager.pk),
        ("match.incident_resolved", personas.admin.pk),
    ]
    for entry in entries:
        assert entry.object_pk == str(match.pk)
        assert entry.additional_data["incident"] == incident.pk
        text = str(entry.additional_data)
        for secret in ("landlord", "Notes", "Called", "Moved out"):
            assert secret not in text
    assert entries[0].additional_data["severity"] == "high"


def test_reading_an_incident_is_audited(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer)
    personas.client_for("manager").get(reverse("incident_detail", args=[match.pk, incident.pk]))
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.ACCESS, actor=personas.manager, object_pk=str(incident.pk)
    ).exists()


# -- triage, actions, resolution --------------------------------------------------------------


def test_resolution_requires_text(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer)
    with pytest.raises(services.ValidationError) as caught:
        services.incident_resolve(incident=incident, by=personas.coordinator, resolution="  ")
    assert "resolution" in caught.value.message_dict
    url = reverse("incident_detail", args=[match.pk, incident.pk])
    response = personas.client_for("coordinator").post(
        url, {"action": "resolve", "resolve-resolution": ""}
    )
    assert response.status_code == 400
    assert 'href="#id_resolve-resolution"' in response.content.decode()
    assert Incident.objects.get().status == IncidentStatus.OPEN


def test_staff_on_the_case_triage_act_and_resolve_from_the_page(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer)
    url = reverse("incident_detail", args=[match.pk, incident.pk])
    client = personas.client_for("coordinator")
    page = client.get(url).content.decode()
    assert "threatened to change the locks" in page
    steps = [
        {"action": "triage", "triage-triage_notes": "Spoke with the family."},
        {"action": "actions", "actions-actions": "Referred to legal clinic."},
        {"action": "actions", "actions-actions": "Followed up by phone."},
        {"action": "resolve", "resolve-resolution": "Family rehoused."},
    ]
    for data in steps:
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.triaged_by == personas.coordinator and incident.triaged_at
    assert incident.resolved_by == personas.coordinator and incident.resolved_at
    assert "legal clinic" in incident.actions and "Followed up" in incident.actions
    # Nothing more once resolved.
    response = client.post(url, {"action": "actions", "actions-actions": "Late"})
    assert response.status_code == 400
    assert "Late" not in Incident.objects.get().actions


def test_members_cannot_act_on_an_incident(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer)
    with pytest.raises(services.PermissionDenied):
        services.incident_triage(incident=incident, by=personas.volunteer, triage_notes="x")
    with pytest.raises(services.PermissionDenied):
        services.incident_resolve(incident=incident, by=_colleague(match), resolution="x")


# -- the panels -------------------------------------------------------------------------------


def test_the_staff_panel_lists_incidents_open_first_for_staff_on_the_case_only(personas):
    match = _match(personas)
    resolved = _report(match, personas.volunteer, severity=IncidentSeverity.HIGH)
    services.incident_resolve(incident=resolved, by=personas.coordinator, resolution="Done")
    low = _report(match, personas.volunteer, severity=IncidentSeverity.LOW)
    high = _report(match, personas.interpreter, severity=IncidentSeverity.HIGH)
    url = reverse("match_detail", args=[match.pk])
    page = personas.client_for("coordinator").get(url).content.decode()
    positions = [
        page.index(reverse("incident_detail", args=[match.pk, i.pk])) for i in (high, low, resolved)
    ]
    assert positions == sorted(positions)
    assert "severity: High" in page and "severity: Low" in page
    assert WHAT not in page
    client = personas.client_for("admin")
    client.force_login(_colleague(match))
    page = client.get(url).content.decode()
    assert reverse("incident_new_staff", args=[match.pk]) in page
    assert reverse("incident_detail", args=[match.pk, high.pk]) not in page


def test_the_members_panel_has_only_the_link(personas):
    match = _match(personas)
    incident = _report(match, personas.volunteer, severity=IncidentSeverity.HIGH)
    page = personas.client_for("volunteer").get(reverse("my_match", args=[match.pk]))
    page = page.content.decode()
    assert reverse("incident_new_member", args=[match.pk]) in page
    assert "Report a concern or incident" in page
    assert reverse("incident_detail", args=[match.pk, incident.pk]) not in page
    assert "locks" not in page


def test_the_demo_incident_is_reported_once_by_a_group_member(personas):
    from accueil.matches.demo_incidents import seed_incident

    match = _match(personas)
    seed_incident()
    seed_incident()
    incident = Incident.objects.get()
    assert incident.match == match and incident.severity == IncidentSeverity.MEDIUM
    assert incident.status == IncidentStatus.OPEN
    assert incident.reported_by in (personas.volunteer, personas.interpreter) or (
        GroupMembership.objects.filter(group=match.group, user=incident.reported_by).exists()
    )
    assert not OutboxMessage.objects.exists()
