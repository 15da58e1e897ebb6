"""The FBA restock plan: velocity, season, quantity, dates, the capacity cap, and the inbound plan it becomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ApplicationError
from fulfillment.fba.plan import restock_inbound_create, restock_inbound_lines
from fulfillment.fba.restock import (
    LeadTime,
    RestockInput,
    RestockPolicy,
    cap_by_capacity,
    restock_plan,
    restock_suggestion,
    seasonal_factor,
    weighted_velocity,
)
from fulfillment.models import InboundShipment
from tests.factories import ListingFactory

D = Decimal
AS_OF = date(2025, 6, 1)
LEAD = LeadTime(prep_days=7, transit_days=30, receiving_days=10)  # 47 days


def steady(per_day: int, days: int = 28) -> tuple[int, ...]:
    return (per_day,) * days


def test_weighted_velocity_weighs_the_latest_week_most():
    """Weeks, latest first: 70, 56, 42, 28 units → 10, 8, 6, 4 a day.
    0.4 × 10 + 0.3 × 8 + 0.2 × 6 + 0.1 × 4 = 4 + 2.4 + 1.2 + 0.4 = 8."""
    daily = steady(4, 7) + steady(6, 7) + steady(8, 7) + steady(10, 7)
    assert weighted_velocity(daily) == pytest.approx(8.0)


def test_weighted_velocity_of_a_sku_created_ten_days_ago():
    """Ten days at 2 a day: week 1 (7 days) 2 a day, week 2 (3 days) 2 a day; (0.4 × 2 + 0.3 × 2) ÷ 0.7 = 2.
    No history: 0."""
    assert weighted_velocity(steady(2, 10)) == pytest.approx(2.0)
    assert weighted_velocity(()) == 0


def year_with(*, recent: int, future: int, lead: int = 47, cover: int = 30, days: int = 400) -> tuple[int, ...]:
    """``days`` of 1 a day, except last year's four weeks before the day a year ago (``recent`` a day) and last
    year's days from ``lead`` to ``lead + cover`` after it (``future`` a day)."""
    daily = [1] * days
    year_ago = days - 365
    daily[year_ago - 28:year_ago] = [recent] * 28
    daily[year_ago + lead:year_ago + lead + cover] = [future] * cover
    return tuple(daily)


def test_seasonal_factor_is_last_years_coming_weeks_over_its_measured_weeks():
    """Last year: 2 a day over the four weeks matching the velocity's, 3 a day over the days the shipment
    will cover: 3 ÷ 2 = 1.5. 12 ÷ 2 = 6 is clamped to 3; 1 ÷ 6 to 1/3. Last year's weeks sold nothing, or
    history shorter than 365 + 28 days: 1."""
    assert seasonal_factor(year_with(recent=2, future=3), lead_days=47, cover_days=30) == pytest.approx(1.5)
    assert seasonal_factor(year_with(recent=2, future=12), lead_days=47, cover_days=30) == 3.0
    assert seasonal_factor(year_with(recent=6, future=1), lead_days=47, cover_days=30) == pytest.approx(1 / 3)
    assert seasonal_factor(year_with(recent=0, future=3), lead_days=47, cover_days=30) == 1.0
    assert seasonal_factor(steady(5, 392), lead_days=47, cover_days=30) == 1.0


def test_a_late_restock_with_its_quantity_and_dates():
    """10 a day; 200 available + 100 inbound. Quantity: 10 × (47 lead + 30 cover) − 300 = 470.
    300 units last 30 days: stock-out 2025-07-01; the boxes must leave 30 + 10 days before, 2025-05-22, and
    prep start 7 days before that, 2025-05-15 — already past on 2025-06-01: late."""
    item = RestockInput(sku="A", as_of=AS_OF, daily_units=steady(10), available=200, inbound=100, lead=LEAD)
    s = restock_suggestion(item)
    assert (s.quantity, s.need, s.seasonal_factor) == (470, 470, 1.0) and s.velocity == pytest.approx(10)
    assert (s.stockout_on, s.ship_by, s.prep_by, s.late) == (date(2025, 7, 1), date(2025, 5, 22),
                                                             date(2025, 5, 15), True)
    assert "470" in s.reason and "2025-05-22" in s.reason


def test_enough_stock_sends_nothing_and_says_when_to_look_again():
    """1000 available at 10 a day: 10 × 77 − 1000 < 0 → 0. Stock-out in 100 days, 2025-09-09; leave by
    2025-07-31 (40 days earlier), prep by 2025-07-24."""
    s = restock_suggestion(RestockInput(sku="A", as_of=AS_OF, daily_units=steady(10), available=1000, inbound=0,
                                        lead=LEAD))
    assert (s.quantity, s.stockout_on, s.ship_by, s.prep_by, s.late) == (
        0, date(2025, 9, 9), date(2025, 7, 31), date(2025, 7, 24), False)


def test_the_season_scales_the_quantity():
    """Recent 1 a day, season factor 1.5 (as above): 1.5 × 77 − 20 = 95.5 → 96."""
    item = RestockInput(sku="A", as_of=AS_OF, daily_units=year_with(recent=2, future=3), available=20, inbound=0,
                        lead=LEAD)
    assert restock_suggestion(item).quantity == 96


def test_no_sales_no_stock_and_not_replenished():
    idle = restock_suggestion(RestockInput(sku="A", as_of=AS_OF, daily_units=(), available=0, inbound=0))
    assert (idle.quantity, idle.stockout_on, idle.late) == (0, None, False)
    stopped = restock_suggestion(RestockInput(sku="B", as_of=AS_OF, daily_units=steady(10), available=0, inbound=0,
                                              replenishable=False))
    assert stopped.quantity == 0 and stopped.reason


