"""An XLSForm (.xlsx) read into ``definitions.Instrument``, so a partner's KoboToolbox or ODK form
can be given through Accueil.

pyxform reads the workbook and checks the XLSForm rules (names, groups, choice lists); ODK
Validate (Java) is never run, because we do not build an XForm. What pyxform accepts we then
narrow to what an instrument can be: ``select_one`` lists whose choice names are whole numbers
(they are scored), ``integer``, ``text``; notes and groups are read through, and metadata that
asks the respondent nothing (``start``, ``today``, ``deviceid``...) is skipped. Anything else
is refused rather than silently dropped, so an imported form never asks less than its author
wrote. Two extra survey columns are ours: ``reverse`` (reverse-keyed item) and ``subscale``.

Every error names the sheet and the row as the spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import zipfile
from collections import defaultdict
from pathlib import Path

from django.utils.translation import get_language_info, gettext, gettext_lazy
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from accueil.core import languages as language_names

from .definitions import _KEY, NEWCOMER_LANGUAGES, REQUIRED_LANGUAGES, DefinitionError
from .definitions import Instrument as Spec

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"

# A 2 MB upload can unpack to far more: refuse before openpyxl inflates it in memory.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls format

# Questions ODK fills in by itself: they ask the respondent nothing, and KoboToolbox adds
# start and end to every form, so refusing them would refuse most real files.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "email",
        "phonenumber",
        "simserial",
        "subscriberid",
        "audit",
        "start-geopoint",
    }
)
_YES = {"yes", "true", "true()", "1", "y"}
_NO = {"", "no", "false", "false()", "0", "n"}
_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*(.*)$", re.DOTALL)
_PYXFORM_SHEET = re.compile(r"On the '(\w+)' sheet,?\s*")
_IN_PARENTHESES = re.compile(r"\(([^()]+)\)\s*$")
_WHOLE_NUMBER = re.compile(r"^-?\d+$")
_ITEM_NUMBER = re.compile(r"\bitem (\d+)\b")
# Whole sentences, not "%(what)s has no...": translations need to agree with the noun.
_MISSING_WORDING = {
    "question": gettext_lazy("the question has no %(language)s wording (column %(column)s)."),
    "choice": gettext_lazy("the choice has no %(language)s wording (column %(column)s)."),
    "title": gettext_lazy("the title has no %(language)s wording (column %(column)s)."),
    "description": gettext_lazy("the description has no %(language)s wording (column %(column)s)."),
    "note": gettext_lazy("the note has no %(language)s wording (column %(column)s)."),
}


class XLSFormError(ValueError):
    """A form that cannot become an instrument; the message says where (sheet, row) and why."""

    def __init__(self, message: str, *, sheet: str | None = None, row: int | None = None):
        super().__init__(message)
        self.sheet = sheet
        self.row = row


def _error(problem: str, *, sheet: str | None = None, row: int | None = None) -> XLSFormError:
    if sheet is None:
        return XLSFormError(problem)
    if row is None:
        message = gettext("%(sheet)s sheet: %(problem)s") % {"sheet": sheet, "problem": problem}
    else:
        message = gettext("%(sheet)s sheet, row %(row)s: %(problem)s") % {
            "sheet": sheet,
            "row": row,
            "problem": problem,
        }
    return XLSFormError(message, sheet=sheet, row=row)


def other_languages(spec: Spec) -> tuple[str, ...]:
    """Languages of the form that newcomer pages are not offered in (kept, but worth saying)."""
    return tuple(code for code in spec.languages if code not in NEWCOMER_LANGUAGES)


def instrument_from_xlsform(file, *, slug: str, audience: str, version: str | None = None) -> Spec:
    """Read ``file`` (a path, bytes or an open binary file such as an upload) into an
    instrument; ``version`` overrides the settings sheet's, which defaults to "1"."""
    data, name = _read(file)
    _check_is_xlsx(data, name)
    try:
        workbook = get_xlsform(data, file_type=".xlsx")
    except PyXFormError as error:
        raise _from_pyxform(error) from error
    except Exception as error:
        raise _not_xlsx(name) from error
    # Kept before pyxform reworks the rows: they carry the row numbers and the column names.
    raw = _RawSheets(workbook)
    try:
        form = workbook_to_json(workbook_dict=workbook, warnings=[])
    except PyXFormError as error:
        raise _from_pyxform(error) from error
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise _error(
            gettext("The form could not be read (%(problem)s).") % {"problem": error}
        ) from error
    return _Builder(raw, form, slug=slug, audience=audience, version=version).build()


