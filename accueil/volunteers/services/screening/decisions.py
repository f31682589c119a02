"""Starting screening, approving, changing status, assigning coordinators and nudging volunteers."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.messaging.models import OutboxMessage

from ...models import (
    StepStatus,
    StepType,
    Volunteer,
    VolunteerStatus,
)
from ...selectors import approval_blockers
from ...signals import volunteer_approved
from .common import (
    REFERENCE_RESEND_MIN_INTERVAL,
    STATUS_CODES,
    _create_steps,
    _email_volunteer,
    _language,
    _lock,
    _require,
    _set_status,
    _site_link,
)
from .references import _request_reference
from .steps import _refresh_code_of_conduct_step, _sync_training

# -- starting ------------------------------------------------------------------------------


@transaction.atomic
def screening_start(*, volunteer: Volunteer, by) -> Volunteer:
    """applied → in screening: the program's steps (or the default six) and the two reference
    requests."""
    _require(by, "volunteers.screen", volunteer)
    _lock(volunteer)
    if volunteer.status != VolunteerStatus.APPLIED:
        raise ValidationError(_("Screening can only start for a new application."))
    _create_steps(volunteer)
    _set_status(volunteer, VolunteerStatus.IN_SCREENING)
    volunteer.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit.record("volunteer.screening_started", actor=by, target=volunteer)
    for reference in volunteer.references.filter(
        answered_at__isnull=True, requested_at__isnull=True
    ):
        _request_reference(reference, by=by)
    _refresh_code_of_conduct_step(volunteer)
    _sync_training(volunteer)
    return volunteer


# -- decisions -----------------------------------------------------------------------------


@transaction.atomic
def volunteer_approve(*, volunteer: Volunteer, by, on: date | None = None) -> Volunteer:
    """Approve, if every required step is complete and still valid."""
    _require(by, "volunteers.approve", volunteer)
    _lock(volunteer)
    if not volunteer.can_move_to(VolunteerStatus.APPROVED) or volunteer.status not in (
        VolunteerStatus.IN_SCREENING,
        VolunteerStatus.ON_HOLD,
    ):
        raise ValidationError(
            _("Only a volunteer in screening can be approved (now: %(status)s).")
            % {"status": volunteer.get_status_display()}
        )
    _sync_training(volunteer)
    blockers = approval_blockers(volunteer, on=on)
    if blockers:
        raise ValidationError(
            _("%(name)s cannot be approved yet. Still to do: %(steps)s.")
            % {"name": volunteer.user.display_name, "steps": "; ".join(blockers)}
        )
    now = timezone.now()
    _set_status(volunteer, VolunteerStatus.APPROVED, now=now)
    volunteer.approved_at = now
    volunteer.approved_by = by
    volunteer.save(
        update_fields=["status", "status_changed_at", "approved_at", "approved_by", "updated_at"]
    )
    audit.record("volunteer.approved", actor=by, target=volunteer)
    transaction.on_commit(
        lambda: volunteer_approved.send(sender=Volunteer, volunteer=volunteer, by=by)
    )
    _email_volunteer(
        volunteer,
        subject=gettext_lazy("You are approved as a volunteer"),
        template="approved",
        context={"link": _site_link("volunteer_my_application")},
        key=f"approved-{volunteer.pk}-{now:%Y%m%d%H%M%S}",
    )
    return volunteer


SETTABLE_STATUSES = (
    VolunteerStatus.ON_HOLD,
    VolunteerStatus.DECLINED,
    VolunteerStatus.WITHDRAWN,
    VolunteerStatus.IN_SCREENING,
)


@transaction.atomic
def volunteer_set_status(*, volunteer: Volunteer, status: str, reason: str, by) -> Volunteer:
    """Put on hold, decline (a reason is required), record a withdrawal, or resume a volunteer
    on hold (back to screening; approval is then confirmed again)."""
    _require(by, "volunteers.screen", volunteer)
    _lock(volunteer)
    reason = (reason or "").strip()
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": _("Choose one of the listed statuses.")})
    if status == VolunteerStatus.IN_SCREENING and volunteer.status != VolunteerStatus.ON_HOLD:
        raise ValidationError({"status": _("Only a volunteer on hold can be resumed.")})
    if status == volunteer.status or not volunteer.can_move_to(status):
        raise ValidationError(
            {
                "status": _("A volunteer who is “%(now)s” cannot become “%(new)s”.")
                % {
                    "now": volunteer.get_status_display(),
                    "new": VolunteerStatus(status).label,
                }
            }
        )
    if status == VolunteerStatus.DECLINED and not reason:
        raise ValidationError({"reason": _("Write the reason for declining.")})
    _set_status(volunteer, status)
    fields = ["status", "status_changed_at", "updated_at"]
    if reason or status == VolunteerStatus.IN_SCREENING:
        volunteer.decline_reason = reason
        fields.append("decline_reason")
    volunteer.save(update_fields=fields)
    if status == VolunteerStatus.IN_SCREENING:
        _create_steps(volunteer)
    audit.record(STATUS_CODES[VolunteerStatus(status)], actor=by, target=volunteer)
    return volunteer


def eligible_coordinators(volunteers):
    """Staff who may coordinate every one of ``volunteers``: managers and admins, and
    coordinators of all their programs."""
    from accueil.accounts.models import Role, User

    program_ids = {v.program_id for v in volunteers}
    people = User.objects.filter(
        is_active=True, role__in=[Role.ADMIN, Role.PROGRAM_MANAGER, Role.COORDINATOR]
    )
    for program_id in program_ids:
        people = people.filter(
            models.Q(role__in=[Role.ADMIN, Role.PROGRAM_MANAGER]) | models.Q(programs=program_id)
        )
    return people.distinct()


@transaction.atomic
def volunteer_assign_coordinator(*, volunteers, coordinator, by) -> int:
    """Make ``coordinator`` (or nobody, with None) the coordinator of each volunteer."""
    volunteers = list(volunteers)
    for volunteer in volunteers:
        _require(by, "volunteers.screen", volunteer)
    if (
        coordinator is not None
        and not eligible_coordinators(volunteers).filter(pk=coordinator.pk).exists()
    ):
        raise ValidationError(
            {
                "coordinator": _(
                    "%(name)s does not work on the program of every selected volunteer."
                )
                % {"name": coordinator.display_name}
            }
        )
    changed = 0
    for volunteer in volunteers:
        _lock(volunteer)
        new_id = coordinator.pk if coordinator else None
        if volunteer.coordinator_id == new_id:
            continue
        volunteer.coordinator = coordinator
        volunteer.save(update_fields=["coordinator", "updated_at"])
        audit.record(
            "volunteer.coordinator_assigned",
            actor=by,
            target=volunteer,
            data={"coordinator": new_id},
        )
        changed += 1
    return changed


def volunteer_todo(volunteer: Volunteer) -> list[str]:
    """What the volunteer can do themselves now, in their language (for reminders)."""
    todo = []
    steps = {s.step_type: s for s in volunteer.steps.all()}
    cc = steps.get(StepType.CODE_OF_CONDUCT)
    if cc is not None and not cc.is_complete:
        todo.append(_("Read and sign our code of conduct."))
    police = steps.get(StepType.POLICE_CHECK)
    if police is not None and police.status == StepStatus.NOT_STARTED:
        todo.append(_("Send us your police check (a photo or a PDF)."))
    training = steps.get(StepType.TRAINING)
    if training is not None and not training.is_complete:
        todo.append(_("Finish the online training."))
    return todo


@transaction.atomic
def volunteer_send_reminders(*, volunteers, by, now=None) -> int:
    """Bulk "send a reminder": re-send reference requests that are still unanswered (at most
    once a day per referee), and a nudge to each volunteer who has something to do.
    Returns the number of messages queued."""
    now = now or timezone.now()
    sent = 0
    for volunteer in volunteers:
        _require(by, "volunteers.screen", volunteer)
        if volunteer.status not in (VolunteerStatus.APPLIED, VolunteerStatus.IN_SCREENING):
            continue
        pending = volunteer.references.select_for_update().filter(
            answered_at__isnull=True, requested_at__isnull=False
        )
        for reference in pending:
            last = max(filter(None, [reference.requested_at, reference.reminded_at]))
            if now - last >= REFERENCE_RESEND_MIN_INTERVAL:
                _request_reference(reference, by=by, now=now)
                sent += 1
        with translation.override(_language(volunteer.user)):
            todo = volunteer_todo(volunteer)
        key = f"nudge-{volunteer.pk}-{timezone.localdate(now):%Y%m%d}"
        if todo and not OutboxMessage.objects.filter(idempotency_key=key).exists():
            _email_volunteer(
                volunteer,
                subject=gettext_lazy("A few steps left for your volunteer application"),
                template="nudge",
                context={"todo": todo, "link": _site_link("volunteer_my_application")},
                key=key,
            )
            audit.record("volunteer.reminder_sent", actor=by, target=volunteer)
            sent += 1
    return sent
