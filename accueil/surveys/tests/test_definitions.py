"""Instrument files: every shipped one loads, survives JSON, and bad files say what is wrong."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from accueil.core.i18n import NEWCOMER_LANGUAGES
from accueil.surveys import definitions
from accueil.surveys.definitions import DefinitionError, Instrument, load_file

SHIPPED_FILES = sorted(definitions.INSTRUMENTS_DIR.glob("*.yaml"))
EXPECTED_SLUGS = {
    "sps-24",
    "sps-10",
    "sps-5",
    "ucla-3",
    "program-items",
    "volunteer-prepost",
    "match-satisfaction",
}

# The SPS-24 key, written out once more here so a slip in the file cannot pass unnoticed.
SPS24_SUBSCALES = {
    "attachment": [2, 11, 17, 21],
    "social_integration": [5, 8, 14, 22],
    "reassurance_of_worth": [6, 9, 13, 20],
    "reliable_alliance": [1, 10, 18, 23],
    "guidance": [3, 12, 16, 19],
    "opportunity_for_nurturance": [4, 7, 15, 24],
}
SPS24_REVERSED = {2, 21, 14, 22, 6, 9, 10, 18, 3, 19, 15, 24}


def _texts(instrument: Instrument):
    """Every text of an instrument, with where it is, for the language checks."""
    yield "title", instrument.title, True
    yield "description", instrument.description, True
    for scale in instrument.scales.values():
        for choice in scale.choices:
            yield f"scale {scale.key} choice {choice.value}", choice.label, True
    for item in instrument.items:
        yield f"item {item.number}", item.text, True
    for subscale in instrument.subscales:
        yield f"subscale {subscale.key}", subscale.label, False
    for report_item in instrument.report_items:
        yield f"report item {report_item.number}", report_item.label, False
    if instrument.higher_means:
        yield "higher_means", instrument.higher_means, False


# -- the shipped files --------------------------------------------------------------------------


def test_it_ships_the_expected_instruments():
    assert {path.stem for path in SHIPPED_FILES} == EXPECTED_SLUGS
    assert [i.slug for i in definitions.shipped()] == sorted(EXPECTED_SLUGS)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda path: path.stem)
def test_it_loads_every_shipped_file(path):
    instrument = load_file(path)
    assert instrument.slug == path.stem
    assert definitions.shipped_by_slug(path.stem) == instrument


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda path: path.stem)
def test_it_round_trips_through_json(path):
    instrument = load_file(path)
    stored = json.loads(json.dumps(instrument.to_dict()))
    again = Instrument.from_dict(stored)
    assert again == instrument
    assert again.to_dict() == instrument.to_dict()
    assert again.sha256 == instrument.sha256


def test_it_keeps_the_sha_stable_and_changes_it_with_the_content():
    first = load_file(definitions.INSTRUMENTS_DIR / "sps-24.yaml")
    second = load_file(definitions.INSTRUMENTS_DIR / "sps-24.yaml")
    assert first.sha256 == second.sha256
    assert len(first.sha256) == 64
    changed = first.to_dict()
    changed["items"][0]["text"]["fr"] += " (modifié)"
    assert Instrument.from_dict(changed).sha256 != first.sha256
    # Key order in the stored JSON does not matter, only the content.
    reordered = dict(reversed(list(first.to_dict().items())))
    assert Instrument.from_dict(reordered).sha256 == first.sha256


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda path: path.stem)
def test_it_has_english_and_french_everywhere(path):
    instrument = load_file(path)
    for where, text, _shown in _texts(instrument):
        assert text.get("en") and text.get("fr"), f"{path.name}: {where}"


def test_it_offers_newcomer_instruments_in_every_newcomer_language():
    assert list(definitions.NEWCOMER_LANGUAGES) == list(NEWCOMER_LANGUAGES)
    for instrument in definitions.shipped():
        if instrument.audience == "volunteer":
            continue
        assert set(instrument.languages) == set(NEWCOMER_LANGUAGES), instrument.slug
        for where, text, shown in _texts(instrument):
            if shown:
                assert set(text) >= set(NEWCOMER_LANGUAGES), f"{instrument.slug}: {where}"
        # Whatever we drafted beyond English and French waits for a native speaker.
        assert set(instrument.needs_review) == set(NEWCOMER_LANGUAGES) - {"en", "fr"}


def test_it_keys_the_sps_24_as_published():
    sps = definitions.shipped_by_slug("sps-24")
    assert [item.number for item in sps.items] == list(range(1, 25))
    assert {item.number for item in sps.items if item.reverse} == SPS24_REVERSED
    assert {s.key: list(s.items) for s in sps.subscales} == SPS24_SUBSCALES
    assert [s.key for s in sps.subscales] == list(SPS24_SUBSCALES)
    assert all(s.min_answered == 3 for s in sps.subscales)
    assert sps.total.source == "subscales" and sps.total.range == (24, 96)
    assert sps.scales["agree4"].values == {1, 2, 3, 4}


@pytest.mark.parametrize(
    ("slug", "parents", "min_answered"),
    [
        ("sps-10", (1, 5, 8, 11, 12, 13, 16, 17, 20, 23), 8),
        ("sps-5", (8, 11, 12, 13, 23), 5),
    ],
)
def test_it_words_the_short_forms_like_their_sps_24_items(slug, parents, min_answered):
    short = definitions.shipped_by_slug(slug)
    parent = definitions.shipped_by_slug(short.source.instrument)
    assert short.source.items == parents
    assert short.languages == parent.languages
    assert short.total.source == "items"
    assert short.total.min_answered == min_answered
    assert short.total.range == (len(parents), 4 * len(parents))
    for number, parent_number in enumerate(parents, start=1):
        item, original = short.item(number), parent.item(parent_number)
        assert item.text == original.text, f"{slug} item {number} vs SPS-24 {parent_number}"
        assert not item.reverse and not original.reverse
        assert short.scale_of(item) == parent.scale_of(original)


def test_it_stores_belonging_with_very_strong_as_the_highest_value():
    program = definitions.shipped_by_slug("program-items")
    belonging = program.scale_of(5)
    assert [choice.value for choice in belonging.choices] == [4, 3, 2, 1]
    assert belonging.label(4, "en") == "Very strong"
    assert belonging.label(1, "fr") == "Très faible"
    isolated = next(r for r in program.report_items if r.number == 3)
    assert isolated.favourable == "lower" and isolated.share_of == (3, 4)
    assert {r.number for r in program.report_items} == {1, 2, 3, 4, 5}


def test_it_leaves_the_free_text_item_unscored():
    satisfaction = definitions.shipped_by_slug("match-satisfaction")
    assert [item.number for item in satisfaction.scored_items] == [1, 2, 3]
    comment = satisfaction.item(4)
    assert comment.kind == "text" and comment.scale is None and not comment.required
    assert satisfaction.scale_of(comment) is None
    assert satisfaction.total is None and satisfaction.subscales == ()


def test_it_falls_back_to_english_then_any_language():
    ucla = definitions.shipped_by_slug("ucla-3")
    item = ucla.item(1)
    assert item.text_for("fr") == item.text["fr"]
    assert item.text_for("fr-ca") == item.text["fr"]
    assert item.text_for("de") == item.text["en"]
    assert item.text_for(None) == item.text["en"]
    assert definitions.pick({"fr": "seulement"}, "de") == "seulement"
    assert ucla.title_for("ti") == ucla.title["ti"]
    assert ucla.item(99) is None


def test_it_names_the_known_instruments_for_an_unknown_slug():
    with pytest.raises(definitions.UnknownInstrument, match="sps-24"):
        definitions.shipped_by_slug("sps-99")


# -- validation ---------------------------------------------------------------------------------


def _valid() -> dict:
    text = {"en": "Some words", "fr": "Quelques mots", "ar": "كلمات"}
    return {
        "slug": "tiny",
        "version": "1",
        "audience": "household",
        "title": dict(text),
        "description": dict(text),
        "languages": ["en", "fr", "ar"],
        "needs_review": ["ar"],
        "scales": {
            "yes3": {
                "choices": [
                    {"value": 1, "label": dict(text)},
                    {"value": 2, "label": dict(text)},
                    {"value": 3, "label": dict(text)},
                ]
            }
        },
        "items": [
            {"number": 1, "key": "1", "scale": "yes3", "text": dict(text)},
            {"number": 2, "key": "2", "scale": "yes3", "reverse": True, "text": dict(text)},
            {"number": 3, "key": "note", "kind": "text", "text": dict(text)},
        ],
        "scoring": {
            "subscales": [
                {"key": "a", "label": {"en": "A", "fr": "A"}, "items": [1, 2], "min_answered": 1}
            ],
            "total": {"from": "subscales", "range": [2, 6]},
        },
    }


def _write(tmp_path: Path, data: dict, name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _load_error(tmp_path, data, name="tiny.yaml") -> str:
    with pytest.raises(DefinitionError) as caught:
        load_file(_write(tmp_path, data, name))
    message = str(caught.value)
    assert name in message  # every message names the file
    return message


def test_it_loads_the_valid_example(tmp_path):
    instrument = load_file(_write(tmp_path, _valid()))
    assert instrument.total.range == (2, 6)
    assert isinstance(DefinitionError("x"), ValueError)


def test_it_refuses_duplicate_item_numbers(tmp_path):
    data = _valid()
    data["items"][1]["number"] = 1
    assert "item number 1 is used twice" in _load_error(tmp_path, data)


def test_it_refuses_items_out_of_order(tmp_path):
    data = _valid()
    data["items"][2]["number"] = 4
    assert "numbered 1 to N" in _load_error(tmp_path, data)


def test_it_refuses_an_unknown_scale(tmp_path):
    data = _valid()
    data["items"][0]["scale"] = "agree5"
    assert "unknown scale 'agree5' (known: yes3)" in _load_error(tmp_path, data)


def test_it_refuses_a_subscale_naming_an_unknown_item(tmp_path):
    data = _valid()
    data["scoring"]["subscales"][0]["items"] = [1, 9]
    assert "subscale a: names item 9, which does not exist" in _load_error(tmp_path, data)


def test_it_refuses_a_subscale_naming_a_free_text_item(tmp_path):
    data = _valid()
    data["scoring"]["subscales"][0]["items"] = [1, 3]
    assert "names item 3, which has no scale" in _load_error(tmp_path, data)


def test_it_refuses_reverse_on_an_item_without_a_scale(tmp_path):
    data = _valid()
    data["items"][2]["reverse"] = True
    assert "item 3: reverse: true on an item without a scale" in _load_error(tmp_path, data)


def test_it_refuses_a_listed_language_missing_from_an_item(tmp_path):
    data = _valid()
    del data["items"][0]["text"]["ar"]
    assert "item 1.text: no wording in ar" in _load_error(tmp_path, data)


def test_it_refuses_a_listed_language_missing_from_a_choice_label(tmp_path):
    data = _valid()
    data["scales"]["yes3"]["choices"][1]["label"]["ar"] = "  "
    assert "scale yes3, choice 2.label: no wording in ar" in _load_error(tmp_path, data)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["title"].pop("en"), "title: no wording in en"),
        (
            lambda d: d["scoring"]["subscales"][0]["label"].pop("fr"),
            "subscale a.label: no wording in fr",
        ),
        (lambda d: d["languages"].remove("fr"), "languages: must include fr"),
    ],
    ids=["title-en", "subscale-fr", "languages-fr"],
)
def test_it_refuses_english_or_french_missing_anywhere(tmp_path, edit, expected):
    data = _valid()
    edit(data)
    assert expected in _load_error(tmp_path, data)


def test_it_refuses_min_answered_above_the_number_of_items(tmp_path):
    data = _valid()
    data["scoring"]["subscales"][0]["min_answered"] = 3
    assert "min_answered is 3 but it has only 2 items" in _load_error(tmp_path, data)


def test_it_refuses_a_total_range_that_does_not_match_the_scales(tmp_path):
    data = _valid()
    data["scoring"]["total"]["range"] = [2, 8]
    assert "range [2, 8] does not match the scales, which give [2, 6]" in _load_error(
        tmp_path, data
    )


def test_it_refuses_a_misspelt_key(tmp_path):
    data = _valid()
    data["items"][0]["revers"] = True
    assert "unknown key(s) revers" in _load_error(tmp_path, data)


def test_it_refuses_a_report_share_outside_the_scale(tmp_path):
    data = _valid()
    data["report"] = {"items": [{"number": 1, "share_of": [3, 4], "label": {"en": "x", "fr": "x"}}]}
    assert "share_of [4] not in scale 'yes3'" in _load_error(tmp_path, data)


def test_it_refuses_reverse_keys_on_a_lopsided_scale(tmp_path):
    data = _valid()
    data["scales"]["yes3"]["choices"][2]["value"] = 5
    assert "not symmetric" in _load_error(tmp_path, data)


def test_it_refuses_needs_review_outside_the_languages(tmp_path):
    data = _valid()
    data["needs_review"] = ["ti"]
    assert "needs_review: ti not listed in languages" in _load_error(tmp_path, data)


def test_it_refuses_a_slug_that_is_not_the_file_name(tmp_path):
    assert "does not match the file name" in _load_error(tmp_path, _valid(), "other.yaml")


def test_it_refuses_a_file_that_is_not_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"broken\.yaml: is not valid YAML"):
        load_file(path)


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(DefinitionError, match=r"absent\.yaml: cannot be read"):
        load_file(tmp_path / "absent.yaml")


def test_it_validates_dicts_from_the_database_too():
    data = copy.deepcopy(_valid())
    data["items"][0]["number"] = True  # a boolean is not item 1
    with pytest.raises(DefinitionError, match=r"^stored: item #1\.number: expected a whole number"):
        Instrument.from_dict(data, origin="stored")


def test_the_direction_of_improvement_is_data_and_checked():
    from accueil.surveys.definitions import DefinitionError, Instrument, shipped_by_slug

    assert shipped_by_slug("ucla-3").better == "lower"
    assert shipped_by_slug("sps-24").better == "higher"
    data = shipped_by_slug("ucla-3").to_dict()
    assert Instrument.from_dict(data).better == "lower"
    data["scoring"]["better"] = "sideways"
    with pytest.raises(DefinitionError, match="better"):
        Instrument.from_dict(data)