# Reading the file ------------------------------------------------------------------------------


def _read(file) -> tuple[bytes, str]:
    if isinstance(file, bytes):
        return file, ""
    if isinstance(file, str | Path):
        path = Path(file)
        try:
            return path.read_bytes(), path.name
        except OSError as error:
            raise _error(gettext("The file could not be opened.")) from error
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(), Path(getattr(file, "name", "") or "").name


def _not_xlsx(name: str) -> XLSFormError:
    if name:
        return _error(
            gettext(
                "%(name)s is not an Excel workbook (.xlsx). Save the form as .xlsx from Excel, "
                "LibreOffice or Google Sheets."
            )
            % {"name": name}
        )
    return _error(
        gettext(
            "This file is not an Excel workbook (.xlsx). Save the form as .xlsx from Excel, "
            "LibreOffice or Google Sheets."
        )
    )


def _check_is_xlsx(data: bytes, name: str) -> None:
    suffix = Path(name).suffix.lower()
    if data.startswith(_OLE2) or suffix == ".xls":
        raise _error(
            gettext(
                "This is an old Excel file (.xls). Open it in Excel or LibreOffice and save it "
                "as an Excel workbook (.xlsx)."
            )
        )
    if suffix and suffix != ".xlsx":
        raise _not_xlsx(name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_xlsx(name) from None
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise _not_xlsx(name)
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise _error(gettext("The workbook is too large once unpacked. Remove unused sheets."))


def _from_pyxform(error: PyXFormError) -> XLSFormError:
    """pyxform's message (English) with its "[row : 7]" turned into our sheet-and-row form."""
    lines = str(error).splitlines()
    # Some messages end with the row as a Python dict: noise for the person reading it.
    text = " ".join(line.strip() for line in lines if not line.lstrip().startswith("{")).strip()
    found = _ROW.match(text)
    if found is None:
        if "not recognized as a supported type" in text:
            return _not_xlsx("")
        return _error(gettext("The form could not be read: %(problem)s") % {"problem": text})
    row, problem = int(found.group(1)), found.group(2).strip()
    sheet = SURVEY
    named = _PYXFORM_SHEET.search(problem)
    if named is not None:
        sheet = named.group(1)
        problem = (problem[: named.start()] + problem[named.end() :]).strip()
    return _error(problem, sheet=sheet, row=row)


class _RawSheets:
    """The sheets as written: row numbers, column headers, our extra settings."""

    def __init__(self, workbook):
        self.survey = [dict(row) for row in workbook.survey or []]
        self.survey_headers = list((workbook.survey_header or [{}])[0])
        self.choices = [dict(row) for row in workbook.choices or []]
        self.choices_headers = list((workbook.choices_header or [{}])[0])
        self.settings = dict((workbook.settings or [{}])[0]) if workbook.settings else {}
        self.settings_headers = list((workbook.settings_header or [{}])[0])
        # Row numbers of each name, in sheet order (a name may repeat in two groups).
        self.rows_by_name: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(self.survey):
            # "end group" rows sometimes repeat the group's name; they build no element.
            ending = str(row.get("type", "")).strip().lower().startswith("end")
            if row.get("name") and not ending:
                self.rows_by_name[str(row["name"])].append(index + 2)

    def survey_type(self, row: int | None) -> str:
        if row is None or row - 2 >= len(self.survey):
            return ""
        return str(self.survey[row - 2].get("type", "")).strip()

    def choice_rows(self, list_name: str) -> list[int]:
        rows = []
        for index, row in enumerate(self.choices):
            name = row.get("list_name", row.get("list name"))
            if name is not None and str(name).strip() == list_name:
                rows.append(index + 2)
        return rows


# Building the instrument -----------------------------------------------------------------------


def _language_name(code: str) -> str:
    return language_names.language_name(code)


def _native_names() -> dict[str, str]:
    names = {}
    for code in NEWCOMER_LANGUAGES:
        try:
            names[get_language_info(code)["name_local"].casefold()] = code
        except KeyError:
            continue
    return names


def _code_for(language: str) -> str | None:
    """Our code for an XLSForm language ("Français (fr)", "fr", "fa-AF", "English"), or None."""
    found = _IN_PARENTHESES.search(language)
    text = (found.group(1) if found else language).strip().lower().replace("_", "-")
    if text in ("fa-af", "prs"):  # Afghan Persian is Dari, which we serve on its own
        return "prs"
    base = text.split("-")[0]
    if base in NEWCOMER_LANGUAGES:
        return base
    code = language_names.normalize(base)
    if code is not None:
        return code
    if found is None:
        by_name = _native_names().get(language.strip().casefold())
        return by_name or language_names.find(language, "en")
    return None


def _yes_no(value) -> bool | None:
    text = str(value if value is not None else "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


class _Builder:
    """Structure and types come from pyxform's reading; wording is read from the cells as
    written, because pyxform lets a plain ``label`` column overwrite the translated ones."""

    def __init__(self, raw: _RawSheets, form: dict, *, slug, audience, version):
        self.raw = raw
        self.form = form
        self.slug = slug
        self.audience = audience
        self.version = version
        self.default_code = self._default_code()
        self.columns = self._columns(raw.survey_headers, ("label",), SURVEY)
        self.choice_columns = self._columns(raw.choices_headers, ("label", "caption"), CHOICES)
        self.languages = self._languages()

    # Languages -------------------------------------------------------------------------------

    def _default_code(self) -> str:
        """The language of columns without one (a plain ``label``): the settings sheet's
        default_language, else English."""
        value = str(self.raw.settings.get("default_language") or "").strip()
        if not value or value == "default":
            return "en"
        code = _code_for(value)
        if code is None:
            raise _error(
                gettext(
                    "default_language %(value)s is not a language we know; write it like "
                    "English (en)."
                )
                % {"value": value},
                sheet=SETTINGS,
                row=2,
            )
        return code

    def _columns(self, headers: list[str], bases: tuple[str, ...], sheet: str) -> dict[str, str]:
        """Language code -> the column holding that language's wording (``label::Français
        (fr)``; a column without ``::`` is in the default language)."""
        columns: dict[str, str] = {}
        for header in headers:
            base, _separator, language = header.partition("::")
            if base.strip().lower() not in bases:
                continue
            language = language.strip()
            code = _code_for(language) if language else self.default_code
            if code is None:
                raise _error(
                    gettext(
                        "the column %(column)s does not say which language it is; end it with "
                        "the language code in brackets, for example label::Français (fr)."
                    )
                    % {"column": header},
                    sheet=sheet,
                    row=1,
                )
            if code in columns:
                raise _error(
                    gettext(
                        "the columns %(first)s and %(second)s both hold the %(language)s "
                        "wording; keep one."
                    )
                    % {"first": columns[code], "second": header, "language": _language_name(code)},
                    sheet=sheet,
                    row=1,
                )
            columns[code] = header
        return columns

    def _languages(self) -> tuple[str, ...]:
        offered = list(self.columns)
        for code in REQUIRED_LANGUAGES:
            if code not in offered:
                raise _error(
                    gettext(
                        "there is no %(language)s wording. Add a column %(column)s to the survey "
                        "and choices sheets."
                    )
                    % {"language": _language_name(code), "column": self._suggested_column(code)},
                    sheet=SURVEY,
                )
        first = [code for code in (*REQUIRED_LANGUAGES, *NEWCOMER_LANGUAGES) if code in offered]
        return tuple(dict.fromkeys([*first, *offered]))

    def _suggested_column(self, code: str, base: str = "label") -> str:
        """The column to add, named like the survey sheet's column for that language."""
        column = self.columns.get(code)
        if column and "::" in column:
            return f"{base}::{column.partition('::')[2].strip()}"
        local = code
        with contextlib.suppress(KeyError):
            local = get_language_info(code)["name_local"]
        return f"{base}::{local[:1].upper() + local[1:]} ({code})"

    def _wording(self, cells: dict, columns: dict[str, str], *, sheet, row, what, base="label"):
        """{code: text} in every offered language, or an error naming the missing column."""
        found = {}
        for code, column in columns.items():
            text = str(cells.get(column) or "").strip()
            if text:
                found[code] = text
        for code in self.languages:
            if code not in found:
                column = columns.get(code) or self._suggested_column(code, base)
                raise _error(
                    str(_MISSING_WORDING[what])
                    % {"language": _language_name(code), "column": column},
                    sheet=sheet,
                    row=row,
                )
        return {code: found[code] for code in self.languages}

    def _survey_cells(self, row: int | None) -> dict:
        return self.raw.survey[row - 2] if row is not None else {}

    # The survey sheet ------------------------------------------------------------------------

    def _row_of(self, element: dict) -> int | None:
        name = str(element.get("name", ""))
        if name.startswith("generated_note_name_"):
            return int(name.rsplit("_", 1)[1])
        rows = self.raw.rows_by_name.get(name)
        return rows.pop(0) if rows else None

    def _walk(self, children, questions: list, notes: list) -> None:
        for element in children:
            kind = element.get("type")
            row = self._row_of(element)
            if kind == "group" and element.get("name") == "meta" and row is None:
                continue  # pyxform's own instanceID block
            if element.get("bind", {}).get("relevant") or element.get("relevant"):
                raise _error(
                    gettext(
                        "relevant (skip logic) is not supported: every question is asked to "
                        "everyone. Remove the condition."
                    ),
                    sheet=SURVEY,
                    row=row,
                )
            if kind == "group":
                self._walk(element.get("children", []), questions, notes)
            elif kind == "note":
                if not questions:
                    notes.append((row, element))
            elif kind in METADATA_TYPES:
                continue
            elif kind in ("select one", "integer", "int", "text", "string"):
                questions.append((row, element))
            else:
                raise self._unsupported(row, kind)

    def _unsupported(self, row: int | None, kind: str) -> XLSFormError:
        written = self.raw.survey_type(row) or kind
        # "select_multiple colours" -> "select_multiple"; "begin repeat" stays whole.
        if written.split() and not written.lower().startswith("begin"):
            written = written.split()[0]
        if kind == "select all that apply":
            problem = gettext("%(type)s is not supported; use select_one.")
        elif kind == "repeat":
            problem = gettext("%(type)s is not supported: an instrument cannot repeat questions.")
        elif kind == "decimal":
            problem = gettext("%(type)s is not supported; use integer.")
        else:
            problem = gettext(
                "%(type)s is not supported; use select_one, integer, text, note or a group."
            )
        return _error(problem % {"type": written}, sheet=SURVEY, row=row)

    def _item(self, number: int, row: int | None, element: dict, scales: dict) -> dict:
        key = str(element.get("name", ""))
        if not _KEY.match(key):
            raise _error(
                gettext(
                    "the name %(name)s cannot be used: use letters, digits, _ and -, starting "
                    "with a letter or a digit."
                )
                % {"name": key},
                sheet=SURVEY,
                row=row,
            )
        if element.get("choice_filter"):
            raise _error(
                gettext("choice_filter is not supported: every choice is offered to everyone."),
                sheet=SURVEY,
                row=row,
            )
        kind = element["type"]
        scale = None
        if kind == "select one":
            scale = self._scale(row, element, scales)
            kind = "choice"
        elif kind in ("int", "integer"):
            kind = "integer"
        else:
            kind = "text"
        required = _yes_no(element.get("bind", {}).get("required"))
        if required is None:
            raise _error(
                gettext("required must be yes or no (conditions are not supported)."),
                sheet=SURVEY,
                row=row,
            )
        reverse = _yes_no(element.get("reverse"))
        if reverse is None:
            raise _error(
                gettext("reverse must be yes or no, found %(value)s.")
                % {"value": element.get("reverse")},
                sheet=SURVEY,
                row=row,
            )
        if reverse and kind != "choice":
            raise _error(
                gettext("reverse is only for select_one questions."), sheet=SURVEY, row=row
            )
        if reverse:
            values = scales[scale]["values"]
            mirror = min(values) + max(values)
            if any(mirror - value not in values for value in values):
                raise _error(
                    gettext(
                        "reverse is yes, but the values of the list %(list)s are not symmetric "
                        "(%(values)s), so the answer cannot be reversed."
                    )
                    % {"list": scale, "values": ", ".join(str(v) for v in sorted(values))},
                    sheet=SURVEY,
                    row=row,
                )
        text = self._wording(
            self._survey_cells(row),
            self.columns,
            sheet=SURVEY,
            row=row,
            what="question",
        )
        return {
            "number": number,
            "key": key,
            "kind": kind,
            "scale": scale,
            "reverse": reverse,
            "required": required,
            "text": text,
        }

    def _scale(self, row: int | None, element: dict, scales: dict) -> str:
        list_name = str(element.get("list_name") or element.get("itemset") or "")
        choices = element.get("choices")
        written = self.raw.survey_type(row)
        if not choices or "or_other" in written or "from_file" in written:
            raise _error(
                gettext(
                    "%(type)s is not supported: a select_one needs its own list on the choices "
                    "sheet (no or_other, no external file)."
                )
                % {"type": written or "select_one"},
                sheet=SURVEY,
                row=row,
            )
        if list_name in scales:
            return list_name
        if not _KEY.match(list_name):
            raise _error(
                gettext(
                    "the list name %(name)s cannot be used: use letters, digits, _ and -, "
                    "starting with a letter or a digit."
                )
                % {"name": list_name},
                sheet=SURVEY,
                row=row,
            )
        if len(choices) < 2:
            raise _error(
                gettext("the list %(name)s needs at least two choices.") % {"name": list_name},
                sheet=SURVEY,
                row=row,
            )
        rows = self.raw.choice_rows(list_name)
        built = []
        for position, choice in enumerate(choices):
            choice_row = rows[position] if position < len(rows) else None
            name = str(choice.get("name", "")).strip()
            if not _WHOLE_NUMBER.match(name):
                raise _error(
                    gettext(
                        "the choice name %(name)s is not a whole number. Answers are scored, so "
                        "the names of a select_one list must be numbers (1, 2, 3...)."
                    )
                    % {"name": name},
                    sheet=CHOICES,
                    row=choice_row,
                )
            label = self._wording(
                self.raw.choices[choice_row - 2] if choice_row else {},
                self.choice_columns,
                sheet=CHOICES,
                row=choice_row,
                what="choice",
            )
            built.append({"value": int(name), "label": label})
        scales[list_name] = {
            "choices": built,
            "values": {choice["value"] for choice in built},
        }
        return list_name

    def _subscales(self, rows_and_items) -> list[dict]:
        members: dict[str, list[int]] = {}
        for row, element, item in rows_and_items:
            key = str(element.get("subscale") or "").strip()
            if not key:
                continue
            if not _KEY.match(key):
                raise _error(
                    gettext(
                        "the subscale %(name)s cannot be used: use letters, digits, _ and -, "
                        "starting with a letter or a digit."
                    )
                    % {"name": key},
                    sheet=SURVEY,
                    row=row,
                )
            if item["kind"] != "choice":
                raise _error(
                    gettext("only select_one questions can count in a subscale."),
                    sheet=SURVEY,
                    row=row,
                )
            members.setdefault(key, []).append(item["number"])
        # Three quarters of the items answered, as the shipped instruments ask of theirs.
        return [
            {
                "key": key,
                "label": dict.fromkeys(REQUIRED_LANGUAGES, key),
                "items": numbers,
                "min_answered": math.ceil(0.75 * len(numbers)),
            }
            for key, numbers in members.items()
        ]

    # The settings sheet ----------------------------------------------------------------------

    def _settings_columns(self, *bases: str) -> dict[str, str]:
        """Language code -> settings column, for the columns that hold something."""
        columns = self._columns(self.raw.settings_headers, bases, SETTINGS)
        return {
            code: column
            for code, column in columns.items()
            if str(self.raw.settings.get(column) or "").strip()
        }

    def _title(self) -> dict:
        columns = self._settings_columns("form_title", "title")
        if not columns:
            raise _error(
                gettext(
                    "the form has no title. Add a form_title column and a title column per "
                    "language, for example %(column)s."
                )
                % {"column": self._suggested_column("fr", "title")},
                sheet=SETTINGS,
            )
        return self._wording(
            self.raw.settings,
            columns,
            sheet=SETTINGS,
            row=2,
            what="title",
            base="title",
        )

    def _description(self, notes) -> dict:
        columns = self._settings_columns("description")
        if columns:
            return self._wording(
                self.raw.settings,
                columns,
                sheet=SETTINGS,
                row=2,
                what="description",
                base="description",
            )
        if notes:
            # No description on the settings sheet: the note before the first question is the
            # form's introduction, which is what a description is.
            row = notes[0][0]
            return self._wording(
                self._survey_cells(row),
                self.columns,
                sheet=SURVEY,
                row=row,
                what="note",
            )
        raise _error(
            gettext(
                "the form has no description (one sentence shown before the first question). "
                "Add a description column per language on the settings sheet, for example "
                "%(column)s, or a note before the first question."
            )
            % {"column": self._suggested_column("fr", "description")},
            sheet=SETTINGS,
        )

    def _version(self) -> str:
        version = str(self.version or self.form.get("version") or "1").strip()
        if len(version) > 20:
            raise _error(
                gettext("the version %(version)s is longer than 20 characters.")
                % {"version": version},
                sheet=SETTINGS,
                row=2,
            )
        return version

    def _needs_review(self) -> list[str]:
        value = str(self.raw.settings.get("needs_review") or "").strip()
        codes = []
        for word in re.split(r"[\s,;]+", value) if value else []:
            code = _code_for(word)
            if code is None or code not in self.languages:
                raise _error(
                    gettext("needs_review names %(value)s, which is not a language of the form.")
                    % {"value": word},
                    sheet=SETTINGS,
                    row=2,
                )
            codes.append(code)
        return list(dict.fromkeys(codes))

    # Together --------------------------------------------------------------------------------

    def build(self) -> Spec:
        questions: list = []
        notes: list = []
        self._walk(self.form.get("children", []), questions, notes)
        if not questions:
            raise _error(
                gettext("the form has no question (select_one, integer or text)."), sheet=SURVEY
            )
        scales: dict = {}
        items, seen, with_rows = [], {}, []
        for number, (row, element) in enumerate(questions, start=1):
            item = self._item(number, row, element, scales)
            if item["key"] in seen:
                raise _error(
                    gettext(
                        "the name %(name)s is already used on row %(other)s; every question "
                        "needs its own name, even in another group."
                    )
                    % {"name": item["key"], "other": seen[item["key"]]},
                    sheet=SURVEY,
                    row=row,
                )
            seen[item["key"]] = row
            items.append(item)
            with_rows.append((row, element, item))
        data = {
            "slug": self.slug,
            "version": self._version(),
            "audience": self.audience,
            "title": self._title(),
            "description": self._description(notes),
            "languages": list(self.languages),
            "needs_review": self._needs_review(),
            "scales": {key: {"choices": scale["choices"]} for key, scale in scales.items()},
            "items": items,
        }
        subscales = self._subscales(with_rows)
        if subscales:
            data["scoring"] = {"subscales": subscales}
        try:
            return Spec.from_dict(data, origin="XLSForm")
        except DefinitionError as error:
            # What our own checks above did not foresee; point at the question if we can.
            found = _ITEM_NUMBER.search(str(error))
            row = None
            if found and 0 < int(found.group(1)) <= len(with_rows):
                row = with_rows[int(found.group(1)) - 1][0]
            raise _error(str(error), sheet=SURVEY if row else None, row=row) from error
