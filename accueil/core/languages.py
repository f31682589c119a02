"""Spoken and signed languages by ISO 639 code: names in the reader's language, validation of
codes and of typed names, and the list a language picker offers.

Codes follow BCP 47 (the rule Django's own language codes follow): the two-letter ISO 639-1
code when the language has one ("fr", "ar", "fa"), otherwise the three-letter ISO 639-3 code
("prs" for Dari, "yue" for Cantonese, "din" for Dinka). So a volunteer's "fr", a household's
"fr" and the interface's "fr" compare equal, and every code fits in three characters.

Names come from pycountry's ISO 639-3 table, translated through its "iso639-3" gettext domain
where a translation exists. A few names are ours, because the standard's name is not the one
people use ("Pushto", "Haitian", "Yue Chinese").
"""

from __future__ import annotations

import gettext as gettext_module
import re
import unicodedata
from functools import cache, lru_cache

import pycountry
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# The languages offered first: English and French, then the languages newcomers and volunteers
# in Canadian resettlement programs most often speak. Order matters: it is the picker's order.
COMMON_CODES = [
    "en",
    "fr",
    "ar",
    "es",
    "fa",  # Farsi (Persian)
    "prs",  # Dari
    "ps",  # Pashto
    "ti",  # Tigrinya
    "am",  # Amharic
    "so",  # Somali
    "sw",  # Swahili
    "uk",  # Ukrainian
    "ru",  # Russian
    "tr",  # Turkish
    "ku",  # Kurdish
    "ur",  # Urdu
    "hi",  # Hindi
    "pa",  # Punjabi
    "ta",  # Tamil
    "bn",  # Bengali
    "cmn",  # Mandarin
    "yue",  # Cantonese
    "tl",  # Tagalog
    "pt",  # Portuguese
    "ht",  # Haitian Creole
    "din",  # Dinka
    "nus",  # Nuer
    "om",  # Oromo
    "ln",  # Lingala
    "rw",  # Kinyarwanda
    "rn",  # Kirundi
    "my",  # Burmese
    "rhg",  # Rohingya
    "haz",  # Hazaragi
    "uz",  # Uzbek
    "ne",  # Nepali
    "vi",  # Vietnamese
    "ase",  # American Sign Language
    "fcs",  # Quebec Sign Language
]

# Names people use, where the standard's differs. Translated by our own catalogue; when our
# catalogue has no translation yet, pycountry's translated name is used instead.
NAME_OVERRIDES = {
    "fa": gettext_noop("Farsi (Persian)"),
    "ps": gettext_noop("Pashto"),
    "pa": gettext_noop("Punjabi"),
    "cmn": gettext_noop("Mandarin Chinese"),
    "yue": gettext_noop("Cantonese"),
    "ht": gettext_noop("Haitian Creole"),
    "sw": gettext_noop("Swahili"),
    "ne": gettext_noop("Nepali"),
    "rn": gettext_noop("Kirundi"),
    "ase": gettext_noop("American Sign Language (ASL)"),
    "fcs": gettext_noop("Quebec Sign Language (LSQ)"),
}

# Other names people type, in English and French (folded: lower case, no accents).
EXTRA_ALIASES = {
    "farsi": "fa",
    "persian": "fa",
    "pashtu": "ps",
    "panjabi": "pa",
    "mandarin": "cmn",
    "cantonais": "yue",
    "haitian": "ht",
    "creole haitien": "ht",
    "kreyol": "ht",
    "filipino": "tl",
    "greek": "el",
    "grec": "el",
    "kirundi": "rn",
    "sorani": "ckb",
    "kurmanji": "kmr",
    "asl": "ase",
    "lsq": "fcs",
}

# "Swahili (macrolanguage)", "Modern Greek (1453-)": the bracket helps linguists, not people.
_BRACKETED = re.compile(r"^(.+?) \((.+)\)$")
_QUALIFIER = re.compile(r"\s*\((?=[^)]*(?:macro|individ|\d))[^)]*\)$")


def _accepted(record) -> bool:
    # Living and constructed languages, and anything important enough to have a two-letter
    # code; not extinct, ancient or historical ones, nor the special codes (mul, und, zxx).
    if getattr(record, "scope", "") == "S":
        return False
    return hasattr(record, "alpha_2") or getattr(record, "type", "") in ("L", "C")


