"""Reads for screening: the task list, what blocks approval, the pipeline board, documents.

Board queries are built so that a page costs the same number of queries whatever the number of
volunteers (counts by one aggregate, progress and flags by subqueries, languages by one
prefetch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import (
    Document,
    Reference,
    ScreeningStep,
    StepStatus,
    StepType,
    Volunteer,
    VolunteerStatus,
)
from .models.screening import DEFAULT_STEPS

# A stage that has lasted longer than this is highlighted on the board.
STALE_AFTER_DAYS = 14
BOARD_STAGES = [
    VolunteerStatus.APPLIED,
    VolunteerStatus.IN_SCREENING,
    VolunteerStatus.APPROVED,
    VolunteerStatus.ACTIVE,
    VolunteerStatus.ON_HOLD,
]
CLOSED_STAGES = [VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN]


def _date(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def missing_training_for(user) -> list | None:
    """Required training modules the person has not passed, or None when that cannot be known
    (the training part of the app is not installed): staff then confirm the step by hand."""
    try:
        from .selectors_training import missing_required_training, training_roles_for
    except ImportError:
        return None
    roles = training_roles_for([user.pk], {user.pk: user.role})
    return list(missing_required_training([user.pk], roles)[user.pk])


# -- the task list -------------------------------------------------------------------------


class TaskStatus:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANNOT_START = "cannot_start"
    EXPIRED = "expired"


TASK_STATUS_LABELS = {
    TaskStatus.NOT_STARTED: lambda: _("Not started"),
    TaskStatus.IN_PROGRESS: lambda: _("In progress"),
    TaskStatus.COMPLETED: lambda: _("Completed"),
    TaskStatus.CANNOT_START: lambda: _("Cannot start yet"),
    TaskStatus.EXPIRED: lambda: _("Expired"),
}


@dataclass
class Task:
    step_type: str
    label: str
    status: str
    required: bool = True
    step: ScreeningStep | None = None
    detail: str = ""

    @property
    def status_label(self) -> str:
        return TASK_STATUS_LABELS[self.status]()

    @property
    def done(self) -> bool:
        return self.status == TaskStatus.COMPLETED


def _planned_steps(volunteer: Volunteer) -> list[tuple[str, bool]]:
    configured = list(volunteer.program.screening_steps.all())
    if configured:
        return [(s.step_type, s.required) for s in configured]
    return [(t.value, True) for t in DEFAULT_STEPS]


def screening_tasks(volunteer: Volunteer, *, on: date | None = None) -> list[Task]:
    """Each screening step with a status in the words of a task list. Before screening starts
    the program's steps are listed as "Cannot start yet" (the code of conduct can be signed
    early)."""
    from .services.screening import (
        CODE_OF_CONDUCT_VERSION,
        REFERENCES_CONCERN,
        REQUIRED_REFERENCES,
        InterviewOutcome,
    )

    on = on or timezone.localdate()
    steps = list(volunteer.steps.all())
    references = list(volunteer.references.all())
    signature = next(
        (s for s in volunteer.signatures.all() if s.version == CODE_OF_CONDUCT_VERSION), None
    )
    labels = dict(StepType.choices)
    tasks = []
    if not steps:
        for step_type, required in _planned_steps(volunteer):
            status = TaskStatus.CANNOT_START
            detail = ""
            if step_type == StepType.CODE_OF_CONDUCT:
                status = TaskStatus.COMPLETED if signature else TaskStatus.NOT_STARTED
                if signature:
                    detail = _("Signed on %(date)s.") % {
                        "date": _date(timezone.localtime(signature.signed_at).date())
                    }
            tasks.append(
                Task(step_type, str(labels[step_type]), status, required=required, detail=detail)
            )
        return tasks

    answered = [r for r in references if r.answered_at]
    for step in steps:
        if step.is_complete:
            status = TaskStatus.EXPIRED if step.is_expired(on) else TaskStatus.COMPLETED
        elif step.status == StepStatus.IN_PROGRESS:
            status = TaskStatus.IN_PROGRESS
        else:
            status = TaskStatus.NOT_STARTED
        detail = ""
        if step.step_type == StepType.INTERVIEW:
            if step.outcome:
                # Older records (and the demo) may hold free text rather than an outcome code.
                detail = str(dict(InterviewOutcome.choices).get(step.outcome, step.outcome))
            elif step.scheduled_at:
                detail = _("Booked for %(when)s") % {
                    "when": formats.date_format(
                        timezone.localtime(step.scheduled_at), "DATETIME_FORMAT"
                    )
                }
        elif step.step_type == StepType.REFERENCES:
            if step.outcome == REFERENCES_CONCERN:
                detail = _("A referee raised a concern. Read the answers and decide.")
            else:
                detail = _("%(answered)s of %(needed)s references answered.") % {
                    "answered": len(answered),
                    "needed": max(REQUIRED_REFERENCES, len(references)),
                }
        elif step.step_type == StepType.POLICE_CHECK:
            if step.expires_on and step.is_expired(on):
                detail = _("Expired on %(date)s.") % {"date": _date(step.expires_on)}
            elif step.expires_on:
                detail = _("Valid until %(date)s.") % {"date": _date(step.expires_on)}
            elif step.status == StepStatus.IN_PROGRESS:
                detail = _("Document received: check it and give its date.")
        elif step.step_type == StepType.CODE_OF_CONDUCT and signature:
            detail = _("Signed on %(date)s.") % {
                "date": _date(timezone.localtime(signature.signed_at).date())
            }
        elif step.step_type == StepType.ORIENTATION and step.completed_at:
            detail = _("Attended on %(date)s.") % {
                "date": _date(timezone.localtime(step.completed_at).date())
            }
        tasks.append(
            Task(
                step.step_type,
                step.get_step_type_display(),
                status,
                required=step.required,
                step=step,
                detail=detail,
            )
        )
    return tasks


def approval_blockers(volunteer: Volunteer, *, on: date | None = None) -> list[str]:
    """What stands between this volunteer and approval, one short phrase each ([] = none)."""
    on = on or timezone.localdate()
    steps = list(volunteer.steps.all())
    if not steps:
        return [_("the screening has not started")]
    blockers = []
    for step in steps:
        if not step.required:
            continue
        if not step.is_complete:
            blockers.append(step.get_step_type_display())
        elif step.is_expired(on):
            blockers.append(
                _("%(step)s (expired on %(date)s)")
                % {"step": step.get_step_type_display(), "date": _date(step.expires_on)}
            )
    return blockers


# -- documents and history -----------------------------------------------------------------


def documents_visible_to(user):
    """Documents a person may open: staff of the volunteer's program, and the volunteer
    themselves (it is their own document; they can already see it, and the law gives them
    access to what we hold about them)."""
    if not user.is_authenticated:
        return Document.objects.none()
    visible = Volunteer.objects.visible_to(user)
    return Document.objects.filter(volunteer__in=visible.values("pk")).select_related("volunteer")


def volunteer_history(volunteer: Volunteer, *, limit: int = 50):
    """Named actions on the volunteer and on their steps, references and documents, newest
    first. Views of the page itself are left out here (they are in the full audit trail)."""
    from accueil.core.models import AuditEntry

    types = ContentType.objects.get_for_models(Volunteer, ScreeningStep, Reference, Document)
    related = {
        ScreeningStep: volunteer.steps.values_list("pk", flat=True),
        Reference: volunteer.references.values_list("pk", flat=True),
        Document: volunteer.documents.values_list("pk", flat=True),
    }
    where = Q(content_type=types[Volunteer], object_pk=str(volunteer.pk))
    for model, pks in related.items():
        where |= Q(content_type=types[model], object_pk__in=[str(pk) for pk in pks])
    return (
        AuditEntry.objects.filter(where)
        .exclude(code="")
        .exclude(code="record.viewed")
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )


# -- the pipeline board --------------------------------------------------------------------


def pipeline_volunteers(
    user,
    *,
    program=None,
    region=None,
    language: str = "",
    coordinator=None,
    unassigned: bool = False,
):
    """Volunteers the user may see, filtered (every stage: the caller picks)."""
    volunteers = Volunteer.objects.visible_to(user)
    if program is not None:
        volunteers = volunteers.filter(program=program)
    if region is not None:
        volunteers = volunteers.filter(region=region)
    if language:
        volunteers = volunteers.filter(languages__code=language)
    if unassigned:
        volunteers = volunteers.filter(coordinator__isnull=True)
    elif coordinator is not None:
        volunteers = volunteers.filter(coordinator=coordinator)
    return volunteers


def stage_counts(volunteers) -> dict[str, int]:
    """Volunteers per stage, in one query."""
    counts = dict.fromkeys(VolunteerStatus.values, 0)
    rows = volunteers.order_by().values_list("status").annotate(n=Count("pk", distinct=True))
    for status, n in rows:
        counts[status] = n
    return counts


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("volunteer").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_board_columns(volunteers, *, on: date | None = None):
    """Add what a board row shows, without a query per row."""
    from .services.screening import REFERENCES_CONCERN

    on = on or timezone.localdate()
    steps = ScreeningStep.objects.filter(volunteer=OuterRef("pk"))
    return (
        volunteers.select_related("user", "program", "region", "coordinator")
        .prefetch_related("languages")
        .annotate(
            steps_total=_count(steps.filter(required=True)),
            steps_done=_count(
                steps.filter(required=True, status__in=[StepStatus.DONE, StepStatus.WAIVED])
            ),
            has_concern=Exists(
                steps.filter(step_type=StepType.REFERENCES, outcome=REFERENCES_CONCERN)
            ),
            check_expired=Exists(steps.filter(step_type=StepType.POLICE_CHECK, expires_on__lt=on)),
        )
    )


def days_in_stage(volunteer: Volunteer, *, now=None) -> int:
    now = now or timezone.now()
    return max((now - volunteer.status_changed_at).days, 0)


def is_stale(volunteer: Volunteer, days: int) -> bool:
    return days > STALE_AFTER_DAYS and volunteer.status != VolunteerStatus.ACTIVE
