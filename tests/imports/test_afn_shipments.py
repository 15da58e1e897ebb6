"""The Amazon-fulfilled shipments report makes an FBA seller's orders complete without the API: the orders, their
items and amounts, and each parcel Amazon shipped. The real file (see files/real/README.md) and files constructed
from it, each said so."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from fulfillment.models import Carrier, Shipment, ShipmentItem
from imports.kinds import afn_shipments
from imports.models import ImportJob
from imports.services import KINDS, import_file
from metrics.engine import odr_rows, otdr_rows, vtr_rows
from metrics.windows import window
from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from tests.factories import OrderFactory, OrderItemFactory, StoreFactory

from .conftest import FILES, db_state, sample

pytestmark = pytest.mark.django_db

SHIPMENTS = "real/amazon_fulfilled_shipments_US.txt"
HEADER = sample(SHIPMENTS).decode().split("\r\n")[0].split("\t")
ALL_ORDERS_HEADER = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
                     "fulfillment-channel", "sales-channel", "sku", "item-status", "quantity", "currency",
                     "item-price"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def run(store, kind: str, data: bytes, **kwargs):
    return import_file(store=store, kind=kind, data=data, **kwargs)


def imported(store, kind: str, data: bytes, **kwargs):
    result = run(store, kind, data, **kwargs)
    assert result.errors == [], result.errors
    return result


def shipments_file(*rows: dict[str, str]) -> bytes:
    """A shipments report with the real file's 48 columns; each row names the cells it fills."""
    lines = ["\t".join(HEADER)] + ["\t".join(row.get(name, "") for name in HEADER) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def shipment_row(order_id: str, shipment_id: str, item_id: str, sku: str, quantity: int, **cells: str) -> dict:
    row = {"amazon-order-id": order_id, "shipment-id": shipment_id, "shipment-item-id": f"D{item_id}{shipment_id}",
           "amazon-order-item-id": item_id, "purchase-date": "2020-12-18T06:32:18-08:00",
           "payments-date": "2020-12-18T07:00:00-08:00", "shipment-date": "2020-12-19T12:00:00-08:00",
           "buyer-email": "buyer@marketplace.amazon.com", "sku": sku, "quantity-shipped": str(quantity),
           "currency": "USD", "item-price": "10.00", "carrier": "UPS", "tracking-number": "1Z999AA10123456784",
           "fulfillment-center-id": "ONT8", "fulfillment-channel": "AFN", "sales-channel": "Amazon.com"}
    row.update({key.replace("_", "-"): value for key, value in cells.items()})
    return row


def all_orders_file(*rows: list[str]) -> bytes:
    return ("\n".join(["\t".join(ALL_ORDERS_HEADER)] + ["\t".join(row) for row in rows]) + "\n").encode()


def shipments_of(store) -> list[tuple]:
    return sorted(Shipment.objects.filter(store=store).values_list(
        "order__amazon_order_id", "amazon_shipment_id", "carrier", "tracking_number", "fulfillment_center_id",
        "shipped_at", "estimated_arrival_at"))


# --- Amazon-fulfilled shipments: the real file ---


def test_real_amazon_fulfilled_shipments_report_creates_shipped_afn_orders_with_their_shipments(store, op_client):
    result = imported(store, "afn_shipments", sample(SHIPMENTS))

    assert (result.total_rows, result.created, result.warnings) == (4, 4, [])
    orders = Order.objects.filter(store=store)
    assert set(orders.values_list("status", "fulfillment_channel", "currency")) == {(OrderStatus.SHIPPED, "AFN", "USD")}
    order = orders.get(amazon_order_id="100-3590565-0113041")
    # Times carry Amazon's offset (-08:00) and are kept in UTC.
    assert order.purchase_date == datetime(2020, 12, 18, 14, 32, 18, tzinfo=UTC)
    assert (order.buyer_email, order.ship_city, order.ship_state, order.ship_postal_code, order.ship_country,
            order.ship_service_level, order.sales_channel) == (
        "s0lls0cs4q4g6d6@marketplace.amazon.com", "MOSCOW MILLS", "MO", "63362-1259", "US", "Expedited", "Amazon.com")
    item = OrderItem.objects.get(order__amazon_order_id="101-4340462-1457012")
    assert (item.sku, item.order_item_id, item.quantity, item.quantity_shipped, item.item_price, item.item_tax,
            item.currency, item.title) == ("XD-41TE-U8PF", "18059559754901", 1, 1, Decimal("20.88"),
                                           Decimal("1.15"), "USD", "product 2 foo and bar")
    assert orders.get(amazon_order_id="101-4340462-1457012").order_total == Decimal("22.03")
    # A free-shipping promotion Amazon writes as -0.75 offsets the 0.75 shipping charge.
    promoted = OrderItem.objects.get(order__amazon_order_id="103-2260656-3601064")
    assert (promoted.shipping_price, promoted.ship_promotion_discount) == (Decimal("0.75"), Decimal("0.75"))
    assert promoted.order.order_total == Decimal("25.88")

    assert shipments_of(store) == [
        ("100-3590565-0113041", "ZHQgSDB3K", Carrier.AMAZON, "TBA105532241004", "CMH1",
         at("2020-12-19T12:14:07-08:00"), at("2020-12-20T20:00:00-08:00")),
        ("101-4340462-1457012", "ZvqslpgZK", Carrier.USPS, "9361289686090664694015", "MDW7",
         at("2020-12-19T11:49:43-08:00"), at("2020-12-21T20:00:00-08:00")),
        ("102-7910932-2381033", "Z415cM8sK", Carrier.AMAZON, "TBA105637997104", "PHX6",
         at("2020-12-19T10:37:46-08:00"), at("2020-12-20T20:00:00-08:00")),
        ("103-2260656-3601064", "ZhgPcmDqK", Carrier.AMAZON, "TBA286773199000", "SDC1",
         at("2020-12-19T10:34:29-08:00"), at("2020-12-19T15:00:00-08:00")),
    ]
    assert sorted(ShipmentItem.objects.values_list("order_item__order__amazon_order_id", "quantity")) == [
        ("100-3590565-0113041", 1), ("101-4340462-1457012", 1), ("102-7910932-2381033", 1),
        ("103-2260656-3601064", 1)]
    # The database keeps the order facts beside each shipment (the triggers of fulfillment 0005).
    order.refresh_from_db()
    assert order.first_shipped_at == at("2020-12-19T12:14:07-08:00")
    assert set(Shipment.objects.values_list("order_fulfillment_channel", flat=True)) == {"AFN"}
    assert list(order.events.values_list("kind", "to_status")) == [
        (OrderEvent.Kind.IMPORT, OrderStatus.SHIPPED), (OrderEvent.Kind.SHIPMENT, "")]

    html = op_client.get(reverse("orders:detail", args=[order.amazon_order_id])).content.decode()
    assert "TBA105532241004" in html and "CMH1" in html and "ZHQgSDB3K" in html
    assert "Amazon Shipping" in html and "s0lls0cs4q4g6d6@marketplace.amazon.com" in html

    before = db_state(), ShipmentItem.objects.count(), OrderItem.objects.count()
    again = imported(store, "afn_shipments", sample(SHIPMENTS))

    assert (again.created, again.updated, again.skipped) == (0, 0, 4)
    assert (db_state(), ShipmentItem.objects.count(), OrderItem.objects.count()) == before


def test_amazon_shipments_count_in_fba_order_defects_and_stay_out_of_the_sellers_tracking_metrics(store):
    OrderFactory(store=store, fulfillment_channel="MFN", purchase_date=at("2020-12-18T10:00:00-08:00"))
    imported(store, "afn_shipments", sample(SHIPMENTS))
    as_of = at("2021-01-21T00:00:00+00:00")
    win = window(as_of=as_of, tz=store.tz, days=60, lag=14)

    assert odr_rows(store, as_of, win, "AFN").rows.count() == 4
    assert odr_rows(store, as_of, win, "MFN").rows.count() == 1
    wide = window(as_of=as_of, tz=store.tz, days=60, lag=0)
    assert vtr_rows(store, as_of, wide, "MFN").rows.count() == 0
    assert otdr_rows(store, as_of, wide, "MFN").rows.count() == 0
    assert vtr_rows(store, as_of, wide, "AFN").rows.count() == 4


# --- Orders we already hold ---


def test_an_afn_order_held_as_pending_is_paid_then_shipped_through_the_order_services(store):
    imported(store, "all_orders", all_orders_file(
        ["100-3590565-0113041", "100-3590565-0113041", "2020-12-18T06:32:18-08:00", "2020-12-18T06:40:00-08:00",
         "Pending", "Amazon", "Amazon.com", "XD-41TE-U8PF", "Unshipped", "1", "", ""]))
    order = Order.objects.get()
    assert (order.status, order.order_total, order.buyer_email) == (OrderStatus.PENDING, 0, "")

    result = imported(store, "afn_shipments", sample(SHIPMENTS))

    assert (result.created, result.updated) == (3, 1)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    # The report's payments date, then its shipment date, on the order's timeline.
    assert list(order.events.filter(kind=OrderEvent.Kind.STATUS).values_list("from_status", "to_status", "at")) == [
        (OrderStatus.PENDING, OrderStatus.UNSHIPPED, at("2020-12-19T12:14:03-08:00")),
        (OrderStatus.UNSHIPPED, OrderStatus.SHIPPED, at("2020-12-19T12:14:07-08:00"))]
    item = order.items.get()
    # The Pending line had no price: the shipment gives it, and Amazon's item id, without a second item.
    assert (item.order_item_id, item.quantity_shipped, item.item_price, item.currency) == (
        "05064862834820", 1, Decimal("25.88"), "USD")
    assert (order.order_total, order.buyer_email, order.ship_city) == (
        Decimal("25.88"), "s0lls0cs4q4g6d6@marketplace.amazon.com", "MOSCOW MILLS")
    assert order.shipments.get().tracking_number == "TBA105532241004"

    before = db_state(), ShipmentItem.objects.count()
    again = imported(store, "afn_shipments", sample(SHIPMENTS))
    assert (again.created, again.updated, again.skipped) == (0, 0, 4)
    assert (db_state(), ShipmentItem.objects.count()) == before


def test_an_order_all_orders_reported_shipped_gains_its_shipment_without_shipping_twice(store):
    imported(store, "all_orders", all_orders_file(
        ["101-4340462-1457012", "", "2020-12-17T07:36:05-08:00", "2020-12-19T12:49:55-08:00", "Shipped", "Amazon",
         "Amazon.com", "XD-41TE-U8PF", "Shipped", "1", "USD", "20.88"]))
    events = OrderEvent.objects.count()

    result = imported(store, "afn_shipments", sample(SHIPMENTS))

    assert (result.created, result.updated) == (3, 1)
    order = Order.objects.get(amazon_order_id="101-4340462-1457012")
    assert (order.status, order.items.get().quantity_shipped, order.items.count()) == (OrderStatus.SHIPPED, 1, 1)
    assert order.shipments.get().carrier == Carrier.USPS
    # One shipment entry on its timeline, no status change; the three new orders have two entries each.
    assert OrderEvent.objects.count() == events + 1 + 3 * 2


def test_an_order_shipped_in_two_reports_and_three_parcels_is_partly_then_wholly_shipped(store):
    imported(store, "all_orders", all_orders_file(
        ["111-0000001-0000001", "", "2020-12-18T06:32:18-08:00", "", "Unshipped", "Amazon", "Amazon.com", "BOTTLE",
         "Unshipped", "1", "USD", "10.00"],
        ["111-0000001-0000001", "", "2020-12-18T06:32:18-08:00", "", "Unshipped", "Amazon", "Amazon.com", "LID",
         "Unshipped", "2", "USD", "8.00"]))

    imported(store, "afn_shipments", shipments_file(shipment_row("111-0000001-0000001", "SHIP1", "11", "BOTTLE", 1)))

    order = Order.objects.get()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert sorted(order.items.values_list("sku", "quantity_shipped")) == [("BOTTLE", 1), ("LID", 0)]

    # One shipment leaves in two parcels, each with its own tracking number.
    result = imported(store, "afn_shipments", shipments_file(
        shipment_row("111-0000001-0000001", "SHIP1", "11", "BOTTLE", 1),
        shipment_row("111-0000001-0000001", "SHIP2", "22", "LID", 1, tracking_number="1Z999AA10123456791",
                     shipment_item_id="DA", shipment_date="2020-12-20T09:00:00-08:00"),
        shipment_row("111-0000001-0000001", "SHIP2", "22", "LID", 1, tracking_number="1Z999AA10123456802",
                     shipment_item_id="DB", shipment_date="2020-12-20T09:00:00-08:00")))

    assert (result.created, result.updated, result.skipped) == (0, 1, 0)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert sorted(order.items.values_list("sku", "order_item_id", "quantity_shipped")) == [
        ("BOTTLE", "11", 1), ("LID", "22", 2)]
    assert sorted(order.shipments.values_list("amazon_shipment_id", "tracking_number")) == [
        ("SHIP1", "1Z999AA10123456784"), ("SHIP2", "1Z999AA10123456791"), ("SHIP2", "1Z999AA10123456802")]


def test_an_item_the_order_lacked_is_added_with_its_amounts(store):
    imported(store, "afn_shipments", shipments_file(shipment_row("111-0000002-0000002", "S1", "11", "BOTTLE", 1)))

    imported(store, "afn_shipments", shipments_file(
        shipment_row("111-0000002-0000002", "S2", "22", "LID", 2, item_price="16.00", item_tax="1.20")))

    order = Order.objects.get()
    assert sorted(order.items.values_list("sku", "quantity", "quantity_shipped", "item_price")) == [
        ("BOTTLE", 1, 1, Decimal("10.00")), ("LID", 2, 2, Decimal("16.00"))]
    assert (order.status, order.order_total) == (OrderStatus.SHIPPED, Decimal("27.20"))


def test_an_order_cancelled_here_keeps_its_status_and_the_file_says_so(store):
    imported(store, "all_orders", all_orders_file(
        ["100-3590565-0113041", "", "2020-12-18T06:32:18-08:00", "2020-12-18T08:00:00-08:00", "Cancelled", "Amazon",
         "Amazon.com", "XD-41TE-U8PF", "Cancelled", "0", "", ""]))

    result = imported(store, "afn_shipments", sample(SHIPMENTS))

    assert (result.created, result.updated, result.skipped) == (3, 0, 1)
    [warning] = result.warnings
    assert (warning["line"], warning["column"]) == (2, "amazon-order-id") and "Cancelled" in warning["message"]
    order = Order.objects.get(amazon_order_id="100-3590565-0113041")
    assert (order.status, order.shipments.count()) == (OrderStatus.CANCELED, 0)


def test_a_shipment_recorded_for_another_order_refuses_the_file(store):
    imported(store, "afn_shipments", sample(SHIPMENTS))
    lines = _with_cell(_lines(SHIPMENTS), 2, "amazon-order-id", "111-0000009-0000009")

    result = run(store, "afn_shipments", "\r\n".join(lines).encode())

    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "shipment-id")]
    assert "already recorded for order 100-3590565-0113041" in result.errors[0]["message"]
    assert not Order.objects.filter(amazon_order_id="111-0000009-0000009").exists()


