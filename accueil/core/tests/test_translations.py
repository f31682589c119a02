"""The French, Arabic and Spanish catalogues are complete, keep their placeholders, and load.

A missing or fuzzy entry shows English to someone who chose another language; a translation
that drops or renames a placeholder raises KeyError (or shows the wrong value) when rendered.
"""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["fr", "ar", "es"]
# %(name)s-style (python-format) and {name}-style (python-brace-format) placeholders.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|\{\w+\}")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_translates_every_entry(language):
    catalogue = _catalogue(language)
    assert len(catalogue) > 0
    assert [_label(e) for e in catalogue.untranslated_entries()] == []
    assert [_label(e) for e in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_the_placeholders_of_every_entry(language):
    wrong = []
    for entry in _catalogue(language):
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            expected |= set(PLACEHOLDER.findall(entry.msgid_plural))
            translations = list(entry.msgstr_plural.values())
        else:
            translations = [entry.msgstr]
        for text in translations:
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append((_label(entry), text))
    assert wrong == []


def test_it_uses_six_plural_forms_for_arabic():
    catalogue = _catalogue("ar")
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=6;")
    for entry in catalogue:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1, 2, 3, 4, 5], entry.msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_it_passes_msgfmt_check(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(po)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_it_shows_french_when_french_is_active(tmp_path):
    # Compile into a temporary directory so the test neither depends on nor writes the .mo
    # files of the working tree; changing LOCALE_PATHS makes Django reload its catalogues.
    for language in LANGUAGES:
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        _catalogue(language).save_as_mofile(str(target / "django.mo"))
    with override_settings(LOCALE_PATHS=[tmp_path]):
        for language in LANGUAGES:
            with translation.override(language):
                assert translation.gettext("Sign in") != "Sign in", language
        with translation.override("fr"):
            assert translation.gettext("Sign in") == "Se connecter"
