"""A match's pages: the staff page with the moves the match can make now, and the group
members' page (the group lead accepts or declines there; members read the household's shared
profile once the match is accepted, until some days after it closes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accueil.core import audit
from accueil.core.access import require_perm
from accueil.core.forms import add_service_errors
from accueil.core.models import AuditEntry
from accueil.newcomers.models import HouseholdMember
from accueil.newcomers.services.consent import shared_profile_for_volunteers

from .. import panels, services, services_answer_link
from ..access import get_match_for_member_or_404, get_match_for_staff_or_404, matches_of_member
from ..forms import ExtendForm, HouseholdAnswerForm, ReasonForm
from ..models import Match, MatchStatus, Outcome, ProgramMatchSettings

# What each action needs: its form (None: a button), who may use it, the service.
STAFF_ACTIONS = {
    "household_answer": HouseholdAnswerForm,
    "decline_group": ReasonForm,
    "withdraw": ReasonForm,
    "start": None,
    "pause": ReasonForm,
    "resume": None,
    "extend": ExtendForm,
    "begin_closing": None,
    "complete": None,
    "end_early": ReasonForm,
}
LEAD_ACTIONS = {"accept_group": None, "decline_group": ReasonForm}


def _available(match: Match) -> list[str]:
    """The staff actions this match's state allows (the services check again)."""
    status = match.status
    out = []
    if status == MatchStatus.PROPOSED:
        if match.household_accepted_at is None:
            out.append("household_answer")
        out += ["decline_group", "withdraw"]
    if status == MatchStatus.INTRODUCTION_SCHEDULED:
        out.append("start")
    if status == MatchStatus.ACTIVE:
        out.append("pause")
    if status == MatchStatus.PAUSED:
        out.append("resume")
    if status in services.EXTENDABLE:
        out.append("extend")
    if status in (MatchStatus.ACTIVE, MatchStatus.PAUSED):
        out.append("begin_closing")
    if status == MatchStatus.CLOSING:
        out.append("complete")
    if match.can_move_to(MatchStatus.CLOSED):
        out.append("end_early")
    return out


def _run(action: str, match: Match, by, data: dict):
    if action == "accept_group":
        return services.match_accept_for_group(match=match, by=by)
    if action == "decline_group":
        return services.match_decline_for_group(match=match, by=by, reason=data.get("reason", ""))
    if action == "household_answer":
        return services.match_record_household_answer(
            match=match, by=by, accepted=data["answer"] == "yes", reason=data.get("reason", "")
        )
    if action == "withdraw":
        return services.match_withdraw(match=match, by=by, reason=data["reason"])
    if action == "start":
        return services.match_start(match=match, by=by)
    if action == "pause":
        return services.match_pause(match=match, by=by, reason=data["reason"])
    if action == "resume":
        return services.match_resume(match=match, by=by)
    if action == "extend":
        return services.match_extend(
            match=match, by=by, new_end=data["new_end"], reason=data["reason"]
        )
    if action == "begin_closing":
        return services.match_begin_closing(match=match, by=by)
    if action == "complete":
        return services.match_close(match=match, by=by, outcome=Outcome.COMPLETED)
    if action == "end_early":
        return services.match_close(
            match=match, by=by, outcome=Outcome.ENDED_EARLY, reason=data["reason"]
        )
    raise Http404


def _forms(match: Match, actions, *, bound_action=None, bound_form=None) -> list[dict]:
    """Each available action with its form (bound after a refused POST), in order."""
    out = []
    for action in actions:
        form_class = STAFF_ACTIONS.get(action) or LEAD_ACTIONS.get(action)
        if action == bound_action and bound_form is not None:
            form = bound_form
        elif form_class is not None:
            form = form_class(auto_id=f"{action}-%s")
        else:
            form = None
        out.append({"name": action, "form": form})
    return out


def _staff_page(request, match: Match, *, bound_action=None, bound_form=None, status=200):
    if request.method == "GET":
        audit.viewed(actor=request.user, target=match)
    actions = _available(match)
    history = audit.describe_entries(
        AuditEntry.objects.for_record(match).select_related("actor").order_by("-timestamp")[:50]
    )
    context = {
        "match": match,
        "actions": _forms(match, actions, bound_action=bound_action, bound_form=bound_form),
        "form": bound_form,
        "extensions": list(match.extensions.select_related("created_by")),
        "history": history,
        "panels": panels.render_context(request, match, for_staff=True),
        "answer_link": services_answer_link.answer_link_state(match),
    }
    return TemplateResponse(request, "matches/detail.html", context, status=status)


@require_perm("matches.propose")
def match_detail(request, pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    return _staff_page(request, match)


@require_POST
def match_act(request, pk: int, action: str):
    """One lifecycle move, by staff (on the staff page) or by the group lead (on the members'
    page). Errors come back on the page they came from, with what was typed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    staff = request.user.has_perm("matches.propose")
    if staff:
        match = get_match_for_staff_or_404(request.user, pk)
        allowed = STAFF_ACTIONS
    else:
        match = get_match_for_member_or_404(request.user, pk)
        if not services.is_lead_of(request.user, match):
            raise Http404
        allowed = LEAD_ACTIONS
    if action not in allowed:
        raise Http404
    form_class = allowed[action]
    form = form_class(request.POST, auto_id=f"{action}-%s") if form_class else None
    if form is None or form.is_valid():
        try:
            _run(action, match, request.user, form.cleaned_data if form else {})
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form = form or ReasonForm(auto_id=f"{action}-%s")
            if not form.is_bound:
                form = form_class(request.POST, auto_id=f"{action}-%s") if form_class else None
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("match_detail" if staff else "my_match", pk=match.pk)
            form.is_valid()
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("match_detail" if staff else "my_match", pk=match.pk)
    match.refresh_from_db()
    if staff:
        return _staff_page(request, match, bound_action=action, bound_form=form, status=400)
    return _member_page(request, match, bound_action=action, bound_form=form, status=400)


def _member_page(request, match: Match, *, bound_action=None, bound_form=None, status=200):
    settings = ProgramMatchSettings.for_program(match.program)
    profile = None
    if match.profile_visible_to_group(retention_days=settings.profile_retention_days):
        profile = shared_profile_for_volunteers(match.household)
        if profile is not None:
            ages = dict(HouseholdMember.AgeBand.choices)
            for member in profile.members:
                member["age"] = ages.get(member["age_band"], member["age_band"])
        if profile is not None and request.method == "GET":
            # The group read the household's shared profile: part of the household's record.
            audit.viewed(actor=request.user, target=match.household)
    lead = services.is_lead_of(request.user, match)
    actions = []
    if lead and match.status == MatchStatus.PROPOSED and match.group_accepted_at is None:
        actions = ["accept_group", "decline_group"]
    context = {
        "match": match,
        "profile": profile,
        "lead": lead,
        "actions": _forms(match, actions, bound_action=bound_action, bound_form=bound_form),
        "form": bound_form,
        "panels": panels.render_context(request, match, for_staff=False),
    }
    return TemplateResponse(request, "matches/my_match.html", context, status=status)


def my_match(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    match = get_match_for_member_or_404(request.user, pk)
    if match.status in (MatchStatus.DECLINED, MatchStatus.CANCELLED):
        raise Http404
    return _member_page(request, match)


def my_matches(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.role not in ("volunteer", "interpreter"):
        raise Http404
    matches = (
        matches_of_member(request.user)
        .exclude(status__in=[MatchStatus.DECLINED, MatchStatus.CANCELLED])
        .select_related("group")
        .order_by("-created_at")
    )
    return TemplateResponse(request, "matches/my_list.html", {"matches": matches})
