"""The coordinator's caseload (what needs me today?) and a check-in's page.

The caseload is for staff: a coordinator sees their own matches; managers and admins see
everyone's and may narrow it to one coordinator. Its queries do not grow with the caseload.
A check-in is reached only through its match (``get_match_for_staff_or_404``): anyone who is
not staff of the match's program gets 404, the same as for a check-in that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accueil.core import audit
from accueil.core.access import require_perm
from accueil.core.forms import add_service_errors

from .. import selectors_caseload as selectors
from .. import services_checkins as services
from ..access import get_match_for_member_or_404, get_match_for_staff_or_404
from ..forms_checkins import (
    CoordinatorFilterForm,
    HouseholdForm,
    MembersForm,
    OutcomeForm,
    VolunteersForm,
)
from ..models import CheckIn

# The risk queue shows this many rows unless asked for all.
RISK_ROWS = 25
DUE_ROWS = 50
MATCH_ROWS = 50


@require_perm("matches.propose")
def caseload(request):
    user = request.user
    coordinator = None
    filter_form = None
    if user.role != "coordinator":
        filter_form = CoordinatorFilterForm(
            request.GET or None, coordinators=selectors.coordinators_with_matches(user)
        )
        if filter_form.is_bound and filter_form.is_valid():
            coordinator = filter_form.cleaned_data["coordinator"]
    rows = selectors.caseload(user, coordinator=coordinator)
    risk = rows["risk"]
    show_all_risk = request.GET.get("risk") == "all"
    due = list(selectors.checkins_due(user, coordinator=coordinator)[: DUE_ROWS + 1])
    page = Paginator(rows["matches"], MATCH_ROWS).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query["risk"] = "all"
    context = {
        "filter_form": filter_form,
        "coordinator": coordinator,
        "own": user.role == "coordinator" or coordinator == user,
        "risk": risk if show_all_risk else risk[:RISK_ROWS],
        "risk_total": len(risk),
        "risk_more": 0 if show_all_risk else max(0, len(risk) - RISK_ROWS),
        "risk_all_query": query.urlencode(),
        "due": due[:DUE_ROWS],
        "due_more": len(due) > DUE_ROWS,
        "page": page,
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "matches/checkins/caseload.html", context)


def _forms(checkin: CheckIn, bound=None) -> dict:
    forms = {
        "volunteers": VolunteersForm(
            initial={
                "rating": checkin.volunteer_rating,
                "wellbeing": checkin.volunteer_wellbeing,
                "workload": checkin.volunteer_workload,
                "notes": checkin.volunteer_notes,
                "priorities": checkin.volunteer_priorities,
            }
        ),
        "household": HouseholdForm(
            initial={
                "satisfaction": checkin.household_satisfaction,
                "progress": checkin.household_progress,
                "concerns": checkin.household_concerns,
                "through_interpreter": checkin.through_interpreter,
            }
        ),
        "outcome": OutcomeForm(),
    }
    if bound is not None:
        forms[bound.prefix] = bound
    return forms


def _save(which: str, form, checkin: CheckIn, by) -> None:
    data = form.cleaned_data
    if which == "volunteers":
        services.checkin_record_volunteers(
            checkin=checkin,
            by=by,
            rating=data["rating"],
            wellbeing=data["wellbeing"],
            workload=data["workload"],
            notes=data["notes"],
            priorities=data["priorities"],
        )
    elif which == "household":
        services.checkin_record_household(
            checkin=checkin,
            by=by,
            satisfaction=data["satisfaction"],
            progress=data["progress"],
            concerns=data["concerns"],
            through_interpreter=data["through_interpreter"],
        )
    else:
        services.checkin_complete(
            checkin=checkin, by=by, outcome=data["outcome"], notes=data["notes"]
        )


FORMS = {"volunteers": VolunteersForm, "household": HouseholdForm, "outcome": OutcomeForm}
SAVED = {
    "volunteers": _("The volunteers' answers are saved."),
    "household": _("The household's answers are saved."),
    "outcome": _("The check-in is completed."),
}


@require_perm("matches.propose")
def checkin_detail(request, pk: int, cpk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    checkin = get_object_or_404(CheckIn.objects.select_related("completed_by"), match=match, pk=cpk)
    checkin.match = match
    bound = None
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        if which not in FORMS:
            raise Http404
        bound = FORMS[which](request.POST)
        if bound.is_valid():
            try:
                _save(which, bound, checkin, request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(bound, exc)
            else:
                messages.success(request, str(SAVED[which]))
                return redirect("checkin_detail", pk=match.pk, cpk=checkin.pk)
        status = 400
    else:
        audit.viewed(actor=request.user, target=checkin)
    context = {
        "match": match,
        "checkin": checkin,
        "forms": _forms(checkin, bound),
        "bound": bound,
        "editable": checkin.is_pending,
        "overdue": checkin.is_pending and checkin.due_on < timezone.localdate(),
    }
    return TemplateResponse(request, "matches/checkins/detail.html", context, status=status)


def my_checkin(request, pk: int, cpk: int):
    """The volunteers answer their check-in themselves: how the match goes, the family's
    priorities, their own wellbeing and workload. Until the coordinator completes the
    check-in they can change their answers."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    match = get_match_for_member_or_404(request.user, pk)
    checkin = get_object_or_404(CheckIn, match=match, pk=cpk, cancelled_at__isnull=True)
    if request.method == "POST" and checkin.is_pending:
        form = MembersForm(request.POST)
        if form.is_valid():
            try:
                _save("volunteers", form, checkin, request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your coordinator will read your answers."))
                return redirect("my_match", pk=match.pk)
        status = 400
    else:
        initial = {}
        if checkin.volunteer_answered_at:
            initial = {
                "rating": checkin.volunteer_rating,
                "notes": checkin.volunteer_notes,
                "priorities": checkin.volunteer_priorities,
                "wellbeing": checkin.volunteer_wellbeing,
                "workload": checkin.volunteer_workload,
            }
        form = MembersForm(initial=initial)
        status = 200
    context = {"match": match, "checkin": checkin, "form": form}
    return TemplateResponse(request, "matches/checkins/my_checkin.html", context, status=status)
