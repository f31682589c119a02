"""Screening pages: a volunteer's page for staff, one page per step, status decisions,
documents, the public reference form, and the volunteer's own view of their application.

Every staff page fetches the volunteer through the scoped access helper and then asks the
"volunteers.screen" rule: a volunteer outside the person's programs is "not found", like one
that does not exist.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accueil.core import audit
from accueil.core.access import get_visible_or_404
from accueil.core.forms import add_service_errors
from accueil.core.languages import language_name
from accueil.core.taxonomy import DAYS, PERIODS, IntegrationPriority

from .. import selectors
from ..forms_screening import (
    CodeOfConductForm,
    InterviewRecordForm,
    InterviewScheduleForm,
    MyDocumentForm,
    NoteForm,
    OrientationForm,
    PoliceCheckForm,
    ReferenceAddForm,
    ReferenceAnswerForm,
    StatusForm,
)
from ..models import Reference, StepType, Volunteer, VolunteerStatus
from ..services import screening as services

# -- access --------------------------------------------------------------------------------


def get_screenable_or_404(user, pk: int) -> Volunteer:
    """A volunteer the user screens (staff of the volunteer's program), or 404."""
    volunteer = get_visible_or_404(Volunteer, user, pk=pk)
    if not user.has_perm("volunteers.screen", volunteer):
        raise Http404
    return volunteer


def get_own_application_or_404(user) -> Volunteer:
    volunteer = Volunteer.objects.filter(user=user).select_related("program").first()
    if volunteer is None or not user.has_perm("volunteers.view_own_application", volunteer):
        raise Http404
    return volunteer


def _training_url() -> str | None:
    try:
        return reverse("training_list")
    except NoReverseMatch:
        return None


# -- the volunteer's page ------------------------------------------------------------------


def _profile(volunteer: Volunteer) -> dict:
    skills = dict(IntegrationPriority.choices)
    slots = set(volunteer.availability or [])
    grid = [
        {
            "label": day_label,
            "cells": [
                {"period": period_label, "on": f"{day}_{period}" in slots}
                for period, period_label in PERIODS
            ],
        }
        for day, day_label in DAYS
    ]
    return {
        "languages": [
            {"name": language_name(lang.code), "level": lang.get_level_display()}
            for lang in volunteer.languages.all()
        ],
        "skills": [str(skills.get(code, code)) for code in volunteer.skills or []],
        "availability": grid,
        "periods": [label for _code, label in PERIODS],
    }


@login_required
def volunteer_detail(request, pk: int):
    volunteer = get_screenable_or_404(request.user, pk)
    audit.viewed(actor=request.user, target=volunteer)
    services.screening_sync_training(volunteer=volunteer)
    tasks = selectors.screening_tasks(volunteer)
    can_approve = volunteer.status in (VolunteerStatus.IN_SCREENING, VolunteerStatus.ON_HOLD)
    context = {
        "volunteer": volunteer,
        "profile": _profile(volunteer),
        "tasks": tasks,
        "blockers": selectors.approval_blockers(volunteer) if can_approve else [],
        "can_approve": can_approve,
        "can_start": volunteer.status == VolunteerStatus.APPLIED,
        "can_change_status": bool(StatusForm(volunteer=volunteer).fields["status"].choices),
        "documents": list(volunteer.documents.select_related("uploaded_by")),
        "references": list(volunteer.references.all()),
        "history": audit.describe_entries(selectors.volunteer_history(volunteer)),
        "can_view_audit": request.user.has_perm("core.view_audit"),
    }
    return TemplateResponse(request, "volunteers/screening/detail.html", context)


@require_POST
@login_required
def volunteer_start(request, pk: int):
    volunteer = get_screenable_or_404(request.user, pk)
    try:
        services.screening_start(volunteer=volunteer, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Screening started for %(name)s. The reference requests are on their way.")
            % {"name": volunteer.user.display_name},
        )
    return redirect("volunteer_detail", pk=volunteer.pk)


@login_required
def volunteer_approve(request, pk: int):
    volunteer = get_screenable_or_404(request.user, pk)
    if not request.user.has_perm("volunteers.approve", volunteer):
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.volunteer_approve(volunteer=volunteer, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(name)s is approved. They have been told by email.")
                % {"name": volunteer.user.display_name},
            )
            return redirect("volunteer_detail", pk=volunteer.pk)
    else:
        services.screening_sync_training(volunteer=volunteer)
    can_approve = volunteer.status in (VolunteerStatus.IN_SCREENING, VolunteerStatus.ON_HOLD)
    context = {
        "volunteer": volunteer,
        "tasks": selectors.screening_tasks(volunteer),
        "blockers": selectors.approval_blockers(volunteer) if can_approve else [],
        "can_approve": can_approve,
        "error": error,
    }
    return TemplateResponse(request, "volunteers/screening/approve.html", context)


@login_required
def volunteer_status(request, pk: int):
    volunteer = get_screenable_or_404(request.user, pk)
    form = StatusForm(request.POST or None, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_set_status(
                volunteer=volunteer,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now: %(status)s.")
                % {"name": volunteer.user.display_name, "status": volunteer.get_status_display()},
            )
            return redirect("volunteer_detail", pk=volunteer.pk)
    return TemplateResponse(
        request, "volunteers/screening/status.html", {"volunteer": volunteer, "form": form}
    )


# -- one page per step ---------------------------------------------------------------------

STEP_FORMS = {
    StepType.INTERVIEW: {"schedule": InterviewScheduleForm, "record": InterviewRecordForm},
    StepType.REFERENCES: {"add": ReferenceAddForm, "accept": NoteForm},
    StepType.POLICE_CHECK: {"record": PoliceCheckForm},
    StepType.ORIENTATION: {"record": OrientationForm},
    StepType.TRAINING: {"mark_done": NoteForm},
    StepType.CODE_OF_CONDUCT: {},
}

NOTE_LABELS = {
    StepType.REFERENCES: (
        lambda: _("Why the references can be accepted"),
        lambda: _("What you learned when you followed up the concern. Only staff can read it."),
    ),
    StepType.TRAINING: (
        lambda: _("How the training was done"),
        lambda: _("For example: in-person session on 3 May, or training with another agency."),
    ),
}


def _make_form(step_type: str, action: str, data=None, files=None):
    form_class = STEP_FORMS[step_type][action]
    kwargs = {"prefix": action}
    if form_class is NoteForm:
        label, help_text = NOTE_LABELS[step_type]
        kwargs.update(label=label(), help_text=help_text())
    return form_class(data, files, **kwargs)


def _run_step_action(step, action: str, data: dict, user) -> str:
    """Call the service for a valid form; returns the success message."""
    step_type = step.step_type
    if step_type == StepType.INTERVIEW and action == "schedule":
        services.interview_schedule(step=step, when=data["when"], by=user)
        return _("Interview booked. The volunteer has been told by email.")
    if step_type == StepType.INTERVIEW and action == "record":
        services.interview_record(step=step, outcome=data["outcome"], notes=data["notes"], by=user)
        return _("Interview outcome saved.")
    if step_type == StepType.REFERENCES and action == "add":
        services.reference_add(
            volunteer=step.volunteer,
            name=data["name"],
            email=data["email"],
            relation=data["relation"],
            by=user,
        )
        return _("Referee added and asked for a reference.")
    if step_type == StepType.REFERENCES and action == "accept":
        services.references_accept(step=step, note=data["note"], by=user)
        return _("References accepted.")
    if step_type == StepType.POLICE_CHECK:
        services.police_check_record(
            step=step,
            by=user,
            document=data["document"],
            issued_on=data["issued_on"],
            valid_until=data["valid_until"],
        )
        return _("Police check saved.")
    if step_type == StepType.ORIENTATION:
        services.orientation_record(step=step, attended_on=data["attended_on"], by=user)
        return _("Orientation saved.")
    services.training_mark_done(step=step, note=data["note"], by=user)
    return _("Training marked as completed.")


def _reference_rows(references) -> list[dict]:
    rows = []
    for reference in references:
        answers = json.loads(reference.answers) if reference.answers else {}
        rows.append(
            {
                "reference": reference,
                "answers": [
                    (str(services.REFERENCE_QUESTIONS[key]), _answer_text(key, value))
                    for key, value in answers.items()
                    if key in services.REFERENCE_QUESTIONS and value
                ],
            }
        )
    return rows


def _answer_text(key: str, value: str) -> str:
    if key == "known_for":
        return str(dict(ReferenceAnswerForm.KNOWN_FOR).get(value, value))
    if key == "trust":
        return _("Yes") if value == "yes" else _("No")
    return value


@login_required
def volunteer_step(request, pk: int, step_type: str):
    volunteer = get_screenable_or_404(request.user, pk)
    if step_type not in STEP_FORMS:
        raise Http404
    step = volunteer.steps.filter(step_type=step_type).first()
    if step is None:
        raise Http404  # the screening has not started, or the program skips this step
    step.volunteer = volunteer
    if step_type == StepType.TRAINING:
        services.screening_sync_training(volunteer=volunteer)
        step.refresh_from_db()
    forms = {action: _make_form(step_type, action) for action in STEP_FORMS[step_type]}
    failed = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms:
            raise Http404
        form = _make_form(step_type, action, request.POST, request.FILES)
        forms[action] = form
        if form.is_valid():
            try:
                message = _run_step_action(step, action, form.cleaned_data, request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("volunteer_step", pk=volunteer.pk, step_type=step_type)
        failed = form
    task = next(t for t in selectors.screening_tasks(volunteer) if t.step_type == step_type)
    context = {
        "volunteer": volunteer,
        "step": step,
        "task": task,
        "forms": forms,
        "form": failed,  # the page title says "Error:" and the summary lists this form's errors
        "references": _reference_rows(volunteer.references.all())
        if step_type == StepType.REFERENCES
        else [],
        "documents": volunteer.documents.filter(kind="police_check")
        if step_type == StepType.POLICE_CHECK
        else [],
        "signature": volunteer.signatures.first()
        if step_type == StepType.CODE_OF_CONDUCT
        else None,
        "missing_training": selectors.missing_training_for(volunteer.user)
        if step_type == StepType.TRAINING
        else None,
        "concern": step.outcome == services.REFERENCES_CONCERN,
    }
    return TemplateResponse(request, "volunteers/screening/step.html", context)


def _reference_or_404(request, pk: int, ref_pk: int) -> Reference:
    volunteer = get_screenable_or_404(request.user, pk)
    reference = get_object_or_404(volunteer.references, pk=ref_pk)
    reference.volunteer = volunteer
    return reference


@require_POST
@login_required
def reference_resend(request, pk: int, ref_pk: int):
    reference = _reference_or_404(request, pk, ref_pk)
    try:
        services.reference_request(reference=reference, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A new link was sent to %(name)s.") % {"name": reference.name})
    return redirect("volunteer_step", pk=pk, step_type=StepType.REFERENCES)


@login_required
def reference_phone(request, pk: int, ref_pk: int):
    reference = _reference_or_404(request, pk, ref_pk)
    if reference.answered_at:
        messages.info(request, _("This referee has already answered."))
        return redirect("volunteer_step", pk=pk, step_type=StepType.REFERENCES)
    form = ReferenceAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_record_by_phone(
                reference=reference, answers=form.cleaned_data, by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Reference saved."))
            return redirect("volunteer_step", pk=pk, step_type=StepType.REFERENCES)
    return TemplateResponse(
        request,
        "volunteers/screening/reference_phone.html",
        {"reference": reference, "volunteer": reference.volunteer, "form": form},
    )


# -- documents -----------------------------------------------------------------------------


@login_required
def document_download(request, pk: int):
    """The only way to read a stored document. Staff of the volunteer's program, and the
    volunteer themselves, may download it; every download is recorded."""
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    volunteer = document.volunteer
    is_own = volunteer.user_id == request.user.pk
    if not is_own and not request.user.has_perm("volunteers.screen", volunteer):
        raise Http404
    services.document_viewed(document=document, by=request.user)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        document.content_type, "bin"
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.kind.replace('_', '-')}-{document.pk}.{extension}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private, max-age=0"
    # Should a browser render it anyway, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- the public reference form -------------------------------------------------------------


def reference_answer(request, token: str):
    """Public: the link in the referee's email. It works once."""
    reference = (
        Reference.objects.filter(token_hash=Reference.hash_token(token), answered_at__isnull=True)
        .select_related("volunteer__user", "volunteer__program")
        .first()
    )
    if reference is None or reference.volunteer.status in (
        VolunteerStatus.DECLINED,
        VolunteerStatus.WITHDRAWN,
    ):
        return TemplateResponse(
            request, "volunteers/screening/reference_invalid.html", {}, status=404
        )
    form = ReferenceAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_answer(token=token, answers=form.cleaned_data)
        except ValidationError:
            return TemplateResponse(
                request, "volunteers/screening/reference_invalid.html", {}, status=404
            )
        return TemplateResponse(request, "volunteers/screening/reference_thanks.html", {})
    return TemplateResponse(
        request,
        "volunteers/screening/reference_form.html",
        {
            "form": form,
            "applicant": reference.volunteer.user.full_name,
            "program": reference.volunteer.program.name,
            "organisation": services.host_name(),
        },
    )


# -- the volunteer's own application -------------------------------------------------------


@login_required
def my_application(request):
    volunteer = get_own_application_or_404(request.user)
    services.screening_sync_training(volunteer=volunteer)
    tasks = selectors.screening_tasks(volunteer)
    next_steps = []
    by_type = {t.step_type: t for t in tasks}
    coc = by_type.get(StepType.CODE_OF_CONDUCT)
    closed = volunteer.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN)
    if not closed:
        if coc is not None and not coc.done:
            next_steps.append("code_of_conduct")
        police = by_type.get(StepType.POLICE_CHECK)
        if (
            police is not None
            and police.step is not None
            and (police.status in (selectors.TaskStatus.NOT_STARTED, selectors.TaskStatus.EXPIRED))
        ):
            next_steps.append("police_check")
        training = by_type.get(StepType.TRAINING)
        if training is not None and training.step is not None and not training.done:
            next_steps.append("training")
    context = {
        "volunteer": volunteer,
        "tasks": tasks,
        "next_steps": next_steps,
        "closed": closed,
        "training_url": _training_url(),
        "documents": list(volunteer.documents.all()),
    }
    return TemplateResponse(request, "volunteers/screening/my_application.html", context)


@login_required
def my_code_of_conduct(request):
    volunteer = get_own_application_or_404(request.user)
    signature = volunteer.signatures.filter(version=services.CODE_OF_CONDUCT_VERSION).first()
    form = CodeOfConductForm(request.POST or None)
    if request.method == "POST" and signature is None and form.is_valid():
        try:
            services.code_of_conduct_sign(
                volunteer=volunteer, signed_name=form.cleaned_data["signed_name"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. You signed the code of conduct."))
            return redirect("volunteer_my_application")
    return TemplateResponse(
        request,
        "volunteers/screening/code_of_conduct.html",
        {
            "form": form,
            "signature": signature,
            "version": services.CODE_OF_CONDUCT_VERSION,
            "closed": volunteer.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN),
        },
    )


@login_required
def my_police_check(request):
    volunteer = get_own_application_or_404(request.user)
    form = MyDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload_by_volunteer(
                volunteer=volunteer, document=form.cleaned_data["document"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. We got your police check. We will check it soon.")
            )
            return redirect("volunteer_my_application")
    return TemplateResponse(request, "volunteers/screening/my_police_check.html", {"form": form})
