"""FBA storage fees, the aged-inventory surcharge and the action that avoids it, each pinned by a case worked by
hand (US tables unless said otherwise)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulfillment.fba.fees import (
    Action,
    AgeBand,
    StorageClass,
    aged_surcharge,
    fee_table,
    monthly_storage_fee,
    next_assessment,
    removal_fee,
    storage_class,
    surcharge_actions,
    surcharge_forecast,
    surcharge_plan,
    units_by_age_band,
)
from fulfillment.fba.inputs import AgeBuckets, FbaSku

D = Decimal
US_2025 = fee_table("US", on=date(2025, 6, 1))


# Tables ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("on", "standard_off_peak", "band_271"), [
    (date(2023, 4, 15), D("0.87"), D("3.80")),
    (date(2024, 3, 31), D("0.87"), D("3.80")),
    (date(2024, 4, 1), D("0.78"), D("3.80")),
    (date(2024, 4, 15), D("0.78"), D("5.45")),
    (date(2025, 12, 31), D("0.78"), D("5.45")),
])
def test_the_table_in_force_on_a_date_is_the_latest_started(on, standard_off_peak, band_271):
    table = fee_table("US", on=on)
    assert table.storage[StorageClass.STANDARD].off_peak == standard_off_peak
    assert table.aged_bands[3] == AgeBand(271, 300, band_271)
    assert not table.placeholder


def test_removal_fees_change_with_the_table_and_no_table_means_no_guess():
    assert fee_table("US", on=date(2026, 1, 14)).removal["standard"][0].fee == D("1.04")
    assert fee_table("US", on=date(2026, 1, 15)).removal["standard"][0].fee == D("0.84")
    with pytest.raises(LookupError):
        fee_table("US", on=date(2023, 4, 14))
    with pytest.raises(LookupError):
        fee_table("CA", on=date(2025, 1, 1))


def test_eu_uk_and_jp_tables_are_placeholders_a_deployment_replaces(settings):
    assert all(fee_table(code, on=date(2025, 1, 1)).placeholder for code in ("DE", "ES", "FR", "IT", "JP", "UK"))
    settings.FBA_FEE_TABLES = [{
        "marketplace": "DE", "effective_from": "2024-01-01", "currency": "EUR", "volume_unit": "m3",
        "storage": {"standard": ["26.00", "40.00"], "oversize": ["20.00", "30.00"]},
        "aged_bands": [[331, 365, "100"], [366, None, "400", "0.10"]],
        "removal": {"standard": [["0.5", "0.90"], [None, "1.20", "0.50"]]},
    }]
    table = fee_table("DE", on=date(2025, 1, 1))
    assert not table.placeholder and table.storage[StorageClass.STANDARD].peak == D("40.00")
    assert table.aged_bands[-1] == AgeBand(366, None, D("400"), D("0.10"))


# Storage --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("tier", "dangerous", "expected"), [
    ("Small standard-size", False, StorageClass.STANDARD), ("Large bulky", False, StorageClass.OVERSIZE),
    ("Extra-large 50 to 70 lb", False, StorageClass.OVERSIZE), ("", False, StorageClass.STANDARD),
    ("Large standard-size", True, StorageClass.DG_STANDARD), ("Small oversize", True, StorageClass.DG_OVERSIZE),
])
def test_the_storage_class_follows_the_size_tier(tier, dangerous, expected):
    assert storage_class(FbaSku(sku="A", size_tier=tier, dangerous_goods=dangerous)) == expected


def test_monthly_storage_fee_by_class_and_season():
    """100 units × 0.5 ft³ = 50 ft³: × 0.78 in June = 39.00, × 2.40 in November = 120.00.
    Large bulky, 10 × 4 ft³ = 40 ft³ × 0.56 = 22.40. Dangerous, 10 × 1 ft³ × 3.63 in October = 36.30.
    No volume known: 0.00. An average of 30 units given: 30 × 0.5 × 0.78 = 11.70."""
    standard = FbaSku(sku="A", fulfillable=90, unfulfillable=10, unit_volume_ft3=D("0.5"))
    assert monthly_storage_fee(standard, US_2025, month=date(2025, 6, 1)) == D("39.00")
    assert monthly_storage_fee(standard, US_2025, month=date(2025, 11, 1)) == D("120.00")
    assert monthly_storage_fee(standard, US_2025, month=date(2025, 6, 1), average_units=30) == D("11.70")
    bulky = FbaSku(sku="B", fulfillable=10, unit_volume_ft3=D(4), size_tier="Large bulky")
    assert monthly_storage_fee(bulky, US_2025, month=date(2025, 3, 1)) == D("22.40")
    dangerous = FbaSku(sku="C", fulfillable=10, unit_volume_ft3=D(1), dangerous_goods=True)
    assert monthly_storage_fee(dangerous, US_2025, month=date(2025, 10, 1)) == D("36.30")
    assert monthly_storage_fee(FbaSku(sku="Z", fulfillable=10), US_2025, month=date(2025, 6, 1)) == D("0.00")


def test_a_table_in_cubic_metres_converts_the_volume():
    """1000 units × 1 ft³ = 28.316846592 m³ × 27.00 (the DE placeholder) = 764.554857984 → 764.55."""
    sku = FbaSku(sku="A", fulfillable=1000, unit_volume_ft3=D(1))
    assert monthly_storage_fee(sku, fee_table("DE", on=date(2025, 1, 1)), month=date(2025, 1, 1)) == D("764.55")


# The surcharge --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("on", "expected"), [
    (date(2025, 3, 1), date(2025, 3, 15)), (date(2025, 3, 15), date(2025, 3, 15)),
    (date(2025, 3, 16), date(2025, 4, 15)), (date(2025, 12, 20), date(2026, 1, 15)),
    (date(2024, 2, 29), date(2024, 3, 15)), (date(2025, 1, 31), date(2025, 2, 15)),
])
def test_the_next_assessment_is_the_next_fifteenth(on, expected):
    assert next_assessment(on) == expected


def test_units_spread_evenly_over_their_bucket_days():
    """90 units aged 181–270 (one a day): 30 in each of 181–210, 211–240, 241–270. 95 units aged 271–365
    (95 days): 30, 30 and 35 (331–365 has 35 days). 10 units over 365 stay in the open band."""
    bands = US_2025.aged_bands
    counts = units_by_age_band(AgeBuckets(d181_270=90, d271_365=95, d365_plus=10), bands, days_ahead=0)
    assert counts == [30, 30, 30, 30, 30, 35, 10]


def test_units_age_and_the_oldest_leave_first():
    """Thirty days on, 90 units of 181–270 are 211–300: 30 each in 211–240, 241–270, 271–300.
    45 sold first-in first-out leave the 45 youngest, ages 181–225: 30 in 181–210, 15 in 211–240.
    90 units of 0–90 (91 days), 100 days on, are 100–190: ages 181–190 hold 10 of 91 days: 900/91."""
    bands = US_2025.aged_bands
    assert units_by_age_band(AgeBuckets(d181_270=90), bands, days_ahead=30) == [0, 30, 30, 30, 0, 0, 0]
    assert units_by_age_band(AgeBuckets(d181_270=90), bands, days_ahead=0, units_sold=45) == [30, 15, 0, 0, 0, 0, 0]
    assert units_by_age_band(AgeBuckets(d0_90=90), bands, days_ahead=100)[0] == Fraction(900, 91)


def test_surcharge_on_the_assessment_day_band_by_band():
    """0.1 ft³ a unit, nothing sold, assessed on the day of the snapshot (2025-03-15):
    181–210: 30 × 0.1 × 0.50 = 1.50; 211–240: 30 × 0.1 × 1.00 = 3.00; 241–270: 30 × 0.1 × 1.50 = 4.50;
    271–300: 30 × 0.1 × 5.45 = 16.35; 301–330: 30 × 0.1 × 5.70 = 17.10; 331–365: 35 × 0.1 × 5.90 = 20.65;
    366+: 10 × max(0.1 × 6.90, 0.15) = 6.90. Total 70.00.
    Apparel (exempt through 270 days): 70.00 − 1.50 − 3.00 − 4.50 = 61.00.
    At 0.01 ft³ the 366+ band charges its minimum: 10 × max(0.069, 0.15) = 1.50."""
    ages = AgeBuckets(d181_270=90, d271_365=95, d365_plus=10)
    on = date(2025, 3, 15)
    sku = FbaSku(sku="A", fulfillable=195, ages=ages, unit_volume_ft3=D("0.1"))
    assessment = aged_surcharge(sku, US_2025, as_of=on)
    assert assessment.on == on and assessment.fee == D("70.00") and assessment.units == 195
    assert [c.fee for c in assessment.charges] == [D(x) for x in
                                                    ("1.50", "3.00", "4.50", "16.35", "17.10", "20.65", "6.90")]
    apparel = FbaSku(sku="B", fulfillable=195, ages=ages, unit_volume_ft3=D("0.1"), apparel_exempt=True)
    assert aged_surcharge(apparel, US_2025, as_of=on).fee == D("61.00")
    tiny = FbaSku(sku="C", fulfillable=10, ages=AgeBuckets(d365_plus=10), unit_volume_ft3=D("0.01"))
    assert aged_surcharge(tiny, US_2025, as_of=on).fee == D("1.50")


def aging_sku(**kwargs) -> FbaSku:
    """90 units aged 181–270 (one a day), 1 ft³ each, selling 1 a day (90 in 90 days)."""
    return FbaSku(**{"sku": "A", "fulfillable": 90, "ages": AgeBuckets(d181_270=90), "unit_volume_ft3": D(1),
                     "shipped_t90": 90, **kwargs})


def test_surcharge_at_the_next_assessment_counts_the_sales_until_then():
    """Snapshot 2025-03-01, assessment 2025-03-15: 14 days, 14 sold from the oldest. The 76 left are ages
    181–256, 14 days on 195–270: 181–210 holds 16 (195–210) × 0.50 = 8.00; 211–240: 30 × 1.00 = 30.00;
    241–270: 30 × 1.50 = 45.00. Total 83.00 on 76 units."""
    assessment = aged_surcharge(aging_sku(), US_2025, as_of=date(2025, 3, 1))
    assert (assessment.on, assessment.fee, assessment.units) == (date(2025, 3, 15), D("83.00"), 76)


def test_forecast_of_the_next_three_assessments():
    """From 2025-03-01: 15 March as above, 83.00. 15 April (45 days, 45 sold): the 45 left, ages 181–225,
    are 226–270: 211–240 holds 15 × 1.00 = 15.00, 241–270 holds 30 × 1.50 = 45.00: 60.00. 15 May (75 days,
    75 sold): 15 left, 181–195, now 256–270: 15 × 1.50 = 22.50."""
    forecast = surcharge_forecast(aging_sku(), marketplace="US", as_of=date(2025, 3, 1))
    assert [(a.on, a.fee, a.units) for a in forecast] == [
        (date(2025, 3, 15), D("83.00"), 76), (date(2025, 4, 15), D("60.00"), 45),
        (date(2025, 5, 15), D("22.50"), 15)]


def test_forecast_across_a_leap_february_and_a_change_of_table():
    """Nothing sold, 90 units aged 181–270 on 2024-02-01. To 2024-03-15 is 43 days (29 in February): ages
    224–313. 211–240: 17 × 1.00 = 17.00; 241–270: 30 × 1.50 = 45.00; 271–300: 30 × 3.80 (the 2023 table,
    still in force) = 114.00; 301–330: 13 × 4.00 = 52.00. Total 228.00.
    A year later, 2025-02-01 to 2025-03-15 is 42 days: ages 223–312. 18 × 1.00 + 30 × 1.50 + 30 × 5.45 +
    12 × 5.70 = 18.00 + 45.00 + 163.50 + 68.40 = 294.90."""
    sku = aging_sku(shipped_t90=0)
    leap = surcharge_forecast(sku, marketplace="US", as_of=date(2024, 2, 1), months=2)
    assert [(a.on, a.fee) for a in leap][1] == (date(2024, 3, 15), D("228.00"))
    later = surcharge_forecast(sku, marketplace="US", as_of=date(2025, 2, 1), months=2)
    assert [(a.on, a.fee) for a in later][1] == (date(2025, 3, 15), D("294.90"))


def test_young_stock_and_a_sku_just_created_pay_no_surcharge():
    young = FbaSku(sku="N", fulfillable=500, ages=AgeBuckets(d0_90=500), unit_volume_ft3=D(1))
    assessment = aged_surcharge(young, US_2025, as_of=date(2025, 6, 1))
    assert assessment.fee == 0 and assessment.charges == ()
    assert surcharge_actions(young, US_2025, as_of=date(2025, 6, 1)) == []


bucket = st.integers(min_value=0, max_value=400)


@given(bucket, bucket, bucket, bucket, bucket, st.integers(0, 400), st.integers(0, 60))
def test_the_surcharge_never_falls_as_unsold_stock_ages(a, b, c, d, e, days, more):
    """No sales: every unit moves to an older band or stays, and older bands cost at least as much a unit. Each
    band's fee is rounded to the cent, so the total may differ by half a cent a band."""
    sku = FbaSku(sku="P", fulfillable=a + b + c + d + e, unit_volume_ft3=D("0.37"),
                 ages=AgeBuckets(d0_90=a, d91_180=b, d181_270=c, d271_365=d, d365_plus=e))
    as_of = date(2025, 1, 1)
    earlier = aged_surcharge(sku, US_2025, as_of=as_of, on=date.fromordinal(as_of.toordinal() + days))
    later = aged_surcharge(sku, US_2025, as_of=as_of, on=date.fromordinal(as_of.toordinal() + days + more))
    assert later.fee >= earlier.fee - D("0.005") * len(US_2025.aged_bands)
    assert later.units >= earlier.units