@cache
def _records() -> dict[str, object]:
    """Canonical code -> pycountry record, for every accepted language."""
    records = {}
    for record in pycountry.languages:
        if _accepted(record):
            records[getattr(record, "alpha_2", None) or record.alpha_3] = record
    return records


@cache
def _aliases() -> dict[str, str]:
    """Every code a language is known by (639-1, 639-3, 639-2/B) -> its canonical code."""
    aliases = {}
    for code, record in _records().items():
        for attr in ("alpha_2", "alpha_3", "bibliographic"):
            value = getattr(record, attr, None)
            if value:
                aliases.setdefault(value.lower(), code)
    return aliases


def normalize(code: str | None) -> str | None:
    """The canonical code for any ISO 639 code of an accepted language, or None."""
    if not code:
        return None
    return _aliases().get(code.strip().lower())


def is_valid(code: str | None) -> bool:
    """True for a canonical code (what we store), e.g. "fr" but not "fra"."""
    return code is not None and normalize(code) == code


@lru_cache(maxsize=16)
def _pycountry_catalog(language: str) -> gettext_module.NullTranslations:
    return gettext_module.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def _tidy(name: str) -> str:
    name = _QUALIFIER.sub("", name).strip()
    return name[:1].upper() + name[1:]


def _active_language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def language_name(code: str, language: str | None = None) -> str:
    """The language's name in ``language`` (default: the active language); the code itself
    when it is not an ISO 639 code we know."""
    canonical = normalize(code)
    if canonical is None:
        return code
    return _names(language or _active_language()).get(canonical, code)


@lru_cache(maxsize=16)
def _names(language: str) -> dict[str, str]:
    catalog = _pycountry_catalog(language)
    names = {}
    with translation.override(language):
        for code, record in _records().items():
            theirs = catalog.gettext(record.name)
            english = NAME_OVERRIDES.get(code)
            if english is not None:
                ours = gettext(english)
                # Our wording when our catalogue has it (or in English); otherwise the
                # standard's name translated, rather than an English name on a French page.
                if language == "en" or ours != english or theirs == record.name:
                    names[code] = ours
                    continue
            names[code] = _tidy(theirs)
    return names


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, so "francais" finds "Français"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=16)
def _lookup(language: str) -> dict[str, str]:
    """Folded name or code -> canonical code: names in ``language``, English and French (the
    country's two languages), then codes. Where two languages share a name, the common one,
    then the one with a two-letter code, wins."""
    order = [*COMMON_CODES, *sorted(c for c in _records() if len(c) == 2)]
    order += sorted(c for c in _records() if len(c) == 3 and c not in COMMON_CODES)
    table: dict[str, str] = dict(EXTRA_ALIASES)
    for lang in dict.fromkeys((language, "en", "fr")):
        shown, catalog = _names(lang), _pycountry_catalog(lang)
        for code in order:
            # The name we show, each part of "Farsi (Persian)", and the standard's name.
            table.setdefault(_fold(shown[code]), code)
            bracketed = _BRACKETED.match(shown[code])
            for part in bracketed.groups() if bracketed else ():
                table.setdefault(_fold(part), code)
            table.setdefault(_fold(_tidy(catalog.gettext(_records()[code].name))), code)
    for code, record in _records().items():
        table.setdefault(_fold(record.name), code)
        table.setdefault(_fold(_tidy(record.name)), code)
    for alias, code in _aliases().items():
        table.setdefault(alias, code)
    return table


def find(text: str | None, language: str | None = None) -> str | None:
    """The code for what a person typed: a language's name (in the page's language, English or
    French; any case; accents optional) or an ISO 639 code. None when nothing matches."""
    if not text or not text.strip():
        return None
    # A two-letter code first: stored answers are codes, and "en" (English) is also the name of
    # another language ("En", of Viet Nam). Three letters keep names first: people type "ASL".
    code = text.strip().lower()
    if len(code) == 2 and code in _records():
        return code
    return _lookup(language or _active_language()).get(_fold(text))


def picker_names(language: str | None = None) -> list[str]:
    """Names for a picker's suggestions: the common languages first, in their order, then every
    other language with a two-letter code, alphabetically. The picker accepts any language
    typed in full; the suggestions stay short enough for a slow connection."""
    names = _names(language or _active_language())
    common = [names[code] for code in COMMON_CODES]
    others = sorted(
        (names[code] for code in _records() if len(code) == 2 and code not in COMMON_CODES),
        key=_fold,
    )
    return common + others
