"""The matches app's models, one module per part of a match's life."""

from .activity import Activity, ActivityMode, ActivityQuerySet, Goal, GoalStatus
from .checkins import CheckIn, CheckInKind, CheckInOutcome, CheckInQuerySet
from .closing import ClosingFeedback, FeedbackSide
from .incidents import (
    Incident,
    IncidentCategory,
    IncidentQuerySet,
    IncidentSeverity,
    IncidentStatus,
)
from .match import (
    OPEN_STATUSES,
    PROFILE_STATUSES,
    TRANSITIONS,
    HouseholdAnswer,
    Match,
    MatchExtension,
    MatchQuerySet,
    MatchSource,
    MatchStatus,
    Outcome,
    ProgramMatchSettings,
)
from .meetings import Meeting, MeetingKind, MeetingMode, MeetingQuerySet

__all__ = [
    "OPEN_STATUSES",
    "PROFILE_STATUSES",
    "TRANSITIONS",
    "Activity",
    "ActivityMode",
    "ActivityQuerySet",
    "CheckIn",
    "CheckInKind",
    "CheckInOutcome",
    "CheckInQuerySet",
    "ClosingFeedback",
    "FeedbackSide",
    "Goal",
    "GoalStatus",
    "HouseholdAnswer",
    "Incident",
    "IncidentCategory",
    "IncidentQuerySet",
    "IncidentSeverity",
    "IncidentStatus",
    "Match",
    "MatchExtension",
    "MatchQuerySet",
    "MatchSource",
    "MatchStatus",
    "Meeting",
    "MeetingKind",
    "MeetingMode",
    "MeetingQuerySet",
    "Outcome",
    "ProgramMatchSettings",
]
