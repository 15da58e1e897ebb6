from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fulfillment.models import Shipment
from imports.services import import_file
from listings.models import Listing, StockMovement
from orders.models import CancelInitiator, Order, OrderEvent, OrderItem, OrderStatus
from orders.services import ItemData, OrderData, order_create
from returns.models import ReturnReason, ReturnRequest
from support.models import Feedback
from tests.factories import FeedbackFactory, OrderFactory, OrderItemFactory, ShipmentFactory, StoreFactory

from .conftest import db_state, sample

pytestmark = pytest.mark.django_db


def run(store, kind, name, **kwargs):
    return import_file(store=store, kind=kind, data=sample(name), **kwargs)


# --- All Orders report ---


def test_all_orders_creates_orders_items_and_reservations(store, listings):
    result = run(store, "all_orders", "all_orders_us.txt")

    assert result.errors == []
    assert (result.created, result.updated, result.skipped, result.total_rows) == (4, 0, 0, 5)
    assert result.ignored_columns[-1] == "signature-confirmation-recommended"
    live = Order.objects.get(amazon_order_id="113-0000001-0000001")
    assert (live.status, live.fulfillment_channel) == (OrderStatus.UNSHIPPED, "MFN")
    assert live.purchase_date == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert live.order_total == Decimal("34.97")
    items = {i.sku: i for i in live.items.all()}
    assert items["BOTTLE-750"].quantity_reserved == 1
    # Only one lid is on hand: one of the two is reserved, and the order is flagged short.
    assert (items["LID-BAMBOO"].quantity, items["LID-BAMBOO"].quantity_reserved) == (2, 1)
    assert "stock_short" in live.risk_flags
    assert Listing.objects.get(sku="LID-BAMBOO").quantity_available == 0
    assert StockMovement.objects.filter(order=live, reason="reserve").count() == 2
    assert live.events.get().kind == OrderEvent.Kind.CREATED

    fba = Order.objects.get(amazon_order_id="113-0000002-0000001")
    assert (fba.status, fba.fulfillment_channel) == (OrderStatus.SHIPPED, "AFN")
    assert fba.items.get().title == 'Yoga Mat "Pro" 6mm'
    cancelled = Order.objects.get(amazon_order_id="113-0000003-0000001")
    assert cancelled.status == OrderStatus.CANCELED
    assert cancelled.cancel_initiator == CancelInitiator.SYSTEM
    # "2026-11-17 18:00:00 PST" is eight hours behind UTC.
    assert cancelled.canceled_at == datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    shipped = Order.objects.get(amazon_order_id="113-0000004-0000001")
    assert shipped.is_business_order
    assert shipped.items.get().quantity_shipped == 3
    assert shipped.items.get().quantity_reserved == 0
    assert shipped.events.get().kind == OrderEvent.Kind.IMPORT


def test_bulk_creation_writes_what_order_create_writes(store, listings):
    run(store, "all_orders", "all_orders_us.txt")
    imported = Order.objects.get(amazon_order_id="113-0000001-0000001")
    other = StoreFactory(code="TWIN-US")
    for sku, listing in listings.items():
        Listing.objects.create(store=other, sku=sku, asin=listing.asin, title=listing.title, price=listing.price,
                               currency="USD", quantity_available={"BOTTLE-750": 10, "LID-BAMBOO": 1}[sku])
    made = order_create(store=other, source="import", data=OrderData(
        amazon_order_id=imported.amazon_order_id, purchase_date=imported.purchase_date,
        items=[ItemData(sku="BOTTLE-750", quantity=1, item_price=Decimal("24.99"),
                        title="Stainless Water Bottle 750ml", asin="B0BOTTLE01"),
               ItemData(sku="LID-BAMBOO", quantity=2, item_price=Decimal("9.98"), title="Bamboo Lid",
                        asin="B0LIDBAMB1")],
        status=OrderStatus.UNSHIPPED))

    def shape(order):
        items = [(i.sku, i.asin, i.title, i.quantity, i.quantity_reserved, i.item_price, i.listing.sku)
                 for i in order.items.order_by("sku")]
        movements = sorted(StockMovement.objects.filter(order=order)
                           .values_list("listing__sku", "reason", "available_delta", "reserved_delta", "at"))
        events = list(order.events.values_list("kind", "to_status", "source", "at"))
        stock = sorted(Listing.objects.filter(store=order.store).values_list("sku", "quantity_available",
                                                                              "quantity_reserved"))
        return (order.status, order.order_total, order.currency, order.risk_flags, items, movements, events, stock)

    assert shape(imported) == shape(made)


