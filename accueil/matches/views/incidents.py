"""Incidents and safeguarding pages.

Members of the matched group report under /my-matches/ (through
``get_match_for_member_or_404``) and then see a confirmation of their own report, never staff's
notes. Staff of the match's program report on the household's behalf under /matches/; only staff
on the case (the match's coordinator, program managers, administrators) read an incident and act
on it. Anyone else gets 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.access import require_perm
from accueil.core.forms import add_service_errors

from .. import services_incidents as services
from ..access import get_match_for_member_or_404, get_match_for_staff_or_404
from ..forms_incidents import (
    ActionsForm,
    IncidentReportForm,
    ResolveForm,
    StaffIncidentReportForm,
    TriageForm,
)
from ..models import Incident, IncidentSeverity, IncidentStatus, Match, MatchStatus

HIDDEN_FROM_MEMBERS = (MatchStatus.DECLINED, MatchStatus.CANCELLED)


def _signed_in(view):
    """Anonymous people are sent to sign in; everything after that is 404 for outsiders."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _member_match_or_404(request, pk: int) -> Match:
    match = get_match_for_member_or_404(request.user, pk)
    if match.status in HIDDEN_FROM_MEMBERS:
        raise Http404
    return match


def _not_now_message(match: Match) -> str:
    if match.status == MatchStatus.CLOSED:
        return _("Incidents can be reported up to %(days)s days after a match closes.") % {
            "days": services.REPORT_DAYS_AFTER_CLOSING
        }
    return _("Incidents can be reported once the match has been accepted.")


def _report(request, match: Match, form) -> Incident | None:
    """Save the report when the form is valid; errors go back on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.incident_report(
            match=match,
            by=request.user,
            category=data["category"],
            severity=data["severity"],
            what_happened=data["what_happened"],
            on_behalf_of_household=data.get("on_behalf_of_household", False),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


def _form_page(request, match: Match, form, *, for_staff: bool):
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(
        request,
        "matches/incidents/new.html",
        {"match": match, "form": form, "for_staff": for_staff},
        status=status,
    )


# -- members ----------------------------------------------------------------------------------


@_signed_in
def incident_new_member(request, pk: int):
    match = _member_match_or_404(request, pk)
    if not services.can_report_now(match):
        messages.info(request, _not_now_message(match))
        return redirect("my_match", pk=match.pk)
    form = IncidentReportForm(request.POST or None)
    incident = _report(request, match, form)
    if incident is not None:
        return redirect("incident_reported_member", pk=match.pk, ipk=incident.pk)
    return _form_page(request, match, form, for_staff=False)


@_signed_in
def incident_reported_member(request, pk: int, ipk: int):
    """The reporter's confirmation: what they reported and what happens next. Not what staff
    wrote, and only for the person who reported it."""
    match = _member_match_or_404(request, pk)
    incident = get_object_or_404(
        Incident.objects.filter(match=match, reported_by=request.user), pk=ipk
    )
    return TemplateResponse(
        request,
        "matches/incidents/reported.html",
        {"match": match, "incident": incident, "high": incident.severity == IncidentSeverity.HIGH},
    )


# -- staff ------------------------------------------------------------------------------------


@require_perm("matches.propose")
def incident_new_staff(request, pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    if not services.can_report_now(match):
        messages.info(request, _not_now_message(match))
        return redirect("match_detail", pk=match.pk)
    form = StaffIncidentReportForm(request.POST or None)
    incident = _report(request, match, form)
    if incident is not None:
        messages.success(request, _("Incident reported."))
        if services.is_case_staff(request.user, match):
            return redirect("incident_detail", pk=match.pk, ipk=incident.pk)
        # A colleague took the call: the case's own staff take it from here.
        return redirect("match_detail", pk=match.pk)
    return _form_page(request, match, form, for_staff=True)


ACTIONS = {
    "triage": (
        TriageForm,
        services.incident_triage,
        "triage_notes",
        gettext_lazy("Incident triaged."),
    ),
    "actions": (
        ActionsForm,
        services.incident_add_actions,
        "actions",
        gettext_lazy("Action recorded."),
    ),
    "resolve": (
        ResolveForm,
        services.incident_resolve,
        "resolution",
        gettext_lazy("Incident resolved."),
    ),
}


@require_perm("matches.propose")
def incident_detail(request, pk: int, ipk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    if not services.is_case_staff(request.user, match):
        raise Http404
    incident = get_object_or_404(
        Incident.objects.filter(match=match).select_related(
            "reported_by", "triaged_by", "resolved_by"
        ),
        pk=ipk,
    )
    incident.match = match
    forms = {name: spec[0](prefix=name) for name, spec in ACTIONS.items()}
    bound = None
    if request.method == "POST":
        name = request.POST.get("action")
        if name not in ACTIONS:
            raise Http404
        form_class, service, field, done = ACTIONS[name]
        form = form_class(request.POST, prefix=name)
        forms[name] = bound = form
        if form.is_valid():
            try:
                service(incident=incident, by=request.user, **{field: form.cleaned_data[field]})
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(done))
                return redirect("incident_detail", pk=match.pk, ipk=incident.pk)
    else:
        # What happened is about the household: reading it is part of its record.
        audit.viewed(actor=request.user, target=incident)
    status = 400 if bound is not None and bound.errors else 200
    return TemplateResponse(
        request,
        "matches/incidents/detail.html",
        {
            "match": match,
            "incident": incident,
            "form": bound,  # the error summary shows the form that was sent
            "triage_form": forms["triage"],
            "actions_form": forms["actions"],
            "resolve_form": forms["resolve"],
            "can_triage": incident.status == IncidentStatus.OPEN,
            "can_act": incident.status != IncidentStatus.RESOLVED,
        },
        status=status,
    )
