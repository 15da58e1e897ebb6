"""Server-side SVG for metric trends: pure functions from a series of (x, y) points to inline markup."""

from __future__ import annotations

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