@given(bucket, bucket, bucket, bucket, bucket, st.integers(0, 400), st.integers(0, 2500))
def test_units_are_neither_made_nor_lost_by_aging_and_selling(a, b, c, d, e, days, sold):
    ages = AgeBuckets(d0_90=a, d91_180=b, d181_270=c, d271_365=d, d365_plus=e)
    everything = (AgeBand(0, 180, D(0)),) + US_2025.aged_bands
    counts = units_by_age_band(ages, everything, days_ahead=days, units_sold=sold)
    assert sum(counts) == max(0, ages.total - sold)


# Removal and the action -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("tier", "weight", "dangerous", "fee"), [
    ("Small standard-size", "0.4", False, "1.04"), ("Large standard-size", "0.8", False, "1.53"),
    ("Large standard-size", "2", False, "2.27"),
    # 2.89 + 1.06 × ceil(3.5 − 2) = 2.89 + 2.12
    ("Large standard-size", "3.5", False, "5.01"),
    ("Large standard-size", None, False, "2.27"),  # weight unknown: the heaviest flat band
    # 14.32 + 1.06 × ceil(12 − 10) = 14.32 + 2.12
    ("Large bulky", "12", False, "16.44"),
    ("Large standard-size", "0.5", True, "3.12"),  # dangerous goods pay the oversize bands
])
def test_removal_fee_by_size_tier_and_weight(tier, weight, dangerous, fee):
    sku = FbaSku(sku="A", size_tier=tier, unit_weight_lb=None if weight is None else D(weight),
                 dangerous_goods=dangerous)
    assert removal_fee(sku, US_2025) == D(fee)


