"""Reading an XLSForm into an instrument: what is kept, and where each refusal points."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from accueil.surveys.xlsform import XLSFormError, instrument_from_xlsform, other_languages

LABELS = ["label::English (en)", "label::Français (fr)", "label::العربية (ar)"]
SURVEY_HEADER = ["type", "name", *LABELS, "required", "reverse", "subscale"]


def valid_sheets() -> dict[str, list[list]]:
    """A small form: a group of two agree4 questions (one reverse-keyed, both in a subscale),
    a note, a number and a free-text question, in English, French and Arabic."""
    return {
        "survey": [
            list(SURVEY_HEADER),
            ["begin group", "support", "Support", "Soutien", "الدعم", "", "", ""],  # row 2
            [
                "select_one agree4",
                "count_on",
                "I have people I can count on.",
                "J'ai des personnes sur qui compter.",
                "لدي أشخاص أعتمد عليهم.",
                "yes",
                "",
                "support",
            ],  # row 3
            [
                "select_one agree4",
                "alone",
                "I feel alone.",
                "Je me sens seul.",
                "أشعر بالوحدة.",
                "",
                "yes",
                "support",
            ],  # row 4
            ["end group", "", "", "", "", "", "", ""],  # row 5
            ["note", "thanks", "Almost done.", "Presque fini.", "اقتربنا.", "", "", ""],  # row 6
            ["integer", "months", "Months in Canada?", "Mois au Canada ?", "أشهر في كندا؟"],  # 7
            ["text", "comment", "Anything else?", "Autre chose ?", "شيء آخر؟"],  # row 8
        ],
        "choices": [
            ["list_name", "name", *LABELS],
            ["agree4", 1, "Strongly disagree", "Pas du tout d'accord", "لا أوافق بشدة"],  # 2
            ["agree4", 2, "Disagree", "Pas d'accord", "لا أوافق"],  # 3
            ["agree4", 3, "Agree", "D'accord", "أوافق"],  # 4
            ["agree4", 4, "Strongly agree", "Tout à fait d'accord", "أوافق بشدة"],  # 5
        ],
        "settings": [
            [
                "form_title",
                "title::Français (fr)",
                "title::العربية (ar)",
                "description::English (en)",
                "description::Français (fr)",
                "description::العربية (ar)",
                "version",
                "needs_review",
            ],
            [
                "Support and loneliness",
                "Soutien et solitude",
                "الدعم والوحدة",
                "Choose the answer closest to how you feel.",
                "Choisissez la réponse la plus proche de ce que vous ressentez.",
                "اختر الإجابة الأقرب إلى شعورك.",
                "2025-01",
                "ar",
            ],
        ],
    }


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(tmp_path: Path, sheets: dict[str, list[list]], name: str = "form.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(sheets))
    return path


def read(tmp_path, sheets, **kwargs):
    kwargs.setdefault("slug", "support-check")
    kwargs.setdefault("audience", "household")
    return instrument_from_xlsform(write_xlsx(tmp_path, sheets), **kwargs)


def refusal(tmp_path, sheets) -> XLSFormError:
    with pytest.raises(XLSFormError) as caught:
        read(tmp_path, sheets)
    return caught.value


# What is kept ----------------------------------------------------------------------------------


def test_it_reads_items_scales_translations_and_subscales(tmp_path):
    spec = read(tmp_path, valid_sheets())

    assert (spec.slug, spec.version, spec.audience) == ("support-check", "2025-01", "household")
    assert spec.languages == ("en", "fr", "ar")
    assert spec.needs_review == ("ar",)
    assert spec.title == {
        "en": "Support and loneliness",
        "fr": "Soutien et solitude",
        "ar": "الدعم والوحدة",
    }
    assert (
        spec.description["fr"] == "Choisissez la réponse la plus proche de ce que vous ressentez."
    )
    # The group is read through, the note skipped; numbered 1..N in sheet order.
    assert [(i.number, i.key, i.kind, i.scale) for i in spec.items] == [
        (1, "count_on", "choice", "agree4"),
        (2, "alone", "choice", "agree4"),
        (3, "months", "integer", None),
        (4, "comment", "text", None),
    ]
    assert [i.required for i in spec.items] == [True, False, False, False]
    assert [i.reverse for i in spec.items] == [False, True, False, False]
    assert spec.item(2).text == {
        "en": "I feel alone.",
        "fr": "Je me sens seul.",
        "ar": "أشعر بالوحدة.",
    }
    scale = spec.scales["agree4"]
    assert [c.value for c in scale.choices] == [1, 2, 3, 4]
    assert scale.label(4, "ar") == "أوافق بشدة"
    assert scale.label(1, "fr") == "Pas du tout d'accord"
    [support] = spec.subscales
    assert (support.key, support.items, support.min_answered) == ("support", (1, 2), 2)
    assert other_languages(spec) == ()


def test_it_reads_an_upload_and_bytes_alike(tmp_path):
    data = xlsx_bytes(valid_sheets())
    upload = io.BytesIO(data)
    upload.name = "form.xlsx"

    from_upload = instrument_from_xlsform(upload, slug="support-check", audience="any")
    from_bytes = instrument_from_xlsform(data, slug="support-check", audience="any")

    assert from_upload.sha256 == from_bytes.sha256


def test_the_version_argument_wins_over_the_settings_sheet(tmp_path):
    assert read(tmp_path, valid_sheets(), version="7").version == "7"


def test_without_a_version_it_is_1(tmp_path):
    sheets = valid_sheets()
    header, values = sheets["settings"]
    at = header.index("version")
    del header[at], values[at]

    assert read(tmp_path, sheets).version == "1"


def test_a_note_before_the_first_question_is_the_description(tmp_path):
    sheets = valid_sheets()
    header, values = sheets["settings"]
    for column in [c for c in header if c.startswith("description")]:
        at = header.index(column)
        del header[at], values[at]
    sheets["survey"].insert(1, ["note", "intro", "Thank you.", "Merci.", "شكرا."])

    spec = read(tmp_path, sheets)

    assert spec.description == {"en": "Thank you.", "fr": "Merci.", "ar": "شكرا."}
    assert len(spec.items) == 4


def test_metadata_rows_ask_nothing_and_are_skipped(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][1:1] = [["start", "start"], ["end", "end"], ["today", "today"]]

    assert next(item.key for item in read(tmp_path, sheets).items) == "count_on"


def test_language_codes_are_mapped_and_other_codes_kept_and_listed(tmp_path):
    labels = ["label::English (en)", "label::Français (fr)", "label::Dari (fa-AF)", "label::de"]
    sheets = {
        "survey": [
            ["type", "name", *labels],
            ["select_one yes_no", "ok", "All right?", "Ça va ?", "خوب هستید؟", "Alles gut?"],
        ],
        "choices": [
            ["list_name", "name", *labels],
            ["yes_no", 1, "Yes", "Oui", "بلی", "Ja"],
            ["yes_no", 0, "No", "Non", "نخیر", "Nein"],
        ],
        "settings": [
            [
                "form_title",
                "title::Français (fr)",
                "title::Dari (fa-AF)",
                "title::Deutsch (de)",
                "description::English",
                "description::Français",
                "description::prs",
                "description::German (de)",
                "needs_review",
            ],
            [
                "Check",
                "Vérification",
                "بررسی",
                "Prüfung",
                "One question.",
                "Une question.",
                "یک سوال.",
                "Eine Frage.",
                "fa-AF de",
            ],
        ],
    }

    spec = read(tmp_path, sheets)

    assert spec.languages == ("en", "fr", "prs", "de")
    assert spec.needs_review == ("prs", "de")
    assert other_languages(spec) == ("de",)
    assert spec.item(1).text["prs"] == "خوب هستید؟"
    assert spec.scales["yes_no"].label(0, "de") == "Nein"
    assert spec.description["de"] == "Eine Frage."


def test_a_plain_label_is_the_default_language(tmp_path):
    sheets = valid_sheets()
    for name in ("survey", "choices"):
        sheets[name][0] = ["label" if c == "label::Français (fr)" else c for c in sheets[name][0]]
    sheets["settings"][0].append("default_language")
    sheets["settings"][1].append("Français (fr)")
    # form_title (plain) is now French; the English title needs its own column.
    sheets["settings"][0].append("title::English (en)")
    sheets["settings"][1].append("Support and loneliness")
    sheets["settings"][1][0] = "Soutien et solitude"
    del sheets["settings"][0][1], sheets["settings"][1][1]

    spec = read(tmp_path, sheets)

    assert spec.item(2).text["fr"] == "Je me sens seul."
    assert spec.title["fr"] == "Soutien et solitude"
    assert spec.title["en"] == "Support and loneliness"


# Where refusals point --------------------------------------------------------------------------


def test_select_multiple_is_refused_on_its_row(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][6][0] = "select_multiple agree4"  # row 7

    error = refusal(tmp_path, sheets)

    assert str(error) == "survey sheet, row 7: select_multiple is not supported; use select_one."
    assert (error.sheet, error.row) == ("survey", 7)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("geopoint", "survey sheet, row 8: geopoint is not supported"),
        ("decimal", "survey sheet, row 8: decimal is not supported; use integer."),
        ("calculate", "survey sheet, row 8: calculate is not supported"),
    ],
)
def test_other_question_types_are_refused_on_their_row(tmp_path, written, expected):
    sheets = valid_sheets()
    sheets["survey"][7][0] = written  # row 8
    if written == "calculate":
        sheets["survey"][0].append("calculation")
        sheets["survey"][7].extend(["", "", "", "1 + 1"])

    assert str(refusal(tmp_path, sheets)).startswith(expected)


def test_a_repeat_is_refused_on_its_row(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][1][0] = "begin repeat"  # row 2
    sheets["survey"][4][0] = "end repeat"

    error = refusal(tmp_path, sheets)

    assert str(error).startswith("survey sheet, row 2: begin repeat is not supported")


def test_a_choice_name_that_is_not_a_number_is_refused_on_its_choices_row(tmp_path):
    sheets = valid_sheets()
    sheets["choices"][3][1] = "agree"  # row 4

    error = refusal(tmp_path, sheets)

    assert str(error).startswith(
        "choices sheet, row 4: the choice name agree is not a whole number"
    )
    assert (error.sheet, error.row) == ("choices", 4)


def test_missing_wording_names_the_row_and_the_column(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][3][4] = ""  # row 4, Arabic

    error = refusal(tmp_path, sheets)

    assert str(error) == (
        "survey sheet, row 4: the question has no Arabic wording (column label::العربية (ar))."
    )


def test_a_choice_without_wording_names_its_choices_row(tmp_path):
    sheets = valid_sheets()
    sheets["choices"][2][3] = ""  # row 3, French

    assert str(refusal(tmp_path, sheets)).startswith(
        "choices sheet, row 3: the choice has no French wording (column label::Français (fr))"
    )


def test_a_form_without_french_says_which_column_to_add(tmp_path):
    sheets = valid_sheets()
    for name in ("survey", "choices"):
        at = sheets[name][0].index("label::Français (fr)")
        for row in sheets[name]:
            if len(row) > at:
                del row[at]

    error = refusal(tmp_path, sheets)

    assert str(error) == (
        "survey sheet: there is no French wording. Add a column label::Français (fr) to the "
        "survey and choices sheets."
    )


def test_a_title_without_french_names_the_settings_column(tmp_path):
    sheets = valid_sheets()
    at = sheets["settings"][0].index("title::Français (fr)")
    del sheets["settings"][0][at], sheets["settings"][1][at]

    assert str(refusal(tmp_path, sheets)) == (
        "settings sheet, row 2: the title has no French wording (column title::Français (fr))."
    )


def test_reverse_on_a_question_without_a_scale_is_refused_on_its_row(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][7].extend(["", "yes"])  # row 8, the text question

    assert str(refusal(tmp_path, sheets)) == (
        "survey sheet, row 8: reverse is only for select_one questions."
    )


def test_reverse_on_an_unsymmetric_list_is_refused_on_its_row(tmp_path):
    sheets = valid_sheets()
    sheets["choices"][4][1] = 5  # values 1, 2, 3, 5

    assert str(refusal(tmp_path, sheets)).startswith(
        "survey sheet, row 4: reverse is yes, but the values of the list agree4 are not symmetric"
    )


def test_skip_logic_is_refused_on_its_row(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][0].append("relevant")
    sheets["survey"][7].extend(["", "", "", "${months} > 2"])  # row 8

    assert str(refusal(tmp_path, sheets)).startswith(
        "survey sheet, row 8: relevant (skip logic) is not supported"
    )


def test_the_same_name_in_two_groups_is_refused_on_the_second_row(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][7][1] = "count_on"  # row 8; pyxform allows it, outside the group

    assert str(refusal(tmp_path, sheets)).startswith(
        "survey sheet, row 8: the name count_on is already used on row 3"
    )


def test_pyxform_errors_keep_their_row(tmp_path):
    sheets = valid_sheets()
    del sheets["survey"][4]  # the end group: row 2's group is never closed

    error = refusal(tmp_path, sheets)

    assert str(error).startswith("survey sheet, row 2: Unmatched 'begin_group'.")
    assert (error.sheet, error.row) == ("survey", 2)


def test_pyxform_errors_on_the_choices_sheet_name_it(tmp_path):
    sheets = valid_sheets()
    sheets["choices"][2][1] = 1  # row 3 repeats the name of row 2

    error = refusal(tmp_path, sheets)

    assert (error.sheet, error.row) == ("choices", 3)
    assert str(error).startswith("choices sheet, row 3: the 'name' value is invalid.")


def test_an_unknown_list_is_a_pyxform_error_without_a_row(tmp_path):
    sheets = valid_sheets()
    sheets["survey"][2][0] = "select_one agree5"

    assert "agree5" in str(refusal(tmp_path, sheets))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("form.csv", b"type,name,label\ntext,q,Q\n", "form.csv is not an Excel workbook (.xlsx)"),
        ("form.xlsx", b"just some text", "form.xlsx is not an Excel workbook (.xlsx)"),
        ("form.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "This is an old Excel file"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused_plainly(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(XLSFormError) as caught:
        instrument_from_xlsform(path, slug="x", audience="any")

    assert str(caught.value).startswith(expected)
    assert caught.value.row is None


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "form.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(XLSFormError, match="not an Excel workbook"):
        instrument_from_xlsform(path, slug="x", audience="any")
