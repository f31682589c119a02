from .application import (
    ApplicationDraft,
    LanguageLevel,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
)
from .groups import GroupMembership, WelcomeGroup
from .screening import (
    CodeOfConductSignature,
    Document,
    ProgramScreeningStep,
    Reference,
    ScreeningStep,
    StepStatus,
    StepType,
)
from .training import (
    Choice,
    Question,
    QuizAttempt,
    TrainingCompletion,
    TrainingFile,
    TrainingModule,
)

__all__ = [
    "ApplicationDraft",
    "Choice",
    "CodeOfConductSignature",
    "Document",
    "GroupMembership",
    "LanguageLevel",
    "ProgramScreeningStep",
    "Question",
    "QuizAttempt",
    "Reference",
    "ScreeningStep",
    "StepStatus",
    "StepType",
    "TrainingCompletion",
    "TrainingFile",
    "TrainingModule",
    "Volunteer",
    "VolunteerLanguage",
    "VolunteerStatus",
    "WelcomeGroup",
]
