"""The staff survey pages: the list, one survey (with its answers and scores, sending the link,
cancelling), starting a survey by hand for a household or a volunteer, and importing a file of
answers. Entering answers (phone, interpreter, paper) is in ``staff_entry.py``.

Only staff of a survey's program reach it (``selectors.get_administration_for_staff_or_404``);
anyone else gets 404, the same answer as for a survey that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accueil.core import audit
from accueil.core.access import get_visible_or_404, paginate, require_perm
from accueil.core.forms import add_service_errors
from accueil.core.models import AuditEntry
from accueil.matches.models import Match
from accueil.newcomers.models import Household
from accueil.volunteers.models import Volunteer

from .. import importing, selectors
from ..definitions import pick
from ..forms_staff import CancelForm, FilterForm, ImportForm, NewSurveyForm
from ..models import Audience, Instrument, Phase, ProgramSurveySettings
from ..services import (
    administration_assign_interpreter,
    administration_cancel,
    administration_schedule,
    administration_send,
    can_enter,
)

# -- the list -------------------------------------------------------------------------------


@require_perm("surveys.administer")
def survey_list(request):
    user = request.user
    form = FilterForm(request.GET or None, programs=selectors.programs_for(user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    administrations = selectors.staff_administrations(
        user,
        status=filters.get("status", ""),
        phase=filters.get("phase", ""),
        program=filters.get("program"),
        audience=filters.get("audience", ""),
    )
    page = paginate(request, administrations)
    language = selectors.staff_language()
    rows = [
        {
            "administration": administration,
            "instruments": selectors.instrument_titles(administration, language),
        }
        for administration in page.object_list
    ]
    context = {
        "filter_form": form,
        "filtered": bool(filters and any(filters.values())),
        "page": page,
        "rows": rows,
    }
    return TemplateResponse(request, "surveys/staff/list.html", context)


# -- one survey -----------------------------------------------------------------------------


def _detail_page(request, administration, *, cancel_form=None, status=200):
    user = request.user
    if request.method == "GET":
        audit.viewed(actor=user, target=administration)
    language = selectors.staff_language()
    history = audit.describe_entries(
        AuditEntry.objects.for_record(administration)
        .select_related("actor")
        .order_by("-timestamp")[:50]
    )
    can_act = administration.open_to_staff and can_enter(user, administration)
    context = {
        "administration": administration,
        "respondent": selectors.respondent_label(administration),
        "volunteer": getattr(administration.person, "volunteer", None)
        if administration.person_id
        else None,
        "responses": selectors.response_views(administration, language),
        "history": history,
        "can_act": can_act,
        "cancel_form": cancel_form or CancelForm(auto_id="cancel-%s"),
        "form": cancel_form,  # the page title says "Error:" after a refused cancel
        "can_see_match": user.has_perm("matches.propose"),
        "interpreters": selectors.program_interpreters(administration.program) if can_act else [],
    }
    return TemplateResponse(request, "surveys/staff/detail.html", context, status=status)


@require_perm("surveys.administer")
def survey_detail(request, pk: int):
    administration = selectors.get_administration_for_staff_or_404(request.user, pk)
    return _detail_page(request, administration)


@require_perm("surveys.administer")
@require_POST
def survey_send(request, pk: int):
    administration = selectors.get_administration_for_staff_or_404(request.user, pk)
    if not can_enter(request.user, administration):
        raise Http404
    try:
        channel = administration_send(administration, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if channel == "sms":
            messages.success(request, _("The link is on its way by text message."))
        elif channel == "email":
            messages.success(request, _("The link is on its way by email."))
        else:
            messages.warning(
                request,
                _(
                    "No phone number or email address is recorded: call the household and "
                    "enter the answers with them."
                )
                if administration.household_id
                else _(
                    "No email address is recorded: call the volunteer and enter the answers "
                    "with them."
                ),
            )
    return redirect("survey_detail", pk=administration.pk)


@require_perm("surveys.administer")
@require_POST
def survey_interpreter(request, pk: int):
    """Name (or clear) the interpreter who will make the call."""
    administration = selectors.get_administration_for_staff_or_404(request.user, pk)
    chosen = request.POST.get("interpreter", "")
    interpreters = {str(p.pk): p for p in selectors.program_interpreters(administration.program)}
    if chosen and chosen not in interpreters:
        messages.error(request, _("Choose an interpreter who works with this program."))
        return redirect("survey_detail", pk=administration.pk)
    try:
        administration_assign_interpreter(
            administration, by=request.user, interpreter=interpreters.get(chosen)
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The interpreter can now open this survey and enter the answers during the call.")
            if chosen
            else _("No interpreter is named on this survey any more."),
        )
    return redirect("survey_detail", pk=administration.pk)


@require_perm("surveys.administer")
@require_POST
def survey_cancel(request, pk: int):
    administration = selectors.get_administration_for_staff_or_404(request.user, pk)
    form = CancelForm(request.POST, auto_id="cancel-%s")
    if form.is_valid():
        try:
            administration_cancel(
                administration, by=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc, default_field=None)
        else:
            messages.success(request, _("The survey is cancelled. Its link no longer works."))
            return redirect("survey_detail", pk=administration.pk)
    return _detail_page(request, administration, cancel_form=form, status=400)


# -- starting a survey by hand --------------------------------------------------------------


def _respondent(request) -> dict:
    """The household (``?household=<pk>``) or the volunteer (``?person=<user pk>``) the survey
    is for, if the user may see them; 404 otherwise."""
    user = request.user
    # isascii: "²" is a digit to isdigit() but not to int().
    household_pk = request.GET.get("household", "")
    person_pk = request.GET.get("person", "")
    if not (household_pk.isascii() and person_pk.isascii()):
        raise Http404
    if household_pk.isdigit() and not person_pk:
        household = get_visible_or_404(Household, user, pk=int(household_pk))
        matches = Match.objects.visible_to(user).filter(household=household)
        return {
            "household": household,
            "person": None,
            "program": household.program,
            "audience": Audience.HOUSEHOLD,
            "matches": matches,
            "back": ("household_detail", household.pk),
        }
    if person_pk.isdigit() and not household_pk:
        volunteer = get_visible_or_404(Volunteer, user, user_id=int(person_pk))
        matches = Match.objects.visible_to(user).filter(
            group__memberships__user_id=volunteer.user_id
        )
        return {
            "household": None,
            "person": volunteer.user,
            "volunteer": volunteer,
            "program": volunteer.program,
            "audience": Audience.VOLUNTEER,
            "matches": matches.distinct(),
            "back": ("volunteer_detail", volunteer.pk),
        }
    raise Http404


def _plan_hint(program, audience: str, titles: dict[str, str]) -> str:
    plan = ProgramSurveySettings.for_program(program)
    phases = []
    for phase in Phase:
        slugs = plan.plan(audience, phase)
        names = ", ".join(titles.get(slug, slug) for slug in slugs) or _("nothing")
        phases.append(f"{phase.label}: {names}")
    return _("Tick none to use the program's plan: %(plan)s.") % {"plan": "; ".join(phases)}


@require_perm("surveys.administer")
def survey_new(request):
    user = request.user
    who = _respondent(request)
    if not selectors.programs_for(user).filter(pk=who["program"].pk).exists():
        raise Http404
    language = selectors.staff_language()
    instruments = list(
        Instrument.objects.current()
        .filter(audience__in=[who["audience"], Audience.ANY])
        .only("pk", "slug", "title", "audience")
        .order_by("slug")
    )
    titles = {i.slug: pick(i.title, language) for i in instruments}
    matches = list(who["matches"].select_related("group").order_by("-created_at")[:20])
    form = NewSurveyForm(
        request.POST if request.method == "POST" else None,
        instruments=instruments,
        matches=matches,
        plan_hint=_plan_hint(who["program"], who["audience"], titles),
        language=language,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            administration = administration_schedule(
                program=who["program"],
                phase=data["phase"],
                household=who["household"],
                person=who["person"],
                match=data.get("match"),
                by=user,
                automatic=False,
                instruments=data["instruments"] or None,
            )
            if administration is not None:
                messages.success(
                    request,
                    _("The survey is ready: send the link, or enter the answers during a call."),
                )
                return redirect("survey_detail", pk=administration.pk)
            form.add_error(
                "instruments", _("None of these questionnaires is available: choose others.")
            )
        status = 400
    context = {
        **who,
        "form": form,
        "respondent": _("household #%(ref)s") % {"ref": who["household"].pk}
        if who["household"]
        else who["person"].display_name,
    }
    return TemplateResponse(request, "surveys/staff/new.html", context, status=status)


# -- importing answers ----------------------------------------------------------------------


@require_perm("surveys.administer")
def survey_import(request):
    user = request.user
    language = selectors.staff_language()
    instruments = list(Instrument.objects.current().order_by("slug"))
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instruments=instruments,
        programs=selectors.programs_for(user),
        language=language,
    )
    errors: list[importing.RowError] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > importing.MAX_BYTES:
                form.add_error("file", _("The file is larger than 2 MB: split it."))
            else:
                try:
                    created = importing.responses_import(
                        data=upload.read(),
                        instrument=form.cleaned_data["instrument"],
                        program=form.cleaned_data["program"],
                        by=user,
                    )
                except PermissionDenied:
                    raise Http404 from None
                except importing.ImportRefused as refused:
                    errors = refused.errors
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s survey imported.",
                            "%(count)s surveys imported.",
                            len(created),
                        )
                        % {"count": len(created)},
                    )
                    return redirect("survey_list")
        status = 400
    chosen = form.instruments.get(form.data.get("instrument", "")) if form.is_bound else None
    context = {
        "form": form,
        "errors": errors,
        "instrument": chosen,
        "columns": _columns(chosen) if chosen else "",
    }
    return TemplateResponse(request, "surveys/staff/import.html", context, status=status)


def _columns(instrument) -> str:
    items = [importing.item_column(item.number) for item in instrument.spec.items]
    return ", ".join(["household_id", "volunteer_email", "phase", "date", "language", *items])
