"""A parcel stuck or lost: the carrier trace and the replacement, their rules, refusals, timeline, stock and
the metrics a replacement must leave as they were."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition, StockError
from fulfillment.carriers import CARRIERS, trace_page
from fulfillment.models import (
    TRACE_TRANSITIONS,
    CarrierEventStatus,
    CarrierTrace,
    Shipment,
    TraceStatus,
)
from fulfillment.remedies import (
    carrier_trace_file,
    carrier_trace_set_status,
    replacement_quantities,
    shipment_replace,
    trace_facts,
    unit_value,
)
from fulfillment.services import order_ship, shipment_record_tracking
from listings.models import StockMovement
from metrics.engine import compute
from orders.models import OrderEvent, OrderStatus
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory, ShipmentFactory, UserFactory

pytestmark = pytest.mark.django_db

UPS = "1Z999AA10123456784"
UPS_2 = "1Z12345E6605272234"
UPS_MALFORMED = "1Z999AA10123456785"


def lost_parcel(store, *, stock: int = 5, quantities=(2, 1), days_ago: int = 9, sku: str = "LOST") -> Shipment:
    """A seller-fulfilled order of two lines, shipped ``days_ago`` days ago through the real ship service."""
    now = timezone.now()
    order = OrderFactory(store=store, purchase_date=now - timedelta(days=days_ago + 1))
    for index, quantity in enumerate(quantities):
        listing = ListingFactory(store=store, sku=f"{sku}-{index}", quantity_available=stock)
        OrderItemFactory(order=order, sku=listing.sku, listing=listing, quantity=quantity,
                         title=f"Widget {index}", item_price=Decimal("30.00") * quantity)
    return order_ship(order=order, carrier="UPS", tracking_number=UPS, shipped_at=now - timedelta(days=days_ago))


# --- Pure rules -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [(old, new) for old in TraceStatus.values for new in TraceStatus.values])
def test_the_trace_table_allows_exactly_its_moves(store, old, new):
    trace = carrier_trace_file(shipment=lost_parcel(store))
    CarrierTrace.objects.filter(pk=trace.pk).update(status=old)
    trace.refresh_from_db()
    if new in TRACE_TRANSITIONS[old]:
        carrier_trace_set_status(trace=trace, status=new)
        trace.refresh_from_db()
        assert trace.status == new
    else:
        with pytest.raises(InvalidTransition):
            carrier_trace_set_status(trace=trace, status=new)


def test_replacement_quantities_default_to_every_unit_and_check_the_parcel():
    assert replacement_quantities(shipped={1: 2, 2: 1}, quantities=None) == {1: 2, 2: 1}
    assert replacement_quantities(shipped={1: 2, 2: 1}, quantities={1: 1, 2: 0}) == {1: 1}
    with pytest.raises(ApplicationError, match="not in the lost parcel"):
        replacement_quantities(shipped={1: 2}, quantities={3: 1})
    with pytest.raises(ApplicationError, match="held 2"):
        replacement_quantities(shipped={1: 2}, quantities={1: 3})
    with pytest.raises(ApplicationError, match="at least one unit"):
        replacement_quantities(shipped={1: 2}, quantities={1: 0})


def test_unit_value_shares_the_line_price_among_its_units(store):
    item = OrderItemFactory(order=OrderFactory(store=store), quantity=3, item_price=Decimal("10.00"))
    assert unit_value(item, 1) == Decimal("3.33")
    assert unit_value(item, 3) == Decimal("10.00")


def test_every_carrier_with_a_trace_page_links_it_over_https():
    assert trace_page("USPS") == "https://www.usps.com/help/missing-mail.htm"
    assert trace_page("Other") == trace_page("Pigeon") == ""
    for spec in CARRIERS.values():
        assert not spec.trace_url or spec.trace_url.startswith("https://"), spec.code


def test_the_trace_facts_are_what_the_carrier_asks_for(store):
    shipment = lost_parcel(store)
    facts = trace_facts(shipment=shipment, items=shipment.items.select_related("order_item").order_by("id"))
    assert (facts.carrier, facts.tracking_number, facts.shipped_at) == ("UPS", UPS, shipment.shipped_at)
    assert facts.recipient == "Jane Miller" and facts.address_lines[0] == "1 Main St"
    assert facts.contents == "2 × Widget 0; 1 × Widget 1"
    assert (facts.value, facts.currency) == (Decimal("90.00"), "USD")
    assert facts.trace_url == CARRIERS["UPS"].trace_url


# --- Filing a trace and moving it --------------------------------------------------------------------------------


def test_filing_a_trace_records_it_and_writes_the_timeline(store):
    shipment = lost_parcel(store)
    user = UserFactory()
    filed = timezone.now() - timedelta(hours=1)
    trace = carrier_trace_file(shipment=shipment, reference=" MM-123456 ", note="Buyer says nothing arrived",
                               filed_at=filed, actor=user)
    assert (trace.status, trace.reference, trace.filed_at, trace.actor, trace.store_id) == (
        TraceStatus.OPEN, "MM-123456", filed, user, store.pk)
    event = shipment.order.events.get(kind=OrderEvent.Kind.TRACE)
    assert (event.at, event.actor, event.source) == (filed, user, "ui")
    assert "MM-123456" in event.note and UPS in event.note and "Buyer says nothing arrived" in event.note


def test_each_status_change_is_stamped_and_lands_on_the_timeline(store):
    trace = carrier_trace_file(shipment=lost_parcel(store))
    carrier_trace_set_status(trace=trace, status=TraceStatus.LOST, reference="ignored", note="Declared lost")
    trace.refresh_from_db()
    assert trace.status == TraceStatus.LOST and trace.resolved_at is not None and trace.closed_at is None
    assert trace.reference == "ignored"  # filled in, since the filing had none
    carrier_trace_set_status(trace=trace, status=TraceStatus.CLOSED, reference="other")
    trace.refresh_from_db()
    assert trace.closed_at is not None and trace.reference == "ignored"
    notes = list(trace.shipment.order.events.filter(kind=OrderEvent.Kind.TRACE).values_list("note", flat=True))
    assert len(notes) == 3 and "Open → Lost" in notes[1] and "Lost → Closed" in notes[2]


def test_closing_an_open_trace_also_answers_it(store):
    trace = carrier_trace_file(shipment=lost_parcel(store))
    carrier_trace_set_status(trace=trace, status=TraceStatus.CLOSED)
    trace.refresh_from_db()
    assert trace.resolved_at == trace.closed_at


def test_a_trace_is_refused_for_a_delivered_parcel(store):
    shipment = lost_parcel(store)
    shipment_record_tracking(shipment=shipment, delivered_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ApplicationError, match="was delivered"):
        carrier_trace_file(shipment=shipment)
    assert not CarrierTrace.objects.exists()


def test_a_parcel_the_carrier_says_is_delivered_cannot_be_traced(store):
    shipment = lost_parcel(store)
    Shipment.objects.filter(pk=shipment.pk).update(last_event_status=CarrierEventStatus.DELIVERED)
    with pytest.raises(ApplicationError, match="was delivered"):
        carrier_trace_file(shipment=shipment)


def test_a_trace_is_refused_for_an_fba_parcel(store):
    order = OrderFactory(store=store, fulfillment_channel="AFN", status=OrderStatus.SHIPPED)
    shipment = ShipmentFactory(order=order, store=store, amazon_shipment_id="DxYz123")
    with pytest.raises(ApplicationError, match="Amazon traces its own parcels"):
        carrier_trace_file(shipment=shipment)


def test_a_trace_is_refused_for_an_untracked_parcel(store):
    shipment = ShipmentFactory(order__store=store, tracking_number="")
    with pytest.raises(ApplicationError, match="no tracking number"):
        carrier_trace_file(shipment=shipment)


def test_one_trace_at_a_time_per_parcel(store):
    shipment = lost_parcel(store)
    first = carrier_trace_file(shipment=shipment, reference="A1")
    with pytest.raises(ApplicationError, match="already open.*A1"):
        carrier_trace_file(shipment=shipment)
    carrier_trace_set_status(trace=first, status=TraceStatus.CLOSED)
    carrier_trace_file(shipment=shipment, reference="A2")
    assert CarrierTrace.objects.filter(shipment=shipment).count() == 2


def test_a_trace_cannot_be_filed_before_the_parcel_left_nor_in_the_future(store):
    shipment = lost_parcel(store)
    with pytest.raises(ApplicationError, match="before the parcel was shipped"):
        carrier_trace_file(shipment=shipment, filed_at=shipment.shipped_at - timedelta(hours=1))
    with pytest.raises(ApplicationError, match="in the future"):
        carrier_trace_file(shipment=shipment, filed_at=timezone.now() + timedelta(days=1))


# --- Sending a replacement ----------------------------------------------------------------------------------------


def test_a_replacement_sends_every_unit_again_from_available_stock(store):
    lost = lost_parcel(store, stock=5)
    order = lost.order
    user = UserFactory()
    replacement = shipment_replace(shipment=lost, carrier="UPS", tracking_number=UPS_2, actor=user)
    assert (replacement.replacement_of, replacement.order, replacement.tracking_format_valid) == (lost, order, True)
    assert sorted(replacement.items.values_list("order_item__sku", "quantity")) == [("LOST-0", 2), ("LOST-1", 1)]
    order.refresh_from_db()
    # The units shipped once: the lines and the status stay, the stock gives the units again.
    assert order.status == OrderStatus.SHIPPED
    assert sorted(order.items.values_list("quantity_shipped", flat=True)) == [1, 2]
    stock = {item.sku: item.listing.quantity_available for item in order.items.select_related("listing")}
    assert stock == {"LOST-0": 3 - 2, "LOST-1": 4 - 1}
    moves = StockMovement.objects.filter(order=order, reason=StockMovement.Reason.CONSUME).order_by("id")
    assert [m.available_delta for m in moves][-2:] == [-2, -1]
    event = order.events.get(kind=OrderEvent.Kind.REPLACEMENT)
    assert (event.actor, event.at) == (user, replacement.shipped_at)
    assert UPS in event.note and UPS_2 in event.note and "2 × LOST-0" in event.note


def test_a_replacement_of_some_units(store):
    lost = lost_parcel(store)
    first = lost.items.order_by("id").first()
    assert first is not None
    replacement = shipment_replace(shipment=lost, carrier="USPS", tracking_number="9400111899223197428490",
                                   quantities={first.order_item_id: 1}, accept_malformed=True)
    assert list(replacement.items.values_list("quantity", flat=True)) == [1]


def test_insufficient_stock_refuses_and_writes_nothing(store):
    lost = lost_parcel(store, stock=3)  # 3 - 2 shipped = 1 left of LOST-0, 2 of LOST-1
    before = (Shipment.objects.count(), StockMovement.objects.count(), OrderEvent.objects.count())
    with pytest.raises(StockError, match="LOST-0 needs 2, 1 available"):
        shipment_replace(shipment=lost, carrier="UPS", tracking_number=UPS_2)
    assert (Shipment.objects.count(), StockMovement.objects.count(), OrderEvent.objects.count()) == before
    assert sorted(lost.order.items.values_list("listing__quantity_available", flat=True)) == [1, 2]


@pytest.mark.parametrize(("changes", "message"), [
    ({"tracking_number": UPS}, "its own tracking number"),
    ({"tracking_number": UPS_MALFORMED}, "UPS"),
    ({"carrier": "Other"}, "Name the carrier"),
    ({"carrier": "Pigeon"}, "Unknown carrier"),
    ({"tracking_number": " "}, "tracking number is required"),
])
def test_replacement_refusals_write_nothing(store, changes, message):
    lost = lost_parcel(store)
    with pytest.raises(ApplicationError, match=message):
        shipment_replace(shipment=lost, **{"carrier": "UPS", "tracking_number": UPS_2, **changes})
    assert not Shipment.objects.filter(replacement_of=lost).exists()
    assert not lost.order.events.filter(kind=OrderEvent.Kind.REPLACEMENT).exists()


def test_a_replacement_cannot_leave_before_the_lost_parcel(store):
    lost = lost_parcel(store)
    with pytest.raises(ApplicationError, match="before the parcel it replaces"):
        shipment_replace(shipment=lost, carrier="UPS", tracking_number=UPS_2,
                         shipped_at=lost.shipped_at - timedelta(minutes=1))


def test_a_malformed_number_is_sent_once_confirmed(store):
    replacement = shipment_replace(shipment=lost_parcel(store), carrier="UPS", tracking_number=UPS_MALFORMED,
                                   accept_malformed=True)
    assert replacement.tracking_format_valid is False


def test_a_parcel_is_replaced_once_and_a_lost_replacement_in_its_turn(store):
    lost = lost_parcel(store, stock=10)
    replacement = shipment_replace(shipment=lost, carrier="UPS", tracking_number=UPS_2)
    with pytest.raises(ApplicationError, match="already replaced by UPS " + UPS_2):
        shipment_replace(shipment=lost, carrier="UPS", tracking_number=UPS_2)
    again = shipment_replace(shipment=replacement, carrier="USPS", tracking_number="9400111899223197428490",
                             accept_malformed=True)
    assert again.replacement_of == replacement


def test_no_replacement_for_a_delivered_or_fba_parcel(store):
    delivered = lost_parcel(store)
    shipment_record_tracking(shipment=delivered, delivered_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ApplicationError, match="was delivered"):
        shipment_replace(shipment=delivered, carrier="UPS", tracking_number=UPS_2)
    afn = ShipmentFactory(order__store=store, order__fulfillment_channel="AFN", amazon_shipment_id="D1")
    with pytest.raises(ApplicationError, match="Amazon replaces its own parcels"):
        shipment_replace(shipment=afn, carrier="UPS", tracking_number=UPS_2)


def test_the_delivered_replacement_delivers_the_order(store):
    lost = lost_parcel(store)
    replacement = shipment_replace(shipment=lost, carrier="UPS", tracking_number=UPS_2)
    shipment_record_tracking(shipment=replacement, delivered_at=timezone.now())
    lost.order.refresh_from_db()
    assert lost.order.status == OrderStatus.DELIVERED


def test_a_replacement_leaves_the_first_ship_confirmation_and_the_metrics_as_they_were(store):
    """A replacement is not the order's ship confirmation nor a shipment Amazon counts: Late Shipment, Valid
    Tracking and On-Time Delivery read the same numbers before and after it, in every window."""
    lost = lost_parcel(store, days_ago=5)
    shipment_record_tracking(shipment=lost, first_scan_at=lost.shipped_at + timedelta(hours=3))
    other = lost_parcel(store, days_ago=4, sku="OTHER")  # a second order, never scanned: the tracking metrics' defect
    order = lost.order
    order.refresh_from_db()
    first_shipped = order.first_shipped_at
    assert first_shipped == lost.shipped_at
    as_of = timezone.now() + timedelta(minutes=1)
    metrics = ("lsr", "vtr", "otdr", "cancel")

    def numbers():
        return {(r.metric, r.channel, r.window_days): (r.numerator, r.denominator)
                for key in metrics for r in compute(store, key, as_of)}

    before = numbers()
    assert before[("vtr", "MFN", 30)] == (1, 2)
    replacement = shipment_replace(shipment=lost, carrier="UPS", tracking_number=UPS_2,
                                   shipped_at=timezone.now() - timedelta(hours=1))
    shipment_record_tracking(shipment=replacement, first_scan_at=timezone.now() - timedelta(minutes=30))
    shipment_replace(shipment=other, carrier="UPS", tracking_number="1Z999AA10123456784X",
                     accept_malformed=True)
    order.refresh_from_db()
    assert order.first_shipped_at == first_shipped
    assert numbers() == before
