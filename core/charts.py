"""Server-side SVG for metric trends: pure functions from a series of (x, y) points to inline markup."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

Point = tuple[float, float | None]


@dataclass(frozen=True)
class Box:
    width: float = 240
    height: float = 36
    pad: float = 3

    def x(self, value: float, lo: float, hi: float) -> float:
        if hi == lo:
            return self.width / 2
        return self.pad + (value - lo) / (hi - lo) * (self.width - 2 * self.pad)

    def y(self, value: float, lo: float, hi: float) -> float:
        # SVG's y grows downwards: the highest value sits at the top of the box.
        if hi == lo:
            return self.height / 2
        return self.height - self.pad - (value - lo) / (hi - lo) * (self.height - 2 * self.pad)


def _n(value: float) -> str:
    return f"{value:.1f}"


def sparkline(
    series: Sequence[Point],
    *,
    target: float | None = None,
    status: str = "none",
    box: Box | None = None,
    x_domain: tuple[float, float] | None = None,
    label: str = "",
    empty_text: str | None = None,
) -> SafeString:
    """Draw ``series`` as an inline SVG line scaled into ``box``, with a dashed line at ``target``.

    Points whose y is None (no rows in the window that day) are skipped. With no point to draw, return a
    short empty-state text instead of an empty chart. The y range always includes ``target`` so the line
    can be read against it.
    """
    box = box or Box()
    points = [(float(x), float(y)) for x, y in series if y is not None]
    if not points:
        return format_html('<span class="sparkline-empty">{}</span>', empty_text or _("No history yet"))
    xs = [x for x, _y in points]
    ys = [y for _x, y in points]
    if target is not None:
        ys.append(float(target))
    x_lo, x_hi = x_domain or (min(xs), max(xs))
    y_lo, y_hi = min(ys), max(ys)
    coords = [(box.x(x, x_lo, x_hi), box.y(y, y_lo, y_hi)) for x, y in points]
    parts: list[str] = []
    if target is not None:
        ty = _n(box.y(float(target), y_lo, y_hi))
        parts.append(format_html('<line class="spark-target" x1="{}" y1="{}" x2="{}" y2="{}"/>',
                                 _n(box.pad), ty, _n(box.width - box.pad), ty))
    if len(coords) == 1:
        cx, cy = coords[0]
        parts.append(format_html('<circle class="spark-dot" cx="{}" cy="{}" r="2"/>', _n(cx), _n(cy)))
    else:
        path = " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in coords)
        parts.append(format_html('<polyline class="spark-line" points="{}"/>', path))
        cx, cy = coords[-1]
        parts.append(format_html('<circle class="spark-dot" cx="{}" cy="{}" r="2"/>', _n(cx), _n(cy)))
    return format_html(
        '<svg class="sparkline spark-{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}">{}</svg>',
        status, _n(box.width), _n(box.height), _n(box.width), _n(box.height), label,
        SafeString("".join(parts)),
    )


@dataclass(frozen=True)
class Line:
    """A horizontal reference line: the target, or where the warning band starts."""

    value: float
    css: str
    label: str


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < hi:
        ticks.append(round(value, 10))
    return ticks


def axis_label_indexes(n: int, *, most: int = 8) -> set[int]:
    """Which of ``n`` days get a date under the axis: evenly spaced, the first and the last always, and never two
    closer than the spacing (the regular label before the last is dropped rather than drawn over it)."""
    if n <= 0:
        return set()
    every = max(1, math.ceil(n / most))
    indexes = set(range(0, n, every))
    last_regular = max(indexes)
    if last_regular != n - 1 and n - 1 - last_regular < every and last_regular != 0:
        indexes.discard(last_regular)
    indexes.add(n - 1)
    return indexes


def trend_chart(
    series: Sequence[tuple[str, float | None]],
    *,
    lines: Sequence[Line] = (),
    width: float = 900,
    height: float = 280,
    label: str = "",
    empty_text: str | None = None,
) -> SafeString:
    """A daily history as an SVG line chart with a percentage axis, date labels and reference lines.

    ``series`` holds (day label, value in percent or None) in date order; a None leaves a gap in the line.
    """
    values = [v for _day, v in series if v is not None]
    if not values:
        return format_html('<p class="trend-empty">{}</p>', empty_text or _("No history yet"))
    left, right, top, bottom = 52.0, 16.0, 12.0, 28.0
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(min([0.0, *values, *(line.value for line in lines)]),
                       max([*values, *(line.value for line in lines)]))
    y_lo, y_hi = ticks[0], ticks[-1]
    n = len(series)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else i / (n - 1) * plot_w)

    def y(v: float) -> float:
        return top + plot_h - (v - y_lo) / (y_hi - y_lo) * plot_h

    parts: list[SafeString] = []
    for tick in ticks:
        parts.append(format_html(
            '<line class="trend-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="trend-axis" x="{}" y="{}" text-anchor="end">{} %</text>',
            _n(left), _n(y(tick)), _n(left + plot_w), _n(y(tick)), _n(left - 6), _n(y(tick) + 4), f"{tick:g}"))
    labelled = axis_label_indexes(n)
    for i, (day, _v) in enumerate(series):
        if i in labelled:
            anchor = "end" if i == n - 1 and n > 1 else "start" if i == 0 and n > 1 else "middle"
            parts.append(format_html('<text class="trend-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
                                     _n(x(i)), _n(height - 8), anchor, day))
    for k, line in enumerate(lines):
        # Reference lines close together (the target and where the warning starts): their labels alternate ends.
        label_x, anchor = (left + 4, "start") if k % 2 == 0 else (left + plot_w - 4, "end")
        parts.append(format_html(
            '<line class="trend-ref {}" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="trend-ref-label {}" x="{}" y="{}" text-anchor="{}">{}</text>',
            line.css, _n(left), _n(y(line.value)), _n(left + plot_w), _n(y(line.value)),
            line.css, _n(label_x), _n(y(line.value) - 4), anchor, line.label))
    segment: list[str] = []
    segments: list[list[str]] = [segment]
    for i, (_day, value) in enumerate(series):
        if value is None:
            segment = []
            segments.append(segment)
            continue
        segment.append(f"{_n(x(i))},{_n(y(value))}")
    for points in segments:
        if len(points) > 1:
            parts.append(format_html('<polyline class="trend-line" points="{}"/>', " ".join(points)))
    for i, (day, value) in enumerate(series):
        if value is not None:
            parts.append(format_html('<circle class="trend-dot" cx="{}" cy="{}" r="2.5"><title>{}: {} %</title>'
                                     '</circle>', _n(x(i)), _n(y(value)), day, f"{value:.2f}"))
    return format_html(
        '<svg class="trend-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        _n(width), _n(height), label, SafeString("".join(parts)),
    )


def bar_chart(bars: Sequence[tuple[str, float, str]], *, width: float = 320, bar_height: float = 18,
              label: str = "") -> SafeString:
    """Horizontal bars as an inline SVG: each ``(label, value, css class)`` drawn to scale against the largest,
    its label on the left and its value on the right (no inline style, so the page's CSP holds)."""
    label_w, value_w, gap = 90.0, 60.0, 6.0
    top = max((value for _label, value, _css in bars), default=0.0) or 1.0
    plot = width - label_w - value_w
    rows = []
    for n, (name, value, css) in enumerate(bars):
        y = n * (bar_height + gap)
        rows.append(format_html(
            '<g class="bar {}"><text class="bar-label" x="0" y="{}">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}"/><text class="bar-value" x="{}" y="{}">{}</text></g>',
            css, _n(y + bar_height * 0.72), name, _n(label_w), _n(y), _n(max(value / top * plot, 0)),
            _n(bar_height), _n(width - value_w + gap), _n(y + bar_height * 0.72), f"{value:,.0f}"))
    height = max(1, len(bars)) * (bar_height + gap)
    return format_html('<svg class="bar-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
                       _n(width), _n(height), label, SafeString("".join(rows)))
