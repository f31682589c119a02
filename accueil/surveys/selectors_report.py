"""Reads for the impact report: before/after pairs of survey scores, their statistics, the
report's CSV and the de-identified research export.

**Pairing rule.** Each submitted *after* administration (phase ``post``) is paired with the
respondent's most recent submitted *before* administration (phase ``pre``) submitted before it:
the same household, or the same person for volunteers. An after-survey with no earlier
before-survey is not paired; administrations that were not submitted (sent, started, expired,
cancelled) are ignored. Within a pair, an instrument counts when both sittings include a scored
response to it (matched by slug, whatever the version), and each subscale and the total count
when both scores exist. A before-survey may serve two after-surveys (a household matched twice).

**Filters** apply to the after-survey of each pair: its program, its language, its respondent's
region (the household's, or the volunteer's ``Volunteer.region``) and its cohort, the quarter in
which its match started. Staff see only what ``Administration.objects.visible_to`` lets them:
a coordinator, their programs; managers and admins, everything.

**Queries.** Three, whatever the number of pairs: the instruments (a few rows); the
after-surveys, each with the id of its before-survey found by a correlated subquery; and, from
the responses of both, only the numbers the report shows (totals, subscales, report items, read
out of the JSON by the database). Pairs become numpy arrays; no Python loop runs per response.

**Small numbers** (docs: PRODUCT.md, Reports): fewer than 5 pairs show as "<5" with no figure;
from 5 to 9 pairs only the means and the change are shown, with a warning that they describe
this group only; tests, intervals and effect sizes from 10 pairs. Percentages of survey results
need 20 pairs. Counts of 1 to 4 (improved, unchanged, worse; people agreeing with an item)
show as "<5" and the complementary cell is hidden so the small count cannot be recovered by
subtraction.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit

from . import stats
from .definitions import Instrument as Spec
from .definitions import pick
from .models import (
    DEFAULT_PLAN,
    Administration,
    AdminStatus,
    Audience,
    Instrument,
    Phase,
    Response,
)

audit.register(
    {
        "survey.report_exported": gettext_lazy("{actor} downloaded the survey impact report"),
        "survey.research_exported": gettext_lazy(
            "{actor} exported de-identified survey answers for research ({rows} rows)"
        ),
    }
)

# Fewer pairs than this: "<5" and no figure at all.
MIN_SHOWN = 5
# Fewer pairs than this: means and change only, no test.
MIN_INFERENTIAL = stats.MIN_INFERENTIAL
# Survey results are shown as percentages only over this many people.
MIN_PERCENT = 20

# Which way is better. The instrument definitions say it in words for people
# (``higher_means``: "more loneliness"), not as a field a program can read, and reading the
# words is no rule; until the definition carries the direction, the report keeps the scales on
# which a higher score is worse here. Every other scale: higher is better.
AUDIENCES = (Audience.HOUSEHOLD, Audience.VOLUNTEER)

WARNING_DESCRIPTIVE = gettext_lazy(
    "Fewer than 10 pairs: these figures describe this group only; they cannot show whether "
    "the program made a difference."
)
PAIRING_RULE = gettext_lazy(
    "Each completed after-survey is paired with the same household's or volunteer's most recent "
    "before-survey completed earlier; after-surveys without one are left out."
)


def higher_is_better(spec) -> bool:
    """The instrument says which way is better (``scoring.better``; UCLA-3: lower)."""
    return spec.better != "lower"


# -- quarters -------------------------------------------------------------------------------


def quarter_of(day: date | None) -> str:
    """The quarter of ``day`` as "2027-Q1" (January to March 2027); "" for no day."""
    if day is None:
        return ""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_label(value: str) -> str:
    year, quarter = value.split("-Q")
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


def quarter_bounds(value: str) -> tuple[date, date]:
    year, quarter = (int(part) for part in value.split("-Q"))
    first_month = 3 * (quarter - 1) + 1
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return date(year, first_month, 1), date.fromordinal(end.toordinal() - 1)


def cohort_choices(user) -> list[tuple[str, str]]:
    """The quarters in which matches with a completed after-survey started, newest first."""
    months = (
        _submitted(user)
        .filter(phase=Phase.POST, match__started_on__isnull=False)
        .dates("match__started_on", "month", order="DESC")
    )
    quarters = list(dict.fromkeys(quarter_of(month) for month in months))
    return [(value, quarter_label(value)) for value in quarters]


# -- filters and fetching -------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    program_id: int | None = None
    region_id: int | None = None
    cohort: str = ""  # "2027-Q1"
    language: str = ""
    audience: str = ""  # "", "household" or "volunteer"

    def as_data(self) -> dict:
        """For the audit entry: ids and codes only."""
        return {key: value for key, value in self.__dict__.items() if value not in (None, "")}


def _submitted(user) -> QuerySet[Administration]:
    return Administration.objects.visible_to(user).filter(
        status=AdminStatus.SUBMITTED, submitted_at__isnull=False
    )


def _narrowed(rows: QuerySet[Administration], filters: Filters, *, cohort=True):
    if filters.program_id:
        rows = rows.filter(program_id=filters.program_id)
    if filters.language:
        rows = rows.filter(language=filters.language)
    if filters.audience == Audience.HOUSEHOLD:
        rows = rows.filter(household__isnull=False)
    elif filters.audience == Audience.VOLUNTEER:
        rows = rows.filter(person__isnull=False)
    if filters.region_id:
        rows = rows.filter(
            Q(household__region_id=filters.region_id)
            | Q(person__volunteer__region_id=filters.region_id)
        )
    if cohort and filters.cohort:
        rows = rows.filter(match__started_on__range=quarter_bounds(filters.cohort))
    return rows


class JsonNumber(Func):
    """The number at ``keys`` inside a JSON column, or NULL: ``JSON_EXTRACT`` on SQLite,
    ``#>>`` on PostgreSQL. Django's own key transforms read a key such as "3" as an array
    index, and on SQLite parse each document three times per key."""

    output_field = FloatField()

    def __init__(self, column: str, *keys: str):
        super().__init__(F(column))
        self.keys = keys

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.get_source_expressions()[0])
        path = "$" + "".join(f'."{key}"' for key in self.keys)
        return f"JSON_EXTRACT({column}, %s)", (*params, path)

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"(({column} #>> %s)::double precision)", (*params, list(self.keys))


# Parsed definitions by content hash: the same file parses once per process.
_SPECS: dict[str, object] = {}


def _spec(sha256: str, definition: str):
    spec = _SPECS.get(sha256)
    if spec is None:
        spec = _SPECS[sha256] = Spec.from_dict(json.loads(definition))
    return spec


@dataclass(frozen=True)
class Column:
    """One number read from each response of one instrument: its total, a subscale, or the
    answer to a report item."""

    slug: str
    kind: str  # "total", "subscale" or "item"
    key: str
    path: tuple[str, ...]


@dataclass
class Instruments:
    ids: dict[str, list[int]]  # slug -> the pks of all its versions
    specs: dict[str, object]  # slug -> the definition that names its figures
    columns: dict[str, list[Column]]  # slug -> what the report reads of its responses


def _instruments() -> Instruments:
    """Every stored instrument (a few rows), the definition that names each slug's figures (the
    current version, else the newest) and the numbers the report reads from its scores."""
    ids: dict[str, list[int]] = defaultdict(list)
    chosen: dict[str, tuple] = {}
    # The definition as text, decoded only the first time this process meets it.
    rows = Instrument.objects.order_by().values_list(
        "pk", "slug", "is_current", "loaded_at", "sha256", Cast("definition", TextField())
    )
    for pk, slug, is_current, loaded_at, sha256, definition in rows:
        ids[slug].append(pk)
        held = chosen.get(slug)
        if held is None or (is_current, loaded_at) > held[:2]:
            chosen[slug] = (is_current, loaded_at, sha256, definition)
    specs = {slug: _spec(found[2], found[3]) for slug, found in chosen.items()}
    columns = {}
    for slug, spec in specs.items():
        found = []
        if spec.total is not None:
            found.append(Column(slug, "total", "total", ("total",)))
        for subscale in spec.subscales:
            found.append(Column(slug, "subscale", subscale.key, ("subscales", subscale.key)))
        for item in spec.report_items:
            found.append(Column(slug, "item", str(item.number), ("items", str(item.number))))
        if found:
            columns[slug] = found
    return Instruments(ids=dict(ids), specs=specs, columns=columns)


def _latest_pre(user):
    """For an after-survey (as the outer query): the pk of the same respondent's most recent
    before-survey submitted earlier, or NULL."""
    earlier = _submitted(user).filter(phase=Phase.PRE, submitted_at__lt=OuterRef("submitted_at"))

    def latest(found):
        return Subquery(found.order_by("-submitted_at", "-pk").values("pk")[:1])

    return Coalesce(
        latest(earlier.filter(household_id=OuterRef("household_id"))),
        latest(earlier.filter(person_id=OuterRef("person_id"))),
    )


def _posts(user, filters: Filters) -> QuerySet[Administration]:
    return _narrowed(_submitted(user).filter(phase=Phase.POST), filters).annotate(
        pre_pk=_latest_pre(user)
    )


def _raw_rows(rows: QuerySet) -> list[tuple]:
    """The rows of ``rows`` straight from the database cursor. With 10,000 pairs the report
    reads some 60,000 rows of a dozen numbers, and Django's per-value converters (a float()
    of what already is a float) took longer than the query."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class Pairs:
    """The pairs of one report: ``values[(audience, slug)]`` holds two arrays, before and after,
    one row per pair and one column per ``instruments.columns[slug]`` (NaN: no score)."""

    count: int
    unpaired: int
    instruments: Instruments
    values: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]
    by_audience: dict[str, int] = field(default_factory=dict)


