"""The words around the questions, in every language a respondent may answer in.

Respondents answer in Farsi, Dari and Tigrinya too, which the staff site has no catalogue for,
so the few sentences of the survey pages and messages live in ``interface.yaml`` next to the
instruments, as data a reviewer can correct. ``text(key, language)`` falls back to English."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from accueil.core.i18n import NEWCOMER_LANGUAGES

PATH = Path(__file__).with_name("interface.yaml")


@cache
def strings() -> dict[str, dict[str, str]]:
    with PATH.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return data["strings"]


@cache
def needs_review() -> tuple[str, ...]:
    with PATH.open(encoding="utf-8") as handle:
        return tuple(yaml.safe_load(handle).get("needs_review", []))


def text(key: str, language: str, **values) -> str:
    entry = strings()[key]
    chosen = entry.get(language) or entry["en"]
    return chosen.format(**values) if values else chosen


def for_language(language: str) -> dict[str, str]:
    """Every string in ``language`` (for templates: ``ui.next``)."""
    return {key: entry.get(language) or entry["en"] for key, entry in strings().items()}


def respondent_language(code: str | None) -> str:
    return code if code in NEWCOMER_LANGUAGES else "en"