@pytest.mark.parametrize("name, marketplace, order_id, city, title", [
    ("all_orders_de_cp1252.txt", "DE", "302-1000001-1000001", "München", "Trinkflasche für Kinder – 500 ml"),
    ("all_orders_jp_sjis.txt", "JP", "503-2000001-2000001", "千代田区", "ステンレス水筒 500ml（ブルー）"),
])
def test_windows_code_pages_are_detected(name, marketplace, order_id, city, title):
    store = StoreFactory(code=f"SHOP-{marketplace}", marketplace=marketplace)
    result = run(store, "all_orders", name)

    assert result.errors == []
    assert result.encoding == {"DE": "cp1252", "JP": "cp932"}[marketplace]
    assert result.created == 2
    order = Order.objects.get(amazon_order_id=order_id)
    assert order.ship_city == city
    assert order.items.get().title == title
    assert not any(ch in order.items.get().title for ch in "\r\n")


def test_german_amounts_with_a_decimal_comma_and_pending_status():
    store = StoreFactory(code="SHOP-DE", marketplace="DE")
    run(store, "all_orders", "all_orders_de_cp1252.txt")
    order = Order.objects.get(amazon_order_id="302-1000001-1000001")
    assert order.status == OrderStatus.PENDING
    assert order.items.get().item_price == Decimal("25.90")
    assert order.currency == "EUR"


def test_bom_crlf_reordered_headers_in_other_spelling(store):
    result = run(store, "all_orders", "all_orders_bom_reordered.txt")

    assert result.errors == []
    assert result.encoding == "utf-8"
    assert result.ignored_columns == ["Some New Column"]
    order = Order.objects.get(amazon_order_id="113-0000001-0000001")
    assert sorted(order.items.values_list("sku", "quantity")) == [("BOTTLE-750", 1), ("LID-BAMBOO", 2)]


def test_forced_encoding_is_used(store):
    store_jp = StoreFactory(code="SHOP-JP", marketplace="JP")
    result = import_file(store=store_jp, kind="all_orders", data=sample("all_orders_jp_sjis.txt"), encoding="sjis")
    assert result.encoding == "cp932" and result.created == 2


def test_importing_the_same_file_twice_changes_nothing(store, listings):
    first = run(store, "all_orders", "all_orders_us.txt")
    before = db_state()
    second = run(store, "all_orders", "all_orders_us.txt")

    assert first.created == 4
    assert (second.created, second.updated, second.skipped, second.errors) == (0, 0, 4, [])
    assert db_state() == before


def test_existing_orders_move_to_amazons_status_through_the_services(store):
    fba = OrderFactory(store=store, amazon_order_id="113-0000002-0000001", fulfillment_channel="AFN")
    OrderItemFactory(order=fba, sku="MAT-PRO")
    mfn = OrderFactory(store=store, amazon_order_id="113-0000003-0000001")
    OrderItemFactory(order=mfn, sku="BOTTLE-750")
    packed = OrderFactory(store=store, amazon_order_id="113-0000001-0000001", status=OrderStatus.PACKED)
    unshipped_mfn = OrderFactory(store=store, amazon_order_id="113-0000004-0000001")

    result = run(store, "all_orders", "all_orders_us.txt")

    assert result.errors == []
    assert (result.created, result.updated, result.skipped) == (0, 2, 2)
    fba.refresh_from_db()
    assert fba.status == OrderStatus.SHIPPED
    assert fba.events.get().source == "import"
    mfn.refresh_from_db()
    assert mfn.status == OrderStatus.CANCELED and mfn.cancel_initiator == CancelInitiator.SYSTEM
    packed.refresh_from_db()
    assert packed.status == OrderStatus.PACKED
    # A seller-fulfilled shipment needs its tracking: the order stays, and the run says why.
    unshipped_mfn.refresh_from_db()
    assert unshipped_mfn.status == OrderStatus.UNSHIPPED
    assert [w["line"] for w in result.warnings] == [6]
    assert "shipping confirmation" in result.warnings[0]["message"]


