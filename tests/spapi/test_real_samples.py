"""Amazon's own Orders API v0 responses (the model's sandbox cases and examples, see fixtures/README.md) land
right: amounts in the currency Amazon gives, order totals as Amazon sums them, the buyer's request to cancel
marked, and an order cancelled before its first sync recorded with its cancelled lines."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from orders.models import CancelInitiator, Order, OrderEvent, OrderItem, OrderStatus
from spapi.sync import order_data_from_spapi, spapi_sync_orders

from .server import amazon_time

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SINCE = datetime(1970, 1, 1, tzinfo=UTC)


def _payload(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["payload"]


@pytest.fixture
def sandbox_order() -> dict:
    return _payload("getOrders_sandbox_TEST_CASE_200.json")["Orders"][0]


@pytest.fixture
def sandbox_items() -> list[dict]:
    return _payload("getOrderItems_sandbox_TEST_CASE_200.json")["OrderItems"]


def test_sandbox_order_keeps_amazons_total_tax_and_buyer_cancel_request(sandbox_order, sandbox_items):
    data = order_data_from_spapi(sandbox_order, sandbox_items)

    assert (data.amazon_order_id, data.status, data.fulfillment_channel) == ("902-1845936-5435065", "Unshipped",
                                                                             "MFN")
    assert (data.order_total, data.currency, data.sales_channel) == (Decimal("11.01"), "USD", "Amazon.com")
    [item] = data.items
    assert (item.sku, item.quantity, item.currency) == ("NABetaASINB00551Q3CS", 1, "USD")
    assert (item.item_price, item.item_tax, item.promotion_discount) == (Decimal("10.00"), Decimal("1.01"),
                                                                         Decimal("0.00"))
    # Amazon's total is the price with its tax: the lines add up to it.
    assert item.line_total == data.order_total
    assert item.buyer_requested_cancel is True and item.is_canceled is False
    assert data.buyer_cancel_requested_at == datetime(1970, 1, 19, 3, 58, 32, tzinfo=UTC)
    assert data.buyer_cancel_reason == "Found cheaper somewhere else."


def test_jpy_items_keep_their_currency_and_a_foreign_amount_is_left_out_and_said():
    order = _payload("getOrders_example.json")["Orders"][0]
    items = _payload("getOrderItems_example_JPY.json")["OrderItems"]
    warnings: list[str] = []

    data = order_data_from_spapi(order, items, warnings=warnings)

    # No OrderTotal on a Pending order: the currency is the items' own, never the store's.
    assert (data.order_total, data.currency) == (None, "JPY")
    first, second = data.items
    assert (first.currency, first.item_price, first.shipping_price) == ("JPY", Decimal("25.99"), Decimal("1.26"))
    assert first.gift_wrap_price == Decimal("0")
    assert (second.currency, second.item_price, second.gift_wrap_price) == ("JPY", Decimal("17.95"),
                                                                          Decimal("1.99"))
    assert (first.quantity, second.quantity) == (1, 2)
    assert warnings == ["Item 68828574383266: amounts not in JPY left out: GiftWrapPrice 41.99 GBP."]
    assert data.buyer_cancel_reason == "Found cheaper somewhere else."


def test_iba_afn_order_on_amazon_de_keeps_euros():
    order = _payload("getOrder_sandbox_TEST_CASE_IBA_200.json")

    data = order_data_from_spapi(order, [])

    assert (data.fulfillment_channel, data.status, data.sales_channel) == ("AFN", "Shipped", "Amazon.de")
    assert (data.order_total, data.currency, data.is_business_order) == (Decimal("100.00"), "EUR", True)
    assert data.purchase_date == datetime(2019, 5, 7, 15, 42, 57, 58000, tzinfo=UTC)
    assert data.buyer_cancel_requested_at is None


def test_sync_records_the_sandbox_order_as_amazon_gives_it(amazon, credentials, store, sandbox_order,
                                                            sandbox_items):
    amazon.orders = [sandbox_order]
    amazon.items = {sandbox_order["AmazonOrderId"]: sandbox_items}

    result = spapi_sync_orders(store=store, since=SINCE, sleep=lambda s: None)

    assert (result.created, result.skipped, result.warnings) == (1, [], [])
    order = Order.objects.get(amazon_order_id="902-1845936-5435065")
    assert (order.order_total, order.currency, order.status) == (Decimal("11.01"), "USD", OrderStatus.UNSHIPPED)
    assert order.buyer_cancel_requested_at == datetime(1970, 1, 19, 3, 58, 32, tzinfo=UTC)
    item = order.items.get()
    assert (item.item_tax, item.buyer_requested_cancel, item.order_item_id) == (Decimal("1.01"), True,
                                                                               "05015851154158")

    again = spapi_sync_orders(store=store, since=SINCE, sleep=lambda s: None)

    assert (again.created, again.updated, again.unchanged, again.cancel_requests) == (0, 0, 1, 0)
    assert OrderItem.objects.count() == 1


def _airbyte_capture() -> tuple[list[dict], dict[str, list[dict]]]:
    orders, items = [], {}
    for line in (FIXTURES / "airbyte_orders_and_items_US_canceled_qty0.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["stream"] == "Orders":
            orders.append(record["data"])
        else:
            items.setdefault(record["data"]["AmazonOrderId"], []).append(record["data"])
    return orders, items


def test_order_cancelled_before_the_first_sync_is_recorded_with_its_cancelled_line(amazon, credentials, store):
    # Captured from a real seller account: the cancelled order's only item has QuantityOrdered 0.
    amazon.orders, amazon.items = _airbyte_capture()

    result = spapi_sync_orders(store=store, since=datetime(2023, 9, 1, tzinfo=UTC), sleep=lambda s: None)

    assert result.created == 1
    # The other order shipped outside SellerOps: its tracking comes from the report, as before.
    assert [s.split(":")[0] for s in result.skipped] == ["111-1308361-8778604"]
    order = Order.objects.get(amazon_order_id="112-1438880-6813060")
    assert (order.status, order.cancel_initiator) == (OrderStatus.CANCELED, CancelInitiator.SYSTEM)
    assert order.canceled_at == datetime(2023, 9, 22, 12, 44, 9, tzinfo=UTC)
    # Amazon's total as it gives it: 15.00 and 1.05 tax.
    assert (order.order_total, order.currency) == (Decimal("16.05"), "USD")
    item = order.items.get()
    assert (item.sku, item.quantity, item.is_canceled, item.quantity_owed) == ("IA-VREM-8L92", 0, True, 0)
    assert (item.item_price, item.item_tax, item.line_total) == (Decimal("15.00"), Decimal("1.05"), Decimal("0"))

    again = spapi_sync_orders(store=store, since=datetime(2023, 9, 1, tzinfo=UTC), sleep=lambda s: None)

    assert (again.created, again.unchanged) == (0, 1)
    assert OrderItem.objects.count() == 1


def test_a_buyers_request_to_cancel_an_open_order_marks_it_once(amazon, credentials, store, sandbox_order,
                                                                 sandbox_items, now):
    items = copy.deepcopy(sandbox_items)
    request = items[0].pop("BuyerRequestedCancel")
    amazon.orders = [sandbox_order]
    amazon.items = {sandbox_order["AmazonOrderId"]: items}
    spapi_sync_orders(store=store, since=SINCE, sleep=lambda s: None)
    # We last wrote the order an hour ago; half an hour ago the buyer asked Amazon to cancel it.
    Order.objects.update(last_update_date=now - timedelta(hours=1))
    order = Order.objects.get()
    assert order.buyer_cancel_requested_at is None
    items[0]["BuyerRequestedCancel"] = request
    sandbox_order["LastUpdateDate"] = amazon_time(now - timedelta(minutes=30))

    result = spapi_sync_orders(store=store, since=SINCE, sleep=lambda s: None)

    order.refresh_from_db()
    assert result.cancel_requests == 1
    assert order.buyer_cancel_reason == "Found cheaper somewhere else."
    assert order.items.get().buyer_requested_cancel is True
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCEL_REQUEST).count() == 1

    again = spapi_sync_orders(store=store, since=SINCE, sleep=lambda s: None)

    assert again.cancel_requests == 0
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCEL_REQUEST).count() == 1


def test_amazons_account_health_report_example_gives_both_channels_odr():
    from core.errors import ApplicationError
    from spapi.performance import parse_performance_report

    document = json.loads((FIXTURES / "seller_performance_report_example.json").read_text(encoding="utf-8"))

    figures = parse_performance_report(document, marketplace_id="ATVPDKIKX0DER")

    assert figures.account_status == "AT_RISK"
    for odr in (figures.mfn, figures.afn):
        assert (odr.order_count, odr.orders_with_defects, odr.claims, odr.chargebacks, odr.negative_feedback) == (
            539000, 1078, 442, 15, 628)
        assert (odr.rate, odr.target_value) == (Decimal("0.009"), Decimal("0.01"))
        assert (odr.date_from, odr.date_to) == (datetime(2020, 9, 6, tzinfo=UTC),
                                                datetime(2020, 11, 4, 23, 59, tzinfo=UTC))
    # Canada has an account status in the example but no figures: said, not invented.
    with pytest.raises(ApplicationError, match="A2EUQ1WTGCTBG2"):
        parse_performance_report(document, marketplace_id="A2EUQ1WTGCTBG2")