def suggestion(sku: str, velocity: int, units: int, volume: str):
    """A SKU selling ``velocity`` a day, out of stock, whose need is ``units``: cover_days chosen so
    velocity × (0 lead + cover) = units."""
    policy = RestockPolicy(cover_days=units // velocity)
    item = RestockInput(sku=sku, as_of=AS_OF, daily_units=steady(velocity), available=0, inbound=0,
                        unit_volume_ft3=D(volume), lead=LeadTime(prep_days=0, transit_days=0, receiving_days=0))
    return restock_suggestion(item, policy)


def test_capacity_is_shared_by_velocity_and_what_one_sku_leaves_goes_to_the_others():
    """A: 10 a day wants 100 × 1 ft³; B: 5 a day wants 100 × 0.5 ft³ = 50; C: 5 a day wants 10 × 1 = 10.
    100 ft³ left. Round 1 (velocity 20): A 50, B 25, C 25; C fits with 10, 90 left. Round 2 (velocity 15):
    A 60, B 30; neither fits: A 60 ft³ = 60 units, B 30 ft³ = 60 units. 60 + 30 + 10 = 100 ft³."""
    capped = {s.sku: s for s in cap_by_capacity([suggestion("A", 10, 100, "1"), suggestion("B", 5, 100, "0.5"),
                                                 suggestion("C", 5, 10, "1")], capacity_ft3=D(100))}
    assert {sku: (s.quantity, s.capped) for sku, s in capped.items()} == {
        "A": (60, True), "B": (60, True), "C": (10, False)}
    assert "60" in capped["A"].reason


def test_enough_capacity_or_no_volume_leaves_the_quantities_alone():
    plenty = cap_by_capacity([suggestion("A", 10, 100, "1")], capacity_ft3=D(1000))
    assert [(s.quantity, s.capped) for s in plenty] == [(100, False)]
    unknown = cap_by_capacity([suggestion("A", 10, 100, "0")], capacity_ft3=D(0))
    assert [(s.quantity, s.capped) for s in unknown] == [(100, False)]
    full = cap_by_capacity([suggestion("A", 10, 100, "1")], capacity_ft3=D(0))
    assert [(s.quantity, s.capped) for s in full] == [(0, True)]


def test_the_plan_puts_the_most_urgent_first():
    late = RestockInput(sku="Z", as_of=AS_OF, daily_units=steady(10), available=200, inbound=0, lead=LEAD)
    fine = RestockInput(sku="A", as_of=AS_OF, daily_units=steady(10), available=2000, inbound=0, lead=LEAD)
    idle = RestockInput(sku="B", as_of=AS_OF, daily_units=(), available=5, inbound=0, lead=LEAD)
    assert [s.sku for s in restock_plan([fine, idle, late])] == ["Z", "A", "B"]


items = st.builds(
    lambda i, per_day, days, available, inbound, volume: RestockInput(
        sku=f"S{i}", as_of=AS_OF, daily_units=tuple(per_day[:days]), available=available, inbound=inbound,
        unit_volume_ft3=D(volume) / 100, lead=LEAD),
    st.integers(0, 10**6), st.lists(st.integers(0, 500), max_size=60), st.integers(0, 60), st.integers(0, 10**5),
    st.integers(0, 10**5), st.integers(0, 500))


@given(st.lists(items, max_size=6, unique_by=lambda i: i.sku), st.integers(0, 100_000))
def test_restock_is_never_negative_never_above_the_need_nor_the_capacity(batch, capacity):
    plan = restock_plan(batch, capacity_ft3=D(capacity))
    assert len(plan) == len(batch)
    assert all(0 <= s.quantity <= s.need for s in plan)
    assert sum(s.quantity * s.unit_volume_ft3 for s in plan) <= capacity


# The inbound plan -----------------------------------------------------------------------------------------

def test_lines_skip_nothing_to_send_and_refuse_an_unknown_sku():
    listing = ListingFactory.build(sku="A", fulfillment_channel="AFN")
    s = suggestion("A", 10, 100, "1")
    lines = restock_inbound_lines([s, replace(s, sku="B", quantity=0)], {"A": listing})
    assert [(line.listing.sku, line.quantity) for line in lines] == [("A", 100)]
    with pytest.raises(ApplicationError):
        restock_inbound_lines([replace(s, sku="X")], {"A": listing})


@pytest.mark.django_db
def test_restock_becomes_an_inbound_plan_of_the_stores_fba_listings(store):
    blue = ListingFactory(store=store, sku="MAT-BLU", fulfillment_channel="AFN", quantity_inbound=0)
    ListingFactory(store=store, sku="MAT-MFN", fulfillment_channel="MFN")
    inbound = restock_inbound_create(store=store, suggestions=[suggestion("MAT-BLU", 10, 100, "1"),
                                                               replace(suggestion("MAT-BLU", 10, 100, "1"),
                                                                       sku="MAT-RED", quantity=0)])
    assert [(i.listing.sku, i.quantity_expected) for i in inbound.items.all()] == [("MAT-BLU", 100)]
    blue.refresh_from_db()
    assert blue.quantity_inbound == 100
    with pytest.raises(ApplicationError):
        restock_inbound_create(store=store, suggestions=[suggestion("MAT-MFN", 10, 100, "1")])
    assert InboundShipment.objects.count() == 1
