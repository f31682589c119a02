"""Closing on a match's pages: for staff, whether each side's feedback is recorded and a link
to the closing page; for members, the link to the closing page (where the lead records the
group's feedback) and, once the match is closed, the certificate of hours. Both are shown from
closing on."""

from __future__ import annotations

from django.urls import reverse

from . import panels
from . import services_closing as services
from .models import FeedbackSide, MatchStatus

SHOWN = (MatchStatus.CLOSING, MatchStatus.CLOSED)


@panels.register("closing", "matches/closing/_panel_staff.html", staff=True, members=False)
def staff_closing(request, match):
    if match.status not in SHOWN:
        return None
    recorded = services.feedback_by_side(match)
    return {
        "sides": [
            {"side": side, "label": label, "feedback": recorded.get(side)}
            for side, label in FeedbackSide.choices
        ],
        "missing": len(recorded) < len(FeedbackSide.values),
        "is_open": services.feedback_open(match),
        "url": reverse("match_closing", args=[match.pk]),
    }


@panels.register("closing", "matches/closing/_panel_members.html", staff=False, members=True)
def member_closing(request, match):
    if match.status not in SHOWN:
        return None
    recorded = match.closing_feedback.filter(side=FeedbackSide.VOLUNTEERS).exists()
    certificate = services.certificate_available(match)
    return {
        "recorded": recorded,
        "can_record": (
            not recorded
            and services.feedback_open(match)
            and services.is_lead_of(request.user, match)
        ),
        "url": reverse("my_match_closing", args=[match.pk]),
        "certificate_url": reverse("match_certificate", args=[match.pk]) if certificate else None,
    }
