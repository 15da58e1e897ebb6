"""The order sync against the local Amazon: paging, throttling, idempotency, status updates, the window."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import pytest

from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from orders.services import order_pack
from spapi.client import MAX_ATTEMPTS, SpApiError
from spapi.sync import WINDOW_LAG, spapi_sync_orders

from .samples import MARKETPLACE_US, amazon_item, amazon_order
from .server import _parse_time, amazon_time

pytestmark = pytest.mark.django_db

A, B, C = "113-0000001-0000001", "113-0000002-0000002", "114-0000003-0000003"


def _seed_three(amazon, now) -> None:
    amazon.orders = [
        amazon_order(A, now=now, updated_hours_ago=5),
        amazon_order(B, now=now, channel="AFN", prime=True, updated_hours_ago=4, status="Unshipped"),
        amazon_order(C, now=now, business=True, updated_hours_ago=3, status="Pending"),
    ]
    amazon.items = {
        A: [amazon_item("BOTTLE-750", order_item_id="10000000000001", quantity=2),
            amazon_item("LID-STEEL", order_item_id="10000000000002", price="4.50")],
        B: [amazon_item("BOTTLE-750", order_item_id="20000000000001")],
        C: [amazon_item("MUG-BLUE", order_item_id="30000000000001", quantity=3, price="30.00")],
    }


def test_sync_follows_next_token_and_item_pages(amazon, credentials, store, sleeps, now):
    _seed_three(amazon, now)
    amazon.orders_page_size = 2
    amazon.items_page_size = 1
    since = now - timedelta(days=1)

    result = spapi_sync_orders(store=store, since=since, now=now, sleep=sleeps.append)

    assert (result.pages, result.created, result.updated, result.unchanged, result.skipped) == (2, 3, 0, 0, [])
    pages = amazon.calls("getOrders")
    assert len(pages) == 2
    assert "NextToken" not in pages[0].query
    assert pages[1].query["NextToken"] != []
    for page in pages:
        assert page.query["LastUpdatedAfter"] == [amazon_time(since)]
        assert _parse_time(page.query["LastUpdatedBefore"][0]) <= now - timedelta(minutes=2)
        assert "CreatedBefore" not in page.query
        assert page.query["MarketplaceIds"] == [MARKETPLACE_US]
    assert len([c for c in amazon.calls("getOrderItems") if f"/{A}/" in c.path]) == 2
    order = Order.objects.get(store=store, amazon_order_id=A)
    assert sorted(order.items.values_list("sku", "quantity", "order_item_id")) == [
        ("BOTTLE-750", 2, "10000000000001"), ("LID-STEEL", 1, "10000000000002")]
    assert order.status == OrderStatus.UNSHIPPED
    assert Order.objects.get(amazon_order_id=B).fulfillment_channel == "AFN"
    assert Order.objects.get(amazon_order_id=B).is_prime
    assert Order.objects.get(amazon_order_id=C).status == OrderStatus.PENDING
    assert set(OrderEvent.objects.filter(order__store=store).values_list("source", flat=True)) == {"sync"}
    assert sleeps == []
    credentials.refresh_from_db()
    assert credentials.last_synced_at == (now - WINDOW_LAG).replace(microsecond=0)
    assert credentials.last_error == ""


def test_sync_logs_in_with_the_stored_credentials(amazon, credentials, store, now):
    _seed_three(amazon, now)

    spapi_sync_orders(store=store, now=now, sleep=lambda s: None)

    [token_call] = amazon.calls("token")
    form = {k: v[0] for k, v in parse_qs(token_call.body.decode()).items()}
    assert form["grant_type"] == "refresh_token"
    assert form["refresh_token"] == credentials.refresh_token.reveal()
    assert form["client_secret"] == credentials.lwa_client_secret.reveal()
    api_calls = amazon.calls("getOrders") + amazon.calls("getOrderItems")
    assert {c.headers["x-amz-access-token"] for c in api_calls} == {amazon.tokens_issued[0]}


def test_first_sync_starts_the_configured_number_of_days_back(amazon, credentials, store, now, settings):
    settings.SPAPI_INITIAL_SYNC_DAYS = 7

    spapi_sync_orders(store=store, now=now, sleep=lambda s: None)

    assert amazon.calls("getOrders")[0].query["LastUpdatedAfter"] == [amazon_time(now - timedelta(days=7))]


def test_next_sync_starts_where_the_last_one_stopped(amazon, credentials, store, now):
    _seed_three(amazon, now)
    spapi_sync_orders(store=store, now=now - timedelta(minutes=20), sleep=lambda s: None)
    first = amazon.calls("getOrders")[-1]
    later = now

    spapi_sync_orders(store=store, now=later, sleep=lambda s: None)

    second = amazon.calls("getOrders")[-1]
    assert second.query["LastUpdatedAfter"] == [amazon_time(now - timedelta(minutes=20) - WINDOW_LAG)]
    assert first.query["LastUpdatedBefore"] == second.query["LastUpdatedAfter"]
    assert second.query["LastUpdatedBefore"] == [amazon_time(later - WINDOW_LAG)]


def test_a_window_already_synced_asks_amazon_nothing(amazon, credentials, store, now):
    spapi_sync_orders(store=store, now=now, sleep=lambda s: None)
    asked = len(amazon.requests)

    again = spapi_sync_orders(store=store, now=now, sleep=lambda s: None)
    earlier = spapi_sync_orders(store=store, now=now - timedelta(minutes=1), sleep=lambda s: None)

    assert again.pages == earlier.pages == 0
    assert len(amazon.requests) == asked
    credentials.refresh_from_db()
    assert credentials.last_synced_at == (now - WINDOW_LAG).replace(microsecond=0)


def test_throttled_calls_back_off_then_succeed(amazon, credentials, store, sleeps, now):
    _seed_three(amazon, now)
    amazon.throttle = {"getOrders": 1, "getOrderItems": 2}

    result = spapi_sync_orders(store=store, since=now - timedelta(days=1), now=now, sleep=sleeps.append)

    assert result.created == 3
    # getOrders allows 0.0167 requests per second: wait one request's worth; getOrderItems 0.5/s: 2 s each.
    assert sleeps == [pytest.approx(1 / 0.0167), pytest.approx(2.0), pytest.approx(2.0)]
    assert len(amazon.calls("getOrders")) == 2


def test_quota_that_never_clears_gives_up_after_bounded_attempts(amazon, credentials, store, sleeps, now):
    _seed_three(amazon, now)
    amazon.throttle = {"getOrderItems": 1000}

    with pytest.raises(SpApiError, match="QuotaExceeded"):
        spapi_sync_orders(store=store, since=now - timedelta(days=1), now=now, sleep=sleeps.append)

    assert len(amazon.calls("getOrderItems")) == MAX_ATTEMPTS
    assert sleeps == [2.0, 2.0, 4.0, 8.0, 16.0]
    credentials.refresh_from_db()
    assert "QuotaExceeded" in credentials.last_error
    assert credentials.last_synced_at is None
    assert not Order.objects.filter(store=store).exists()


def test_failed_window_is_repeated_by_the_next_run(amazon, credentials, store, now):
    _seed_three(amazon, now)
    amazon.throttle = {"getOrders": 1000}
    with pytest.raises(SpApiError):
        spapi_sync_orders(store=store, now=now, sleep=lambda s: None)
    first_after = amazon.calls("getOrders")[0].query["LastUpdatedAfter"]
    amazon.throttle = {}

    result = spapi_sync_orders(store=store, now=now, sleep=lambda s: None)

    assert amazon.calls("getOrders")[-1].query["LastUpdatedAfter"] == first_after
    assert result.created == 3
    credentials.refresh_from_db()
    assert credentials.last_error == ""
    assert credentials.last_error_at is None


def test_the_same_pages_twice_change_nothing(amazon, credentials, store, now):
    _seed_three(amazon, now)
    since = now - timedelta(days=1)
    spapi_sync_orders(store=store, since=since, now=now, sleep=lambda s: None)
    before = (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count(),
              sorted(Order.objects.values_list("amazon_order_id", "status", "last_update_date")))
    item_calls = len(amazon.calls("getOrderItems"))

    result = spapi_sync_orders(store=store, since=since, now=now, sleep=lambda s: None)

    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 3, [])
    after = (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count(),
             sorted(Order.objects.values_list("amazon_order_id", "status", "last_update_date")))
    assert after == before
    assert len(amazon.calls("getOrderItems")) == item_calls


def test_status_changes_apply_where_the_transition_table_allows(amazon, credentials, store, now, caplog):
    ids = {name: f"113-000001{n}-000001{n}" for n, name in enumerate(
        ["afn_ships", "buyer_cancels", "mfn_shipped_elsewhere", "packed_here", "pending_paid"])}
    amazon.orders = [
        amazon_order(ids["afn_ships"], now=now, channel="AFN", updated_hours_ago=6),
        amazon_order(ids["buyer_cancels"], now=now, updated_hours_ago=6),
        amazon_order(ids["mfn_shipped_elsewhere"], now=now, updated_hours_ago=6),
        amazon_order(ids["packed_here"], now=now, updated_hours_ago=6),
        amazon_order(ids["pending_paid"], now=now, status="Pending", updated_hours_ago=6),
    ]
    amazon.items = {order_id: [amazon_item("BOTTLE-750", order_item_id=f"9{n}")] for n, order_id in
                    enumerate(ids.values())}
    spapi_sync_orders(store=store, now=now - timedelta(hours=1), sleep=lambda s: None)
    order_pack(order=Order.objects.get(amazon_order_id=ids["packed_here"]))
    changes = {"afn_ships": "Shipped", "buyer_cancels": "Canceled", "mfn_shipped_elsewhere": "Shipped",
               "packed_here": "Unshipped", "pending_paid": "Unshipped"}
    for order in amazon.orders:
        name = next(k for k, v in ids.items() if v == order["AmazonOrderId"])
        order["OrderStatus"] = changes[name]
        order["LastUpdateDate"] = amazon_time(now - timedelta(minutes=30))
    amazon.items[ids["buyer_cancels"]][0]["BuyerRequestedCancel"] = {
        "IsBuyerRequestedCancel": "true", "BuyerCancelReason": "Ordered by mistake"}

    result = spapi_sync_orders(store=store, now=now, sleep=lambda s: None)

    status = dict(Order.objects.values_list("amazon_order_id", "status"))
    assert status[ids["afn_ships"]] == OrderStatus.SHIPPED
    assert status[ids["buyer_cancels"]] == OrderStatus.CANCELED
    assert status[ids["mfn_shipped_elsewhere"]] == OrderStatus.UNSHIPPED
    assert status[ids["packed_here"]] == OrderStatus.PACKED
    assert status[ids["pending_paid"]] == OrderStatus.UNSHIPPED
    assert (result.updated, result.unchanged, result.created) == (3, 1, 0)
    assert len(result.skipped) == 1 and result.skipped[0].startswith(ids["mfn_shipped_elsewhere"])
    cancelled = Order.objects.get(amazon_order_id=ids["buyer_cancels"])
    assert cancelled.cancel_initiator == "buyer"
    assert "Ordered by mistake" in cancelled.cancel_reason
    shipped_event = OrderEvent.objects.filter(order__amazon_order_id=ids["afn_ships"], to_status="Shipped").get()
    assert (shipped_event.source, shipped_event.at) == ("sync", now.replace(microsecond=0) - timedelta(minutes=30))
    assert ids["mfn_shipped_elsewhere"] in caplog.text


def test_backwards_move_is_skipped_and_logged(amazon, credentials, store, now, caplog):
    amazon.orders = [amazon_order(A, now=now, channel="AFN", status="Shipped", updated_hours_ago=6)]
    amazon.items = {A: [amazon_item("BOTTLE-750", order_item_id="1")]}
    spapi_sync_orders(store=store, now=now - timedelta(hours=1), sleep=lambda s: None)
    amazon.orders[0].update(OrderStatus="Unshipped", LastUpdateDate=amazon_time(now - timedelta(minutes=30)))

    result = spapi_sync_orders(store=store, now=now, sleep=lambda s: None)

    assert Order.objects.get(amazon_order_id=A).status == OrderStatus.SHIPPED
    assert result.updated == 0
    assert "cannot go from Shipped to Unshipped" in result.skipped[0]
    assert "cannot go from Shipped to Unshipped" in caplog.text


def test_new_orders_in_later_statuses(amazon, credentials, store, now):
    afn_shipped, cancelled, mfn_shipped, odd = ("113-0000021-0000021", "113-0000022-0000022",
                                                "113-0000023-0000023", "113-0000024-0000024")
    amazon.orders = [
        amazon_order(afn_shipped, now=now, channel="AFN", status="Shipped"),
        amazon_order(cancelled, now=now, status="Canceled"),
        amazon_order(mfn_shipped, now=now, status="Shipped"),
        amazon_order(odd, now=now, status="Teleported"),
    ]
    amazon.items = {order_id: [amazon_item("BOTTLE-750", order_item_id=f"7{n}")]
                    for n, order_id in enumerate([afn_shipped, cancelled, mfn_shipped, odd])}

    result = spapi_sync_orders(store=store, now=now, sleep=lambda s: None)

    status = dict(Order.objects.values_list("amazon_order_id", "status"))
    assert status == {afn_shipped: OrderStatus.SHIPPED, cancelled: OrderStatus.CANCELED}
    assert Order.objects.get(amazon_order_id=cancelled).cancel_initiator == "system"
    assert result.created == 2
    assert sorted(s.split(":")[0] for s in result.skipped) == [mfn_shipped, odd]
    # An order that cannot be created costs no item call.
    assert not [c for c in amazon.calls("getOrderItems") if mfn_shipped in c.path or odd in c.path]


def test_store_without_credentials_is_refused(store, amazon):
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="no SP-API credentials"):
        spapi_sync_orders(store=store)
    assert amazon.requests == []


def test_the_stores_marketplace_wins_over_the_librarys_environment(amazon, credentials, store, now, monkeypatch):
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "DE")
    monkeypatch.setenv("LWA_CLIENT_SECRET", "from-the-environment")

    spapi_sync_orders(store=store, now=now, sleep=lambda s: None)

    assert amazon.calls("getOrders")[0].query["MarketplaceIds"] == [MARKETPLACE_US]
    assert "from-the-environment" not in amazon.calls("token")[0].body.decode()
