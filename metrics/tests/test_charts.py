"""The server-side sparkline: scaling into the box, the target line, gaps and the empty state."""

from __future__ import annotations

import math
import re

import pytest

from core.charts import Box, axis_label_indexes, sparkline, trend_chart


def polyline(svg: str) -> list[tuple[float, float]]:
    points = re.search(r'<polyline class="spark-line" points="([^"]+)"', svg).group(1)
    return [tuple(float(v) for v in pair.split(",")) for pair in points.split()]


def target_y(svg: str) -> float:
    match = re.search(r'<line class="spark-target" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', svg)
    assert match.group(2) == match.group(4)
    return float(match.group(2))


def test_points_are_scaled_into_the_box():
    svg = str(sparkline([(0, 1.0), (5, 3.0), (10, 2.0)], box=Box(width=100, height=40, pad=0)))
    assert svg.startswith("<svg") and 'viewBox="0 0 100.0 40.0"' in svg
    # x from 0 to 10 spans the width; y from 1 to 3 spans the height, the highest value at the top.
    assert polyline(svg) == [(0.0, 40.0), (50.0, 0.0), (100.0, 20.0)]


def test_padding_keeps_points_off_the_edges():
    points = polyline(str(sparkline([(0, 0.0), (1, 10.0)], box=Box(width=100, height=40, pad=4))))
    assert points == [(4.0, 36.0), (96.0, 4.0)]


def test_target_line_is_drawn_and_included_in_the_range():
    svg = str(sparkline([(0, 1.0), (1, 2.0)], target=4.0, box=Box(width=100, height=60, pad=0)))
    assert target_y(svg) == 0.0  # the target is the highest value, so it sits at the top
    assert polyline(svg) == [(0.0, 60.0), (100.0, 40.0)]  # 1..4 spans the height
    assert 'class="spark-target"' not in str(sparkline([(0, 1.0), (1, 2.0)]))


def test_none_values_are_skipped():
    svg = str(sparkline([(0, 1.0), (1, None), (2, 3.0), (3, None)], box=Box(width=90, height=30, pad=0)))
    assert polyline(svg) == [(0.0, 30.0), (90.0, 0.0)]


def test_x_domain_places_points_in_time():
    svg = str(sparkline([(50, 1.0), (100, 2.0)], x_domain=(0, 100), box=Box(width=100, height=10, pad=0)))
    assert [x for x, _ in polyline(svg)] == [50.0, 100.0]


def test_empty_series_is_an_empty_state():
    for series in ([], [(0, None), (1, None)]):
        html = str(sparkline(series, target=4.0))
        assert "<svg" not in html
        assert html == '<span class="sparkline-empty">No history yet</span>'
    assert "Nothing yet" in str(sparkline([], empty_text="Nothing yet"))


def test_single_point_is_a_dot_and_flat_series_stay_in_the_box():
    svg = str(sparkline([(0, 2.0)], box=Box(width=100, height=40, pad=0)))
    assert "<polyline" not in svg and '<circle class="spark-dot" cx="50.0" cy="20.0"' in svg
    flat = polyline(str(sparkline([(0, 2.0), (1, 2.0)], box=Box(width=100, height=40, pad=0))))
    assert all(0 <= y <= 40 for _, y in flat)


def test_status_and_label_are_escaped_attributes():
    svg = str(sparkline([(0, 1.0), (1, 2.0)], status="red", label='LSR <10 days> "x"'))
    assert 'class="sparkline spark-red"' in svg and 'role="img"' in svg
    assert 'aria-label="LSR &lt;10 days&gt; &quot;x&quot;"' in svg


def test_nice_ticks_cover_the_range_in_round_steps():
    from core.charts import nice_ticks

    for lo, hi in [(0, 4.6), (0, 100), (95, 100), (0.5, 0.8), (3, 3)]:
        ticks = nice_ticks(lo, hi)
        steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
        assert ticks[0] <= lo and ticks[-1] >= hi and len(steps) == 1
        step = steps.pop()
        assert round(step / 10 ** math.floor(math.log10(step)), 6) in {1, 2, 5}
    assert nice_ticks(0, 4.6) == [0, 2, 4, 6]


def test_trend_chart_draws_reference_lines_gaps_and_tooltips():
    from core.charts import Line, trend_chart

    svg = str(trend_chart([("Nov 1", 2.0), ("Nov 2", None), ("Nov 3", 3.0), ("Nov 4", 5.0)],
                          lines=[Line(4.0, "trend-target", "target < 4 %"), Line(3.0, "trend-warning", "warning")]))
    assert svg.count('class="trend-line"') == 1  # the gap on Nov 2 splits the line; Nov 1 alone draws no segment
    assert svg.count('class="trend-dot"') == 3
    assert "<title>Nov 4: 5.00 %</title>" in svg
    assert 'class="trend-ref trend-target"' in svg and "target &lt; 4 %" in svg
    assert 'class="trend-ref trend-warning"' in svg


def test_trend_chart_without_values_says_so():
    assert "trend-empty" in str(trend_chart([("Nov 1", None)], empty_text="nothing"))


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 14, 30, 31, 60, 89, 90])
def test_axis_dates_are_never_closer_than_their_spacing(n):
    indexes = sorted(axis_label_indexes(n))
    assert indexes[0] == 0 and indexes[-1] == n - 1
    every = max(1, -(-n // 8))
    assert all(b - a >= every for a, b in zip(indexes, indexes[1:], strict=False))
    assert len(indexes) <= 9


def test_the_last_two_dates_of_a_month_do_not_overlap():
    series = [(f"11-{day:02d}", 1.0) for day in range(1, 31)]
    svg = str(trend_chart(series))
    xs = [float(x) for x in re.findall(r'<text class="trend-axis" x="([0-9.]+)" y="272.0"', svg)]
    assert xs == sorted(xs) and all(b - a >= 80 for a, b in zip(xs, xs[1:], strict=False))