def test_an_unknown_carrier_is_other_with_amazons_name_kept(store):
    imported(store, "afn_shipments", shipments_file(
        shipment_row("111-0000003-0000003", "S1", "11", "BOTTLE", 1, carrier="LaserShip",
                     tracking_number="1LS7000000000001")))

    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.carrier_name, shipment.carrier_label) == (Carrier.OTHER, "LaserShip",
                                                                                  "LaserShip")


def test_a_multi_channel_row_is_skipped_with_a_warning_naming_its_line(store):
    # Constructed: the real file with the publisher's MCF row, converted from commas to tabs, as line 4.
    result = imported(store, "afn_shipments", sample("real/amazon_fulfilled_shipments_US_with_MCF_row_CONSTRUCTED.txt"))

    assert (result.total_rows, result.created) == (5, 4)
    [warning] = result.warnings
    assert (warning["line"], warning["column"]) == (4, "amazon-order-id")
    assert "Line 4" in warning["message"] and "S01-2412417-1075636" in warning["message"]
    assert "Non-Amazon" in warning["message"]
    assert not Order.objects.filter(amazon_order_id__startswith="S01").exists()


@pytest.mark.parametrize("name, marketplace, encoding, titles", [
    ("real/amazon_fulfilled_shipments_US_cp1252_CONSTRUCTED.txt", "US", "cp1252",
     ["Crème brûlée torch – café edition", "Façade lamp « déco »", "Señor Müller’s bottle (750 ml)",
      "Smørrebrød board"]),
    ("real/amazon_fulfilled_shipments_JP_cp932_CONSTRUCTED.txt", "JP", "cp932",
     ["ステンレスボトル 750ml（ブルー）", "保冷バッグ Ｓサイズ", "水筒カバー ①", "竹製ふた 2個セット"]),
])
def test_shipments_reports_in_windows_code_pages(name, marketplace, encoding, titles):
    shop = StoreFactory(code=f"FBA-{marketplace}", marketplace=marketplace)
    result = imported(shop, "afn_shipments", sample(name))

    assert (result.encoding, result.created) == (encoding, 4)
    assert sorted(OrderItem.objects.values_list("title", flat=True)) == sorted(titles)
    assert set(OrderItem.objects.values_list("currency", flat=True)) == {"USD"}


