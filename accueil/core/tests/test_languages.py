"""ISO 639 languages: codes, names in the reader's language, and what people type."""

from django.utils import translation

from accueil.core import languages


def test_it_stores_the_shortest_iso_639_code():
    assert languages.normalize("fra") == "fr"
    assert languages.normalize("FR") == "fr"
    assert languages.normalize("fre") == "fr"  # the bibliographic code too
    assert languages.normalize("prs") == "prs"  # Dari has no two-letter code
    assert languages.normalize("xx") is None
    assert languages.is_valid("fr")
    assert not languages.is_valid("fra")
    assert not languages.is_valid("xx")


def test_it_refuses_extinct_and_special_codes():
    assert languages.normalize("got") is None  # Gothic
    assert languages.normalize("und") is None  # undetermined


def test_it_names_languages_in_the_readers_language():
    assert languages.language_name("fr", "en") == "French"
    assert languages.language_name("fr", "fr") == "Français"
    assert languages.language_name("de", "es") == "Alemán"
    with translation.override("fr"):
        assert languages.language_name("ar") == "Arabe"


def test_it_uses_the_names_people_use():
    assert languages.language_name("ps", "en") == "Pashto"  # not "Pushto"
    assert languages.language_name("yue", "en") == "Cantonese"  # not "Yue Chinese"
    assert languages.language_name("ht", "en") == "Haitian Creole"
    assert languages.language_name("sw", "en") == "Swahili"  # no "(macrolanguage)"
    assert languages.language_name("el", "en") == "Modern Greek"  # no "(1453-)"


def test_it_finds_what_people_type():
    assert languages.find("French", "en") == "fr"
    assert languages.find("  francais ", "en") == "fr"  # French name, no accent, on an English page
    assert languages.find("Farsi", "en") == "fa"
    assert languages.find("persan", "fr") == "fa"
    assert languages.find("Dari", "en") == "prs"
    assert languages.find("Tigrinya", "en") == "ti"
    assert languages.find("ASL", "en") == "ase"  # the sign language, not a rare "asl" code
    assert languages.find("ti", "en") == "ti"
    assert languages.find("tir", "en") == "ti"
    assert languages.find("Klingonese", "en") is None
    assert languages.find("", "en") is None


def test_it_suggests_the_common_languages_first():
    names = languages.picker_names("en")
    assert names[:5] == ["English", "French", "Arabic", "Spanish", "Farsi (Persian)"]
    for name in ("Dari", "Pashto", "Tigrinya", "Somali", "Mandarin Chinese", "Cantonese", "Nuer"):
        assert name in names[:40]
    assert len(names) == len(set(names)) < 250  # short enough for a slow connection
    assert names[0] != languages.picker_names("fr")[0]  # "Anglais"


def test_it_reads_a_stored_code_as_that_language():
    # "en" is also the name of a language of Viet Nam ("En", code enc); a stored code wins.
    assert languages.find("en") == "en"
    assert languages.find("English") == "en"
