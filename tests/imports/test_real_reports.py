"""Report files exactly as Amazon handed them to real sellers (see files/real/README.md): each lands right,
and a second import of the same file changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from imports.services import import_file
from orders.models import CancelInitiator, Order, OrderItem, OrderStatus
from tests.factories import StoreFactory

from .conftest import db_state, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def uk_store(db):
    return StoreFactory(code="NBNE-UK", marketplace="UK", timezone="Europe/London", currency="GBP")


@pytest.fixture
def us_store(db):
    return StoreFactory(code="NBNE-US", marketplace="US", timezone="America/Los_Angeles", currency="USD")


def _import(store, kind: str, name: str = "", *, data: bytes = b""):
    result = import_file(store=store, kind=kind, data=data or sample(f"real/{name}"))
    assert result.errors == [], result.errors
    return result


def test_uk_all_orders_report_lands_line_by_line(uk_store):
    result = _import(uk_store, "all_orders", "all_orders_UK_EU_2025.txt")

    assert result.total_rows == 62
    assert OrderItem.objects.count() == 62
    # The same SKU on two lines of one order: two items, neither lost.
    twice = OrderItem.objects.filter(order__amazon_order_id="204-1141569-7740327", sku="OD045004_1")
    assert [(i.quantity, i.item_price, i.item_tax, i.promotion_discount) for i in twice] == \
        [(1, Decimal("19.99"), Decimal("3.00"), Decimal("1.67"))] * 2
    # Orders placed on Amazon.it and Amazon.es through the UK account are in euros, not pounds.
    euro = Order.objects.filter(sales_channel__in=["Amazon.it", "Amazon.es"])
    assert euro.count() == 3 and set(euro.values_list("currency", flat=True)) == {"EUR"}
    assert set(OrderItem.objects.filter(order__in=euro).values_list("currency", flat=True)) == {"EUR"}
    assert Order.objects.exclude(pk__in=euro).exclude(currency="GBP").filter(status=OrderStatus.SHIPPED).count() == 0
    # Cancelled orders keep their lines, as cancelled lines of the quantity Amazon reports.
    cancelled = Order.objects.filter(status=OrderStatus.CANCELED)
    assert cancelled.count() == 3
    lines = OrderItem.objects.filter(order__in=cancelled)
    assert lines.filter(quantity=0).count() == 3 and all(line.is_canceled for line in lines)
    # The one the buyer asked to cancel is the buyer's, not held against the seller.
    requested = Order.objects.get(buyer_cancel_requested_at__isnull=False)
    assert (requested.status, requested.cancel_initiator, requested.buyer_cancel_reason) == (
        OrderStatus.CANCELED, CancelInitiator.BUYER, "OTHER_REASON")
    assert cancelled.exclude(pk=requested.pk).filter(cancel_initiator=CancelInitiator.SYSTEM).count() == 2
    # The order's total is what its live lines add up to, tax and discounts included.
    order = Order.objects.get(amazon_order_id="204-1141569-7740327")
    assert order.order_total == sum((i.line_total for i in order.items.all()), Decimal("0")) == \
        2 * (Decimal("19.99") + Decimal("3.00") - Decimal("1.67"))
    before = db_state()

    again = _import(uk_store, "all_orders", "all_orders_UK_EU_2025.txt")

    assert (again.created, again.updated) == (0, 0)
    assert db_state() == before


def test_an_empty_all_orders_report_with_crlf_is_no_error(us_store):
    result = _import(us_store, "all_orders", "all_orders_US_empty_crlf.txt")

    assert (result.total_rows, result.created) == (0, 0)


def test_us_unshipped_orders_report_keeps_every_line_and_its_promise(us_store):
    result = _import(us_store, "unshipped_orders", "unshipped_orders_US_2025_redacted.txt")

    assert result.total_rows == 15 and result.warnings == []
    assert OrderItem.objects.count() == 15
    for order_id in ("112-8772880-1174615", "111-7251898-0462641"):
        items = OrderItem.objects.filter(order__amazon_order_id=order_id)
        assert items.count() == 2 and items.values("sku").distinct().count() == 1
        assert items.values("order_item_id").distinct().count() == 2
    first = Order.objects.get(amazon_order_id="114-3556316-1488241")
    assert first.latest_ship_date == datetime(2025, 5, 10, 6, 59, 59, tzinfo=UTC)
    assert (first.status, first.is_business_order, first.fulfillment_channel) == (OrderStatus.UNSHIPPED, True, "MFN")
    assert not Order.objects.filter(latest_ship_date__isnull=True).exists()
    before = db_state()

    again = _import(us_store, "unshipped_orders", "unshipped_orders_US_2025_redacted.txt")

    assert (again.created, again.updated) == (0, 0)
    assert db_state() == before


def test_an_order_whose_ship_by_date_cannot_be_known_is_said(us_store):
    lines = sample("real/unshipped_orders_US_2025_redacted.txt").decode().split("\n")
    header = lines[0].split("\t")
    cells = lines[1].split("\t")
    cells[header.index("promise-date")] = ""
    data = "\n".join([lines[0], "\t".join(cells)]).encode()

    result = import_file(store=us_store, kind="unshipped_orders", data=data)

    assert result.errors == [] and result.created == 1
    [warning] = result.warnings
    assert (warning["line"], warning["column"]) == (2, "promise-date")
    assert "114-3556316-1488241 has no ship-by date" in warning["message"]


# --- Amazon's MWS documentation example: a quoted product name that holds line breaks ---

AIKIDO = ("The Structure of Aikido: \nVolume 1: Kenjutsu and Taijutsu Sword and Open-Hand Movement \n"
          "Relationships (Structure of Aikido, Vol 1)")


def test_a_quoted_cell_over_three_lines_is_one_cell_and_only_the_old_order_id_is_refused(us_store):
    data = sample("real/new_orders_US_amazon_doc_example.tsv")
    result = import_file(store=us_store, kind="unshipped_orders", data=data)

    # One data line (lines 2 to 4 of the file), refused for its order id alone: Amazon's example uses the old
    # 3-5-5 shape, which no order has today.
    assert result.total_rows == 1
    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "order-id")]
    assert "103-26010-55904 is not an Amazon order id" in result.errors[0]["message"]
    assert Order.objects.count() == 0


def test_the_documentation_example_with_a_current_order_id_lands_whole(us_store):
    data = sample("real/new_orders_US_amazon_doc_example.tsv").replace(b"103-26010-55904", b"103-2601055-9040001")

    result = _import(us_store, "unshipped_orders", data=data)

    order = Order.objects.get()
    item = order.items.get()
    assert (order.amazon_order_id, order.buyer_name, order.ship_city, order.ship_postal_code) == (
        "103-2601055-9040001", "Joe Customer", "LAWRENCE", "90044-2463")
    assert (item.sku, item.title, item.quantity, item.item_price, item.currency) == (
        "JW-RT1-HLD9", AIKIDO, 1, Decimal("19.49"), "USD")
    assert order.purchase_date == datetime(2011, 2, 9, 10, 46, 57, tzinfo=UTC)
    assert result.total_rows == 1
