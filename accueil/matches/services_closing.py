"""Closing a match: the feedback from both sides, and the volunteers' hours for their
certificate.

The closing check-in (``services_checkins.checkins_for_closing``) and the outcome
(``services.match_close``) exist already; this module adds what each side said at the end.
Staff of the match record either side (the household's usually after a call, often through an
interpreter); the group lead may record the volunteers' side. Feedback can be recorded while the
match is closing, and for ``FEEDBACK_DAYS`` after it closed (a match that ended early goes
straight to closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry

from .models import Activity, ClosingFeedback, FeedbackSide, Match, MatchStatus
from .models.closing import RATING_MAX, RATING_MIN
from .services import is_lead_of, is_staff_of

# Feedback can still be recorded this long after the match closed.
FEEDBACK_DAYS = 30
TEXT_MAX = 4000

audit.register(
    {
        "match.closing_feedback": gettext_lazy("{actor} recorded the closing feedback of {target}"),
    }
)


def feedback_open(match: Match, *, now=None) -> bool:
    """Whether feedback can be recorded on ``match`` now."""
    if match.status == MatchStatus.CLOSING:
        return True
    if match.status == MatchStatus.CLOSED and match.closed_at is not None:
        now = now or timezone.now()
        return now < match.closed_at + timedelta(days=FEEDBACK_DAYS)
    return False


def can_record(user, match: Match, side: str) -> bool:
    """Who may record a side (whatever the state): staff of the match either side, the group
    lead the volunteers' side."""
    if side not in FeedbackSide.values:
        return False
    if is_staff_of(user, match):
        return True
    return side == FeedbackSide.VOLUNTEERS and is_lead_of(user, match)


def feedback_by_side(match: Match) -> dict[str, ClosingFeedback]:
    return {
        feedback.side: feedback
        for feedback in ClosingFeedback.objects.filter(match=match).select_related("recorded_by")
    }


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise ValidationError({field: _("Keep this under %(max)s characters.") % {"max": TEXT_MAX}})
    return value


@transaction.atomic
def closing_feedback_record(
    *,
    match: Match,
    by,
    side: str,
    rating: int,
    what_went_well: str = "",
    what_could_improve: str = "",
    through_interpreter: bool = False,
) -> ClosingFeedback:
    """Record one side's feedback at the end of a match. Once per side."""
    if not can_record(by, match, side):
        raise PermissionDenied
    # Lock the match: a closing that is extended back to active, or two people recording the
    # same side, cannot slip between the checks and the write.
    locked = Match.objects.select_for_update().get(pk=match.pk)
    if not feedback_open(locked):
        raise ValidationError(
            _(
                "Feedback can be recorded while the match is closing and for %(days)s days "
                "after it closed."
            )
            % {"days": FEEDBACK_DAYS}
        )
    if isinstance(rating, bool) or not isinstance(rating, int):
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = None
    if rating is None or not RATING_MIN <= rating <= RATING_MAX:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    what_went_well = _text(what_went_well, "what_went_well")
    what_could_improve = _text(what_could_improve, "what_could_improve")
    if ClosingFeedback.objects.filter(match=locked, side=side).exists():
        raise ValidationError(_("This side's feedback has already been recorded."))
    try:
        with transaction.atomic():
            feedback = ClosingFeedback.objects.create(
                match=locked,
                side=side,
                rating=rating,
                what_went_well=what_went_well,
                what_could_improve=what_could_improve,
                through_interpreter=bool(through_interpreter) and side == FeedbackSide.HOUSEHOLD,
                recorded_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This side's feedback has already been recorded.")) from exc
    # Codes and ids only: the text stays in the (encrypted) feedback.
    audit.record(
        "match.closing_feedback",
        actor=by,
        target=locked,
        data={"side": side, "feedback": feedback.pk},
        action=AuditEntry.Action.CREATE,
    )
    return feedback


# -- the certificate of hours -----------------------------------------------------------------


@dataclass
class VolunteerHours:
    minutes: int
    activities: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def volunteer_hours(match: Match, user) -> VolunteerHours:
    """The time ``user`` spent with the household: every activity of the match's log they took
    part in (the same sum as their line in ``services_activity.match_hours``)."""
    totals = Activity.objects.filter(match=match, participants=user).aggregate(
        minutes=Sum("duration_minutes"), activities=Count("pk", distinct=True)
    )
    return VolunteerHours(minutes=totals["minutes"] or 0, activities=totals["activities"])


def certificate_available(match: Match) -> bool:
    """A certificate of hours once the match is closed, completed or ended early, provided it
    started (before that there is no activity to count)."""
    return match.status == MatchStatus.CLOSED and match.started_on is not None