# --- Bad files: nothing written ---


def test_missing_column_is_named_and_nothing_is_written(store, listings):
    before = db_state()
    result = run(store, "all_orders", "bad_all_orders_missing_sku.txt")

    assert len(result.errors) == 1
    assert result.errors[0]["column"] == "sku"
    assert "sku" in result.errors[0]["message"]
    assert db_state() == before


def test_bad_date_names_line_and_column_and_nothing_is_written(store, listings):
    before = db_state()
    result = run(store, "all_orders", "bad_all_orders_date.txt")

    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "purchase-date")]
    assert "20/11/2026 8am" in result.errors[0]["message"]
    assert result.created == 0
    assert db_state() == before


def test_the_same_sku_on_two_lines_is_two_items_and_a_second_import_changes_nothing(store, listings):
    result = run(store, "all_orders", "all_orders_same_sku_twice.txt")
    assert result.errors == []
    items = OrderItem.objects.filter(order__amazon_order_id="113-0000001-0000001", sku="LID-BAMBOO")
    assert items.count() == 2
    before = db_state()

    again = run(store, "all_orders", "all_orders_same_sku_twice.txt")

    assert (again.errors, again.created) == ([], 0)
    assert db_state() == before


def test_wrong_forced_encoding_is_an_error_naming_the_line(store):
    result = import_file(store=store, kind="all_orders", data=sample("all_orders_jp_sjis.txt"), encoding="utf-8")
    assert result.errors and result.errors[0]["line"] == 2
    assert "UTF-8" in result.errors[0]["message"]
    assert Order.objects.count() == 0


def test_binary_file_is_refused(store):
    result = import_file(store=store, kind="all_orders", data=b"PK\x03\x04\x00\x00binary")
    assert "binary" in result.errors[0]["message"]


def test_unknown_status_and_channel_are_errors(store):
    text = ("amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\n"
            "113-1111111-1111111\t2026-11-20T08:15:00+00:00\tLost\tMerchant\tA\t1\n"
            "113-2222222-2222222\t2026-11-20T08:15:00+00:00\tShipped\tPirate\tB\t1\n"
            "113-3333333-3333333\t2026-11-20T08:15:00+00:00\tShipped\tAmazon\tC\tmany\n"
            "12345\t2030-01-01T00:00:00+00:00\tShipped\tAmazon\tD\t1\n")
    result = import_file(store=store, kind="all_orders", data=text.encode())
    assert sorted((e["line"], e["column"]) for e in result.errors) == [
        (2, "order-status"), (3, "fulfillment-channel"), (4, "quantity"), (5, "amazon-order-id"),
        (5, "purchase-date")]
    assert Order.objects.count() == 0


def test_a_failing_service_rolls_back_the_whole_file(store):
    """The second shipment fails only when applied; the first one, already written, must not stay."""
    for order_id in ("113-0000005-0000001", "113-0000006-0000001"):
        order = OrderFactory(store=store, amazon_order_id=order_id, purchase_date=datetime(2026, 11, 20, tzinfo=UTC))
        OrderItemFactory(order=order, sku="A")
    text = ("order-id\tcarrier-code\ttracking-number\tship-date\n"
            "113-0000005-0000001\tUPS\t1Z1\t2026-11-21T10:00:00+00:00\n"
            "113-0000006-0000001\tUPS\t1Z2\t2026-11-19T10:00:00+00:00\n")
    before = db_state()
    result = import_file(store=store, kind="ship_confirm", data=text.encode())
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "order-id")]
    assert "before the order was placed" in result.errors[0]["message"]
    assert result.created == 0
    assert db_state() == before


