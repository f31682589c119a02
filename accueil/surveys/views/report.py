"""The impact report (staff), its CSV, and the research export (managers and admins).

All three read the same filter form and go through ``selectors_report``, which sees only the
administrations ``visible_to`` the person asking: a coordinator's figures come from their own
programs whatever the address says. Without the permission each page does not exist (404).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accueil.core import audit
from accueil.core.access import require_perm

from .. import charts
from .. import selectors_report as selectors
from ..forms_report import ImpactFilterForm
from ..models import Audience


def _filters(request) -> tuple[ImpactFilterForm, selectors.Filters | None]:
    form = ImpactFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.filters()


def _one_decimal(value: float) -> str:
    return formats.number_format(round(value, 1), 1)


def _percent(value: float) -> str:
    return selectors.percent_text(value / 100)


@dataclass
class Section:
    instrument: selectors.InstrumentReport
    audience_label: str
    scores_chart: str
    items_chart: str


def _scores_chart(instrument: selectors.InstrumentReport) -> str:
    """The subscales on one chart (they share a range); the total when there is none."""
    measures = [m for m in instrument.measures if m.kind != "total"] or instrument.measures
    if not measures:
        return ""
    ranges = {(m.low, m.high) for m in measures}
    low, high = ranges.pop() if len(ranges) == 1 else (None, None)
    shown = [m for m in measures if m.result is not None]
    if instrument.higher_means:
        value_label = _("Mean score (higher means %(meaning)s)") % {
            "meaning": instrument.higher_means
        }
    else:
        value_label = _("Mean score")
    return _drawn(
        "scores",
        tuple((m.label, m.result.mean_before, m.result.mean_after) for m in shown),
        title=_("%(instrument)s: mean scores before and after") % {"instrument": instrument.title},
        value_label=value_label,
        empty_label=_("Too few pairs to show a figure."),
        low=low,
        high=high,
        language=get_language(),
    )


def _items_chart(instrument: selectors.InstrumentReport) -> str:
    if not instrument.items:
        return ""
    rows = []
    for item in instrument.items:
        if not item.shown:
            continue
        before, after = item.exact(item.before), item.exact(item.after)
        rows.append(
            (
                item.label,
                None if before is None else 100 * before,
                None if after is None else 100 * after,
            )
        )
    return _drawn(
        "shares",
        tuple(rows),
        title=_("%(instrument)s: share of people who agree, before and after")
        % {"instrument": instrument.title},
        value_label="",
        empty_label=_("Too few pairs to show a percentage (20 are needed)."),
        low=0,
        high=100,
        language=get_language(),
    )


@lru_cache(maxsize=64)
def _drawn(kind, rows, *, title, value_label, empty_label, low, high, language) -> str:
    """Drawing a chart takes matplotlib about 0.1 s, and the same figures (the report changes
    when a survey is submitted) give the same SVG: keep the last few per process. ``language``
    is part of the key because the numbers are written in it."""
    if kind == "shares":
        return charts.shares_chart(
            rows,
            title=title,
            before_label=_("Before"),
            after_label=_("After"),
            empty_label=empty_label,
            value_format=_percent,
        )
    return charts.before_after_chart(
        rows,
        title=title,
        value_label=value_label,
        before_label=_("Before"),
        after_label=_("After"),
        empty_label=empty_label,
        low=low,
        high=high,
        value_format=_one_decimal,
    )


@require_perm("surveys.view_report")
def impact(request):
    form, filters = _filters(request)
    report = None
    sections = []
    if filters is not None:
        report = selectors.impact_report(request.user, filters, language=get_language())
        audiences = dict(Audience.choices)
        for instrument in report.instruments:
            suppressed = instrument.suppressed
            sections.append(
                Section(
                    instrument=instrument,
                    audience_label=audiences[instrument.audience],
                    scores_chart="" if suppressed else _scores_chart(instrument),
                    items_chart="" if suppressed else _items_chart(instrument),
                )
            )
    context = {
        "form": form,
        "report": report,
        "sections": sections,
        "query": request.GET.urlencode(),
        "pairing_rule": selectors.PAIRING_RULE,
        "warning": selectors.WARNING_DESCRIPTIVE,
        "can_export_research": request.user.has_perm("surveys.research_export"),
    }
    return TemplateResponse(request, "surveys/report/impact.html", context)


def _csv_response(name: str) -> tuple[HttpResponse, object]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "no-store, private, max-age=0"
    response.write("\ufeff")  # so spreadsheet programs read the accents right
    return response, csv.writer(response)


def _cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: make them plain text. A
    number (a negative change) is left as it is."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@require_perm("surveys.view_report")
def impact_csv(request):
    _form, filters = _filters(request)
    if filters is None:
        raise Http404
    report = selectors.impact_report(request.user, filters, language=get_language())
    response, writer = _csv_response("survey-impact")
    writer.writerow(selectors.report_csv_header())
    for row in selectors.report_csv_rows(report):
        writer.writerow([_cell(value) for value in row])
    audit.record(
        "survey.report_exported", actor=request.user, target=request.user, data=filters.as_data()
    )
    return response


@require_perm("surveys.research_export")
def research_csv(request):
    _form, filters = _filters(request)
    if filters is None:
        raise Http404
    export = selectors.research_export(request.user, filters)
    response, writer = _csv_response("survey-research")
    writer.writerow(export.header)
    for row in export.rows:
        writer.writerow([_cell(value) for value in row])
    audit.record(
        "survey.research_exported",
        actor=request.user,
        target=request.user,
        data={"rows": len(export.rows), **filters.as_data()},
    )
    return response
