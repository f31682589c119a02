"""The matches app's models, one module per part of a match's life."""

from .activity import Activity, ActivityMode, ActivityQuerySet, Goal, GoalStatus
from .answer_link import (
    ANSWER_LINK_VALID_FOR,
    AnswerLinkAnswer,
    HouseholdAnswerLink,
    HouseholdAnswerLinkQuerySet,
)
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
    "ANSWER_LINK_VALID_FOR",
    "OPEN_STATUSES",
    "PROFILE_STATUSES",
    "TRANSITIONS",
    "Activity",
    "ActivityMode",
    "ActivityQuerySet",
    "AnswerLinkAnswer",
    "CheckIn",
    "CheckInKind",
    "CheckInOutcome",
    "CheckInQuerySet",
    "ClosingFeedback",
    "FeedbackSide",
    "Goal",
    "GoalStatus",
    "HouseholdAnswer",
    "HouseholdAnswerLink",
    "HouseholdAnswerLinkQuerySet",
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
