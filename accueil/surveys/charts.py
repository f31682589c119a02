"""Before/after bar charts for the impact report, as SVG markup to inline in a page or a PDF.

Drawn with matplotlib ``Figure`` objects, never pyplot: pyplot keeps every figure in a global
registry until it is closed, which leaks in a long-running web process and is not thread-safe.

The markup is shaped for the site rather than left as matplotlib writes it:

- no XML declaration, DOCTYPE or metadata, so it can sit inside HTML;
- ``role="img"`` with a ``<title>`` and a ``<desc>`` listing every value, so a screen reader
  gets the chart's name and its numbers rather than a heap of tick labels;
- text stays text (``svg.fonttype: none``), so it is searchable and the browser shapes Arabic
  that matplotlib itself cannot;
- no ``style`` attributes and no ``<style>`` element: the Content-Security-Policy
  (``style-src 'self'``) blocks inline styles, which would leave every bar black. matplotlib's
  inline declarations are all SVG presentation attributes, so they become attributes;
- every id carries a prefix unique to the chart, so two charts on one page never share one.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import tempfile
import textwrap
import threading
import warnings
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

# matplotlib writes a font cache on first import; a web server's home may be read-only.
os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "accueil-matplotlib"))

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

Row = tuple[str, float | None, float | None]

# Okabe-Ito blue and vermillion: told apart with every common colour-vision deficiency, and both
# at least 3:1 against white (5.2 and 3.9) as non-text graphics need. The after bars are also
# hatched, so print in grey and monochrome screens keep the difference.
BEFORE = {"facecolor": "#0072B2", "edgecolor": "#00304d", "linewidth": 0.8}
AFTER = {
    "facecolor": "#D55E00",
    "edgecolor": "#4d2200",
    "hatchcolor": "#4d2200",
    "linewidth": 0.8,
    "hatch": "///",
}
FONT = "DejaVu Sans"  # ships with matplotlib: measured the same on every server, offline
WRAP = 28  # characters per line of a row label
BAR = 0.38  # height of one bar; a row holds two

_RC = {
    "font.family": FONT,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#505050",
    "hatch.linewidth": 0.8,
    "svg.fonttype": "none",
    # Stable ids and no timestamp: the same data gives the same bytes (cacheable, testable).
    "svg.hashsalt": "accueil",
}

# rc_context() changes matplotlib's process-wide settings for its duration; one chart at a time
# keeps another thread's chart from being drawn or saved with settings half-restored.
_LOCK = threading.Lock()


def before_after_chart(
    rows: Sequence[Row],
    *,
    title: str,
    value_label: str,
    before_label: str,
    after_label: str,
    empty_label: str,
    low: float | None = None,
    high: float | None = None,
    value_format: Callable[[float], str] = "{:.1f}".format,
) -> str:
    """Grouped horizontal bars, one pair per row: ``(label, mean before, mean after)``.

    ``low`` and ``high`` are the ends of the scale (bars start at ``low``, so a 1-5 scale does
    not look like it starts at zero); without them the axis runs from 0 to the largest value.
    A missing value (``None`` or NaN) draws no bar and a dash. ``value_format`` writes the number at the
    end of each bar, so the caller can pass a localised formatter."""
    return _draw(
        rows,
        title=title,
        axis_label=value_label,
        before_label=before_label,
        after_label=after_label,
        empty_label=empty_label,
        low=low,
        high=high,
        value_format=value_format,
        percent=False,
    )


def shares_chart(
    rows: Sequence[Row],
    *,
    title: str,
    before_label: str,
    after_label: str,
    empty_label: str,
    value_format: Callable[[float], str] = "{:.0f}%".format,
) -> str:
    """The share of people giving an answer, as percentages (0-100) before and after, one pair
    of bars per row: ``(label, percent before, percent after)``."""
    return _draw(
        rows,
        title=title,
        axis_label=None,
        before_label=before_label,
        after_label=after_label,
        empty_label=empty_label,
        low=0,
        high=100,
        value_format=value_format,
        percent=True,
    )


def _draw(
    rows: Sequence[Row],
    *,
    title: str,
    axis_label: str | None,
    before_label: str,
    after_label: str,
    empty_label: str,
    low: float | None,
    high: float | None,
    value_format: Callable[[float], str],
    percent: bool,
) -> str:
    rows = [(label, _known(before), _known(after)) for label, before, after in rows]

    def spoken(value: float | None) -> str:
        return "–" if value is None else value_format(value)

    description = "; ".join(
        f"{label}: {before_label} {spoken(before)}, {after_label} {spoken(after)}"
        for label, before, after in rows
    )
    with _LOCK, matplotlib.rc_context(_RC), warnings.catch_warnings():
        # A script DejaVu Sans lacks (Tigrinya) only makes a label measured a little short:
        # the browser, not matplotlib, draws the text.
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")
        if rows:
            figure = _bars_figure(
                rows,
                title=title,
                axis_label=axis_label,
                labels=(before_label, after_label),
                low=low,
                high=high,
                value_format=value_format,
                percent=percent,
            )
        else:
            figure = _empty_figure(title, empty_label)
            description = empty_label
        drawn = _save(figure)
    return _finish(drawn, title, description)


def _known(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _bars_figure(
    rows: list[Row],
    *,
    title: str,
    axis_label: str | None,
    labels: tuple[str, str],
    low: float | None,
    high: float | None,
    value_format: Callable[[float], str],
    percent: bool,
) -> Figure:
    values = [v for _, before, after in rows for v in (before, after) if v is not None]
    base = 0.0 if low is None else float(low)
    left = base if low is not None else min([0.0, *values])
    right = high if high is not None else max([base, *values]) * 1.1 or 1.0

    figure = Figure(figsize=(7, 1.3 + 0.62 * len(rows)))
    axes = figure.add_subplot()
    for offset, style, column in ((-BAR / 2, BEFORE, 1), (BAR / 2, AFTER, 2)):
        for position, row in enumerate(rows):
            value = row[column]
            y = position + offset
            if value is None:
                axes.annotate("–", (base, y), xytext=(4, 0), **_value_text())
                continue
            axes.barh(y, value - base, left=base, height=BAR, zorder=2, **style)
            axes.annotate(value_format(value), (value, y), xytext=(4, 0), **_value_text())

    axes.set_yticks(range(len(rows)), [textwrap.fill(label, WRAP) for label, _, _ in rows])
    axes.tick_params(axis="y", length=0)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first row at the top
    axes.set_xlim(left, right)
    axes.grid(axis="x", color="#d9d9d9", linewidth=0.8, zorder=0)
    axes.set_axisbelow(True)
    if percent:
        axes.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    if axis_label:
        axes.set_xlabel(axis_label)
    handles = [Patch(label=labels[0], **BEFORE), Patch(label=labels[1], **AFTER)]
    axes.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=2,
        frameon=False,
        borderaxespad=0.3,
        handlelength=2.4,
        handleheight=1.2,
    )
    axes.set_title(title, loc="left", pad=30)
    return figure


def _value_text() -> dict:
    return {
        "textcoords": "offset points",
        "va": "center",
        "ha": "left",
        "fontsize": 9,
        "annotation_clip": False,
    }


def _empty_figure(title: str, message: str) -> Figure:
    figure = Figure(figsize=(7, 0.8))
    figure.text(0, 0.75, title, fontsize=12, fontweight="bold", va="top")
    figure.text(0, 0.2, message, va="bottom")
    return figure


def _save(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", bbox_inches="tight", pad_inches=0.1, metadata={"Date": None}
    )
    return buffer.getvalue()


_ROOT = re.compile(r"<svg\b[^>]*>")
# matplotlib escapes ">" in text and attribute values, so this matches tags and only tags: the
# rewriting below never touches a label that happens to read 'id="..."'.
_TAG = re.compile(r"<[^>]+>")
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_GROUP_ID = re.compile(r'^(<g\b[^>]*?)\sid="[^"]*"')
_ID = re.compile(r'\sid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|xlink:href="#)([^)"]+)')


def _finish(svg: str, title: str, description: str) -> str:
    """matplotlib's SVG document → an inline, CSP-safe, accessible ``<svg>`` element."""
    svg = svg[svg.index("<svg") :]
    svg = _METADATA.sub("", svg)

    # The one stylesheet matplotlib writes sets defaults every shape inherits; it moves to the
    # root element as inherited presentation attributes.
    inherited = "".join(
        _as_attributes(rule.split("{", 1)[1].rstrip("}")) for rule in _STYLE_ELEMENT.findall(svg)
    )
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = re.sub(r"\s*<defs>\s*</defs>", "", svg)

    def restyle(tag: re.Match) -> str:
        # Group ids name matplotlib's artists ("figure_1", "axes_1") and are never referenced.
        plain = _GROUP_ID.sub(r"\1", tag.group(0))
        return _STYLE_ATTRIBUTE.sub(lambda match: _as_attributes(match.group(1)), plain)

    svg = _TAG.sub(restyle, svg)
    prefix = "chart-" + hashlib.sha256(svg.encode()).hexdigest()[:10]

    def rename(tag: re.Match) -> str:
        renamed = _ID.sub(lambda match: f' id="{prefix}-{match.group(1)}"', tag.group(0))
        return _REFERENCE.sub(lambda match: f"{match.group(1)}{prefix}-{match.group(2)}", renamed)

    svg = _TAG.sub(rename, svg)
    accessible = (
        f' role="img" aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc"'
        f' font-family="{FONT}, sans-serif"{inherited}'
    )
    return _ROOT.sub(
        lambda match: (
            match.group(0)[:-1]
            + accessible
            + f'>\n <title id="{prefix}-title">{escape(title)}</title>'
            + f'\n <desc id="{prefix}-desc">{escape(description)}</desc>'
        ),
        svg,
        count=1,
    ).strip()


def _as_attributes(declarations: str) -> str:
    attributes = []
    for declaration in declarations.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name == "font-family" and "sans-serif" not in value:
            value += ", sans-serif"  # where DejaVu Sans is not installed
        attributes.append(f" {name}={quoteattr(value)}")
    return "".join(attributes)
