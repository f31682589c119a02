"""Closing a match: the feedback pages and the volunteers' certificate of hours.

Staff of the match's program record both sides' feedback under /matches/<pk>/closing/; under
/my-matches/<pk>/closing/ the group lead records the volunteers' side and the other members read
that it was recorded. Each member of the group downloads their own certificate of hours once
the match is closed. Anyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accueil.core import audit
from accueil.core.access import require_perm
from accueil.core.forms import add_service_errors
from accueil.volunteers.pdf import PdfUnavailable, render_pdf

from .. import services_closing as services
from ..access import get_match_for_staff_or_404
from ..forms_closing import ClosingFeedbackForm
from ..models import CheckInKind, FeedbackSide, Match, MatchStatus
from .activity import _member_match_or_404, _signed_in

CLOSING_STATES = (MatchStatus.CLOSING, MatchStatus.CLOSED)


def closing_checkin(match: Match):
    """The closing check-in (the latest, if closing began more than once), or None."""
    return (
        match.checkins.filter(kind=CheckInKind.CLOSING, cancelled_at__isnull=True)
        .order_by("-due_on", "-pk")
        .first()
    )


def _record(request, match: Match, form: ClosingFeedbackForm) -> bool:
    """Save a valid form through the service; False (errors on the form) if it refused."""
    data = form.cleaned_data
    try:
        services.closing_feedback_record(
            match=match,
            by=request.user,
            side=form.side,
            rating=data["rating"],
            what_went_well=data["what_went_well"],
            what_could_improve=data["what_could_improve"],
            through_interpreter=data.get("through_interpreter", False),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True


def _posted_side(request, sides) -> str | None:
    if request.method != "POST":
        return None
    side = request.POST.get("side")
    if side not in sides:
        raise Http404
    return side


def _feedback_forms(request, match: Match, sides, recorded, posted) -> list[ClosingFeedbackForm]:
    """A form for each side this person may still record."""
    if not services.feedback_open(match):
        return []
    return [
        ClosingFeedbackForm(request.POST if side == posted else None, side=side)
        for side in sides
        if side not in recorded
    ]


@require_perm("matches.propose")
def match_closing(request, pk: int):
    match = get_match_for_staff_or_404(request.user, pk)
    if match.status not in CLOSING_STATES:
        messages.info(request, _("The closing page opens once closing the match has begun."))
        return redirect("match_detail", pk=match.pk)
    sides = FeedbackSide.values
    recorded = services.feedback_by_side(match)
    posted = _posted_side(request, sides)
    forms = _feedback_forms(request, match, sides, recorded, posted)
    bound = next((form for form in forms if form.is_bound), None)
    if posted and bound is None:
        # Recorded meanwhile, or the window closed: say so rather than lose the post quietly.
        messages.info(request, _("This feedback can no longer be recorded."))
        return redirect("match_closing", pk=match.pk)
    if bound is not None and bound.is_valid() and _record(request, match, bound):
        messages.success(request, _("Feedback recorded."))
        return redirect("match_closing", pk=match.pk)
    # The household's answers are part of its record: reading them is audited.
    audit.viewed(actor=request.user, target=match)
    return TemplateResponse(
        request,
        "matches/closing/closing.html",
        {
            "match": match,
            "for_staff": True,
            "forms": forms,
            "recorded": [recorded[side] for side in sides if side in recorded],
            "show_text": True,
            "checkin": closing_checkin(match),
            "is_open": services.feedback_open(match),
            "feedback_days": services.FEEDBACK_DAYS,
        },
        status=400 if bound is not None and bound.errors else 200,
    )


@_signed_in
def my_match_closing(request, pk: int):
    match = _member_match_or_404(request, pk)
    if match.status not in CLOSING_STATES:
        messages.info(request, _("This page opens once the match is closing."))
        return redirect("my_match", pk=match.pk)
    is_lead = services.is_lead_of(request.user, match)
    sides = [FeedbackSide.VOLUNTEERS] if is_lead else []
    # Members never see the household's side, not even whether it was recorded.
    recorded = {
        side: feedback
        for side, feedback in services.feedback_by_side(match).items()
        if side == FeedbackSide.VOLUNTEERS
    }
    posted = _posted_side(request, sides)
    forms = _feedback_forms(request, match, sides, recorded, posted)
    bound = next((form for form in forms if form.is_bound), None)
    if posted and bound is None:
        messages.info(request, _("This feedback can no longer be recorded."))
        return redirect("my_match_closing", pk=match.pk)
    if bound is not None and bound.is_valid() and _record(request, match, bound):
        messages.success(request, _("Thank you: the group's feedback is recorded."))
        return redirect("my_match_closing", pk=match.pk)
    return TemplateResponse(
        request,
        "matches/closing/closing.html",
        {
            "match": match,
            "for_staff": False,
            "is_lead": is_lead,
            "forms": forms,
            "recorded": list(recorded.values()),
            "show_text": is_lead,
            "is_open": services.feedback_open(match),
            "feedback_days": services.FEEDBACK_DAYS,
            "certificate": services.certificate_available(match),
        },
        status=400 if bound is not None and bound.errors else 200,
    )


# -- the certificate of hours -----------------------------------------------------------------


def certificate_html(match: Match, user) -> str:
    """The certificate as HTML, in the volunteer's language. It names the volunteer, the group
    and the program, never the household."""
    with translation.override(user.language):
        return render_to_string(
            "matches/closing/certificate.html",
            {
                "person": user,
                "group_name": match.group.name,
                "program_name": match.program.name,
                "started_on": match.started_on,
                "ended_on": timezone.localdate(match.closed_at) if match.closed_at else None,
                "completed": not match.ended_early,
                "hours": services.volunteer_hours(match, user),
                "issued_on": timezone.localdate(),
                "LANGUAGE_CODE": translation.get_language(),
                "LANGUAGE_BIDI": translation.get_language_bidi(),
            },
        )


@_signed_in
def match_certificate(request, pk: int):
    match = _member_match_or_404(request, pk)
    if not services.certificate_available(match):
        raise Http404
    try:
        pdf = render_pdf(certificate_html(match, request.user))
    except PdfUnavailable:
        return TemplateResponse(
            request, "matches/closing/certificate_unavailable.html", {"match": match}, status=503
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    with translation.override(request.user.language):
        filename = _("certificate-of-hours") + ".pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
