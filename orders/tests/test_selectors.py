from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from orders.models import OrderStatus
from orders.selectors import OrderFilters, ShipBy, Tab, order_list, order_tab_counts
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# 2025-03-10 18:00 UTC is 11:00 the same day in Los Angeles (PDT) and 03:00 on 11 March in Tokyo.
NOW = datetime(2025, 3, 10, 18, 0, tzinfo=UTC)


def ids(qs) -> set[str]:
    return {o.amazon_order_id for o in qs}


def listed(user, now=NOW, **filters) -> set[str]:
    return ids(order_list(user=user, filters=OrderFilters(**filters), now=now))


def make(store, oid: str, *, ship_by: datetime | None = None, **kwargs):
    purchase = kwargs.pop("purchase_date", NOW - timedelta(days=1))
    ship_by = ship_by if ship_by is not None else NOW + timedelta(days=1)
    return OrderFactory(store=store, amazon_order_id=oid, purchase_date=purchase, earliest_ship_date=None,
                        latest_ship_date=ship_by, **kwargs)


def test_a_user_never_sees_another_stores_orders(store, other_store, operator):
    mine = make(store, "111-0000000-0000001")
    make(other_store, "222-0000000-0000001")
    for tab in Tab.ORDER:
        assert listed(operator, tab=tab) <= {mine.amazon_order_id}
    assert listed(operator, tab=Tab.ALL) == {mine.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="222-0000000") == set()
    assert listed(UserFactory(username="nobody"), tab=Tab.ALL) == set()


def test_a_superuser_sees_every_store(store, other_store):
    make(store, "111-0000000-0000001")
    make(other_store, "222-0000000-0000001")
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert listed(admin, tab=Tab.ALL) == {"111-0000000-0000001", "222-0000000-0000001"}


def test_needs_action_holds_open_mfn_orders_overdue_first(store, operator):
    later = make(store, "111-0000000-0000001", ship_by=NOW + timedelta(hours=5), status=OrderStatus.CONFIRMED)
    overdue = make(store, "111-0000000-0000002", ship_by=NOW - timedelta(hours=5))
    packed = make(store, "111-0000000-0000003", ship_by=NOW + timedelta(hours=1), status=OrderStatus.PACKED)
    partial = make(store, "111-0000000-0000004", ship_by=NOW + timedelta(days=3),
                   status=OrderStatus.PARTIALLY_SHIPPED)
    make(store, "111-0000000-0000005", status=OrderStatus.SHIPPED)
    make(store, "111-0000000-0000006", status=OrderStatus.PENDING)
    make(store, "111-0000000-0000007", fulfillment_channel="AFN")
    make(store, "111-0000000-0000008", status=OrderStatus.CANCELED, canceled_at=NOW)
    rows = list(order_list(user=operator, filters=OrderFilters(tab=Tab.NEEDS_ACTION), now=NOW))
    assert rows == [overdue, packed, later, partial]


def test_late_tab_holds_open_mfn_orders_past_their_ship_by(store, operator):
    make(store, "111-0000000-0000001", ship_by=NOW - timedelta(minutes=1))
    make(store, "111-0000000-0000002", ship_by=NOW + timedelta(minutes=1))
    make(store, "111-0000000-0000003", ship_by=NOW - timedelta(days=2), status=OrderStatus.SHIPPED)
    make(store, "111-0000000-0000004", ship_by=NOW - timedelta(days=2), fulfillment_channel="AFN")
    assert listed(operator, tab=Tab.LATE) == {"111-0000000-0000001"}


def test_risky_unshipped_fba_cancelled_and_all_tabs(store, operator):
    risky = make(store, "111-0000000-0000001", risk_flags=["po_box"])
    make(store, "111-0000000-0000002", risk_flags=["po_box"], status=OrderStatus.SHIPPED)
    confirmed = make(store, "111-0000000-0000003", status=OrderStatus.CONFIRMED)
    fba = make(store, "111-0000000-0000004", fulfillment_channel="AFN", status=OrderStatus.SHIPPED)
    cancelled = make(store, "111-0000000-0000005", status=OrderStatus.CANCELED, canceled_at=NOW)
    assert listed(operator, tab=Tab.RISKY) == {risky.amazon_order_id}
    assert listed(operator, tab=Tab.UNSHIPPED) == {risky.amazon_order_id}
    assert listed(operator, tab=Tab.FBA) == {fba.amazon_order_id}
    assert listed(operator, tab=Tab.CANCELLED) == {cancelled.amazon_order_id}
    assert len(listed(operator, tab=Tab.ALL)) == 5
    assert confirmed.amazon_order_id in listed(operator, tab=Tab.NEEDS_ACTION)


def test_search_finds_order_id_buyer_sku_and_tracking_number(store, operator):
    by_id = make(store, "113-4829104-7710263")
    by_buyer = make(store, "111-0000000-0000002", buyer_name="Ridge Outfitters LLC")
    by_sku = make(store, "111-0000000-0000003")
    OrderItemFactory(order=by_sku, sku="AK-WC15-BLK")
    shipped = make(store, "111-0000000-0000004", status=OrderStatus.SHIPPED)
    ShipmentFactory(order=shipped, tracking_number="1Z999AA10123456784")
    assert listed(operator, tab=Tab.ALL, q="4829104") == {by_id.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="ridge outfitters") == {by_buyer.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="ak-wc15") == {by_sku.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="1z999aa10123456784") == {shipped.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="  no such thing ") == set()


