"""The instruments staff can give: a read-only list and detail for staff, and the XLSForm
import for managers (upload, preview, confirm).

Between the preview and the confirmation nothing is stored: the preview page carries the
definition it showed, signed for this person and for an hour, so what is loaded is exactly
what was checked, and an abandoned import leaves no file or row behind.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import get_language_info, gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from accueil.core import audit
from accueil.core.access import paginate, require_perm
from accueil.core.languages import language_name
from accueil.core.models import AuditEntry

from ..definitions import DefinitionError, pick
from ..definitions import Instrument as Spec
from ..forms_instruments import InstrumentImportForm, import_problem
from ..models import Audience, Instrument, InstrumentSource
from ..services_instruments import instrument_store
from ..xlsform import other_languages

PREVIEW_SALT = "accueil.surveys.instrument-import"
PREVIEW_MAX_AGE = 60 * 60

audit.register(
    {"survey.instrument_imported": gettext_lazy("{actor} imported the survey instrument {target}")}
)


def _instrument_import(*, spec: Spec, by) -> Instrument:
    # Belongs in services_instruments.py as instrument_import(); kept here until that file
    # is open to this change.
    with transaction.atomic():
        instrument = instrument_store(spec, source=InstrumentSource.XLSFORM, by=by)
        audit.record(
            "survey.instrument_imported",
            actor=by,
            target=instrument,
            data={"slug": spec.slug, "version": spec.version},
            action=AuditEntry.Action.CREATE,
        )
    return instrument


def _languages(codes) -> list[dict]:
    return [{"code": code, "name": language_name(code)} for code in codes]


def _audience(code: str) -> str:
    try:
        return Audience(code).label
    except ValueError:
        return code


@require_perm("surveys.administer")
def instrument_list(request):
    language = translation.get_language()
    page = paginate(request, Instrument.objects.current().order_by("slug"))
    rows = []
    for instrument in page:
        spec = instrument.spec
        rows.append(
            {
                "instrument": instrument,
                "title": spec.title_for(language),
                "audience": _audience(spec.audience),
                "languages": _languages(spec.languages),
                "needs_review": _languages(spec.needs_review),
                "items": len(spec.items),
            }
        )
    return TemplateResponse(
        request,
        "surveys/instruments/list.html",
        {
            "page": page,
            "rows": rows,
            "can_import": request.user.has_perm("surveys.manage_instruments"),
        },
    )


def _shown_language(request, spec: Spec) -> str:
    """The language asked for in the address, else the staff's own, else English."""
    for candidate in (request.GET.get("language"), translation.get_language()):
        if candidate:
            for code in (candidate, candidate.lower().split("-")[0]):
                if code in spec.languages:
                    return code
    return "en"


def _direction(code: str) -> str:
    try:
        return "rtl" if get_language_info(code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


@require_perm("surveys.administer")
def instrument_detail(request, slug: str):
    instrument = get_object_or_404(Instrument.objects.current(), slug=slug)
    spec = instrument.spec
    language = _shown_language(request, spec)
    staff_language = translation.get_language()
    in_subscales: dict[int, list[str]] = {}
    for subscale in spec.subscales:
        for number in subscale.items:
            in_subscales.setdefault(number, []).append(subscale.key)
    items = []
    for item in spec.items:
        scale = spec.scale_of(item)
        items.append(
            {
                "item": item,
                "text": item.text_for(language),
                "scale": scale,
                "subscales": in_subscales.get(item.number, []),
            }
        )
    scales = [
        {
            "key": scale.key,
            "choices": [
                {"value": choice.value, "label": pick(choice.label, language)}
                for choice in scale.choices
            ],
        }
        for scale in spec.scales.values()
    ]
    subscales = [
        {
            "key": subscale.key,
            "label": subscale.label_for(staff_language),
            "items": subscale.items,
            "min_answered": subscale.min_answered,
        }
        for subscale in spec.subscales
    ]
    return TemplateResponse(
        request,
        "surveys/instruments/detail.html",
        {
            "instrument": instrument,
            "spec": spec,
            "title": spec.title_for(language),
            "description": spec.description_for(language),
            "audience": _audience(spec.audience),
            "language": language,
            "language_name": language_name(language),
            "direction": _direction(language),
            "languages": _languages(spec.languages),
            "needs_review": _languages(spec.needs_review),
            "shown_needs_review": language in spec.needs_review,
            "items": items,
            "scales": scales,
            "subscales": subscales,
            "higher_means": pick(spec.higher_means, staff_language) if spec.higher_means else "",
        },
    )


@require_perm("surveys.manage_instruments")
@require_http_methods(["GET", "POST"])
def instrument_import(request):
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request)
    if request.method == "POST":
        form = InstrumentImportForm(request.POST, request.FILES)
    else:
        form = InstrumentImportForm()
    if form.is_bound and form.is_valid():
        return _preview(request, form.cleaned_data["spec"])
    return TemplateResponse(
        request,
        "surveys/instruments/import.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _preview(request, spec: Spec):
    signed = signing.dumps(
        {"user": request.user.pk, "definition": spec.to_dict()}, salt=PREVIEW_SALT, compress=True
    )
    language = translation.get_language()
    current = Instrument.objects.current().filter(slug=spec.slug).first()
    return TemplateResponse(
        request,
        "surveys/instruments/import_preview.html",
        {
            "spec": spec,
            "signed": signed,
            "title": spec.title_for(language),
            "audience": _audience(spec.audience),
            "languages": _languages(spec.languages),
            "other_languages": _languages(other_languages(spec)),
            "needs_review": _languages(spec.needs_review),
            "items": [{"item": item, "text": item.text_for(language)} for item in spec.items],
            "scored": len(spec.scored_items),
            "subscales": spec.subscales,
            "current": current,
            "unchanged": current is not None
            and current.version == spec.version
            and current.sha256 == spec.sha256,
        },
    )


def _confirm(request):
    try:
        payload = signing.loads(
            request.POST.get("preview", ""), salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE
        )
        if payload.get("user") != request.user.pk:
            raise signing.BadSignature("another person's preview")
        spec = Spec.from_dict(payload["definition"])
    except (signing.BadSignature, DefinitionError, KeyError, TypeError):
        messages.error(
            request,
            gettext("The preview is more than an hour old or was changed. Upload the file again."),
        )
        return redirect("survey_instrument_import")
    # Checked again: someone may have answered that version since the preview.
    problem = import_problem(spec)
    if problem is not None:
        messages.error(request, problem[1])
        return redirect("survey_instrument_import")
    try:
        _instrument_import(spec=spec, by=request.user)
    except ValueError:  # instrument_store: the version received answers in the meantime
        messages.error(
            request,
            gettext(
                "Version %(version)s of %(slug)s already has answers. Give the form a new "
                "version on the settings sheet, then upload it again."
            )
            % {"version": spec.version, "slug": spec.slug},
        )
        return redirect("survey_instrument_import")
    messages.success(
        request,
        gettext("%(title)s (version %(version)s) is loaded and is now the current version.")
        % {"title": spec.title_for(translation.get_language()), "version": spec.version},
    )
    return redirect("survey_instrument", slug=spec.slug)
