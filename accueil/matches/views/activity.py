"""The activity log and the match plan.

Members of the matched group reach these pages under /my-matches/ (through
``get_match_for_member_or_404``), staff of the match's program under /matches/ (through
``get_match_for_staff_or_404``); anyone else gets 404. The group lead keeps the plan from the
members' pages, staff from theirs.
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

from accueil.core import audit
from accueil.core.access import paginate, require_perm
from accueil.core.forms import add_service_errors

from .. import services_activity as services
from ..access import get_match_for_member_or_404, get_match_for_staff_or_404
from ..forms_activity import ActivityForm, GoalForm
from ..models import Goal, GoalStatus, Match, MatchStatus

# Members never see matches that did not go ahead (the lifecycle pages hide them too).
HIDDEN_FROM_MEMBERS = (MatchStatus.DECLINED, MatchStatus.CANCELLED)


def _member_match_or_404(request, pk: int) -> Match:
    match = get_match_for_member_or_404(request.user, pk)
    if match.status in HIDDEN_FROM_MEMBERS:
        raise Http404
    return match


def _signed_in(view):
    """Anonymous people are sent to sign in; everything after that is 404 for outsiders."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


# -- logging an activity ----------------------------------------------------------------------


@_signed_in
def activity_new(request, pk: int):
    """The phone form: one screen, everything filled in that can be guessed."""
    match = _member_match_or_404(request, pk)
    if match.status not in services.LOGGABLE:
        messages.info(request, _("You can log activities once the match has started."))
        return redirect("my_match", pk=match.pk)
    options = {
        "match": match,
        "user": request.user,
        "last_mode": services.last_mode(request.user, match),
    }
    form = ActivityForm(request.POST or None, **options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_log(
                match=match,
                by=request.user,
                date=data["date"],
                mode=data["mode"],
                duration_minutes=data["duration_minutes"],
                participants=data["participants"],
                priorities=data["priorities"],
                note=data["note"],
                concern=data["concern"],
                concern_text=data["concern_text"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if data["concern"]:
                messages.success(
                    request, _("Activity saved. Your concern has been passed to the staff.")
                )
            else:
                messages.success(request, _("Activity saved. Thank you."))
            return redirect("my_match", pk=match.pk)
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(
        request,
        "matches/activity/new.html",
        {"match": match, "form": form, "minutes_hint": services.DEFAULT_MINUTES},
        status=status,
    )


# -- the log ----------------------------------------------------------------------------------


def _log_context(request, match: Match, *, for_staff: bool) -> dict:
    page = paginate(request, services.activity_rows(match))
    return {
        "match": match,
        "for_staff": for_staff,
        "page": page,
        "activities": page.object_list,
        "hours": services.match_hours(match),
        "can_log": not for_staff and match.status in services.LOGGABLE,
    }


@_signed_in
def activity_list(request, pk: int):
    match = _member_match_or_404(request, pk)
    return TemplateResponse(
        request, "matches/activity/list.html", _log_context(request, match, for_staff=False)
    )


@require_perm("matches.propose")
def match_activity(request, pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    # Notes and concerns are about the household: reading them is part of its record.
    audit.viewed(actor=request.user, target=match)
    return TemplateResponse(
        request, "matches/activity/list.html", _log_context(request, match, for_staff=True)
    )


# -- the plan ---------------------------------------------------------------------------------


def _plan_page(request, match: Match, *, for_staff: bool):
    return TemplateResponse(
        request,
        "matches/activity/plan.html",
        {
            "match": match,
            "for_staff": for_staff,
            "groups": services.plan_rows(match),
            "can_plan": services.can_plan(request.user, match),
            "statuses": GoalStatus,
        },
    )


@require_perm("matches.propose")
def match_plan(request, pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    return _plan_page(request, match, for_staff=True)


@_signed_in
def my_match_plan(request, pk: int):
    match = _member_match_or_404(request, pk)
    return _plan_page(request, match, for_staff=False)


def _goal_form_page(request, match: Match, *, for_staff: bool, goal: Goal | None):
    """Add a goal (``goal`` None) or revise one. Only planners get here: others get 404."""
    if not services.can_plan(request.user, match):
        if match.status not in services.PLANNABLE and (
            for_staff or services.is_lead_of(request.user, match)
        ):
            # The right person at the wrong time: say why rather than hide the page.
            messages.info(
                request, _("The plan can be changed from acceptance until the match closes.")
            )
            return redirect("match_plan" if for_staff else "my_match_plan", pk=match.pk)
        raise Http404
    initial = {}
    if goal is not None:
        initial = {
            "priority": goal.priority,
            "what": goal.what,
            "who": goal.who,
            "by_when": goal.by_when,
            "status": goal.status,
        }
    form = GoalForm(request.POST or None, match=match, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if goal is None:
                services.goal_add(match=match, by=request.user, **form.cleaned_data)
            else:
                services.goal_update(goal=goal, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Goal added to the plan.") if goal is None else _("Goal saved.")
            )
            return redirect("match_plan" if for_staff else "my_match_plan", pk=match.pk)
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(
        request,
        "matches/activity/goal_form.html",
        {"match": match, "form": form, "goal": goal, "for_staff": for_staff},
        status=status,
    )


@require_perm("matches.propose")
def match_goal_new(request, pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    return _goal_form_page(request, match, for_staff=True, goal=None)


@require_perm("matches.propose")
def match_goal_edit(request, pk: int, goal_pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    goal = get_object_or_404(Goal.objects.filter(match=match), pk=goal_pk)
    goal.match = match
    return _goal_form_page(request, match, for_staff=True, goal=goal)


@_signed_in
def my_match_goal_new(request, pk: int):
    match = _member_match_or_404(request, pk)
    return _goal_form_page(request, match, for_staff=False, goal=None)


@_signed_in
def my_match_goal_edit(request, pk: int, goal_pk: int):
    match = _member_match_or_404(request, pk)
    goal = get_object_or_404(Goal.objects.filter(match=match), pk=goal_pk)
    goal.match = match
    return _goal_form_page(request, match, for_staff=False, goal=goal)
