"""Reads for the coordinator's caseload: their open matches, the check-ins due and overdue, and
the risk queue.

Every signal comes from one query over the caseload's matches (correlated subqueries for the
last activity, the last concern, the oldest missed check-in and the last completed check-in),
then is weighed in Python. The page runs the same number of queries for 10 matches or 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import (
    Activity,
    CheckIn,
    CheckInOutcome,
    Match,
    MatchStatus,
    ProgramMatchSettings,
)
from .models.checkins import LOW_SCORE

# The defaults of ProgramMatchSettings, for programs that never saved theirs.
DEFAULT_NO_ACTIVITY_DAYS = ProgramMatchSettings._meta.get_field("no_activity_days").default
# "An end date approaching": within this many days.
END_SOON_DAYS = 14
# Check-ins due within this many days are listed as "due".
DUE_SOON_DAYS = 7
STARTED = [MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.CLOSING]

# How much each signal weighs in the ranking; a match's urgency is the sum of its signals.
WEIGHTS = {
    "at_risk": 60,
    "concern": 50,
    "missed_checkin": 40,
    "low_wellbeing": 35,
    "low_rating": 30,
    "no_activity": 25,
    "end_passed": 20,
    "end_soon": 10,
}


@dataclass
class Signal:
    code: str
    text: str


@dataclass
class CaseRow:
    match: Match
    signals: list[Signal] = field(default_factory=list)
    urgency: int = 0
    action_label: str = ""
    action_url: str = ""


def caseload_matches(user, *, coordinator=None) -> QuerySet[Match]:
    """The open matches whose caseload is shown: a coordinator's own; for managers and admins,
    those of ``coordinator`` when given, else every match they can see."""
    matches = Match.objects.visible_to(user).open()
    if user.role == "coordinator":
        return matches.filter(coordinator=user)
    if coordinator is not None:
        return matches.filter(coordinator=coordinator)
    return matches


def _annotated(matches: QuerySet[Match]) -> QuerySet[Match]:
    today = timezone.localdate()
    completed = CheckIn.objects.filter(match=OuterRef("pk"), completed_at__isnull=False).order_by(
        "-completed_at", "-pk"
    )
    missed = CheckIn.objects.pending().filter(match=OuterRef("pk"), due_on__lt=today)
    upcoming = CheckIn.objects.pending().filter(match=OuterRef("pk")).order_by("due_on", "pk")
    concerns = Activity.objects.filter(match=OuterRef("pk"), concern=True).order_by(
        "-created_at", "-pk"
    )
    return matches.select_related("group", "program", "coordinator").annotate(
        last_activity_on=Subquery(
            Activity.objects.filter(match=OuterRef("pk"))
            .values("match")
            .annotate(last=Max("date"))
            .values("last")[:1]
        ),
        last_concern_at=Subquery(concerns.values("created_at")[:1]),
        no_activity_days=Coalesce(
            Subquery(
                ProgramMatchSettings.objects.filter(program=OuterRef("program")).values(
                    "no_activity_days"
                )[:1]
            ),
            Value(DEFAULT_NO_ACTIVITY_DAYS),
            output_field=IntegerField(),
        ),
        has_missed=Exists(missed),
        missed_checkin_pk=Subquery(missed.order_by("due_on", "pk").values("pk")[:1]),
        missed_checkin_on=Subquery(missed.order_by("due_on", "pk").values("due_on")[:1]),
        next_checkin_pk=Subquery(upcoming.values("pk")[:1]),
        next_checkin_on=Subquery(upcoming.values("due_on")[:1]),
        last_checkin_at=Subquery(completed.values("completed_at")[:1]),
        last_outcome=Subquery(completed.values("outcome")[:1]),
        last_rating=Subquery(completed.values("volunteer_rating")[:1]),
        last_wellbeing=Subquery(completed.values("volunteer_wellbeing")[:1]),
        last_workload=Subquery(completed.values("volunteer_workload")[:1]),
        last_satisfaction=Subquery(completed.values("household_satisfaction")[:1]),
        # Whether the household raised a concern, without decrypting it ("" is stored as is).
        last_household_concern=Subquery(
            completed.annotate(
                raised=Case(
                    When(household_concerns="", then=Value(False)),
                    default=Value(True),
                    output_field=BooleanField(),
                )
            ).values("raised")[:1]
        ),
    )


def _date(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _is_low(value) -> bool:
    return value is not None and value <= LOW_SCORE


def match_signals(match: Match, *, today: date) -> list[Signal]:
    """The risk signals of one annotated match, most urgent first."""
    if match.status not in STARTED:
        return []
    signals: list[Signal] = []
    if match.last_outcome == CheckInOutcome.AT_RISK:
        signals.append(Signal("at_risk", _("The last check-in found the match at risk")))
    concern_at = match.last_concern_at
    if concern_at is not None and (
        match.last_checkin_at is None or concern_at > match.last_checkin_at
    ):
        signals.append(
            Signal(
                "concern",
                _("A volunteer raised a concern on %(date)s")
                % {"date": _date(timezone.localdate(concern_at))},
            )
        )
    elif match.last_household_concern:
        signals.append(Signal("concern", _("The household raised a concern at the last check-in")))
    if match.has_missed:
        days = (today - match.missed_checkin_on).days
        signals.append(
            Signal(
                "missed_checkin",
                ngettext(
                    "A check-in is %(days)s day overdue (due %(date)s)",
                    "A check-in is %(days)s days overdue (due %(date)s)",
                    days,
                )
                % {"days": days, "date": _date(match.missed_checkin_on)},
            )
        )
    if _is_low(match.last_wellbeing) or _is_low(match.last_workload):
        signals.append(
            Signal(
                "low_wellbeing",
                _("The volunteers' wellbeing is low (%(wellbeing)s of 5, workload %(workload)s)")
                % {
                    "wellbeing": match.last_wellbeing or "–",
                    "workload": match.last_workload or "–",
                },
            )
        )
    low = []
    if _is_low(match.last_rating):
        low.append(_("volunteers %(score)s of 5") % {"score": match.last_rating})
    if _is_low(match.last_satisfaction):
        low.append(_("household %(score)s of 5") % {"score": match.last_satisfaction})
    if low:
        signals.append(
            Signal("low_rating", _("Low rating at the last check-in: %s") % ", ".join(low))
        )
    if match.status == MatchStatus.ACTIVE and match.started_on is not None:
        last = match.last_activity_on
        quiet_since = last or match.started_on
        days = (today - quiet_since).days
        if days >= match.no_activity_days:
            text = (
                ngettext(
                    "No activity logged for %(days)s day",
                    "No activity logged for %(days)s days",
                    days,
                )
                if last
                else ngettext(
                    "No activity logged since the start, %(days)s day ago",
                    "No activity logged since the start, %(days)s days ago",
                    days,
                )
            )
            signals.append(Signal("no_activity", text % {"days": days}))
    if match.planned_end is not None and match.status != MatchStatus.CLOSING:
        left = (match.planned_end - today).days
        if left < 0:
            signals.append(
                Signal(
                    "end_passed",
                    _("The planned end, %(date)s, has passed") % {"date": _date(match.planned_end)},
                )
            )
        elif left <= END_SOON_DAYS:
            signals.append(
                Signal(
                    "end_soon",
                    ngettext(
                        "Ends on %(date)s, in %(days)s day",
                        "Ends on %(date)s, in %(days)s days",
                        left,
                    )
                    % {"date": _date(match.planned_end), "days": left},
                )
            )
    signals.sort(key=lambda signal: -WEIGHTS[signal.code])
    return signals


def _checkin_url(match: Match, checkin_pk: int) -> str:
    return reverse("checkin_detail", args=[match.pk, checkin_pk])


def next_action(match: Match, signals: list[Signal]) -> tuple[str, str]:
    """One clear next step for the most urgent signal: (label, url)."""
    top = signals[0].code
    match_url = reverse("match_detail", args=[match.pk])
    if top == "missed_checkin":
        return _("Record the overdue check-in"), _checkin_url(match, match.missed_checkin_pk)
    if top in ("at_risk", "concern", "low_wellbeing", "low_rating"):
        if match.next_checkin_pk:
            return _("Check in now"), _checkin_url(match, match.next_checkin_pk)
        return _("Call the group and the household"), match_url
    if top == "no_activity":
        return _("Ask the group how contact is going"), match_url
    if top == "end_passed":
        return _("Extend or close the match"), match_url
    return _("Plan the closing"), match_url


def caseload(user, *, coordinator=None) -> dict:
    """The caseload page's rows: ``risk`` (ranked, most urgent first) and ``matches`` (every
    open match, with its signals), from one query."""
    today = timezone.localdate()
    rows = []
    for match in _annotated(caseload_matches(user, coordinator=coordinator)):
        row = CaseRow(match=match, signals=match_signals(match, today=today))
        if row.signals:
            row.urgency = sum(WEIGHTS[signal.code] for signal in row.signals)
            row.action_label, row.action_url = next_action(match, row.signals)
        rows.append(row)
    risk = sorted(
        (row for row in rows if row.signals),
        key=lambda row: (-row.urgency, row.match.missed_checkin_on or date.max, row.match.pk),
    )
    rows.sort(key=lambda row: (row.match.next_checkin_on or date.max, row.match.pk))
    return {"risk": risk, "matches": rows}


def checkins_due(user, *, coordinator=None, within_days: int = DUE_SOON_DAYS):
    """Pending check-ins of the caseload's started matches, due by ``within_days`` from today
    (overdue ones first)."""
    today = timezone.localdate()
    matches = caseload_matches(user, coordinator=coordinator).filter(status__in=STARTED)
    return (
        CheckIn.objects.due_by(today + timedelta(days=within_days))
        .filter(match__in=matches)
        .select_related("match__group")
        .annotate(overdue=Case(When(due_on__lt=today, then=Value(True)), default=Value(False)))
        .order_by("due_on", "pk")
    )


def coordinators_with_matches(user):
    """Coordinators a manager may filter by: those with an open match they can see."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            Exists(Match.objects.visible_to(user).open().filter(coordinator=OuterRef("pk")))
        )
        .order_by("full_name", "pk")
    )
