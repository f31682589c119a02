"""Impact charts as inline SVG: well-formed, named for screen readers, safe under the site's
Content-Security-Policy, readable in any script, and free of leaks across many calls."""

from __future__ import annotations

import gc
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from accueil.surveys.charts import AFTER, BEFORE, before_after_chart, shares_chart

SVG = "{http://www.w3.org/2000/svg}"

SUBSCALES = [
    ("Loneliness", 6.2, 4.9),
    ("Belonging", 2.8, 3.6),
    ("Knowing where to get help", 3.1, 4.4),
]
WORDS = {"before_label": "Before the match", "after_label": "After the match"}


def scores_chart(rows=SUBSCALES, **options) -> str:
    return before_after_chart(
        rows,
        title=options.pop("title", "Average scores"),
        value_label="Mean score (1-9)",
        empty_label="No answers to show yet",
        low=1,
        high=9,
        **WORDS,
        **options,
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it well-formed


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in parse(svg).iter(f"{SVG}text")]


def test_it_returns_an_svg_element_ready_to_inline():
    svg = scores_chart()

    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata" not in svg
    assert parse(svg).tag == f"{SVG}svg"


def test_it_names_the_chart_and_lists_its_values_for_screen_readers():
    svg = scores_chart()
    root = parse(svg)

    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Average scores"
    assert root.get("aria-labelledby") == title.get("id")
    desc = root.find(f"{SVG}desc")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text.startswith("Loneliness: Before the match 6.2, After the match 4.9; Belonging")


def test_it_writes_every_label_as_text():
    found = texts(scores_chart())

    assert "Average scores" in found
    for label, _, _ in SUBSCALES:
        assert label in found
    assert {"Before the match", "After the match", "Mean score (1-9)"} <= set(found)
    assert {"6.2", "4.9", "2.8", "3.6"} <= set(found)


def test_it_uses_no_inline_style_which_the_content_security_policy_would_block():
    shares = shares_chart([("Feel isolated", 57.9, 31.6)], title="Shares", empty_label="-", **WORDS)
    for svg in (scores_chart(), shares):
        assert "style=" not in svg
        assert "<style" not in svg
        assert 'fill="#0072b2"' in svg.lower()  # the colours survived, as attributes


def test_it_prefixes_every_id_so_charts_can_share_a_page():
    first = scores_chart()
    second = scores_chart(title="Another chart")

    ids = re.findall(r'\bid="([^"]+)"', first)
    assert ids and all(value.startswith("chart-") for value in ids)
    assert len(ids) == len(set(ids))
    references = re.findall(r'(?:url\(#|href="#)([^)"]+)', first)
    assert references and set(references) <= set(ids)
    assert not set(ids) & set(re.findall(r'\bid="([^"]+)"', second))


def test_it_skips_missing_values():
    rows = [("Loneliness", 6.2, None), ("Belonging", None, 3.6), ("Trust", None, float("nan"))]

    svg = scores_chart(rows)

    blue_bars = re.findall(r'<path [^>]*fill="#0072b2"', svg, flags=re.IGNORECASE)
    assert len(blue_bars) == 1 + 1  # one "before" bar, one legend key
    assert "Trust" in texts(svg)
    assert "Loneliness: Before the match 6.2, After the match –" in svg


def test_it_says_so_when_there_is_nothing_to_show():
    svg = scores_chart([])

    assert svg.startswith("<svg")
    assert parse(svg).get("role") == "img"
    assert "No answers to show yet" in texts(svg)
    assert "Average scores" in texts(svg)


def test_it_keeps_text_in_any_script_and_escapes_markup():
    rows = [
        ("الشعور بالانتماء", 2.5, 3.5),  # Arabic
        ("ስምዒት ብሕትውና", 4.0, 3.0),  # Tigrinya: DejaVu Sans has no glyphs for it
        ("Sécurité & <confiance>", 3.0, 3.2),
    ]

    svg = scores_chart(rows, title="Résultats « avant / après »")

    found = texts(svg)
    for label, _, _ in rows:
        assert label in found
    assert parse(svg).find(f"{SVG}title").text == "Résultats « avant / après »"


def test_it_leaves_labels_that_look_like_markup_alone():
    labels = ['Trust id="x" url(#a) <b>', 'style="fill: red"']

    svg = scores_chart([(label, 3.0, 4.0) for label in labels])

    assert set(labels) <= set(texts(svg))


def test_it_formats_values_as_the_caller_asks():
    svg = scores_chart(value_format=lambda value: f"{value:.2f}".replace(".", ","))

    assert "6,20" in texts(svg)


def test_it_draws_shares_as_percentages():
    svg = shares_chart(
        [("Feel isolated", 57.9, 31.6), ("Know where to get help", 40.0, 85.0)],
        title="Share of people who agree",
        empty_label="No answers to show yet",
        **WORDS,
    )

    found = texts(svg)
    assert {"Feel isolated", "Know where to get help", "58%", "32%", "100%"} <= set(found)
    assert parse(svg).find(f"{SVG}title").text == "Share of people who agree"


def test_it_gives_the_same_markup_for_the_same_data():
    assert scores_chart() == scores_chart()


def test_it_draws_the_same_chart_from_several_threads():
    expected = scores_chart()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: scores_chart(), range(8)))

    assert results == [expected] * 8


def test_it_leaves_no_figure_behind():
    def live_figures() -> int:
        gc.collect()
        # type(), not isinstance(): isinstance would wake Django's lazy objects up.
        return sum(issubclass(type(thing), Figure) for thing in gc.get_objects())

    scores_chart()  # first call loads fonts and caches
    open_before, live_before = len(plt.get_fignums()), live_figures()

    for index in range(50):
        if index % 5:
            scores_chart(title=f"Chart {index}")
        else:
            shares_chart([], title="Empty", empty_label="-", **WORDS)

    assert len(plt.get_fignums()) == open_before
    assert live_figures() <= live_before


@pytest.mark.parametrize("colour", [BEFORE["facecolor"], AFTER["facecolor"]])
def test_it_has_bars_that_contrast_with_the_page(colour):
    # WCAG 1.4.11: graphical objects need 3:1 against the white page.
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    assert 1.05 / (luminance(colour) + 0.05) >= 3
