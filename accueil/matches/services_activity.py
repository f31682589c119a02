"""The activity log and the match plan: who may write them, the rules they follow, and the reads
that the pages need (the log, the hours).

Members of the matched group (volunteers and interpreters with a current membership) log
activities once the match has started and until it closes. Staff of the match's program read
everything. Staff and the group lead keep the plan; every member reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.models import AuditEntry
from accueil.core.taxonomy import IntegrationPriority
from accueil.messaging.services import outbox_enqueue_template_email
from accueil.volunteers.models import GroupMembership

from .models import (
    PROFILE_STATUSES,
    Activity,
    ActivityMode,
    Goal,
    GoalStatus,
    Match,
    MatchStatus,
)
from .models.activity import MAX_MINUTES, MIN_MINUTES
from .services import is_lead_of, is_staff_of
from .services_meetings import held_until_daytime

audit.register(
    {
        "match.activity_logged": gettext_lazy(
            "{actor} logged {minutes} minutes of activity on {target}"
        ),
        "match.concern_raised": gettext_lazy("{actor} raised a concern on {target}"),
        "match.goal_added": gettext_lazy("{actor} added a goal to the plan of {target}"),
        "match.goal_changed": gettext_lazy("{actor} changed a goal in the plan of {target}"),
    }
)

# The group logs what it does once the match has started, and until it is closed.
LOGGABLE = {MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.CLOSING}
# The plan is written from acceptance (before the introduction) until the match closes.
PLANNABLE = set(PROFILE_STATUSES)

DEFAULT_MINUTES = 60
NOTE_MAX = 500


# -- who --------------------------------------------------------------------------------------


def current_members(match: Match):
    """The people who may take part in the match's activities: current members of its group."""
    return (
        get_user_model()
        .objects.filter(
            group_memberships__group_id=match.group_id,
            group_memberships__left_at__isnull=True,
            role__in=("volunteer", "interpreter"),
        )
        .order_by("full_name", "pk")
    )


def is_member_of(user, match: Match) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and current_members(match).filter(pk=user.pk).exists()
    )


def can_log(user, match: Match) -> bool:
    return match.status in LOGGABLE and is_member_of(user, match)


def can_plan(user, match: Match) -> bool:
    return match.status in PLANNABLE and (is_staff_of(user, match) or is_lead_of(user, match))


# -- the activity log -------------------------------------------------------------------------


