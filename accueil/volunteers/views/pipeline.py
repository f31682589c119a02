"""The pipeline board: every volunteer a staff member may see, by stage, oldest first.

The page costs the same number of queries for 10 or 10,000 volunteers (see selectors and
tests/test_pipeline_queries.py). Partner referrers, volunteers and outsiders get 404.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accueil.accounts.models import Role, User
from accueil.core import audit
from accueil.core.access import paginate, require_perm
from accueil.core.languages import language_name

from .. import selectors
from ..forms_screening import BulkActionForm, PipelineFilterForm
from ..models import Volunteer, VolunteerLanguage, VolunteerStatus
from ..services import screening as services


def _staff():
    return User.objects.filter(
        is_active=True, role__in=[Role.COORDINATOR, Role.PROGRAM_MANAGER, Role.ADMIN]
    ).order_by("full_name", "pk")


def _filtered(request):
    """The filter form and the volunteers it selects (every stage)."""
    user = request.user
    codes = (
        VolunteerLanguage.objects.filter(volunteer__in=Volunteer.objects.visible_to(user))
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()
    )
    languages = sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])
    form = PipelineFilterForm(
        request.GET or None, user=user, languages=languages, coordinators=list(_staff())
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    coordinator = data.get("coordinator")
    volunteers = selectors.pipeline_volunteers(
        user,
        program=data.get("program"),
        region=data.get("region"),
        language=data.get("language") or "",
        coordinator=coordinator if isinstance(coordinator, User) else None,
        unassigned=coordinator == "none",
    )
    return form, volunteers, data.get("stage") or ""


def _listed(volunteers, stage: str):
    if stage:
        return volunteers.filter(status=stage)
    return volunteers.filter(status__in=selectors.BOARD_STAGES)


@require_perm("volunteers.view_pipeline")
def pipeline(request):
    form, volunteers, stage = _filtered(request)
    counts = selectors.stage_counts(volunteers)
    listed = selectors.with_board_columns(_listed(volunteers, stage)).order_by(
        "status_changed_at", "pk"
    )
    page = paginate(request, listed)
    now = timezone.now()
    rows = []
    for volunteer in page.object_list:
        days = selectors.days_in_stage(volunteer, now=now)
        rows.append(
            {
                "volunteer": volunteer,
                "days": days,
                "stale": selectors.is_stale(volunteer, days),
                "languages": [language_name(lang.code) for lang in volunteer.languages.all()],
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    stage_query = request.GET.copy()
    stage_query.pop("page", None)
    stage_query.pop("stage", None)
    stages = [
        {
            "status": status,
            "label": status.label,
            "count": counts[status],
            "current": stage == status,
        }
        for status in selectors.BOARD_STAGES
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "stages": stages,
        "closed": [(s.label, counts[s]) for s in selectors.CLOSED_STAGES],
        "stage_query": stage_query.urlencode(),
        "query": query.urlencode(),
        "bulk_form": BulkActionForm(volunteer_ids=[], coordinators=_staff()),
        "stale_after": selectors.STALE_AFTER_DAYS,
        "can_export": request.user.has_perm("volunteers.export"),
    }
    return TemplateResponse(request, "volunteers/pipeline/board.html", context)


@require_POST
@require_perm("volunteers.view_pipeline")
def pipeline_bulk(request):
    user = request.user
    back = reverse("volunteer_pipeline")
    query = QueryDict(request.POST.get("query", "")).urlencode()
    if query:
        back = f"{back}?{query}"
    wanted = [int(v) for v in request.POST.getlist("volunteers") if v.isdigit()]
    visible = list(
        Volunteer.objects.visible_to(user).filter(pk__in=wanted).select_related("user", "program")
    )
    selected = [v for v in visible if user.has_perm("volunteers.screen", v)]
    form = BulkActionForm(
        request.POST, volunteer_ids=[v.pk for v in selected], coordinators=_staff()
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    chosen = [v for v in selected if v.pk in set(form.cleaned_data["volunteers"])]
    try:
        if form.cleaned_data["action"] == BulkActionForm.REMIND:
            sent = services.volunteer_send_reminders(volunteers=chosen, by=user)
            messages.success(
                request,
                ngettext("%(count)d message queued.", "%(count)d messages queued.", sent)
                % {"count": sent},
            )
        else:
            coordinator = form.cleaned_data["coordinator"]
            changed = services.volunteer_assign_coordinator(
                volunteers=chosen, coordinator=coordinator, by=user
            )
            messages.success(
                request,
                ngettext(
                    "Coordinator changed for %(count)d volunteer.",
                    "Coordinator changed for %(count)d volunteers.",
                    changed,
                )
                % {"count": changed},
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(back)


def _cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: make them plain text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@require_perm("volunteers.export")
def pipeline_export(request):
    """The filtered list as CSV. Contact and screening details stay out (no phone, notes,
    reasons or references): this file leaves the system."""
    _form, volunteers, stage = _filtered(request)
    listed = selectors.with_board_columns(_listed(volunteers, stage)).order_by(
        "status_changed_at", "pk"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="volunteers-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "no-store, private, max-age=0"
    response.write("\ufeff")  # so spreadsheet programs read the accents right
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Name"),
            _("Email address"),
            _("Program"),
            _("Region"),
            _("Stage"),
            _("Days in stage"),
            _("Coordinator"),
            _("Languages"),
        ]
    )
    now = timezone.now()
    count = 0
    for volunteer in listed.iterator(chunk_size=500):
        writer.writerow(
            [
                _cell(volunteer.user.full_name),
                _cell(volunteer.user.email),
                _cell(volunteer.program.name),
                _cell(volunteer.region.name),
                _cell(VolunteerStatus(volunteer.status).label),
                selectors.days_in_stage(volunteer, now=now),
                _cell(volunteer.coordinator.display_name if volunteer.coordinator else ""),
                _cell(
                    "; ".join(
                        f"{language_name(lang.code)} ({lang.get_level_display()})"
                        for lang in volunteer.languages.all()
                    )
                ),
            ]
        )
        count += 1
    audit.record(
        "volunteer.list_exported", actor=request.user, target=request.user, data={"count": count}
    )
    return response