# --- Malformed files: refused by line and column, nothing written ---


def _lines(name: str) -> list[str]:
    return sample(name).decode().split("\r\n")


def _with_cell(lines: list[str], line: int, column: str, value: str) -> list[str]:
    cells = lines[line - 1].split("\t")
    cells[HEADER.index(column)] = value
    return [*lines[:line - 1], "\t".join(cells), *lines[line:]]


def test_a_malformed_shipments_file_is_refused_by_line_and_column_and_writes_nothing(store):
    lines = _with_cell(_lines(SHIPMENTS), 3, "quantity-shipped", "one")
    lines = _with_cell(lines, 5, "shipment-date", "2020-12-19T25:34:29-08:00")

    result = run(store, "afn_shipments", "\r\n".join(lines).encode())

    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "quantity-shipped"), (5, "shipment-date")]
    assert "one is not a whole number" in result.errors[0]["message"]
    assert (Order.objects.count(), Shipment.objects.count(), OrderEvent.objects.count()) == (0, 0, 0)


def test_a_line_repeated_or_a_shipment_under_two_orders_is_refused(store):
    lines = _lines(SHIPMENTS)
    other = _with_cell(lines, 3, "shipment-id", "ZHQgSDB3K")
    result = run(store, "afn_shipments", "\r\n".join([*lines[:3], lines[2], *lines[3:]]).encode())
    assert [(e["line"], e["column"]) for e in result.errors] == [(4, "shipment-item-id")]
    assert "repeats line 3" in result.errors[0]["message"]

    result = run(store, "afn_shipments", "\r\n".join(other).encode())
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "shipment-id")]
    assert "also on line 2" in result.errors[0]["message"]
    assert Order.objects.count() == 0


