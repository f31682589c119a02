"""Counting SMS parts: GSM-7 160/153, UCS-2 70/67, before anything is sent."""

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accueil.messaging.channels.sms import GSM7_BASIC, GSM7_EXTENDED, sms_parts

# No example database on disk: the suite leaves nothing behind in the working tree.
quick = hypothesis_settings(max_examples=150, deadline=None, database=None)

basic = st.sampled_from(sorted(GSM7_BASIC))
extended = st.sampled_from(sorted(GSM7_EXTENDED))
gsm7 = st.one_of(basic, extended)
# Any code point but a lone surrogate, drawn from numbers rather than st.characters(), which
# builds a Unicode table on first use (seconds on a fresh clone).
any_character = st.one_of(
    st.integers(0x20, 0xD7FF), st.integers(0xE000, 0x10FFFF), st.sampled_from([0x0A, 0x0D])
).map(chr)
not_gsm7 = any_character.filter(lambda ch: ch not in GSM7_BASIC and ch not in GSM7_EXTENDED)
mixed = st.one_of(gsm7, gsm7, any_character)  # mostly GSM-7, so both encodings are drawn


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("gsm7", 1)),
        ("a" * 160, ("gsm7", 1)),
        ("a" * 161, ("gsm7", 2)),
        ("a" * 306, ("gsm7", 2)),
        ("a" * 307, ("gsm7", 3)),
        ("Rendez-vous à l'école, réunion jeudi", ("gsm7", 1)),  # à é è are in GSM-7
    ],
)
def test_it_counts_plain_gsm7_text(text, expected):
    assert sms_parts(text) == expected


def test_it_counts_extension_characters_twice():
    assert sms_parts("€" * 80) == ("gsm7", 1)  # 160 septets
    assert sms_parts("€" * 81) == ("gsm7", 2)
    assert sms_parts("a" * 159 + "[") == ("gsm7", 2)
    assert sms_parts("{}" * 40) == ("gsm7", 1)


def test_it_never_splits_an_escaped_character_between_parts():
    # 152 + 2 + 152 septets = 306 would fit two parts of 153, but "€" cannot straddle them.
    assert sms_parts("a" * 152 + "€" + "a" * 152) == ("gsm7", 3)
    assert sms_parts("a" * 151 + "€" + "a" * 153) == ("gsm7", 2)


@pytest.mark.parametrize(
    "odd_one",
    [
        "ب",  # Arabic letter
        "😀",  # emoji
        "’",  # typographic apostrophe
        "À",  # an accented capital outside GSM-7
        "ç",  # only the capital Ç is in GSM-7
    ],
)
def test_it_switches_the_whole_text_to_ucs2_for_one_character(odd_one):
    encoding, parts = sms_parts("a" * 60 + odd_one)
    assert encoding == "ucs2"
    assert parts == 1
    assert sms_parts("a" * 100 + odd_one) == ("ucs2", 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ب" * 70, ("ucs2", 1)),
        ("ب" * 71, ("ucs2", 2)),
        ("ب" * 134, ("ucs2", 2)),
        ("ب" * 135, ("ucs2", 3)),
        ("😀" * 35, ("ucs2", 1)),  # an emoji takes two UTF-16 units
        ("😀" * 36, ("ucs2", 2)),
    ],
)
def test_it_counts_ucs2_text_in_utf16_units(text, expected):
    assert sms_parts(text) == expected


def test_it_never_splits_an_emoji_between_parts():
    # 66 + 2 + 66 units = 134 would fit two parts of 67, but the emoji cannot straddle them.
    assert sms_parts("ب" * 66 + "😀" + "ب" * 66) == ("ucs2", 3)


@quick
@given(st.text(alphabet=mixed, max_size=800))
def test_it_never_counts_fewer_than_one_part(text):
    encoding, parts = sms_parts(text)
    assert encoding in {"gsm7", "ucs2"}
    assert parts >= 1


@quick
@given(st.text(alphabet=basic, max_size=160))
def test_it_fits_gsm7_text_of_up_to_160_characters_in_one_part(text):
    assert sms_parts(text) == ("gsm7", 1)


@quick
@given(st.text(alphabet=basic, min_size=161, max_size=1200))
def test_it_splits_longer_gsm7_text_into_parts_of_153(text):
    assert sms_parts(text) == ("gsm7", -(-len(text) // 153))


@quick
@given(st.text(alphabet=gsm7, max_size=600), not_gsm7, st.text(alphabet=gsm7, max_size=600))
def test_it_uses_ucs2_as_soon_as_one_character_is_outside_gsm7(before, odd_one, after):
    encoding, parts = sms_parts(before + odd_one + after)
    assert encoding == "ucs2"
    units = len((before + odd_one + after).encode("utf-16-le")) // 2
    if units <= 70:
        assert parts == 1
    else:
        assert parts >= -(-units // 67)


@quick
@given(st.text(alphabet=mixed, max_size=800), mixed)
def test_it_never_counts_fewer_parts_for_a_longer_text_in_the_same_encoding(text, extra):
    encoding, parts = sms_parts(text)
    longer_encoding, longer_parts = sms_parts(text + extra)
    if encoding == longer_encoding:
        assert longer_parts >= parts


@quick
@given(st.text(alphabet=gsm7, max_size=800))
def test_it_has_room_for_every_septet(text):
    septets = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    encoding, parts = sms_parts(text)
    assert encoding == "gsm7"
    capacity = 160 if parts == 1 else 153 * parts
    assert septets <= capacity
    # Never more than one part beyond the plain division (an escape pushed over the edge
    # wastes at most one septet per part).
    assert parts <= max(1, -(-septets // 152))