def test_an_order_that_cannot_ship_is_a_line_error(store):
    OrderFactory(store=store, amazon_order_id="113-0000005-0000001", status=OrderStatus.SHIPPED)
    text = ("order-id\tcarrier-code\ttracking-number\tship-date\n"
            "113-0000005-0000001\tUPS\t1Z1\t2026-11-23\n")
    result = import_file(store=store, kind="ship_confirm", data=text.encode())
    assert result.errors[0]["line"] == 2 and "cannot be shipped" in result.errors[0]["message"]
    assert Shipment.objects.count() == 0


# --- Unshipped orders report ---


def test_unshipped_orders_report_sets_ship_by_and_address(store, listings):
    result = run(store, "unshipped_orders", "unshipped_orders.txt")

    assert result.errors == [] and result.created == 2
    order = Order.objects.get(amazon_order_id="113-0000005-0000001")
    assert order.latest_ship_date == datetime(2026, 11, 24, 7, 59, 59, tzinfo=UTC)
    assert order.latest_delivery_date == datetime(2026, 11, 28, 7, 59, 59, tzinfo=UTC)
    assert (order.ship_line1, order.ship_line2, order.ship_postal_code) == ("200 Congress Ave", "Apt 4", "78701")
    assert order.is_prime and order.buyer_name == "Maria Lopez"
    assert sorted(order.items.values_list("order_item_id", flat=True)) == ["11111111111101", "11111111111102"]
    window = Order.objects.get(amazon_order_id="113-0000006-0000001")
    assert window.earliest_ship_date == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert window.latest_ship_date == datetime(2026, 11, 23, 7, 59, 59, tzinfo=UTC)
    assert "po_box" in window.risk_flags

    again = run(store, "unshipped_orders", "unshipped_orders.txt")
    assert (again.created, again.skipped) == (0, 2)


def test_unshipped_report_releases_a_pending_order(store):
    pending = OrderFactory(store=store, amazon_order_id="113-0000006-0000001", status=OrderStatus.PENDING)
    result = run(store, "unshipped_orders", "unshipped_orders.txt")
    pending.refresh_from_db()
    assert pending.status == OrderStatus.UNSHIPPED
    assert (result.created, result.updated) == (1, 1)


# --- Shipping confirmation ---


def test_ship_confirm_ships_whole_orders_and_items(store, listings):
    run(store, "unshipped_orders", "unshipped_orders.txt")
    result = run(store, "ship_confirm", "ship_confirm.txt")

    assert result.errors == [] and result.created == 2
    whole = Order.objects.get(amazon_order_id="113-0000005-0000001")
    assert whole.status == OrderStatus.SHIPPED
    shipment = whole.shipments.get()
    assert (shipment.carrier, shipment.tracking_number) == ("UPS", "1Z999AA10123456784")
    # A bare ship date is that day in the store's time (Los Angeles for the US).
    assert shipment.shipped_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert Listing.objects.get(sku="BOTTLE-750").quantity_reserved == 0
    other = Order.objects.get(amazon_order_id="113-0000006-0000001").shipments.get()
    assert (other.carrier, other.carrier_name, other.ship_method) == ("Other", "Speedy Couriers", "Next day")

    before = db_state()
    again = run(store, "ship_confirm", "ship_confirm.txt")
    assert (again.created, again.skipped, again.errors) == (0, 2, [])
    assert db_state() == before


def test_ship_confirm_unknown_order_writes_nothing(store, listings):
    run(store, "unshipped_orders", "unshipped_orders.txt")
    before = db_state()
    result = run(store, "ship_confirm", "bad_ship_confirm_unknown_order.txt")

    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "order-id")]
    assert "113-9999999-9999999" in result.errors[0]["message"]
    assert db_state() == before
    assert Shipment.objects.count() == 0


def test_ship_confirm_refuses_an_unknown_carrier_and_a_repeated_line(store):
    text = ("order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n"
            "113-0000005-0000001\t\t\t2026-11-23\tPony Express\t\tX1\n"
            "113-0000005-0000001\t\t\t2026-11-23\tUPS\t\tX2\n"
            "113-0000005-0000001\t\t\t2026-11-23\tUPS\t\tX2\n")
    result = import_file(store=store, kind="ship_confirm", data=text.encode())
    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "carrier-code"), (4, "order-id")]


# --- Feedback and returns ---


