"""Scoring: the one place that turns answers into subscale and total scores.

Pure Python, no Django: the survey pages, the ``score_survey`` command and the impact report
call ``score()`` with an instrument from ``definitions`` and ``{item number: answer}``.

The rules, all read from the instrument file (``docs/surveys-scoring.md`` lists them per
instrument):

- **Reverse keys.** A reverse-keyed item (a negatively worded sentence, such as "nobody would
  help me") counts as ``(lowest + highest) - answer`` on its scale, so on a 1-4 scale an answer
  of 1 counts 4 and 4 counts 1. Afterwards a higher number always means "more" of what the
  scale measures.
- **Missing answers in a subscale.** A subscale is scored when at least ``min_answered`` of its
  items are answered: the mean of the answered (keyed) items times the number of items, so a
  prorated score stays on the same range as a complete one. With fewer answers it is ``None``.
  SPS-24: at least 3 of the 4 items of each subscale.
- **Total from subscales** (SPS-24): the sum of the subscales, only when every subscale is
  scored; one unscored subscale leaves the total ``None`` rather than biased downwards.
- **Total from items** (SPS-10, SPS-5, UCLA-3): the mean of the answered items times the
  number of items, when at least ``min_answered`` are answered (SPS-10: 8 of 10; SPS-5 and
  UCLA-3: all of them).
- Free-text and number items are not scored. An answer outside the item's scale is an error,
  never silently dropped: it means the form, the file or the instrument is wrong.

Scores are computed with exact fractions and rounded once, at the end, to 4 decimals; a score
that is a whole number is returned as an ``int`` (a complete SPS-24 gives ``60``, not
``60.0``), so stored JSON and CSV exports show it without decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from .definitions import Instrument, Item


class ScoringError(ValueError):
    """An answer that does not fit the instrument; ``item`` is the item's number."""

    def __init__(self, message: str, *, item, value=None, allowed: tuple[int, ...] = ()):
        super().__init__(message)
        self.item = item
        self.value = value
        self.allowed = allowed


@dataclass(frozen=True)
class Score:
    subscales: dict[str, float | None]  # by subscale key, in the instrument's order
    total: float | None
    items: dict[int, int]  # the valid answers as given (before reverse keying)

    def to_dict(self) -> dict:
        """For a JSONField: JSON object keys are strings, so item numbers become "1", "2"..."""
        return {
            "subscales": dict(self.subscales),
            "total": self.total,
            "items": {str(number): value for number, value in self.items.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Score:
        return cls(
            subscales=dict(data.get("subscales") or {}),
            total=data.get("total"),
            items={int(number): value for number, value in (data.get("items") or {}).items()},
        )


def keyed(instrument: Instrument, item: Item, value: int) -> int:
    """The answer as it counts in a score: reversed on reverse-keyed items."""
    if not item.reverse:
        return value
    scale = instrument.scale_of(item)
    return scale.lowest + scale.highest - value


def valid_answers(instrument: Instrument, answers: Mapping[int, int | None]) -> dict[int, int]:
    """The answered scored items, checked against their scales; raises ``ScoringError``."""
    valid: dict[int, int] = {}
    for number, value in answers.items():
        item = instrument.item(number)
        if item is None:
            raise ScoringError(
                f"{instrument.slug} has no item {number!r}", item=number, value=value
            )
        if not item.is_scored or value is None:
            continue
        scale = instrument.scale_of(item)
        if isinstance(value, bool) or not isinstance(value, int) or value not in scale.values:
            raise ScoringError(
                f"{instrument.slug} item {number}: {value!r} is not an allowed answer "
                f"({scale.describe_values()})",
                item=number,
                value=value,
                allowed=tuple(sorted(scale.values)),
            )
        valid[number] = value
    return valid


def score(instrument: Instrument, answers: Mapping[int, int | None]) -> Score:
    valid = valid_answers(instrument, answers)
    counted = {
        number: keyed(instrument, instrument.item(number), value) for number, value in valid.items()
    }

    exact_subscales: dict[str, Fraction | None] = {}
    for subscale in instrument.subscales:
        exact_subscales[subscale.key] = _prorated(
            [counted[number] for number in subscale.items if number in counted],
            count=len(subscale.items),
            min_answered=subscale.min_answered,
        )

    total: Fraction | None = None
    if instrument.total is not None:
        if instrument.total.source == "subscales":
            parts = list(exact_subscales.values())
            if all(part is not None for part in parts):
                total = sum(parts, Fraction(0))
        else:
            scored = instrument.scored_items
            total = _prorated(
                [counted[item.number] for item in scored if item.number in counted],
                count=len(scored),
                min_answered=instrument.total.min_answered,
            )

    return Score(
        subscales={key: _number(value) for key, value in exact_subscales.items()},
        total=_number(total),
        items=dict(sorted(valid.items())),
    )


def _prorated(values: list[int], *, count: int, min_answered: int) -> Fraction | None:
    if not values or len(values) < min_answered:
        return None
    return Fraction(sum(values), len(values)) * count


def _number(value: Fraction | None) -> float | int | None:
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return round(float(value), 4)


def format_score(value: float | None) -> str:
    """For tables and CSV: "" for no score, "10" for 10.0, "13.33" for 13.3333."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
