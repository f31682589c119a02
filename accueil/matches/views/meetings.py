"""Staff pages for a match's meetings: book one (the introduction first), change or cancel it.

Every page fetches the match through ``get_match_for_staff_or_404`` and the meeting through
that match: members of the group, interpreters, partners and everyone else get 404. Members
see their meetings in a panel of their own match page (panels_meetings.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accueil.core.access import require_perm
from accueil.core.forms import add_service_errors
from accueil.newcomers.services.onboarding import interpreter_choices

from .. import services_meetings as services
from ..access import get_match_for_staff_or_404
from ..forms_meetings import MeetingForm
from ..models import Match, Meeting, MeetingKind, MeetingMode


def get_meeting_for_staff_or_404(user, pk: int, meeting_pk: int) -> tuple[Match, Meeting]:
    match = get_match_for_staff_or_404(user, pk)
    meeting = get_object_or_404(match.meetings.select_related("interpreter"), pk=meeting_pk)
    meeting.match = match
    return match, meeting


def family_interpreters(household) -> list[dict]:
    """Interpreters who speak one of the family's languages first (then those with no
    languages recorded, then the rest)."""
    languages = list(household.languages or [])
    rows = interpreter_choices(languages[0] if languages else "")
    for row in rows:
        volunteer = getattr(row["user"], "volunteer", None)
        if row["speaks"] is False and volunteer is not None:
            row["speaks"] = any(lang.code in languages for lang in volunteer.languages.all())
    order = {True: 0, None: 1, False: 2}
    rows.sort(key=lambda row: order[row["speaks"]])
    return rows


def _service_errors(form: MeetingForm, exc: ValidationError) -> None:
    # The service speaks of one instant; the form asks for a date and a time.
    if hasattr(exc, "error_dict") and "starts_at" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["date"] = errors.pop("starts_at")
        exc = ValidationError(errors)
    add_service_errors(form, exc)


def _context(match: Match, form: MeetingForm, interpreters: list[dict], **extra) -> dict:
    return {
        "match": match,
        "form": form,
        "any_unrecorded": any(row["speaks"] is None for row in interpreters),
        "has_interpreters": bool(interpreters),
        **extra,
    }


def _fields(data: dict) -> dict:
    return {
        "starts_at": data["starts_at"],
        "time_zone": data["time_zone"],
        "duration_minutes": data["duration_minutes"],
        "mode": data["mode"],
        "interpreter": data["interpreter"],
        "place": data["place"],
        "instructions": data["instructions"],
    }


@require_perm("matches.propose")
def meeting_new(request, pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    kind = services.kind_to_book(match)
    if kind is None:
        messages.info(
            request,
            _("Meetings can be booked once both sides have accepted the match, until it closes."),
        )
        return redirect("match_detail", pk=match.pk)
    interpreters = family_interpreters(match.household)
    mode = MeetingMode.IN_PERSON if match.household.meeting_mode == "in_person" else "video"
    initial = {"time_zone": settings.TIME_ZONE, "duration_minutes": 60, "mode": mode}
    form = MeetingForm(request.POST or None, interpreters=interpreters, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_schedule(match=match, by=request.user, **_fields(form.cleaned_data))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is booked. Everyone invited gets an email."))
            return redirect("match_detail", pk=match.pk)
    context = _context(
        match, form, interpreters, introduction=kind == MeetingKind.INTRODUCTION, meeting=None
    )
    return TemplateResponse(
        request, "matches/meetings/form.html", context, status=400 if form.errors else 200
    )


@require_perm("matches.propose")
def meeting_detail(request, pk: int, mpk: int):
    """Change a meeting (or read it, once cancelled or over); cancelling is a form below."""
    match, meeting = get_meeting_for_staff_or_404(request.user, pk, mpk)
    editable = not meeting.is_cancelled and meeting.ends_at > timezone.now() and match.is_open
    interpreters = family_interpreters(match.household)
    local = meeting.local_start
    initial = {
        "date": local.date(),
        "time": local.time(),
        "time_zone": meeting.time_zone,
        "duration_minutes": meeting.duration_minutes,
        "mode": meeting.mode,
        "place": meeting.place,
        "instructions": meeting.instructions,
        "interpreter": str(meeting.interpreter_id or ""),
    }
    form = MeetingForm(
        request.POST if editable and request.method == "POST" else None,
        interpreters=interpreters,
        initial=initial,
    )
    if editable and request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=request.user, **_fields(form.cleaned_data))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is changed. Everyone invited gets an email."))
            return redirect("match_detail", pk=match.pk)
    context = _context(
        match,
        form,
        interpreters,
        introduction=meeting.kind == MeetingKind.INTRODUCTION,
        meeting=meeting,
        editable=editable,
        when=services.when_text(meeting, get_language()),
    )
    return TemplateResponse(
        request, "matches/meetings/form.html", context, status=400 if form.errors else 200
    )


@require_POST
@require_perm("matches.propose")
def meeting_cancel(request, pk: int, mpk: int):
    match, meeting = get_meeting_for_staff_or_404(request.user, pk, mpk)
    try:
        services.meeting_cancel(
            meeting=meeting, by=request.user, reason=request.POST.get("reason", "")[:1000]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("meeting_detail", pk=match.pk, mpk=meeting.pk)
    messages.success(request, _("The meeting is cancelled. Everyone invited gets an email."))
    return redirect("match_detail", pk=match.pk)