def test_feedback_report_records_and_updates_feedback(store):
    shipped = OrderFactory(store=store, amazon_order_id="113-0000004-0000001",
                           purchase_date=datetime(2026, 11, 15, tzinfo=UTC))
    fba = OrderFactory(store=store, amazon_order_id="113-0000002-0000001",
                       purchase_date=datetime(2026, 11, 18, tzinfo=UTC))
    FeedbackFactory(order=fba, rating=5, received_at=datetime(2026, 11, 20, tzinfo=UTC))

    result = run(store, "feedback", "feedback.txt")

    assert result.errors == []
    assert (result.created, result.updated) == (1, 1)
    one = Feedback.objects.get(order=shipped)
    assert (one.rating, one.comment) == (1, "Arrived broken, no reply from seller")
    # US reports write month first: 11/23/26 is the 23rd of November, in the store's time.
    assert one.received_at.astimezone(store.tz).date().isoformat() == "2026-11-23"
    revised = Feedback.objects.get(order=fba)
    assert (revised.rating, revised.response) == (3, "Sorry for the delay!")

    again = run(store, "feedback", "feedback.txt")
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)


def test_feedback_for_an_unknown_order_writes_nothing(store):
    OrderFactory(store=store, amazon_order_id="113-0000004-0000001", purchase_date=datetime(2026, 11, 15, tzinfo=UTC))
    result = run(store, "feedback", "feedback.txt")
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "Order ID")]
    assert Feedback.objects.count() == 0


def test_returns_report_creates_return_requests_once(store):
    order = OrderFactory(store=store, amazon_order_id="113-0000004-0000001", status=OrderStatus.SHIPPED,
                         purchase_date=datetime(2026, 11, 15, tzinfo=UTC))
    OrderItemFactory(order=order, sku="LID-BAMBOO", quantity=3)

    result = run(store, "returns", "returns.txt")

    assert result.errors == [] and result.created == 1
    request = ReturnRequest.objects.get()
    assert (request.sku, request.quantity, request.reason, request.amazon_rma_id, request.in_policy) == (
        "LID-BAMBOO", 1, ReturnReason.DEFECTIVE, "DkQpRzXyRMA", True)
    again = run(store, "returns", "returns.txt")
    assert (again.created, again.skipped) == (0, 1)
    assert ReturnRequest.objects.count() == 1


def test_a_return_the_service_refuses_is_a_line_error(store):
    OrderFactory(store=store, amazon_order_id="113-0000004-0000001", status=OrderStatus.UNSHIPPED,
                 purchase_date=datetime(2026, 11, 15, tzinfo=UTC))
    result = run(store, "returns", "returns.txt")
    assert result.errors[0]["line"] == 2 and "only shipped or delivered" in result.errors[0]["message"]
    assert ReturnRequest.objects.count() == 0


def test_orders_of_another_store_are_not_touched(store, other_store):
    OrderFactory(store=other_store, amazon_order_id="113-0000002-0000001", fulfillment_channel="AFN")
    result = run(store, "all_orders", "all_orders_us.txt")
    assert result.created == 4
    assert Order.objects.get(store=other_store).status == OrderStatus.UNSHIPPED
    assert OrderItem.objects.filter(store=other_store).count() == 0


def test_a_cancellation_the_service_refuses_is_a_line_error(store):
    """Amazon says cancelled, but we hold a shipment for the order: the service refuses, the file fails."""
    order = OrderFactory(store=store, amazon_order_id="113-0000003-0000001", status=OrderStatus.PARTIALLY_SHIPPED,
                         purchase_date=datetime(2026, 11, 17, tzinfo=UTC))
    OrderItemFactory(order=order, sku="BOTTLE-750", quantity=2, quantity_shipped=1)
    ShipmentFactory(order=order, shipped_at=datetime(2026, 11, 17, 12, tzinfo=UTC))
    order.status = OrderStatus.UNSHIPPED
    order.save(update_fields=["status"])
    before = db_state()
    result = run(store, "all_orders", "all_orders_us.txt")
    assert [(e["line"], e["column"]) for e in result.errors] == [(5, "order-status")]
    assert "shipment" in result.errors[0]["message"]
    assert db_state() == before
