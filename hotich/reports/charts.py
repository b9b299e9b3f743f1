"""Charts as inline SVG drawn on the server: no JavaScript, no library, readable by screen readers.

Each chart is an `<svg role="img">` whose `<title>` and `<desc>` name what it shows; every bar
carries its own `<title>` (shown on hover) with the figure, and the page puts the same figures
in a table beside it. Text is escaped here: the result is safe to insert as is.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)

WIDTH = 760
LABEL_WIDTH = 210
BAR_HEIGHT = 18
GAP = 6

REGISTER_COLOURS = {
    "inventoried": "#9aa5b1",
    "scanning": "#f0b429",
    "keying": "#4c8bf5",
    "review": "#9f7aea",
    "accepted": "#3ebd93",
    "delivered": "#147d64",
}
RECORD_COLOURS = {
    "to_key": "#cbd2d9",
    "draft": "#f0b429",
    "submitted": "#4c8bf5",
    "returned": "#e12d39",
    "verified": "#3ebd93",
}


def _fmt(n: float) -> str:
    return f"{n:,.0f}".replace(",", ".")


def _open(title: str, desc: str, height: int) -> tuple[str, list[str]]:
    uid = f"chart-{next(_ids)}"
    head = (
        f'<svg class="chart" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return uid, [head]


def _legend_layout(series: Sequence[tuple[str, str]]) -> tuple[list[tuple[int, int]], int]:
    """Where each legend item goes, wrapping onto more lines when the chart is too narrow;
    and the height the legend takes."""
    places, x, y = [], 0, 4
    for name, _colour in series:
        width = 24 + 7 * len(name)
        if x and x + width > WIDTH:
            x, y = 0, y + 18
        places.append((x, y))
        x += width
    return places, y + 20


def _legend(parts: list[str], series: Sequence[tuple[str, str]]) -> None:
    places, _height = _legend_layout(series)
    for (name, colour), (x, y) in zip(series, places, strict=True):
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}" class="legend">{escape(name)}</text>')


def stacked_bars(
    *,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[tuple[str, str]],
) -> SafeString:
    """Horizontal bars, one per row, split into `series` (name, colour); each bar is scaled to
    the largest row total, and the total is written after it."""
    _places, legend = _legend_layout(series)
    height = legend + len(rows) * (BAR_HEIGHT + GAP) + GAP
    _uid, parts = _open(title, desc, height)
    _legend(parts, series)
    largest = max((sum(values) for _label, values in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 70
    for i, (label, values) in enumerate(rows):
        y = legend + i * (BAR_HEIGHT + GAP)
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" class="label">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
        )
        x = float(LABEL_WIDTH)
        for (name, colour), value in zip(series, values, strict=False):
            if not value:
                continue
            w = span * value / largest
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"><title>{escape(label)} · {escape(name)}: {_fmt(value)}</title>'
                f"</rect>"
            )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" class="value">{_fmt(sum(values))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_bars(
    *, title: str, desc: str, points: Sequence[tuple[str, int]], colour: str = "#4c8bf5"
) -> SafeString:
    """Vertical bars over time (days or months); a label under every n-th bar so they fit."""
    height = 200
    base = height - 28
    top = 16
    _uid, parts = _open(title, desc, height)
    largest = max((v for _l, v in points), default=0) or 1
    n = max(len(points), 1)
    left = 40
    slot = (WIDTH - left - 10) / n
    every = max(1, round(n / 12))
    parts.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" class="axis"/>')
    parts.append(f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" class="value">')
    parts.append(f"{_fmt(largest)}</text>")
    for i, (label, value) in enumerate(points):
        x = left + i * slot
        h = (base - top) * value / largest
        if value:
            parts.append(
                f'<rect x="{x + slot * 0.1:.1f}" y="{base - h:.1f}" width="{slot * 0.8:.1f}" '
                f'height="{max(h, 1):.1f}" fill="{colour}">'
                f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                f'class="label">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def sparkline(
    *,
    title: str,
    values: Sequence[int],
    labels: Sequence[str] = (),
    width: int = 140,
    height: int = 24,
) -> SafeString:
    """A small bar per day, for a table cell; the title says what it is, the cell beside it
    holds the figures."""
    uid = f"chart-{next(_ids)}"
    parts = [
        f'<svg class="spark" role="img" aria-labelledby="{uid}-t" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-t">{escape(title)}</title>'
    ]
    largest = max(values, default=0) or 1
    slot = width / max(len(values), 1)
    for i, value in enumerate(values):
        if value:
            h = (height - 2) * value / largest
            tip = f"<title>{escape(labels[i])}: {_fmt(value)}</title>" if i < len(labels) else ""
            parts.append(
                f'<rect x="{i * slot:.1f}" y="{height - h:.1f}" width="{max(slot - 1, 1):.1f}" '
                f'height="{h:.1f}">{tip}</rect>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
