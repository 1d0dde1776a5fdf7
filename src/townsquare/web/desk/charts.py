"""Dashboard charts drawn on the server as SVG with pygal: no JavaScript, inlined in the page, each one shown
beside (never instead of) the table that holds its numbers.

The SVG is decorative for assistive technology (`aria-hidden`); the table next to it is what a screen reader
reads, and what works when images are off.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from pygal.style import Style

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    font_family="Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
    # Okabe and Ito's palette: told apart with the common kinds of colour blindness.
    colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"),
)


def _config(title: str) -> dict[str, object]:
    return {
        "style": STYLE,
        "title": title,
        "disable_xml_declaration": True,
        "js": [],
        "width": 960,
        "height": 360,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 5,
        "x_label_rotation": 30,
        "truncate_label": 12,
        "show_minor_x_labels": True,
        "print_values": False,
    }


def _labels(buckets: Sequence[str], limit: int = 24) -> tuple[list[str], list[str]]:
    """All labels, and the ones written under the axis (at most `limit`, evenly spaced)."""
    step = max(1, -(-len(buckets) // limit))
    return list(buckets), [b for i, b in enumerate(buckets) if i % step == 0]


def stacked_bars(title: str, buckets: Sequence[str], series: dict[str, list[int]]) -> str:
    """Counts per bucket, one colour per series (named as they are to be shown), stacked."""
    chart = pygal.StackedBar(**_config(title))
    chart.x_labels, chart.x_labels_major = _labels(buckets)
    for name, values in series.items():
        chart.add(name, values)
    return str(chart.render(is_unicode=True))


def lines(title: str, buckets: Sequence[str], series: dict[str, list[float | None]], *, percent: bool) -> str:
    """Rates per bucket, one line each (a gap where a bucket has no value)."""
    chart = pygal.Line(**_config(title), allow_interruptions=True, range=(0, 100) if percent else None)
    chart.x_labels, chart.x_labels_major = _labels(buckets)
    if percent:
        chart.value_formatter = lambda v: f"{v:.0f}%"
    for name, values in series.items():
        chart.add(name, [None if v is None else v * 100 if percent else v for v in values])
    return str(chart.render(is_unicode=True))
