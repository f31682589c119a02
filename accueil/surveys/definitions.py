"""Survey instruments as data: the file format, its validation, and the objects built from it.

Pure Python and PyYAML, no Django: the web app, the ``score_survey`` command, the impact report
and the XLSForm importer all read instruments through this module. The database keeps each
version of an instrument as ``Instrument.to_dict()`` (a JSON-serialisable dict) and rebuilds it
with ``Instrument.from_dict()``; ``Instrument.sha256`` tells two versions apart.

The file format (``accueil/surveys/instruments/<slug>.yaml``, one instrument per file)::

    slug: sps-24                  # must equal the file name without .yaml
    version: "1"                  # bump it whenever anything below changes
    audience: household           # household | volunteer | any
    title: {en: ..., fr: ...}     # a text: {language code: wording}
    description: {en: ..., fr: ...}   # one sentence shown before the first question
    languages: [en, fr, ar]       # languages whose wording is complete (en and fr always)
    needs_review: [ar]            # drafted without a native speaker; shown as such to staff
    scales:
      agree4:
        choices:                  # in display order
          - {value: 1, label: {en: Strongly disagree, fr: ...}}
    items:                        # numbered 1..N in display order
      - number: 1
        key: "1"                  # short id (letters, digits, _ and -), unique; XLSForm name
        scale: agree4             # a choice item; or `kind: text` / `kind: integer` (unscored)
        reverse: false            # reverse-keyed: scored (lowest + highest value) - answer
        required: false           # the form refuses to go on without an answer
        text: {en: ..., fr: ...}
    scoring:                      # optional
      subscales:                  # optional, in the order they are reported
        - key: attachment
          label: {en: Attachment, fr: Attachement}
          items: [2, 11, 17, 21]
          min_answered: 3         # fewer answers: not scored (default: all items)
      total:                      # optional
        from: subscales           # sum of the subscales, scored only when all of them are
        range: [24, 96]           # checked against the scales
      # or:  total: {from: items, min_answered: 8, range: [10, 40]}
      higher_means: {en: more social support, fr: ...}
      better: higher              # higher (default) | lower: which way a change is an improvement
    report:                       # how the impact report shows single items (optional)
      items:
        - number: 3
          share_of: [3, 4]        # answers counted as "agreeing"
          label: {en: feel socially isolated, fr: ...}
          favourable: lower       # lower | higher (default): which way is better
    source: {instrument: sps-24, items: [1, 5, 8]}   # optional: a short form's parent items

Wording shown to respondents (title, description, item texts, choice labels) must exist in
every language listed in ``languages``; labels only staff read (subscales, report items,
``higher_means``) need English and French. Every text needs English and French. Unknown keys
are refused, so a misspelt ``revers: true`` cannot be silently ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"

# The languages newcomer-facing instruments are written in (core.i18n.NEWCOMER_LANGUAGES, which
# a test keeps equal: this module may not import Django to read it).
NEWCOMER_LANGUAGES = ("en", "fr", "ar", "es", "fa", "prs", "ti")
REQUIRED_LANGUAGES = ("en", "fr")
AUDIENCES = ("household", "volunteer", "any")
KINDS = ("choice", "text", "integer")
TOTAL_SOURCES = ("subscales", "items")
FAVOURABLE = ("higher", "lower")

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Text = dict[str, str]


class DefinitionError(ValueError):
    """An instrument file or dict that cannot be used; the message names where and why."""


class UnknownInstrument(LookupError):
    pass


def pick(text: Mapping[str, str], language: str | None) -> str:
    """The wording in ``language`` ("fr-ca" falls back to "fr"), else English, else any."""
    if language:
        code = language.lower().replace("_", "-")
        for candidate in (code, code.split("-")[0]):
            if candidate in text:
                return text[candidate]
    if "en" in text:
        return text["en"]
    return next(iter(text.values()), "")


@dataclass(frozen=True)
class Choice:
    value: int
    label: Text


@dataclass(frozen=True)
class Scale:
    key: str
    choices: tuple[Choice, ...]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(choice.value for choice in self.choices)

    @property
    def lowest(self) -> int:
        return min(self.values)

    @property
    def highest(self) -> int:
        return max(self.values)

    def label(self, value: int, language: str | None = None) -> str:
        for choice in self.choices:
            if choice.value == value:
                return pick(choice.label, language)
        raise KeyError(f"{value} is not a value of scale {self.key!r}")

    def describe_values(self) -> str:
        """A run of whole numbers as "1-4", other values listed: "0, 5, 10"."""
        values = sorted(self.values)
        if values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
            return f"{values[0]}-{values[-1]}"
        return ", ".join(str(value) for value in values)


@dataclass(frozen=True)
class Item:
    number: int
    key: str
    kind: str  # "choice" | "text" | "integer"
    scale: str | None
    reverse: bool
    text: Text
    required: bool = False

    def text_for(self, language: str | None) -> str:
        return pick(self.text, language)

    @property
    def is_scored(self) -> bool:
        return self.kind == "choice"


@dataclass(frozen=True)
class Subscale:
    key: str
    label: Text
    items: tuple[int, ...]
    min_answered: int

    def label_for(self, language: str | None) -> str:
        return pick(self.label, language)


@dataclass(frozen=True)
class Total:
    source: str  # "subscales" | "items"
    min_answered: int | None  # items only; from subscales every subscale must be scored
    range: tuple[int, int]


@dataclass(frozen=True)
class ReportItem:
    number: int
    share_of: tuple[int, ...]
    label: Text
    favourable: str = "higher"

    def label_for(self, language: str | None) -> str:
        return pick(self.label, language)


@dataclass(frozen=True)
class Source:
    """A short form's parent: ``items[k - 1]`` is the parent's number for this form's item k."""

    instrument: str
    items: tuple[int, ...]


