"""The deliveries-at-risk rule: the pure functions, table by table, and the queryset held to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fulfillment.carriers import CARRIERS
from fulfillment.delivery_risk import (
    Parcel,
    Reason,
    at_risk_shipments,
    days_silent,
    followed,
    last_heard,
    risk_reasons,
    risk_score,
    shipment_reasons,
    silent_days,
)
from fulfillment.models import CARRIER_EXCEPTIONS, Carrier, CarrierEventStatus, Shipment
from orders.models import OrderStatus
from returns.models import Refund
from tests.factories import OrderFactory, ShipmentFactory, StoreFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CROSS_BORDER = {Carrier.YUNEXPRESS, Carrier.FOURPX, Carrier.YANWEN, Carrier.CHINA_POST, Carrier.CAINIAO}
DOMESTIC_US = {Carrier.USPS, Carrier.UPS, Carrier.FEDEX, Carrier.ONTRAC, Carrier.AMAZON}


def parcel(**fields) -> Parcel:
    defaults = {"carrier": Carrier.UPS, "marketplace": "US", "shipped_at": NOW - 2 * DAY,
                "first_scan_at": NOW - 2 * DAY + HOUR, "last_event_at": NOW - DAY,
                "last_event_status": CarrierEventStatus.IN_TRANSIT, "latest_delivery_date": NOW + 2 * DAY}
    return Parcel(**{**defaults, **fields})


# --- Each carrier's allowance ----------------------------------------------------------------------------------

@pytest.mark.parametrize("carrier", sorted(DOMESTIC_US))
def test_a_domestic_us_carrier_is_allowed_three_quiet_days(carrier):
    assert silent_days(carrier=carrier, marketplace="US") == 3


@pytest.mark.parametrize("carrier", sorted(CROSS_BORDER))
def test_a_cross_border_post_or_consolidator_from_china_is_allowed_a_week_to_the_us(carrier):
    assert silent_days(carrier=carrier, marketplace="US") == 7


@pytest.mark.parametrize(("carrier", "marketplace", "days"), [
    (Carrier.CHINA_POST, "DE", 10), (Carrier.YANWEN, "UK", 10), (Carrier.CHINA_POST, "JP", 5),
    (Carrier.YUNEXPRESS, "JP", 5), (Carrier.YUNEXPRESS, "DE", 7), (Carrier.SF_EXPRESS, "US", 5),
    (Carrier.OTHER, "US", 5), ("Pigeon Post", "US", 5), (Carrier.ROYAL_MAIL, "UK", 3),
])
def test_some_routes_have_their_own_allowance(carrier, marketplace, days):
    assert silent_days(carrier=carrier, marketplace=marketplace) == days


CARRIER_CASES = [(code, market) for code in CARRIERS for market in ("US", "DE", "JP")]


@pytest.mark.parametrize(("carrier", "marketplace"), CARRIER_CASES)
def test_every_carrier_is_silent_exactly_at_its_allowance(carrier, marketplace):
    days = silent_days(carrier=carrier, marketplace=marketplace)
    heard = {"first_scan_at": None, "last_event_status": ""}
    quiet = parcel(carrier=carrier, marketplace=marketplace, shipped_at=NOW - 40 * DAY, **heard,
                   last_event_at=NOW - days * DAY)
    almost = parcel(carrier=carrier, marketplace=marketplace, shipped_at=NOW - 40 * DAY, **heard,
                    last_event_at=NOW - days * DAY + HOUR, latest_delivery_date=None)
    assert Reason.SILENT in risk_reasons(quiet, now=NOW)
    assert risk_reasons(almost, now=NOW) == ()


def test_settings_override_a_carrier_everywhere_and_on_one_marketplace(settings):
    settings.DELIVERY_RISK_SILENT_DAYS = {"YunExpress": 12, "YunExpress@JP": 4, "USPS@US": 2}
    assert silent_days(carrier=Carrier.YUNEXPRESS, marketplace="US") == 12
    assert silent_days(carrier=Carrier.YUNEXPRESS, marketplace="JP") == 4
    assert silent_days(carrier=Carrier.USPS, marketplace="US") == 2
    assert silent_days(carrier=Carrier.UPS, marketplace="US") == 3
    assert risk_reasons(parcel(carrier=Carrier.USPS, last_event_at=NOW - 2 * DAY), now=NOW) == (Reason.SILENT,)


# --- Reasons ---------------------------------------------------------------------------------------------------

def test_the_last_sign_of_life_is_the_last_event_else_the_first_scan_else_shipping():
    shipped, scan, event = NOW - 5 * DAY, NOW - 4 * DAY, NOW - DAY
    assert last_heard(last_event_at=event, first_scan_at=scan, shipped_at=shipped) == event
    assert last_heard(last_event_at=None, first_scan_at=scan, shipped_at=shipped) == scan
    assert last_heard(last_event_at=None, first_scan_at=None, shipped_at=shipped) == shipped
    assert days_silent(heard=NOW - 3 * DAY - HOUR, now=NOW) == 3
    assert days_silent(heard=NOW + HOUR, now=NOW) == 0


@pytest.mark.parametrize(("fields", "reasons"), [
    ({}, ()),
    ({"last_event_at": None, "first_scan_at": None, "shipped_at": NOW - 4 * DAY}, (Reason.SILENT,)),
    ({"last_event_at": None, "first_scan_at": NOW - 3 * DAY}, (Reason.SILENT,)),
    ({"latest_delivery_date": NOW - HOUR}, (Reason.LATE,)),
    ({"latest_delivery_date": None}, ()),
    *[({"last_event_status": status}, (Reason.EXCEPTION,)) for status in sorted(CARRIER_EXCEPTIONS)],
    ({"last_event_status": CarrierEventStatus.ATTEMPTED}, ()),
    ({"last_event_status": CarrierEventStatus.RETURNED, "latest_delivery_date": NOW - DAY,
      "last_event_at": NOW - 5 * DAY}, (Reason.EXCEPTION, Reason.LATE, Reason.SILENT)),
], ids=lambda value: str(value) if isinstance(value, tuple) else None)
def test_each_reason_holds_on_its_own_and_together(fields, reasons):
    assert risk_reasons(parcel(**fields), now=NOW) == reasons


@pytest.mark.parametrize("fields", [
    {"delivered_at": NOW - HOUR},
    {"last_event_status": CarrierEventStatus.DELIVERED},
    {"channel": "AFN"},
    {"tracking_number": ""},
    {"order_status": OrderStatus.CANCELED},
    {"order_status": OrderStatus.DELIVERED},
    {"fully_refunded": True},
    {"shipped_at": NOW - 61 * DAY},
    {"replaced": True},
], ids=lambda fields: next(iter(fields)))
def test_parcels_the_rule_does_not_follow_are_never_at_risk(fields):
    stuck = {"last_event_status": CarrierEventStatus.LOST, "latest_delivery_date": NOW - DAY}
    assert not followed(parcel(**{**stuck, **fields}), now=NOW)
    assert risk_reasons(parcel(**{**stuck, **fields}), now=NOW) == ()


def test_a_replacement_sent_after_the_deliver_by_date_is_judged_by_its_carrier_alone():
    replacement = {"is_replacement": True, "latest_delivery_date": NOW - 3 * DAY, "shipped_at": NOW - DAY}
    assert risk_reasons(parcel(**replacement), now=NOW) == ()
    assert risk_reasons(parcel(**replacement, last_event_status=CarrierEventStatus.ADDRESS_PROBLEM,
                               last_event_at=NOW - HOUR), now=NOW) == (Reason.EXCEPTION,)


@pytest.mark.django_db
def test_a_replaced_parcel_leaves_the_queue_its_replacement_is_not_late_and_both_remedies_mark_it(operator):
    from django.utils import timezone

    from fulfillment.models import FollowUp, ShipmentItem
    from fulfillment.remedies import carrier_trace_file, shipment_replace
    from tests.factories import ListingFactory, OrderItemFactory

    now = timezone.now()
    store = _store("US")
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED, fulfillment_channel="MFN",
                         purchase_date=now - 12 * DAY, latest_delivery_date=now - 2 * DAY)
    item = OrderItemFactory(order=order, listing=ListingFactory(store=store, quantity_available=5), quantity=1)
    lost = ShipmentFactory(order=order, carrier="UPS", tracking_number="1Z999AA10123456784",
                           shipped_at=now - 10 * DAY, last_event_at=now - 8 * DAY,
                           last_event_status=CarrierEventStatus.IN_TRANSIT)
    ShipmentItem.objects.create(store=store, shipment=lost, order_item=item, quantity=1)
    assert list(at_risk_shipments(Shipment.objects.filter(store=store), now=now)) == [lost]

    carrier_trace_file(shipment=lost, actor=operator)
    lost.refresh_from_db()
    assert (lost.follow_up, lost.follow_up_by) == (FollowUp.TRACE, operator)

    replacement = shipment_replace(shipment=lost, carrier="UPS", tracking_number="1Z999AA10123456795",
                                   accept_malformed=True, actor=operator)
    lost.refresh_from_db()
    assert lost.follow_up == FollowUp.REPLACEMENT
    # The lost parcel is settled by its replacement; the replacement, just sent, is neither late nor silent.
    assert list(at_risk_shipments(Shipment.objects.filter(store=store), now=timezone.now())) == []
    assert replacement.replacement_of_id == lost.pk


def test_how_long_a_parcel_is_followed_is_a_setting(settings):
    settings.DELIVERY_RISK_FOLLOW_DAYS = 90
    assert followed(parcel(shipped_at=NOW - 80 * DAY), now=NOW)


def test_an_exception_outranks_lateness_which_outranks_silence():
    assert risk_score([Reason.EXCEPTION]) > risk_score([Reason.LATE, Reason.SILENT]) > risk_score([Reason.SILENT])


# --- The queryset is the rule ----------------------------------------------------------------------------------

STATUSES = ["", *CarrierEventStatus.values]
MARKETS = ("US", "DE", "JP", "UK")


def _store(market: str):
    from core.models import Store

    return Store.objects.filter(code=f"RULE-{market}").first() or StoreFactory(code=f"RULE-{market}",
                                                                              marketplace=market)


def _make(facts: Parcel, *, market: str) -> Shipment:
    order = OrderFactory(store=_store(market), status=facts.order_status, fulfillment_channel=facts.channel,
                         purchase_date=facts.shipped_at - DAY, latest_delivery_date=facts.latest_delivery_date,
                         order_total=Decimal("20.00"),
                         canceled_at=facts.shipped_at if facts.order_status == OrderStatus.CANCELED else None)
    shipment = ShipmentFactory(order=order, carrier=facts.carrier, tracking_number=facts.tracking_number,
                               shipped_at=facts.shipped_at, first_scan_at=facts.first_scan_at,
                               delivered_at=facts.delivered_at, last_event_at=facts.last_event_at,
                               last_event_status=facts.last_event_status)
    assert not (facts.is_replacement or facts.replaced), "the property test draws no replacements"
    if facts.fully_refunded:
        Refund.objects.create(store=order.store, order=order, kind="full", amount=Decimal("20.00"),
                              currency="USD", refunded_at=facts.shipped_at + DAY)
    return shipment


def _parcels():
    optional_time = st.one_of(st.none(), st.integers(min_value=-70 * 24, max_value=48).map(lambda h: NOW + h * HOUR))
    return st.builds(
        lambda carrier, market, shipped_h, scan_h, event_h, status, deliver_by, delivered, channel, tracked,
        order_status, refunded: (Parcel(
            carrier=carrier, marketplace=market, shipped_at=NOW - shipped_h * HOUR,
            first_scan_at=None if scan_h is None else NOW - max(0, shipped_h - scan_h) * HOUR,
            last_event_at=None if event_h is None else NOW - max(0, shipped_h - event_h) * HOUR,
            last_event_status=status if event_h is not None else "",
            delivered_at=NOW - shipped_h * HOUR + HOUR * ((scan_h or 0) + 1) if delivered else None,
            latest_delivery_date=deliver_by, channel=channel,
            tracking_number="TRK1" if tracked else "", order_status=order_status, fully_refunded=refunded), market),
        st.sampled_from(sorted(CARRIERS)), st.sampled_from(MARKETS), st.integers(min_value=1, max_value=70 * 24),
        st.one_of(st.none(), st.integers(min_value=0, max_value=48)),
        st.one_of(st.none(), st.integers(min_value=0, max_value=40 * 24)), st.sampled_from(STATUSES),
        optional_time, st.booleans(), st.sampled_from(["MFN", "MFN", "MFN", "AFN"]),
        st.sampled_from([True, True, True, False]),
        st.sampled_from([OrderStatus.SHIPPED, OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED,
                         OrderStatus.CANCELED, OrderStatus.DELIVERED]),
        st.sampled_from([False, False, False, True]),
    )


@pytest.mark.django_db
@hypothesis_settings(max_examples=15, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(_parcels(), min_size=1, max_size=12))
def test_the_queryset_finds_exactly_what_the_rule_finds(settings, cases):
    settings.DELIVERY_RISK_SILENT_DAYS = {"UPS@DE": 2}
    Shipment.objects.all().delete()
    made = {_make(facts, market=market).pk: facts for facts, market in cases}
    found = {s.pk: shipment_reasons(s) for s in at_risk_shipments(Shipment.objects.filter(pk__in=made), now=NOW)}
    expected = {pk: risk_reasons(facts, now=NOW) for pk, facts in made.items()}
    assert found == {pk: reasons for pk, reasons in expected.items() if reasons}


@pytest.mark.django_db
def test_the_queryset_ranks_by_urgency_and_puts_followed_up_parcels_last():
    store = StoreFactory(code="RANK-US", marketplace="US")

    def make(**fields):
        order = OrderFactory(store=store, status=OrderStatus.SHIPPED, purchase_date=NOW - 6 * DAY,
                             latest_delivery_date=fields.pop("deliver_by", NOW + DAY))
        return ShipmentFactory(order=order, shipped_at=NOW - 5 * DAY, **fields)

    silent_long = make(last_event_at=NOW - 5 * DAY)
    silent_short = make(last_event_at=NOW - 4 * DAY)
    late = make(last_event_at=NOW - 4 * DAY, deliver_by=NOW - DAY)
    lost = make(last_event_at=NOW - HOUR, last_event_status=CarrierEventStatus.LOST)
    followed_up = make(last_event_at=NOW - HOUR, last_event_status=CarrierEventStatus.RETURNED,
                       follow_up="buyer_messaged", follow_up_at=NOW - HOUR)
    make(last_event_at=NOW - HOUR)  # moving: not at risk
    ranked = list(at_risk_shipments(Shipment.objects.filter(store=store), now=NOW).values_list("pk", flat=True))
    assert ranked == [lost.pk, late.pk, silent_long.pk, silent_short.pk, followed_up.pk]
    only_late = at_risk_shipments(Shipment.objects.filter(store=store), now=NOW, reason=Reason.LATE)
    assert list(only_late.values_list("pk", flat=True)) == [late.pk]
