"""The parts of the Inventory Performance Index, per SKU and per store, each pinned by a case worked by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulfillment.fba.inputs import AgeBuckets, FbaSku
from fulfillment.fba.parts import (
    PART_DEFINITIONS,
    Better,
    PartKey,
    excess,
    excess_units,
    in_stock,
    part_trend,
    sell_through,
    store_excess,
    store_in_stock,
    store_parts,
    store_sell_through,
    store_stranded,
    stranded,
)


def test_the_definitions_table_has_every_part_with_its_direction_and_target():
    assert sorted(PART_DEFINITIONS) == sorted(PartKey)
    assert [(d.key, d.better, d.target, d.window_days) for d in PART_DEFINITIONS.values()] == [
        (PartKey.EXCESS, Better.LOWER, Decimal("0.10"), 90),
        (PartKey.SELL_THROUGH, Better.HIGHER, Decimal("3"), 90),
        (PartKey.STRANDED, Better.LOWER, Decimal("0.01"), 0),
        (PartKey.IN_STOCK, Better.HIGHER, Decimal("0.90"), 30),
    ]
    assert all(str(d.name) and str(d.description) and str(d.amazon_says) for d in PART_DEFINITIONS.values())


@pytest.mark.parametrize(("key", "value", "meets"), [
    (PartKey.EXCESS, Decimal("0.0999"), True), (PartKey.EXCESS, Decimal("0.10"), False),
    (PartKey.SELL_THROUGH, Decimal("3"), True), (PartKey.SELL_THROUGH, Decimal("2.99"), False),
    (PartKey.STRANDED, Decimal("0.01"), False), (PartKey.IN_STOCK, Decimal("0.90"), True),
    (PartKey.IN_STOCK, None, None),
])
def test_a_ceiling_is_met_strictly_below_and_a_floor_at_or_above(key, value, meets):
    assert PART_DEFINITIONS[key].meets_target(value) is meets


def test_excess_is_on_hand_beyond_ninety_days_of_sales():
    """on hand = 150 fulfillable + 10 reserved = 160; velocity = 90 shipped ÷ 90 days = 1 a day;
    excess = 160 − 1 × 90 = 70; all units = 160 + 40 unfulfillable = 200; share = 70 ÷ 200 = 0.35."""
    sku = FbaSku(sku="A", fulfillable=150, reserved=10, unfulfillable=40, shipped_t90=90)
    assert excess_units(sku) == 70
    assert excess(sku).value == Decimal("0.35")


def test_excess_without_sales_is_all_on_hand_and_without_stock_has_no_value():
    """No sales: 20 on hand − 0 × 90 = 20 in excess. No stock at all: 0 ÷ 0 → no value. Sales beyond the
    stock: max(0, 5 − 2 × 90) = 0."""
    assert excess_units(FbaSku(sku="A", fulfillable=20)) == 20
    assert excess(FbaSku(sku="B")).value is None
    assert excess_units(FbaSku(sku="C", fulfillable=5, shipped_t90=180)) == 0


def test_sell_through_is_shipped_over_the_average_of_start_and_end():
    """(120 on hand 90 days ago + 80 now) ÷ 2 = 100 average; 300 shipped ÷ 100 = 3.
    A SKU created within the window: (0 + 40) ÷ 2 = 20; 20 shipped ÷ 20 = 1."""
    assert sell_through(FbaSku(sku="A", fulfillable=80, on_hand_90_days_ago=120, shipped_t90=300)).value == 3
    assert sell_through(FbaSku(sku="N", fulfillable=40, shipped_t90=20)).value == 1
    assert sell_through(FbaSku(sku="Z", shipped_t90=5)).value is None


def test_stranded_is_a_share_of_all_units():
    """3 stranded ÷ (290 fulfillable + 10 unfulfillable) = 0.01: exactly at the ceiling, so outside it."""
    part = stranded(FbaSku(sku="A", fulfillable=290, unfulfillable=10, stranded=3))
    assert part.value == Decimal("0.01")
    assert not PART_DEFINITIONS[PartKey.STRANDED].meets_target(part.value)


def test_in_stock_weighs_replenishable_skus_by_sixty_days_of_sales():
    """A: 27 of 30 days, weight 60; B: 30 of 30, weight 30; C sold nothing in 60 days and D is marked not
    replenished: neither counts. (60 × 27/30 + 30 × 1) ÷ (60 + 30) = (54 + 30) ÷ 90 = 84/90 = 0.9333…
    A costs 60 × 3/30 ÷ 90 = 6/90 = 0.0666… points; 1 − 0.0666… = 0.9333…"""
    skus = [FbaSku(sku="A", shipped_t60=60, days_in_stock=27), FbaSku(sku="B", shipped_t60=30, days_in_stock=30),
            FbaSku(sku="C", days_in_stock=0),
            FbaSku(sku="D", shipped_t60=100, days_in_stock=0, non_replenishable=True)]
    part = store_in_stock(skus)
    assert (part.part.numerator, part.part.denominator) == (84, 90)
    assert round(part.part.value, 4) == Decimal("0.9333")
    assert part.meets_target
    assert [(c.sku, round(c.impact, 4)) for c in part.contributors] == [("A", Decimal("0.0667"))]
    assert in_stock(skus[3]).value is None


def test_in_stock_of_a_sku_created_ten_days_ago_counts_the_days_it_existed():
    """Created 10 days ago, in stock all 10: 10 ÷ 10 = 1."""
    assert in_stock(FbaSku(sku="N", shipped_t60=4, days_in_stock=10, days_tracked=10)).value == 1


def test_store_excess_values_the_excess_at_price_and_ranks_the_skus_that_cause_it():
    """A: 70 excess (as above) at 12.50 = 875.00; B: 30 on hand, no sales, no price: 30 excess, unpriced.
    Store: (70 + 30) ÷ (200 + 30) = 100/230 = 0.4348; impacts 70/230 = 0.3043 and 30/230 = 0.1304."""
    a = FbaSku(sku="A", fulfillable=150, reserved=10, unfulfillable=40, shipped_t90=90, price=Decimal("12.50"))
    b = FbaSku(sku="B", fulfillable=30)
    part = store_excess([b, a])
    assert round(part.part.value, 4) == Decimal("0.4348")
    assert part.value_at_price == Decimal("875.00") and part.unpriced_units == 30
    assert [(c.sku, round(c.impact, 4)) for c in part.contributors] == [("A", Decimal("0.3043")),
                                                                       ("B", Decimal("0.1304"))]
    assert [c.sku for c in store_excess([a, b], top=1).contributors] == ["A"]


def test_store_sell_through_names_the_stock_its_sales_do_not_turn():
    """A: average 100, 300 shipped: turns 3, at target, no drag. B: average (60 + 40) ÷ 2 = 50, 30 shipped:
    50 − 30 ÷ 3 = 40 units drag. Store: 330 ÷ 150 = 2.2."""
    a = FbaSku(sku="A", fulfillable=80, on_hand_90_days_ago=120, shipped_t90=300)
    b = FbaSku(sku="B", fulfillable=40, on_hand_90_days_ago=60, shipped_t90=30)
    part = store_sell_through([a, b])
    assert part.part.value == Decimal("2.2") and part.meets_target is False
    assert [(c.sku, c.impact) for c in part.contributors] == [("B", Decimal(40))]


def test_store_parts_of_an_empty_store_have_no_values():
    parts = store_parts([])
    assert {key: p.part.value for key, p in parts.items()} == dict.fromkeys(PartKey)
    assert all(p.contributors == () for p in parts.values())


def test_trend_gives_the_value_of_each_day_and_its_slope():
    """Stranded 0, 1, 2 of 100 units on three days: 0, 0.01, 0.02; slope 0.01 a day. A day without units
    has no value and does not bend the slope."""
    start = date(2024, 2, 28)  # through the leap day
    daily = {start + timedelta(days=i): [FbaSku(sku="A", fulfillable=100, stranded=i)] for i in range(3)}
    daily[start + timedelta(days=3)] = []
    trend = part_trend(PartKey.STRANDED, daily)
    assert [p.value for p in trend.points] == [0, Decimal("0.01"), Decimal("0.02"), None]
    assert trend.points[1].day == date(2024, 2, 29)
    assert trend.slope_per_day == Decimal("0.01")
    assert part_trend(PartKey.STRANDED, {start: []}).slope_per_day is None


counts = st.integers(min_value=0, max_value=5000)
skus = st.builds(
    lambda f, r, u, s, t90, t60, start, days: FbaSku(
        sku=f"S{f}-{r}", fulfillable=f, reserved=r, unfulfillable=u, stranded=min(s, f), shipped_t90=t90,
        shipped_t60=min(t60, t90), on_hand_90_days_ago=start, days_in_stock=days),
    counts, counts, counts, counts, counts, counts, counts, st.integers(min_value=0, max_value=30))


@given(st.lists(skus, max_size=8))
def test_shares_stay_between_zero_and_one_and_additive_impacts_add_up(items):
    for compute in (store_excess, store_stranded):
        part = compute(items, top=len(items))
        if part.part.value is not None:
            assert 0 <= part.part.value <= 1
            assert abs(sum(c.impact for c in part.contributors) - part.part.value) < Decimal("1e-20")
    in_stock_part = store_in_stock(items, top=len(items))
    if in_stock_part.part.value is not None:
        assert abs(1 - sum(c.impact for c in in_stock_part.contributors) - in_stock_part.part.value) < Decimal("1e-20")
    for item in items:
        assert 0 <= excess_units(item) <= item.on_hand


def test_a_snapshot_refuses_impossible_counts():
    with pytest.raises(ValueError):
        FbaSku(sku="A", fulfillable=-1)
    with pytest.raises(ValueError):
        FbaSku(sku="A", days_in_stock=11, days_tracked=10)
    with pytest.raises(ValueError):
        AgeBuckets(d0_90=-3)