@dataclass(frozen=True)
class Instrument:
    slug: str
    version: str
    audience: str
    title: Text
    description: Text
    languages: tuple[str, ...]
    needs_review: tuple[str, ...]
    scales: dict[str, Scale]
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...] = ()
    total: Total | None = None
    higher_means: Text = field(default_factory=dict)
    better: str = "higher"
    report_items: tuple[ReportItem, ...] = ()
    source: Source | None = None

    def item(self, number: int) -> Item | None:
        """The item numbered ``number``, or None (a form may post any number)."""
        for item in self.items:
            if item.number == number:
                return item
        return None

    def scale_of(self, item: Item | int) -> Scale | None:
        """The item's scale; None for free-text and number items."""
        if not isinstance(item, Item):
            found = self.item(item)
            if found is None:
                raise KeyError(f"{self.slug} has no item {item!r}")
            item = found
        return self.scales[item.scale] if item.scale else None

    def title_for(self, language: str | None) -> str:
        return pick(self.title, language)

    def description_for(self, language: str | None) -> str:
        return pick(self.description, language)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """The items answered on a scale, in display order (free text and numbers are not)."""
        return tuple(item for item in self.items if item.is_scored)

    @cached_property
    def sha256(self) -> str:
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        """The definition in the file format, every default spelt out, ready for JSON."""
        data: dict = {
            "slug": self.slug,
            "version": self.version,
            "audience": self.audience,
            "title": dict(self.title),
            "description": dict(self.description),
            "languages": list(self.languages),
            "needs_review": list(self.needs_review),
            "scales": {
                key: {
                    "choices": [
                        {"value": choice.value, "label": dict(choice.label)}
                        for choice in scale.choices
                    ]
                }
                for key, scale in self.scales.items()
            },
            "items": [
                {
                    "number": item.number,
                    "key": item.key,
                    "kind": item.kind,
                    "scale": item.scale,
                    "reverse": item.reverse,
                    "required": item.required,
                    "text": dict(item.text),
                }
                for item in self.items
            ],
        }
        scoring: dict = {}
        if self.subscales:
            scoring["subscales"] = [
                {
                    "key": subscale.key,
                    "label": dict(subscale.label),
                    "items": list(subscale.items),
                    "min_answered": subscale.min_answered,
                }
                for subscale in self.subscales
            ]
        if self.total is not None:
            total: dict = {"from": self.total.source, "range": list(self.total.range)}
            if self.total.min_answered is not None:
                total["min_answered"] = self.total.min_answered
            scoring["total"] = total
        if self.higher_means:
            scoring["higher_means"] = dict(self.higher_means)
        if self.better != "higher":
            scoring["better"] = self.better
        if scoring:
            data["scoring"] = scoring
        if self.report_items:
            data["report"] = {
                "items": [
                    {
                        "number": report_item.number,
                        "share_of": list(report_item.share_of),
                        "label": dict(report_item.label),
                        "favourable": report_item.favourable,
                    }
                    for report_item in self.report_items
                ]
            }
        if self.source is not None:
            data["source"] = {
                "instrument": self.source.instrument,
                "items": list(self.source.items),
            }
        return data

    @classmethod
    def from_dict(cls, data: Mapping, *, origin: str = "instrument") -> Instrument:
        """Build and validate; ``origin`` (a file name) starts every error message."""
        return _Parser(origin).instrument(data)