def test_an_order_held_as_seller_fulfilled_refuses_the_whole_file(store):
    """An error only the database shows (the order is ours to ship) also leaves nothing of the file."""
    held = OrderFactory(store=store, amazon_order_id="102-7910932-2381033", status=OrderStatus.SHIPPED,
                        purchase_date=at("2020-12-18T18:59:18-08:00"))
    OrderItemFactory(order=held, sku="XD-41TE-U8PF", quantity=1, quantity_shipped=1)
    before = db_state(), ShipmentItem.objects.count(), OrderItem.objects.count()

    result = run(store, "afn_shipments", sample(SHIPMENTS))

    assert [(e["line"], e["column"]) for e in result.errors] == [(4, "amazon-order-id")]
    assert "seller-fulfilled" in result.errors[0]["message"]
    assert (db_state(), ShipmentItem.objects.count(), OrderItem.objects.count()) == before


# --- Wherever a report kind is chosen ---


def test_the_kind_is_offered_with_seller_centrals_name(op_client):
    assert KINDS["afn_shipments"] is afn_shipments and "afn_shipments" in ImportJob.Kind.values
    assert str(afn_shipments.LABEL) and "›" in str(afn_shipments.SELLER_CENTRAL_NAME)
    assert 'value="afn_shipments"' in op_client.get(reverse("imports:list")).content.decode()


def test_the_command_imports_the_shipments_report(store, capsys):
    call_command("import_report", "afn_shipments", str(FILES / SHIPMENTS), "--store", store.code)

    assert "created: 4" in capsys.readouterr().out
    assert Order.objects.filter(fulfillment_channel="AFN", status=OrderStatus.SHIPPED).count() == 4