def test_a_whole_order_id_finds_that_order_and_a_sku_search_keeps_to_the_chosen_store(store, other_store, operator):
    MembershipFactory(user=operator, store=other_store)
    here = make(store, "113-4829104-7710263")
    there = make(other_store, "113-4829104-7710264")
    OrderItemFactory(order=there, sku="AK-WC15-BLK")
    assert listed(operator, tab=Tab.ALL, q="113-4829104-7710263") == {here.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q=" 113-4829104-7710264 ") == {there.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="113-4829104-771026") == {here.amazon_order_id, there.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="ak-wc15") == {there.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="ak-wc15", store=other_store) == {there.amazon_order_id}
    assert listed(operator, tab=Tab.ALL, q="ak-wc15", store=store) == set()
    assert order_tab_counts(user=operator, filters=OrderFilters(q="113-4829104-7710263"), now=NOW)[Tab.UNSHIPPED] == 1


def test_search_does_not_duplicate_orders_with_several_matching_items(store, operator):
    order = make(store, "111-0000000-0000001")
    OrderItemFactory(order=order, sku="MAT-1")
    OrderItemFactory(order=order, sku="MAT-2")
    assert len(order_list(user=operator, filters=OrderFilters(tab=Tab.ALL, q="MAT-"), now=NOW)) == 1


def test_due_today_is_judged_in_each_stores_timezone(operator, store):
    tokyo = StoreFactory(code="ACME-JP", marketplace="JP")
    MembershipFactory(user=operator, store=tokyo)
    # 23:59 on 10 March in Los Angeles (07:59 UTC on the 11th): today there.
    us_today = make(store, "111-0000000-0000001", ship_by=datetime(2025, 3, 11, 6, 59, tzinfo=UTC))
    # 00:00 on 11 March in Los Angeles: tomorrow there, although still "the 11th" in UTC like the one above.
    make(store, "111-0000000-0000002", ship_by=datetime(2025, 3, 11, 7, 0, tzinfo=UTC))
    # 23:59 on 11 March in Tokyo: today there, where it is already the 11th.
    jp_today = make(tokyo, "111-0000000-0000003", ship_by=datetime(2025, 3, 11, 14, 59, tzinfo=UTC))
    # 23:59 on 10 March in Tokyo: yesterday there, though still the 10th in Los Angeles.
    make(tokyo, "111-0000000-0000004", ship_by=datetime(2025, 3, 10, 14, 59, tzinfo=UTC))
    expected = {us_today.amazon_order_id, jp_today.amazon_order_id}
    assert listed(operator, tab=Tab.DUE_TODAY) == expected
    assert listed(operator, tab=Tab.ALL, ship_by=ShipBy.TODAY) == expected
    assert listed(operator, tab=Tab.DUE_TODAY, store=tokyo) == {jp_today.amazon_order_id}


def test_ship_by_filters(store, operator):
    make(store, "111-0000000-0000001", ship_by=NOW - timedelta(hours=1))
    make(store, "111-0000000-0000002", ship_by=NOW + timedelta(hours=30))
    make(store, "111-0000000-0000003", ship_by=NOW + timedelta(days=4))
    assert listed(operator, tab=Tab.ALL, ship_by=ShipBy.OVERDUE) == {"111-0000000-0000001"}
    assert listed(operator, tab=Tab.ALL, ship_by=ShipBy.NEXT_DAYS) == {"111-0000000-0000002"}
    # 14 March in Los Angeles runs 07:00 UTC on the 14th to 07:00 UTC on the 15th.
    assert listed(operator, tab=Tab.ALL, ship_by=ShipBy.RANGE, ship_from=date(2025, 3, 14),
                  ship_to=date(2025, 3, 14)) == {"111-0000000-0000003"}
    assert listed(operator, tab=Tab.ALL, ship_by=ShipBy.RANGE, ship_from=date(2025, 3, 11)) == {
        "111-0000000-0000002", "111-0000000-0000003"}
    assert listed(operator, tab=Tab.ALL, ship_by=ShipBy.RANGE, ship_to=date(2025, 3, 10)) == {
        "111-0000000-0000001"}


def test_store_status_and_channel_filters(store, operator):
    second = StoreFactory(code="ACME-CA", marketplace="CA")
    MembershipFactory(user=operator, store=second)
    make(store, "111-0000000-0000001")
    make(second, "111-0000000-0000002", status=OrderStatus.PACKED)
    make(second, "111-0000000-0000003", fulfillment_channel="AFN")
    assert listed(operator, tab=Tab.ALL, store=second) == {"111-0000000-0000002", "111-0000000-0000003"}
    assert listed(operator, tab=Tab.ALL, status=OrderStatus.PACKED) == {"111-0000000-0000002"}
    assert listed(operator, tab=Tab.ALL, channel="AFN") == {"111-0000000-0000003"}


def test_tab_counts_match_the_tabs(store, other_store, operator):
    make(store, "111-0000000-0000001", ship_by=NOW - timedelta(hours=2), risk_flags=["stock_short"])
    make(store, "111-0000000-0000002", ship_by=NOW + timedelta(hours=2), status=OrderStatus.CONFIRMED)
    make(store, "111-0000000-0000003", ship_by=NOW + timedelta(days=3))
    make(store, "111-0000000-0000004", fulfillment_channel="AFN")
    make(other_store, "222-0000000-0000001", ship_by=NOW - timedelta(hours=2))
    counts = order_tab_counts(user=operator, filters=OrderFilters(), now=NOW)
    assert counts == {Tab.NEEDS_ACTION: 3, Tab.LATE: 1, Tab.DUE_TODAY: 2, Tab.RISKY: 1, Tab.UNSHIPPED: 3}
    for tab, count in counts.items():
        assert len(listed(operator, tab=tab)) == count
    assert order_tab_counts(user=operator, filters=OrderFilters(q="0000002"), now=NOW)[Tab.NEEDS_ACTION] == 1