def _one_of(ids: list[int], using: str) -> RawSQL:
    """``ids`` as one parameter for an ``__in`` lookup: 20,000 ids would pass SQLite's and
    PostgreSQL's limits on parameters, and the same pairing repeated as a subquery cost three
    times as much as the rest of the query."""
    if connections[using].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


def _found(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``wanted`` is in the sorted ``keys``, and whether it is there at all."""
    at = np.searchsorted(keys, wanted)
    inside = at < len(keys)
    found = np.zeros(len(wanted), dtype=bool)
    found[inside] = keys[at[inside]] == wanted[inside]
    return at, found


def paired_scores(user, filters: Filters) -> Pairs:
    """Pair every after-survey the filters select with its before-survey (in SQL), then read
    the numbers the report needs from both surveys' responses: three queries whatever the
    number of pairs, and numpy rather than a Python loop per response."""
    instruments = _instruments()
    posts = _posts(user, filters)
    # In the order they were submitted, so that sums (to their last digit) are the same on
    # every run.
    post_rows = list(
        posts.order_by("submitted_at", "pk").values_list("pk", "household_id", "pre_pk")
    )
    paired = [row for row in post_rows if row[2] is not None]

    # Column 2 + k holds the k-th number of whichever instrument the response is for (its
    # total, a subscale, an item), read only from the responses of that instrument.
    width = max((len(found) for found in instruments.columns.values()), default=0)
    expressions = {
        f"n{k}": Case(
            *[
                When(
                    instrument_id__in=instruments.ids[slug],
                    then=JsonNumber("scores", *found[k].path),
                )
                for slug, found in instruments.columns.items()
                if k < len(found)
            ],
            default=None,
            output_field=FloatField(),
        )
        for k in range(width)
    }
    start = 2 + width
    wanted = [pk for pk, _household, _pre in paired] + [pre for _pk, _household, pre in paired]
    responses = (
        Response.objects.filter(
            administration_id__in=_one_of(wanted, Response.objects.db),
            scores__isnull=False,
            instrument_id__in=[pk for slug in instruments.columns for pk in instruments.ids[slug]],
        )
        .order_by()
        .annotate(**expressions)
        .values_list("administration_id", "instrument_id", *expressions)
    )
    table = np.array(_raw_rows(responses), dtype=float).reshape(-1, start)  # None: NaN

    post_ids = np.array([pk for pk, _household, _pre in paired], dtype=np.int64)
    pre_ids = np.array([pre for _pk, _household, pre in paired], dtype=np.int64)
    household = np.array([h is not None for _pk, h, _pre in paired], dtype=bool)
    administration = table[:, 0].astype(np.int64)
    instrument = table[:, 1].astype(np.int64)
    values = {}
    for slug, found in instruments.columns.items():
        mine = np.isin(instrument, instruments.ids[slug])
        if not mine.any():
            continue
        order = np.argsort(administration[mine], kind="stable")
        keys = administration[mine][order]
        numbers = table[mine][order][:, 2 : 2 + len(found)]
        before_at, has_before = _found(keys, pre_ids)
        after_at, has_after = _found(keys, post_ids)
        for audience, theirs in ((Audience.HOUSEHOLD, household), (Audience.VOLUNTEER, ~household)):
            kept = has_before & has_after & theirs
            if kept.any():
                values[(audience, slug)] = (numbers[before_at[kept]], numbers[after_at[kept]])
    households = int(household.sum())
    return Pairs(
        count=len(paired),
        unpaired=len(post_rows) - len(paired),
        instruments=instruments,
        values=values,
        by_audience={
            Audience.HOUSEHOLD: households,
            Audience.VOLUNTEER: len(paired) - households,
        },
    )


# -- small-number display -------------------------------------------------------------------


def count_text(n: int) -> str:
    return "<5" if 0 < n < MIN_SHOWN else formats.number_format(n)


def _number(value: float | None, places: int) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    value = round(value, places) or 0.0  # never "−0.0"
    text = formats.number_format(value, places)
    return text.replace("-", "−") if text.startswith("-") else text


def _signed(value: float | None, places: int) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    text = _number(value, places)
    return text if text.startswith("−") or round(value, places) == 0 else "+" + text


def p_text(p: float | None) -> str:
    if p is None:
        return "—"
    if p < 0.001:
        return "<" + formats.number_format(0.001, 3)
    return formats.number_format(round(p, 3), 3)


def percent_text(value: float) -> str:
    return _("%(percent)s%%") % {"percent": formats.number_format(round(100 * value))}


def suppress(counts: dict[str, int]) -> dict[str, str | None]:
    """Counts of cells that add up to a shown total, with 1 to 4 hidden as "<5"; when only one
    cell is hidden, the smallest other non-zero cell is hidden too (None), so that the small one
    cannot be worked out by subtraction."""
    small = [key for key, count in counts.items() if 0 < count < MIN_SHOWN]
    hidden = set(small)
    if len(small) == 1:
        others = [key for key, count in counts.items() if key not in hidden and count > 0]
        if others:
            hidden.add(min(others, key=lambda key: (counts[key], key)))
    return {
        key: ("<5" if key in small else None if key in hidden else formats.number_format(count))
        for key, count in counts.items()
    }


@dataclass(frozen=True)
class Cell:
    label: str
    count: str | None  # None: hidden to protect a small cell
    percent: str = ""


# -- the report -----------------------------------------------------------------------------


@dataclass
class Measure:
    key: str  # a subscale key, or "total"
    label: str
    n: int
    result: stats.Paired | None  # None when there are fewer than MIN_SHOWN pairs
    low: float | None = None
    high: float | None = None
    kind: str = "subscale"  # or "total"

    @property
    def n_text(self) -> str:
        return count_text(self.n)

    @property
    def suppressed(self) -> bool:
        return self.result is None

    @property
    def descriptive_only(self) -> bool:
        return self.result is not None and self.result.descriptive_only

    @property
    def inferential(self) -> bool:
        return self.result is not None and not self.result.descriptive_only

    def figure(self, name: str, places: int = 1) -> str:
        if self.result is None:
            return ""
        return _number(getattr(self.result, name), places)

    @property
    def before_text(self) -> str:
        return self.figure("mean_before")

    @property
    def after_text(self) -> str:
        return self.figure("mean_after")

    @property
    def change_text(self) -> str:
        return "" if self.result is None else _signed(self.result.mean_change, 1)

    @property
    def ci_text(self) -> str:
        if not self.inferential or self.result.ci_low is None:
            return ""
        return _("%(low)s to %(high)s") % {
            "low": _signed(self.result.ci_low, 1),
            "high": _signed(self.result.ci_high, 1),
        }

    @property
    def p_t_text(self) -> str:
        return p_text(self.result.p_t) if self.inferential else ""

    @property
    def p_wilcoxon_text(self) -> str:
        return p_text(self.result.p_wilcoxon) if self.inferential else ""

    @property
    def dz_text(self) -> str:
        return self.figure("dz", 2) if self.inferential else ""

    @property
    def rank_biserial_text(self) -> str:
        return self.figure("rank_biserial", 2) if self.inferential else ""

    @cached_property
    def directions(self) -> list[Cell]:
        """Improved, unchanged, worse: counts from 10 pairs (small ones hidden), with their
        percentage from 20."""
        if not self.inferential:
            return []
        result = self.result
        counts = {"improved": result.improved, "unchanged": result.unchanged, "worse": result.worse}
        shown = suppress(counts)
        labels = {"improved": _("Improved"), "unchanged": _("Unchanged"), "worse": _("Worsened")}
        cells = []
        for key, count in counts.items():
            percent = ""
            if self.n >= MIN_PERCENT and shown[key] not in (None, "<5"):
                percent = percent_text(count / self.n)
            cells.append(Cell(labels[key], shown[key], percent))
        return cells


@dataclass
class ItemShare:
    """A single program item ("I feel socially isolated"): how many agreed, before and after,
    among the people who answered it both times."""

    number: int
    label: str
    favourable: str  # "higher" or "lower": which way the share should move
    n: int
    before: stats.Share
    after: stats.Share

    @property
    def n_text(self) -> str:
        return count_text(self.n)

    @property
    def shown(self) -> bool:
        return self.n >= MIN_PERCENT

    @staticmethod
    def _share(share: stats.Share) -> str:
        """The percentage; a count of 1 to 4 on either side of it (agreeing, or not agreeing)
        shows as a bound, so that it cannot be worked out from the percentage."""
        n, count = share.n, share.count
        bound = math.ceil(100 * MIN_SHOWN / n)
        if 0 < count < MIN_SHOWN:
            return _("under %(percent)s%%") % {"percent": bound}
        if 0 < n - count < MIN_SHOWN:
            return _("over %(percent)s%%") % {"percent": 100 - bound}
        return percent_text(share.proportion)

    def exact(self, share: stats.Share) -> float | None:
        """The proportion, when it may be shown exactly (for charts and the CSV)."""
        if not self.shown or 0 < share.count < MIN_SHOWN or 0 < share.n - share.count < MIN_SHOWN:
            return None
        return share.proportion

    @property
    def before_text(self) -> str:
        return self._share(self.before) if self.shown else ""

    @property
    def after_text(self) -> str:
        return self._share(self.after) if self.shown else ""


@dataclass
class InstrumentReport:
    audience: str
    slug: str
    title: str
    higher_is_better: bool
    higher_means: str
    n: int
    measures: list[Measure] = field(default_factory=list)
    items: list[ItemShare] = field(default_factory=list)

    @property
    def n_text(self) -> str:
        return count_text(self.n)

    @property
    def suppressed(self) -> bool:
        return 0 < self.n < MIN_SHOWN

    @property
    def descriptive_only(self) -> bool:
        return any(measure.descriptive_only for measure in self.measures)

    @property
    def anchor(self) -> str:
        return f"{self.audience}-{self.slug}"


@dataclass
class ImpactReport:
    filters: Filters
    instruments: list[InstrumentReport]
    pairs: int
    unpaired: int
    by_audience: dict[str, int] = field(default_factory=dict)

    @property
    def pairs_text(self) -> str:
        """The total, unless one audience has 1 to 4 pairs (shown as "<5" in its sections)
        and the other enough to be shown: the total minus the other would give it away."""
        counts = self.by_audience.values()
        small = [n for n in counts if 0 < n < MIN_SHOWN]
        if len(small) == 1 and any(n >= MIN_SHOWN for n in counts):
            return _("not shown, so that a group of fewer than 5 cannot be worked out")
        return count_text(self.pairs)

    @property
    def unpaired_text(self) -> str:
        return count_text(self.unpaired)


def _range(spec, numbers: Iterable[int]) -> tuple[float, float]:
    scales = [spec.scale_of(number) for number in numbers]
    return (sum(scale.lowest for scale in scales), sum(scale.highest for scale in scales))


def _both(before: np.ndarray, after: np.ndarray, column: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs with a number on both sides in ``column``."""
    b, a = before[:, column], after[:, column]
    kept = np.isfinite(b) & np.isfinite(a)
    return b[kept], a[kept]


def _instrument_report(audience, spec, columns, before, after, language) -> InstrumentReport:
    direction = higher_is_better(spec)
    report = InstrumentReport(
        audience=audience,
        slug=spec.slug,
        title=spec.title_for(language),
        higher_is_better=direction,
        higher_means=pick(spec.higher_means, language) if spec.higher_means else "",
        n=len(before),
    )
    if report.suppressed:
        return report
    subscales = {subscale.key: subscale for subscale in spec.subscales}
    items = {str(item.number): item for item in spec.report_items}
    for k, column in enumerate(columns):
        b, a = _both(before, after, k)
        if column.kind == "item":
            item = items[column.key]
            shares = stats.paired_shares(b.astype(int), a.astype(int), item.share_of)
            report.items.append(
                ItemShare(
                    number=item.number,
                    label=item.label_for(language),
                    favourable=item.favourable,
                    n=len(b),
                    before=shares[0],
                    after=shares[1],
                )
            )
            continue
        if column.kind == "total":
            label, (low, high) = _("Total score"), spec.total.range
        else:
            subscale = subscales[column.key]
            label, (low, high) = subscale.label_for(language), _range(spec, subscale.items)
        result = None
        if len(b) >= MIN_SHOWN:
            result = stats.paired(b, a, min_inferential=MIN_INFERENTIAL, higher_is_better=direction)
        report.measures.append(
            Measure(
                key=column.key,
                label=label,
                n=len(b),
                result=result,
                low=low,
                high=high,
                kind=column.kind,
            )
        )
    return report


def _plan_order(entry) -> tuple:
    """Households first, then volunteers; each in the order the default plan asks them."""
    (audience, slug), _values = entry
    plan = DEFAULT_PLAN[f"{audience}_post"]
    return (AUDIENCES.index(audience), plan.index(slug) if slug in plan else len(plan), slug)


def impact_report(user, filters: Filters, *, language: str | None = None) -> ImpactReport:
    language = language or settings.LANGUAGE_CODE
    pairs = paired_scores(user, filters)
    instruments = pairs.instruments
    reports = [
        _instrument_report(
            audience, instruments.specs[slug], instruments.columns[slug], before, after, language
        )
        for (audience, slug), (before, after) in sorted(pairs.values.items(), key=_plan_order)
    ]
    return ImpactReport(
        filters=filters,
        instruments=reports,
        pairs=pairs.count,
        unpaired=pairs.unpaired,
        by_audience=pairs.by_audience,
    )


# -- the report as CSV ----------------------------------------------------------------------


def _raw(value: float | None, places: int = 4) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{round(value, places):.{places}f}".rstrip("0").rstrip(".")


def report_csv_header() -> list[str]:
    return [
        _("Respondents"),
        _("Instrument"),
        _("Measure"),
        _("Higher is better"),
        _("Pairs"),
        _("Mean before"),
        _("Mean after"),
        _("Mean change"),
        _("95% CI low"),
        _("95% CI high"),
        _("p (paired t)"),
        _("p (Wilcoxon)"),
        _("Cohen's dz"),
        _("Rank-biserial"),
        _("Improved"),
        _("Unchanged"),
        _("Worsened"),
        _("Share before (%)"),
        _("Share after (%)"),
    ]


def report_csv_rows(report: ImpactReport) -> Iterator[list[str]]:
    """One row per instrument and measure (total, subscales) and per program item, with the
    page's suppression: "<5" for small counts, empty where a figure may not be shown."""
    audiences = dict(Audience.choices)
    for instrument in report.instruments:
        first = [str(audiences[instrument.audience]), instrument.slug]
        direction = _("yes") if instrument.higher_is_better else _("no")
        if instrument.suppressed:
            yield [*first, _("All measures"), direction, "<5"] + [""] * 14
            continue
        for measure in instrument.measures:
            row = [*first, measure.label, direction, measure.n_text]
            result = measure.result
            if result is None:
                yield row + [""] * 14
                continue
            row += [_raw(result.mean_before), _raw(result.mean_after), _raw(result.mean_change)]
            if measure.inferential:
                row += [
                    _raw(result.ci_low),
                    _raw(result.ci_high),
                    _raw(result.p_t, 6),
                    _raw(result.p_wilcoxon, 6),
                    _raw(result.dz),
                    _raw(result.rank_biserial),
                ]
                row += [cell.count if cell.count is not None else "" for cell in measure.directions]
            else:
                row += [""] * 9
            yield [*row, "", ""]
        for item in instrument.items:
            row = [*first, item.label, _("yes") if item.favourable == "higher" else _("no")]
            row += [item.n_text] + [""] * 12
            before, after = item.exact(item.before), item.exact(item.after)
            row += [item.before_text if before is None else _raw(100 * before, 1)]
            row += [item.after_text if after is None else _raw(100 * after, 1)]
            yield row


# -- the research export --------------------------------------------------------------------


def pseudonym(audience: str, pk: int) -> str:
    """A stable code per respondent that cannot be turned back into a database id without the
    site's secret key (a keyed hash; a new SECRET_KEY gives new codes)."""
    digest = salted_hmac(
        "accueil.surveys.research", f"{audience}:{pk}", algorithm="sha256"
    ).hexdigest()
    return "R" + digest[:15]


def _consenting(rows: QuerySet[Administration]) -> QuerySet[Administration]:
    """Households with a research consent in force now; volunteers who said yes when they
    answered."""
    from accueil.newcomers.models import Consent, ConsentPurpose

    in_force = Consent.objects.filter(
        household_id=OuterRef("household_id"),
        purpose=ConsentPurpose.RESEARCH,
        given=True,
        withdrawn_at__isnull=True,
        obtained_at__lte=timezone.now(),
    )
    return rows.alias(household_consents=Exists(in_force)).filter(
        Q(household__isnull=False, household_consents=True)
        | Q(person__isnull=False, research_consent=True)
    )


@dataclass
class ResearchExport:
    header: list[str]
    rows: list[list[str]]


def research_export(user, filters: Filters) -> ResearchExport:
    """One row per administration and instrument, for consenting respondents only: a
    pseudonym, audience, phase, language, how it was collected, the quarter the match started
    (a before-survey takes the quarter of the match whose after-survey it pairs with), the
    instrument and its item answers. No name, no id, no date, no free text."""
    chosen = _consenting(_narrowed(_submitted(user), filters, cohort=False)).annotate(
        pre_pk=Case(When(phase=Phase.POST, then=_latest_pre(user)), default=None)
    )
    rows = list(
        chosen.order_by("submitted_at", "pk").values_list(
            "pk",
            "household_id",
            "person_id",
            "phase",
            "language",
            "mode",
            "match__started_on",
            "pre_pk",
        )
    )
    quarter = {row[0]: quarter_of(row[6]) for row in rows}
    for row in rows:
        pre_pk = row[7]
        if pre_pk in quarter and not quarter[pre_pk]:
            quarter[pre_pk] = quarter[row[0]]
    if filters.cohort:
        rows = [row for row in rows if quarter[row[0]] == filters.cohort]

    answers: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    responses = (
        Response.objects.filter(administration__in=chosen.values("pk"), scores__isnull=False)
        .order_by("administration_id", "position")
        .values_list("administration_id", "instrument_id", "scores")
    )
    for administration_id, instrument_id, scores in responses:
        items = scores.get("items") if isinstance(scores, dict) else None
        answers[administration_id].append((instrument_id, items or {}))
    used = {instrument_id for found in answers.values() for instrument_id, _items in found}
    instruments = {i.pk: i for i in Instrument.objects.filter(pk__in=used)}
    width = max((len(i.spec.items) for i in instruments.values()), default=0)
    header = [
        "respondent",
        "audience",
        "phase",
        "language",
        "mode",
        "match_start_quarter",
        "instrument",
        "instrument_version",
    ] + [f"item_{k}" for k in range(1, width + 1)]
    out = []
    for pk, household_id, person_id, phase, language, mode, _started, _pre in rows:
        audience = Audience.HOUSEHOLD if household_id is not None else Audience.VOLUNTEER
        code = pseudonym(audience, household_id if household_id is not None else person_id)
        for instrument_id, items in answers.get(pk, []):
            instrument = instruments[instrument_id]
            values = [items.get(str(k)) for k in range(1, width + 1)]
            out.append(
                [
                    code,
                    str(audience),
                    phase,
                    language,
                    mode,
                    quarter[pk],
                    instrument.slug,
                    instrument.version,
                ]
                + ["" if value is None else str(value) for value in values]
            )
    return ResearchExport(header=header, rows=out)
