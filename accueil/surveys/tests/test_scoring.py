"""Scoring against vectors computed by hand, plus properties that hold for any answers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accueil.surveys.definitions import shipped_by_slug
from accueil.surveys.scoring import Score, ScoringError, format_score, score

SPS24 = shipped_by_slug("sps-24")
SPS10 = shipped_by_slug("sps-10")
SPS5 = shipped_by_slug("sps-5")
UCLA3 = shipped_by_slug("ucla-3")
SUBSCALE_KEYS = [
    "attachment",
    "social_integration",
    "reassurance_of_worth",
    "reliable_alliance",
    "guidance",
    "opportunity_for_nurturance",
]
REVERSED = {2, 3, 6, 9, 10, 14, 15, 18, 19, 21, 22, 24}


def _all(instrument, value):
    return {item.number: value for item in instrument.scored_items}


# -- SPS-24 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 4])
def test_it_scores_the_same_answer_everywhere_as_ten_per_subscale(value):
    # Each subscale has two straight and two reverse-keyed items: all 1s give 1+1+4+4 = 10,
    # all 4s give 4+4+1+1 = 10; the six subscales add up to 60.
    result = score(SPS24, _all(SPS24, value))
    assert result.subscales == dict.fromkeys(SUBSCALE_KEYS, 10)
    assert result.total == 60
    assert isinstance(result.total, int)  # whole scores stay whole: "60", never "60.0"


def test_it_scores_a_mixed_vector_as_computed_by_hand():
    answers = {
        1: 4, 2: 1, 3: 2, 4: 3, 5: 4, 6: 1, 7: 3, 8: 4, 9: 2, 10: 1, 11: 4, 12: 3,
        13: 3, 14: 2, 15: 1, 16: 4, 17: 4, 18: 1, 19: 2, 20: 3, 21: 1, 22: 2, 23: 4, 24: 2,
    }  # fmt: skip
    # R = reverse-keyed, counted 5 - answer:
    # attachment            2R:5-1=4  11:4        17:4        21R:5-1=4   -> 16
    # social integration    5:4       8:4         14R:5-2=3   22R:5-2=3   -> 14
    # reassurance of worth  6R:5-1=4  9R:5-2=3    13:3        20:3        -> 13
    # reliable alliance     1:4       10R:5-1=4   18R:5-1=4   23:4        -> 16
    # guidance              3R:5-2=3  12:3        16:4        19R:5-2=3   -> 13
    # nurturance            4:3       7:3         15R:5-1=4   24R:5-2=3   -> 13
    # total 16 + 14 + 13 + 16 + 13 + 13 = 85
    result = score(SPS24, answers)
    assert result.subscales == {
        "attachment": 16,
        "social_integration": 14,
        "reassurance_of_worth": 13,
        "reliable_alliance": 16,
        "guidance": 13,
        "opportunity_for_nurturance": 13,
    }
    assert result.total == 85
    assert result.items == answers  # the answers as given, not reverse-keyed


def test_it_prorates_a_subscale_with_one_missing_answer():
    answers = _all(SPS24, 1)
    # Attachment with item 21 unanswered: 2R answered 2 counts 3, 11 answered 2, 17 answered 4;
    # mean (3 + 2 + 4) / 3 = 3, times 4 items = 12. The other five stay at 10: total 62.
    answers.update({2: 2, 11: 2, 17: 4, 21: None})
    result = score(SPS24, answers)
    assert result.subscales["attachment"] == 12
    assert result.total == 62
    assert 21 not in result.items


def test_it_rounds_a_prorated_score_that_is_not_whole():
    answers = _all(SPS24, 1)
    # Guidance without item 19: 3R answered 2 counts 3, 12 answered 3, 16 answered 4;
    # (3 + 3 + 4) / 3 x 4 = 13.3333...; total 13.3333 + 50 = 63.3333.
    answers.update({3: 2, 12: 3, 16: 4})
    del answers[19]
    result = score(SPS24, answers)
    assert result.subscales["guidance"] == 13.3333
    assert result.total == 63.3333
    assert format_score(result.subscales["guidance"]) == "13.33"


def test_it_leaves_a_subscale_and_the_total_unscored_with_two_missing_answers():
    answers = _all(SPS24, 1)
    answers[5] = None
    del answers[14]
    result = score(SPS24, answers)
    assert result.subscales["social_integration"] is None
    assert result.total is None
    assert result.subscales["attachment"] == 10  # the others are still scored


def test_it_scores_nothing_without_answers():
    result = score(SPS24, {})
    assert result == Score(subscales=dict.fromkeys(SUBSCALE_KEYS), total=None, items={})


# -- short forms and UCLA-3 ---------------------------------------------------------------------


def test_it_scores_the_sps_10_with_eight_answers_or_more():
    assert score(SPS10, _all(SPS10, 4)).total == 40
    eight = {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 3, 8: 3}
    # Two of ten missing: mean 30 / 8 = 3.75, times 10 = 37.5.
    assert score(SPS10, eight).total == 37.5
    seven = {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 3, 8: None, 9: None, 10: None}
    assert score(SPS10, seven).total is None


def test_it_scores_the_sps_5_only_when_complete():
    assert score(SPS5, {1: 1, 2: 2, 3: 3, 4: 4, 5: 4}).total == 14
    assert score(SPS5, {1: 4, 2: 4, 3: 4, 4: 4, 5: None}).total is None


def test_it_scores_the_ucla_3_only_when_complete():
    assert score(UCLA3, {1: 3, 2: 3, 3: 3}).total == 9
    assert score(UCLA3, {1: 1, 2: 2, 3: 1}).total == 4
    assert score(UCLA3, {1: 3, 2: None, 3: 3}).total is None


def test_it_reports_items_only_for_an_instrument_without_scores():
    result = score(shipped_by_slug("program-items"), {1: 4, 3: 1, 5: 4})
    assert result == Score(subscales={}, total=None, items={1: 4, 3: 1, 5: 4})


def test_it_ignores_free_text_items():
    satisfaction = shipped_by_slug("match-satisfaction")
    result = score(satisfaction, {1: 5, 2: 4, 3: 5, 4: "Merci pour tout"})  # type: ignore[dict-item]
    assert result.items == {1: 5, 2: 4, 3: 5}
    assert score(satisfaction, {4: None}).items == {}


# -- answers that do not fit --------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 5, -1, 2.5, "3", True])
def test_it_refuses_an_answer_outside_the_scale(value):
    with pytest.raises(ScoringError) as caught:
        score(SPS24, {1: 4, 7: value})
    assert caught.value.item == 7
    assert caught.value.allowed == (1, 2, 3, 4)
    assert "item 7" in str(caught.value) and "(1-4)" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_it_refuses_an_item_the_instrument_does_not_have():
    with pytest.raises(ScoringError, match="ucla-3 has no item 4") as caught:
        score(UCLA3, {4: 1})
    assert caught.value.item == 4


# -- output -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (10, "10"),
        (10.0, "10"),
        (13.3333, "13.33"),
        (37.5, "37.5"),
        (0, "0"),
        (9.999, "10"),
    ],
)
def test_it_formats_scores_for_tables(value, text):
    assert format_score(value) == text


def test_it_round_trips_a_score_through_json():
    result = score(SPS24, {**_all(SPS24, 2), 1: None, 5: None, 6: None})
    stored = json.loads(json.dumps(result.to_dict()))
    assert stored["items"]["2"] == 2
    assert Score.from_dict(stored) == result


# -- properties ---------------------------------------------------------------------------------

complete_answers = st.fixed_dictionaries(
    {number: st.integers(min_value=1, max_value=4) for number in range(1, 25)}
)


@given(complete_answers)
def test_it_totals_straight_answers_plus_reversed_ones(answers):
    result = score(SPS24, answers)
    expected = sum(x for n, x in answers.items() if n not in REVERSED) + sum(
        5 - x for n, x in answers.items() if n in REVERSED
    )
    assert result.total == expected
    assert all(4 <= value <= 16 for value in result.subscales.values())
    assert all(isinstance(value, int) for value in result.subscales.values())


@given(st.dictionaries(st.integers(1, 24), st.one_of(st.none(), st.integers(1, 4))))
def test_it_scores_a_subscale_exactly_when_three_items_are_answered(answers):
    result = score(SPS24, answers)
    for subscale in SPS24.subscales:
        answered = sum(1 for n in subscale.items if answers.get(n) is not None)
        value = result.subscales[subscale.key]
        if answered >= 3:
            assert 4 <= value <= 16
        else:
            assert value is None
    if result.total is not None:
        assert 24 <= result.total <= 96
        assert all(value is not None for value in result.subscales.values())