def slow_mover(**kwargs) -> FbaSku:
    """90 units aged 181–270 (one a day), 10 ft³ each, selling 8 a day, 0.4 lb, price 4.00, cost 1.00."""
    return FbaSku(**{"sku": "S", "fulfillable": 290, "ages": AgeBuckets(d0_90=200, d181_270=90),
                     "unit_volume_ft3": D(10), "shipped_t90": 720, "unit_weight_lb": D("0.4"), "price": D("4.00"),
                     "unit_cost": D("1.00"), **kwargs})


def test_actions_ranked_by_money_saved():
    """Snapshot 2025-03-05, assessment 2025-03-15: 10 days, 80 sold from the oldest; 10 units left of ages
    181–190, then 191–200: 10 × 10 ft³ × 0.50 = 50.00 avoided by any action.
    Remove: 10 × 1.04 = 10.40; saves 39.60.
    Liquidate: 10 × (1.04 removal + 1.00 cost − 4.00 × 5 % recovery) = 10 × 1.84 = 18.40; saves 31.60.
    Lower the price, elasticity 1: sell 80 + 10 = 90 in 10 days, 9 a day instead of 8: price × 8/9, a cut of
    1/9 = 0.1111; cost 4.00 × 0.1111 × 90 = 39.996 → 40.00; saves 10.00."""
    actions = surcharge_actions(slow_mover(), US_2025, as_of=date(2025, 3, 5), elasticity=D(1))
    assert [(a.action, a.units, a.fee_avoided, a.cost, a.saves) for a in actions] == [
        (Action.REMOVE, 10, D("50.00"), D("10.40"), D("39.60")),
        (Action.LIQUIDATE, 10, D("50.00"), D("18.40"), D("31.60")),
        (Action.LOWER_PRICE, 10, D("50.00"), D("40.00"), D("10.00")),
    ]
    assert actions[2].price_cut == D("0.1111") and actions[2].target_velocity == D("9.00")
    assert all(a.reason for a in actions)