@transaction.atomic
def activity_log(
    *,
    match: Match,
    by,
    date: date,
    mode: str,
    duration_minutes: int,
    participants,
    priorities=(),
    note: str = "",
    concern: bool = False,
    concern_text: str = "",
) -> Activity:
    """A member records one contact with the household. A concern is flagged for staff: it is
    in the risk queue (``Activity.objects.concerns()``) and the match's coordinator is told."""
    if not is_member_of(by, match):
        raise PermissionDenied
    match = Match.objects.select_related("coordinator").get(pk=match.pk)
    if match.status not in LOGGABLE:
        raise ValidationError(_("You can log activities once the match has started."))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if date > today:
        errors.setdefault("date", []).append(_("The date cannot be in the future."))
    elif match.started_on and date < match.started_on:
        errors.setdefault("date", []).append(
            _("The date cannot be before the match started (%(day)s).")
            % {"day": date_format(match.started_on)}
        )
    if mode not in ActivityMode.values:
        errors.setdefault("mode", []).append(_("Choose how you were in touch."))
    if not MIN_MINUTES <= (duration_minutes or 0) <= MAX_MINUTES:
        errors.setdefault("duration_minutes", []).append(
            _("Enter a number of minutes from %(low)s to %(high)s.")
            % {"low": MIN_MINUTES, "high": MAX_MINUTES}
        )
    people = list(participants)
    allowed = set(current_members(match).values_list("pk", flat=True))
    if not people:
        errors.setdefault("participants", []).append(_("Choose who took part."))
    elif any(person.pk not in allowed for person in people):
        errors.setdefault("participants", []).append(
            _("Only current members of the group can be chosen.")
        )
    priorities = list(dict.fromkeys(priorities or []))
    if any(code not in IntegrationPriority.values for code in priorities):
        errors.setdefault("priorities", []).append(_("Choose priorities from the list."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(
            _("Keep the note to %(count)s characters or fewer.") % {"count": NOTE_MAX}
        )
    concern_text = (concern_text or "").strip()
    if concern and not concern_text:
        errors.setdefault("concern_text", []).append(_("Say what worries you."))
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(
        match=match,
        date=date,
        mode=mode,
        duration_minutes=duration_minutes,
        priorities=priorities,
        note=note,
        concern=bool(concern),
        # Text typed under an unticked box is not a concern: do not keep it.
        concern_text=concern_text if concern else "",
        logged_by=by,
    )
    activity.participants.set(people)
    audit.record(
        "match.activity_logged",
        actor=by,
        target=match,
        data={
            "activity": activity.pk,
            "minutes": duration_minutes,
            "mode": mode,
            "participants": len(people),
            "concern": activity.concern,
        },
        action=AuditEntry.Action.CREATE,
    )
    if activity.concern:
        audit.record("match.concern_raised", actor=by, target=match, data={"activity": activity.pk})
        _tell_coordinator(match, activity)
    return activity


def _tell_coordinator(match: Match, activity: Activity, *, now: datetime | None = None) -> None:
    """The coordinator hears of a concern by email; the words stay in the app, behind sign-in.
    A concern raised in the evening or at night waits until 08:00 (a safety incident does not:
    see services_incidents)."""
    coordinator = match.coordinator
    if coordinator is None or not coordinator.email or not coordinator.is_active:
        return
    language = getattr(coordinator, "language", "") or settings.LANGUAGE_CODE
    outbox_enqueue_template_email(
        to=coordinator.email,
        template_name="matches/activity/email/concern",
        context={
            "name": coordinator.display_name,
            "match": match.pk,
            "link": settings.SITE_URL + reverse("match_activity", args=[match.pk]),
        },
        subject=gettext_lazy("A volunteer raised a concern"),
        language=language,
        template="matches.concern_raised",
        recipient=coordinator,
        idempotency_key=f"activity-concern-{activity.pk}",
        not_before=held_until_daytime(now),
    )


def last_mode(user, match: Match) -> str:
    """The mode this person used last (in any match), so the form starts on it."""
    found = (
        Activity.objects.filter(logged_by=user)
        .order_by("-created_at", "-pk")
        .values_list("mode", flat=True)
        .first()
    )
    return found or ActivityMode.VIDEO


def activity_rows(match: Match):
    """The match's log, newest first, with what each row shows loaded up front."""
    return (
        Activity.objects.filter(match=match)
        .select_related("logged_by")
        .prefetch_related("participants")
        .order_by("-date", "-created_at", "-pk")
    )


@dataclass
class PersonHours:
    user_id: int
    name: str
    minutes: int
    activities: int
    current: bool

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class Hours:
    """Time spent with the household: by the group (each activity once, however many took
    part) and by each volunteer (every activity they took part in)."""

    minutes: int = 0
    activities: int = 0
    people: list[PersonHours] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def volunteer_minutes(self) -> int:
        return sum(person.minutes for person in self.people)


def match_hours(match: Match) -> Hours:
    """Minutes for the group and for each person, in three queries whatever the size of the log.
    Current members who have not taken part yet are listed with zero."""
    totals = Activity.objects.filter(match=match).aggregate(
        minutes=Sum("duration_minutes"), activities=Count("pk")
    )
    through = Activity.participants.through
    per_person = (
        through.objects.filter(activity__match=match)
        .values("user_id", "user__full_name", "user__preferred_name")
        .annotate(minutes=Sum("activity__duration_minutes"), activities=Count("activity_id"))
    )
    current = {
        row["user_id"]: row
        for row in GroupMembership.objects.filter(
            group_id=match.group_id, left_at__isnull=True
        ).values("user_id", "user__full_name", "user__preferred_name")
    }
    people: dict[int, PersonHours] = {}
    for row in per_person:
        people[row["user_id"]] = PersonHours(
            user_id=row["user_id"],
            name=row["user__preferred_name"] or row["user__full_name"],
            minutes=row["minutes"] or 0,
            activities=row["activities"],
            current=row["user_id"] in current,
        )
    for user_id, row in current.items():
        people.setdefault(
            user_id,
            PersonHours(
                user_id=user_id,
                name=row["user__preferred_name"] or row["user__full_name"],
                minutes=0,
                activities=0,
                current=True,
            ),
        )
    return Hours(
        minutes=totals["minutes"] or 0,
        activities=totals["activities"],
        people=sorted(people.values(), key=lambda p: (-p.minutes, p.name.casefold(), p.user_id)),
    )


def group_minutes(group) -> dict[str, int]:
    """All the time a Welcome Group has logged, over all its matches (one query)."""
    totals = Activity.objects.filter(match__group=group).aggregate(
        minutes=Sum("duration_minutes"), activities=Count("pk")
    )
    return {"minutes": totals["minutes"] or 0, "activities": totals["activities"]}


# -- the plan ---------------------------------------------------------------------------------


def _goal_errors(*, priority: str, what: str, status: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if priority not in IntegrationPriority.values:
        errors["priority"] = [_("Choose the integration priority this goal serves.")]
    if not what:
        errors["what"] = [_("Say what the goal is.")]
    if status not in GoalStatus.values:
        errors["status"] = [_("Choose a status.")]
    return errors


def _require_planner(by, match: Match) -> None:
    if not (is_staff_of(by, match) or is_lead_of(by, match)):
        raise PermissionDenied
    if match.status not in PLANNABLE:
        raise ValidationError(_("The plan can be changed from acceptance until the match closes."))


@transaction.atomic
def goal_add(
    *,
    match: Match,
    by,
    priority: str,
    what: str,
    who: str = "",
    by_when: date | None = None,
    status: str = GoalStatus.PLANNED,
) -> Goal:
    _require_planner(by, match)
    what, who = (what or "").strip(), (who or "").strip()
    errors = _goal_errors(priority=priority, what=what, status=status)
    if errors:
        raise ValidationError(errors)
    goal = Goal.objects.create(
        match=match,
        priority=priority,
        what=what,
        who=who,
        by_when=by_when,
        status=status,
        created_by=by,
        updated_by=by,
    )
    audit.record(
        "match.goal_added",
        actor=by,
        target=match,
        data={"goal": goal.pk, "priority": priority, "status": status},
        action=AuditEntry.Action.CREATE,
    )
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    by,
    priority: str,
    what: str,
    who: str = "",
    by_when: date | None = None,
    status: str,
) -> Goal:
    """Revise a goal (at a check-in, or whenever the plan changes)."""
    _require_planner(by, goal.match)
    what, who = (what or "").strip(), (who or "").strip()
    errors = _goal_errors(priority=priority, what=what, status=status)
    if errors:
        raise ValidationError(errors)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    changed = [
        name
        for name, value in (
            ("priority", priority),
            ("what", what),
            ("who", who),
            ("by_when", by_when),
            ("status", status),
        )
        if getattr(goal, name) != value
    ]
    if not changed:
        return goal
    previous = goal.status
    goal.priority, goal.what, goal.who, goal.by_when, goal.status = (
        priority,
        what,
        who,
        by_when,
        status,
    )
    goal.updated_by = by
    goal.save()
    audit.record(
        "match.goal_changed",
        actor=by,
        target=goal.match,
        data={"goal": goal.pk, "fields": sorted(changed), "from": previous, "to": status},
    )
    return goal


def plan_rows(match: Match) -> list[dict]:
    """The goals grouped by integration priority, in the household's order of priorities first,
    then in the taxonomy's order."""
    goals = list(Goal.objects.filter(match=match).order_by("created_at", "pk"))
    labels = dict(IntegrationPriority.choices)
    household_order = [c for c in (match.household.priorities or []) if c in labels]
    order = household_order + [c for c in IntegrationPriority.values if c not in household_order]
    groups = []
    for code in order:
        mine = [goal for goal in goals if goal.priority == code]
        if mine:
            groups.append({"priority": code, "label": labels[code], "goals": mine})
    return groups