def load_file(path: str | Path) -> Instrument:
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{path}: cannot be read ({error})") from error
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path}: is not valid YAML ({error})") from error
    instrument = Instrument.from_dict(data, origin=str(path))
    if instrument.slug != path.stem:
        raise DefinitionError(
            f"{path}: slug {instrument.slug!r} does not match the file name {path.name!r}"
        )
    return instrument


@lru_cache(maxsize=1)
def _shipped() -> tuple[Instrument, ...]:
    return tuple(load_file(path) for path in sorted(INSTRUMENTS_DIR.glob("*.yaml")))


def shipped() -> list[Instrument]:
    """Every instrument file in ``instruments/``, sorted by slug (read once per process)."""
    return sorted(_shipped(), key=lambda instrument: instrument.slug)


def shipped_by_slug(slug: str) -> Instrument:
    for instrument in _shipped():
        if instrument.slug == slug:
            return instrument
    known = ", ".join(instrument.slug for instrument in shipped())
    raise UnknownInstrument(f"no shipped instrument {slug!r} (known: {known})")


class _Parser:
    """Turns the loosely typed YAML/JSON structure into the dataclasses, or says what is wrong."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, where: str, problem: str) -> DefinitionError:
        prefix = f"{self.origin}: {where}" if where else self.origin
        return DefinitionError(f"{prefix}: {problem}")

    # Small typed readers ---------------------------------------------------------------------

    def mapping(self, value, where: str, *, allowed: set[str], required: set[str]) -> Mapping:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, found {type(value).__name__}")
        unknown = sorted(str(key) for key in value if key not in allowed)
        if unknown:
            raise self.fail(
                where,
                f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})",
            )
        missing = sorted(key for key in required if key not in value)
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        return value

    def integer(self, value, where: str, *, minimum: int | None = None) -> int:
        # bool is an int in Python; `number: yes` is a typo, not item 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"expected a whole number, found {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail(where, f"must be at least {minimum}, found {value}")
        return value

    def boolean(self, value, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, found {value!r}")
        return value

    def string(self, value, where: str, *, pattern: re.Pattern | None = None) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # version: 1, key: 1
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected some text, found {value!r}")
        value = value.strip()
        if pattern is not None and not pattern.match(value):
            raise self.fail(where, f"{value!r} is not allowed here (expected {pattern.pattern})")
        return value

    def choice_of(self, value, where: str, options: tuple[str, ...]) -> str:
        if value not in options:
            raise self.fail(where, f"{value!r} is not one of {', '.join(options)}")
        return value

    def int_list(self, value, where: str) -> tuple[int, ...]:
        if not isinstance(value, list | tuple) or not value:
            raise self.fail(where, f"expected a non-empty list of whole numbers, found {value!r}")
        return tuple(self.integer(entry, where) for entry in value)

    def languages(self, value, where: str) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise self.fail(where, f"expected a list of language codes, found {value!r}")
        codes = tuple(self.string(code, where, pattern=_LANGUAGE_CODE) for code in value)
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise self.fail(where, f"{', '.join(duplicates)} listed twice")
        return codes

    def text(self, value, where: str, required: tuple[str, ...]) -> Text:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected wording per language, found {value!r}")
        wording: Text = {}
        for code, words in value.items():
            if not isinstance(code, str) or not _LANGUAGE_CODE.match(code):
                raise self.fail(where, f"{code!r} is not a language code")
            if words is None:
                continue
            if not isinstance(words, str):
                raise self.fail(f"{where}.{code}", f"expected text, found {words!r}")
            if words.strip():
                wording[code] = words.strip()
        # en and fr come first in the message: they are the ones an author must fix first.
        expected = dict.fromkeys((*REQUIRED_LANGUAGES, *required))
        missing = [code for code in expected if code not in wording]
        if missing:
            raise self.fail(where, f"no wording in {', '.join(missing)}")
        return wording

    # The instrument --------------------------------------------------------------------------

    def instrument(self, data) -> Instrument:
        top = self.mapping(
            data,
            "",
            allowed={
                "slug",
                "version",
                "audience",
                "title",
                "description",
                "languages",
                "needs_review",
                "scales",
                "items",
                "scoring",
                "report",
                "source",
            },
            required={"slug", "version", "audience", "title", "description", "languages", "items"},
        )
        slug = self.string(top["slug"], "slug", pattern=_SLUG)
        version = self.string(top["version"], "version")
        audience = self.choice_of(top["audience"], "audience", AUDIENCES)
        languages = self.languages(top["languages"], "languages")
        for code in REQUIRED_LANGUAGES:
            if code not in languages:
                raise self.fail("languages", f"must include {code}")
        needs_review = self.languages(top.get("needs_review") or [], "needs_review")
        not_offered = [code for code in needs_review if code not in languages]
        if not_offered:
            raise self.fail("needs_review", f"{', '.join(not_offered)} not listed in languages")
        title = self.text(top["title"], "title", languages)
        description = self.text(top["description"], "description", languages)
        scales = self.scales(top.get("scales") or {}, languages)
        items = self.items(top["items"], scales, languages)
        by_number = {item.number: item for item in items}

        scoring = self.mapping(
            top.get("scoring") or {},
            "scoring",
            allowed={"subscales", "total", "higher_means", "better"},
            required=set(),
        )
        subscales = self.subscales(scoring.get("subscales") or [], by_number)
        total = self.total(scoring.get("total"), subscales, items, scales)
        higher_means = (
            self.text(scoring["higher_means"], "scoring.higher_means", ())
            if scoring.get("higher_means")
            else {}
        )
        better = scoring.get("better", "higher")
        if better not in FAVOURABLE:
            raise self.fail("scoring.better", f"must be one of {', '.join(FAVOURABLE)}")
        report = self.mapping(top.get("report") or {}, "report", allowed={"items"}, required=set())
        report_items = self.report_items(report.get("items") or [], by_number, scales)
        source = self.source(top.get("source"), items)
        return Instrument(
            slug=slug,
            version=version,
            audience=audience,
            title=title,
            description=description,
            languages=languages,
            needs_review=needs_review,
            scales=scales,
            items=items,
            subscales=subscales,
            total=total,
            higher_means=higher_means,
            better=better,
            report_items=report_items,
            source=source,
        )

    def scales(self, value, languages: tuple[str, ...]) -> dict[str, Scale]:
        if not isinstance(value, Mapping):
            raise self.fail("scales", f"expected a mapping of scales, found {value!r}")
        scales: dict[str, Scale] = {}
        for key, spec in value.items():
            key = self.string(key, "scales", pattern=_KEY)
            where = f"scale {key}"
            spec = self.mapping(spec, where, allowed={"choices"}, required={"choices"})
            if not isinstance(spec["choices"], list) or len(spec["choices"]) < 2:
                raise self.fail(where, "needs at least two choices")
            choices = []
            for position, choice in enumerate(spec["choices"], start=1):
                choice_where = f"{where}, choice {position}"
                choice = self.mapping(
                    choice, choice_where, allowed={"value", "label"}, required={"value", "label"}
                )
                choices.append(
                    Choice(
                        value=self.integer(choice["value"], f"{choice_where}.value"),
                        label=self.text(choice["label"], f"{choice_where}.label", languages),
                    )
                )
            values = [choice.value for choice in choices]
            if len(set(values)) != len(values):
                raise self.fail(where, f"a value is used twice ({values})")
            scales[key] = Scale(key=key, choices=tuple(choices))
        return scales

    def items(self, value, scales: dict[str, Scale], languages) -> tuple[Item, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("items", "expected a non-empty list of items")
        items: list[Item] = []
        seen_numbers: set[int] = set()
        seen_keys: set[str] = set()
        for position, spec in enumerate(value, start=1):
            where = f"item #{position}"
            number = spec.get("number") if isinstance(spec, Mapping) else None
            if isinstance(number, int) and not isinstance(number, bool):
                where = f"item {spec['number']}"
            spec = self.mapping(
                spec,
                where,
                allowed={"number", "key", "kind", "scale", "reverse", "required", "text"},
                required={"number", "text"},
            )
            number = self.integer(spec["number"], f"{where}.number", minimum=1)
            if number in seen_numbers:
                raise self.fail(where, f"item number {number} is used twice")
            seen_numbers.add(number)
            key = self.string(spec.get("key", str(number)), f"{where}.key", pattern=_KEY)
            if key in seen_keys:
                raise self.fail(where, f"key {key!r} is used twice")
            seen_keys.add(key)
            scale = spec.get("scale")
            kind = spec.get("kind") or ("choice" if scale is not None else None)
            if kind is None:
                raise self.fail(where, "needs a scale (or kind: text / kind: integer)")
            kind = self.choice_of(kind, f"{where}.kind", KINDS)
            if kind == "choice":
                if scale is None:
                    raise self.fail(where, "a choice item needs a scale")
                if scale not in scales:
                    known = ", ".join(scales) or "none defined"
                    raise self.fail(where, f"unknown scale {scale!r} (known: {known})")
            elif scale is not None:
                raise self.fail(where, f"a {kind} item cannot have a scale")
            reverse = self.boolean(spec.get("reverse", False), f"{where}.reverse")
            if reverse:
                if kind != "choice":
                    raise self.fail(where, "reverse: true on an item without a scale")
                self.check_reversible(scales[scale], where)
            items.append(
                Item(
                    number=number,
                    key=key,
                    kind=kind,
                    scale=scale,
                    reverse=reverse,
                    text=self.text(spec["text"], f"{where}.text", languages),
                    required=self.boolean(spec.get("required", False), f"{where}.required"),
                )
            )
        numbers = [item.number for item in items]
        if numbers != list(range(1, len(items) + 1)):
            raise self.fail(
                "items",
                "must be numbered 1 to N in display order, found "
                + ", ".join(str(number) for number in numbers),
            )
        return tuple(items)

    def check_reversible(self, scale: Scale, where: str) -> None:
        # (lowest + highest) - answer must land on another value of the scale.
        mirror = scale.lowest + scale.highest
        if any(mirror - value not in scale.values for value in scale.values):
            raise self.fail(
                where, f"scale {scale.key!r} is not symmetric, so it cannot be reverse-keyed"
            )

    def subscales(self, value, by_number: dict[int, Item]) -> tuple[Subscale, ...]:
        if not isinstance(value, list):
            raise self.fail("scoring.subscales", f"expected a list, found {value!r}")
        subscales: list[Subscale] = []
        for position, spec in enumerate(value, start=1):
            where = f"subscale #{position}"
            spec = self.mapping(
                spec,
                where,
                allowed={"key", "label", "items", "min_answered"},
                required={"key", "label", "items"},
            )
            key = self.string(spec["key"], f"{where}.key", pattern=_KEY)
            where = f"subscale {key}"
            if any(subscale.key == key for subscale in subscales):
                raise self.fail(where, "key used twice")
            numbers = self.int_list(spec["items"], f"{where}.items")
            for number in numbers:
                if number not in by_number:
                    raise self.fail(where, f"names item {number}, which does not exist")
                if not by_number[number].is_scored:
                    raise self.fail(where, f"names item {number}, which has no scale")
            if len(set(numbers)) != len(numbers):
                raise self.fail(where, "names an item twice")
            min_answered = self.integer(
                spec.get("min_answered", len(numbers)), f"{where}.min_answered", minimum=1
            )
            if min_answered > len(numbers):
                raise self.fail(
                    where, f"min_answered is {min_answered} but it has only {len(numbers)} items"
                )
            subscales.append(
                Subscale(
                    key=key,
                    label=self.text(spec["label"], f"{where}.label", ()),
                    items=numbers,
                    min_answered=min_answered,
                )
            )
        return tuple(subscales)

    def total(self, value, subscales, items, scales) -> Total | None:
        if value is None:
            return None
        where = "scoring.total"
        spec = self.mapping(
            value, where, allowed={"from", "min_answered", "range"}, required={"from"}
        )
        source = self.choice_of(spec["from"], f"{where}.from", TOTAL_SOURCES)
        by_number = {item.number: item for item in items}
        if source == "subscales":
            if not subscales:
                raise self.fail(where, "from: subscales, but there are no subscales")
            if "min_answered" in spec:
                raise self.fail(
                    where, "min_answered applies to from: items; from subscales all are needed"
                )
            min_answered = None
            counted = [by_number[number] for subscale in subscales for number in subscale.items]
        else:
            counted = [item for item in items if item.is_scored]
            if not counted:
                raise self.fail(where, "from: items, but no item has a scale")
            min_answered = self.integer(
                spec.get("min_answered", len(counted)), f"{where}.min_answered", minimum=1
            )
            if min_answered > len(counted):
                raise self.fail(
                    where,
                    f"min_answered is {min_answered} but only {len(counted)} items are scored",
                )
        expected = (
            sum(scales[item.scale].lowest for item in counted),
            sum(scales[item.scale].highest for item in counted),
        )
        if "range" in spec:
            found = self.int_list(spec["range"], f"{where}.range")
            if found != expected:
                raise self.fail(
                    where,
                    f"range {list(found)} does not match the scales, which give {list(expected)}",
                )
        return Total(source=source, min_answered=min_answered, range=expected)

    def report_items(self, value, by_number: dict[int, Item], scales) -> tuple[ReportItem, ...]:
        if not isinstance(value, list):
            raise self.fail("report.items", f"expected a list, found {value!r}")
        report_items = []
        for position, spec in enumerate(value, start=1):
            where = f"report item #{position}"
            spec = self.mapping(
                spec,
                where,
                allowed={"number", "share_of", "label", "favourable"},
                required={"number", "share_of", "label"},
            )
            number = self.integer(spec["number"], f"{where}.number")
            where = f"report item {number}"
            item = by_number.get(number)
            if item is None or not item.is_scored:
                raise self.fail(where, f"item {number} does not exist or has no scale")
            share_of = self.int_list(spec["share_of"], f"{where}.share_of")
            outside = [value for value in share_of if value not in scales[item.scale].values]
            if outside:
                raise self.fail(where, f"share_of {outside} not in scale {item.scale!r}")
            report_items.append(
                ReportItem(
                    number=number,
                    share_of=share_of,
                    label=self.text(spec["label"], f"{where}.label", ()),
                    favourable=self.choice_of(
                        spec.get("favourable", "higher"), f"{where}.favourable", FAVOURABLE
                    ),
                )
            )
        return tuple(report_items)

    def source(self, value, items) -> Source | None:
        if value is None:
            return None
        spec = self.mapping(
            value, "source", allowed={"instrument", "items"}, required={"instrument", "items"}
        )
        numbers = self.int_list(spec["items"], "source.items")
        scored = [item for item in items if item.is_scored]
        if len(numbers) != len(scored):
            raise self.fail(
                "source", f"lists {len(numbers)} parent items for {len(scored)} scored items"
            )
        return Source(
            instrument=self.string(spec["instrument"], "source.instrument", pattern=_SLUG),
            items=numbers,
        )