def test_price_cut_with_the_default_elasticity_of_two():
    """Elasticity 2: price × (8/9)^(1/2) = price × 0.942809; cut 0.0572; 4.00 × 0.0572 × 90 = 20.592 → 20.59;
    saves 50.00 − 20.59 = 29.41."""
    actions = {a.action: a for a in surcharge_actions(slow_mover(), US_2025, as_of=date(2025, 3, 5))}
    assert (actions[Action.LOWER_PRICE].price_cut, actions[Action.LOWER_PRICE].saves) == (D("0.0572"), D("29.41"))


def test_no_price_cut_without_sales_or_beyond_the_limit_and_no_liquidation_without_a_cost():
    """Selling nothing, no price moves it. Selling 1 a day, clearing 76 more in 14 days needs 90 ÷ 14 a day:
    a cut of 1 − 14/90 = 0.8444 at elasticity 1, over the 0.5 limit."""
    still = surcharge_actions(slow_mover(shipped_t90=0, unit_cost=None), US_2025, as_of=date(2025, 3, 5))
    assert [a.action for a in still] == [Action.REMOVE]
    slow = surcharge_actions(aging_sku(price=D(10)), US_2025, as_of=date(2025, 3, 1), elasticity=D(1))
    assert Action.LOWER_PRICE not in {a.action for a in slow}


def test_the_plan_keeps_each_skus_best_action_most_saved_first():
    """slow_mover saves 39.60 by removal. aging_sku (above: 83.00 on 76 units, unknown weight → 2.27 a unit):
    removal 76 × 2.27 = 172.52, saves −89.52; still listed, last."""
    plan = surcharge_plan([aging_sku(), slow_mover(), FbaSku(sku="Y", ages=AgeBuckets(d0_90=5))], US_2025,
                          as_of=date(2025, 3, 5))
    assert [(a.sku, a.action, a.saves) for a in plan][0] == ("S", Action.REMOVE, D("39.60"))
    assert [a.sku for a in plan] == ["S", "A"]
