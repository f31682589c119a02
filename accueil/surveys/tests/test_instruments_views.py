"""The instruments pages: the list and detail for staff, the XLSForm import for managers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accueil.conftest import MANAGERS, STAFF, assert_personas
from accueil.core.models import AuditEntry
from accueil.surveys.definitions import shipped
from accueil.surveys.models import Instrument, InstrumentSource
from accueil.surveys.services_instruments import instrument_store, instruments_sync
from accueil.surveys.xlsform import instrument_from_xlsform

from .factories import household_survey
from .test_xlsform import valid_sheets, xlsx_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(sheets=None, name: str = "form.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(sheets or valid_sheets()), content_type=XLSX)


def stored(slug: str = "support-check", *, sheets=None, by=None) -> Instrument:
    spec = instrument_from_xlsform(
        xlsx_bytes(sheets or valid_sheets()), slug=slug, audience="household"
    )
    return instrument_store(spec, source=InstrumentSource.XLSFORM, by=by)


def preview(client, **data):
    data.setdefault("step", "preview")
    data.setdefault("slug", "support-check")
    data.setdefault("audience", "household")
    data.setdefault("file", upload())
    return client.post(reverse("survey_instrument_import"), data)


# Who sees what ---------------------------------------------------------------------------------


def test_staff_see_the_list_others_get_404(personas):
    assert_personas(personas, reverse("survey_instruments"), STAFF)


def test_staff_see_an_instrument_others_get_404(personas):
    stored()
    assert_personas(personas, reverse("survey_instrument", args=["support-check"]), STAFF)


def test_managers_reach_the_import_others_get_404(personas):
    assert_personas(personas, reverse("survey_instrument_import"), MANAGERS)


def test_a_coordinator_cannot_post_an_import(personas):
    response = preview(personas.client_for("coordinator"))

    assert response.status_code == 404
    assert not Instrument.objects.filter(slug="support-check").exists()


def test_an_unknown_instrument_is_404(personas):
    response = personas.client_for("admin").get(reverse("survey_instrument", args=["nope"]))

    assert response.status_code == 404


# The list and the detail -----------------------------------------------------------------------


def test_the_list_shows_current_instruments(personas):
    stored()

    response = personas.client_for("coordinator").get(reverse("survey_instruments"))

    row = next(r for r in response.context["rows"] if r["instrument"].slug == "support-check")
    assert row["title"] == "Support and loneliness"
    assert row["items"] == 4
    assert [lang["code"] for lang in row["languages"]] == ["en", "fr", "ar"]
    assert [lang["code"] for lang in row["needs_review"]] == ["ar"]
    page = response.content.decode()
    assert "Imported from an XLSForm" in page
    assert reverse("survey_instrument", args=["support-check"]) in page
    # Coordinators read; only managers import.
    assert reverse("survey_instrument_import") not in page


def test_the_list_runs_the_same_number_of_queries_for_1_or_4_instruments(personas):
    client = personas.client_for("manager")
    client.get(reverse("survey_instruments"))  # warm caches (session, content types)
    stored("form-1")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("survey_instruments"))
    for n in range(2, 5):
        stored(f"form-{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("survey_instruments"))

    assert len(many) == len(few)
    assert {f"form-{n}" for n in range(1, 5)} <= {
        r["instrument"].slug for r in response.context["rows"]
    }


def test_the_detail_shows_items_scales_reverse_keys_and_subscales(personas):
    stored()

    response = personas.client_for("manager").get(
        reverse("survey_instrument", args=["support-check"])
    )

    assert response.status_code == 200
    items = response.context["items"]
    assert [row["item"].key for row in items] == ["count_on", "alone", "months", "comment"]
    assert items[1]["item"].reverse is True
    assert items[0]["subscales"] == ["support"]
    assert items[0]["scale"].key == "agree4"
    page = response.content.decode()
    assert "I feel alone." in page
    assert "Strongly agree" in page


def test_the_detail_shows_every_shipped_instrument_in_each_of_its_languages(personas):
    client = personas.client_for("coordinator")
    for instrument in instruments_sync():
        for language in instrument.spec.languages:
            response = client.get(
                reverse("survey_instrument", args=[instrument.slug]), {"language": language}
            )

            assert response.status_code == 200
            wording = escape(instrument.spec.item(1).text_for(language))
            assert wording in response.content.decode()


def test_the_detail_switches_among_the_instrument_languages(personas):
    stored()
    url = reverse("survey_instrument", args=["support-check"])
    client = personas.client_for("manager")

    arabic = client.get(url, {"language": "ar"})
    unknown = client.get(url, {"language": "ti"})  # not a language of this form

    assert arabic.context["language"] == "ar"
    assert "أشعر بالوحدة." in arabic.content.decode()
    assert 'dir="rtl"' in arabic.content.decode()
    assert arabic.context["shown_needs_review"] is True
    assert unknown.context["language"] == "en"
    assert "I feel alone." in unknown.content.decode()


def test_the_detail_follows_the_staff_language(personas):
    stored()
    personas.manager.language = "fr"
    personas.manager.save(update_fields=["language"])

    response = personas.client_for("manager").get(
        reverse("survey_instrument", args=["support-check"])
    )

    assert response.context["language"] == "fr"
    assert "Je me sens seul." in response.content.decode()


# The import ------------------------------------------------------------------------------------


def test_the_import_previews_then_stores_and_lists_the_instrument(personas):
    client = personas.client_for("manager")

    shown = preview(client)

    assert shown.status_code == 200
    assert shown.templates[0].name == "surveys/instruments/import_preview.html"
    assert len(shown.context["items"]) == 4
    assert [lang["code"] for lang in shown.context["languages"]] == ["en", "fr", "ar"]
    assert not Instrument.objects.filter(slug="support-check").exists()  # nothing yet

    loaded = client.post(
        reverse("survey_instrument_import"), {"step": "confirm", "preview": shown.context["signed"]}
    )

    assert loaded.status_code == 302
    assert loaded["Location"] == reverse("survey_instrument", args=["support-check"])
    instrument = Instrument.objects.get(slug="support-check")
    assert instrument.source == InstrumentSource.XLSFORM
    assert instrument.is_current
    assert instrument.version == "2025-01"
    assert instrument.loaded_by == personas.manager
    assert instrument.spec.item(2).reverse is True
    entry = AuditEntry.objects.get(code="survey.instrument_imported")
    assert entry.object_pk == str(instrument.pk)
    assert entry.actor == personas.manager
    listed = client.get(reverse("survey_instruments"))
    assert "support-check" in {r["instrument"].slug for r in listed.context["rows"]}


def test_a_new_version_replaces_the_current_one(personas):
    first = stored()
    sheets = valid_sheets()
    sheets["settings"][1][sheets["settings"][0].index("version")] = "2025-02"
    client = personas.client_for("admin")

    shown = preview(client, file=upload(sheets))
    client.post(
        reverse("survey_instrument_import"), {"step": "confirm", "preview": shown.context["signed"]}
    )

    assert shown.context["current"] == first
    first.refresh_from_db()
    assert not first.is_current
    assert Instrument.objects.current().get(slug="support-check").version == "2025-02"


def test_errors_keep_the_chosen_fields_and_ask_for_the_file_again(personas):
    sheets = valid_sheets()
    sheets["survey"][6][0] = "select_multiple agree4"  # row 7

    response = preview(personas.client_for("manager"), file=upload(sheets), audience="volunteer")

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "survey sheet, row 7: select_multiple is not supported; use select_one." in page
    assert "choose it again" in page
    assert 'value="support-check"' in page
    assert 'value="volunteer" id="id_audience_1" required checked' in page
    assert page.count('href="#id_file"') == 1  # the summary links to the field
    assert "<title>Error:" in page


def test_a_file_that_is_not_an_xlsx_is_refused(personas):
    file = SimpleUploadedFile("answers.csv", b"type,name\ntext,q\n", content_type="text/csv")

    response = preview(personas.client_for("manager"), file=file)

    assert response.status_code == 400
    assert "answers.csv is not an Excel workbook (.xlsx)" in response.content.decode()


def test_a_file_over_2_mb_is_refused(personas):
    file = SimpleUploadedFile("big.xlsx", b"0" * (2 * 1024 * 1024 + 1), content_type=XLSX)

    response = preview(personas.client_for("manager"), file=file)

    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


def test_the_short_name_of_a_shipped_instrument_is_refused(personas):
    slug = shipped()[0].slug

    response = preview(personas.client_for("manager"), slug=slug)

    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == [
        f"{slug} is the short name of an instrument that comes with Accueil. Choose another "
        "short name."
    ]
    assert "Choose the file again" in response.content.decode()


@pytest.mark.parametrize("slug", ["Support Check", "import", "-x"])
def test_a_short_name_must_be_a_lowercase_slug(personas, slug):
    response = preview(personas.client_for("manager"), slug=slug)

    assert response.status_code == 400
    assert "slug" in response.context["form"].errors


def test_a_changed_version_with_answers_must_get_a_new_version(personas):
    stored()
    household_survey(instruments=["support-check"])
    sheets = valid_sheets()
    sheets["survey"][7][2] = "Anything else to tell us?"  # same version, other wording

    response = preview(personas.client_for("manager"), file=upload(sheets))

    assert response.status_code == 400
    message = response.context["form"].errors["file"][0]
    assert message.startswith("Version 2025-01 of support-check already has answers")
    assert "new version" in message


def test_the_same_file_again_is_harmless(personas):
    stored()
    household_survey(instruments=["support-check"])
    client = personas.client_for("manager")

    shown = preview(client)
    client.post(
        reverse("survey_instrument_import"), {"step": "confirm", "preview": shown.context["signed"]}
    )

    assert shown.context["unchanged"] is True
    assert Instrument.objects.filter(slug="support-check").count() == 1


def test_a_changed_preview_is_refused(personas):
    client = personas.client_for("manager")
    signed = preview(client).context["signed"]

    response = client.post(
        reverse("survey_instrument_import"),
        {"step": "confirm", "preview": signed[:-2] + "xx"},
        follow=True,
    )

    assert "Upload the file again" in response.content.decode()
    assert not Instrument.objects.filter(slug="support-check").exists()


def test_another_persons_preview_is_refused(personas):
    signed = preview(personas.client_for("manager")).context["signed"]

    response = personas.client_for("admin").post(
        reverse("survey_instrument_import"), {"step": "confirm", "preview": signed}
    )

    assert response.status_code == 302
    assert not Instrument.objects.filter(slug="support-check").exists()


def test_an_old_preview_is_refused(personas, monkeypatch):
    client = personas.client_for("manager")
    signed = preview(client).context["signed"]
    monkeypatch.setattr("accueil.surveys.views.instruments.PREVIEW_MAX_AGE", -1)

    response = client.post(
        reverse("survey_instrument_import"), {"step": "confirm", "preview": signed}, follow=True
    )

    assert "more than an hour old" in response.content.decode()
    assert not Instrument.objects.filter(slug="support-check").exists()
