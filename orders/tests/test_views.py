from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderStatus
from tests.factories import OrderFactory, OrderItemFactory, ShipmentFactory

pytestmark = pytest.mark.django_db

URL = "/orders/"


def test_the_order_list_is_served_at_orders():
    assert reverse("orders:list") == URL


def test_login_is_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_the_root_redirects_to_the_order_list(op_client):
    response = op_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == URL


def test_an_operator_logs_in_and_lands_on_the_queue(client, operator):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'name="password"' in page.content
    response = client.post(reverse("login"), {"username": "op", "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert response["Location"] == URL


def test_logout_is_a_post(op_client):
    response = op_client.post(reverse("logout"))
    assert response.status_code == 302
    assert op_client.get(URL).status_code == 302


def test_full_page_has_layout_filters_tabs_and_rows(op_client, store, other_store):
    now = timezone.now()
    mine = OrderFactory(store=store, amazon_order_id="113-4829104-7710263",
                        latest_ship_date=now - timedelta(hours=5), buyer_name="J. Miller",
                        risk_flags=["po_box"])
    OrderItemFactory(order=mine, sku="AK-WC15-BLK", quantity=2)
    OrderFactory(store=other_store, amazon_order_id="302-1183920-5521877", latest_ship_date=now)
    response = op_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'class="topbar' in html
    for href in ('href="/health/"', 'href="/inbox/"', 'href="/returns/"', 'href="/listings/"'):
        assert href in html
    assert 'action="/i18n/setlang/"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert 'id="order-filters"' in html
    assert "113-4829104-7710263" in html and "2 × <span class=\"mono\">AK-WC15-BLK</span>" in html
    assert "J. Miller" in html and "PO box" in html
    assert "overdue 5 h" in html
    assert "UTC\u22127" in html or "UTC\u22128" in html
    assert "302-1183920-5521877" not in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_htmx_request_gets_only_the_table_partial(op_client, store):
    OrderFactory(store=store, amazon_order_id="113-0000000-0000001", status=OrderStatus.CANCELED,
                 canceled_at=timezone.now())
    response = op_client.get(URL, {"tab": "cancelled"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order-results"')
    assert "<html" not in html and 'class="topbar' not in html and 'id="order-filters"' not in html
    assert "113-0000000-0000001" in html
    assert 'name="tab" value="cancelled"' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(op_client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = op_client.get(URL, {"tab": "late"}, headers=headers).content.decode()
    assert "<html" in html and 'id="order-filters"' in html


def test_tabs_and_pager_are_real_links(op_client, store):
    for n in range(51):
        OrderFactory(store=store, amazon_order_id=f"113-0000000-{n:07d}")
    html = op_client.get(URL, {"q": "113-", "page": "1"}).content.decode()
    assert 'href="?q=113-&amp;tab=late"' in html
    assert 'href="?q=113-&amp;page=2"' in html
    assert 'rel="prev"' not in html
    assert f'href="{URL}export.csv?q=113-&amp;page=1"' in html  # the export takes the filters as they stand
    second = op_client.get(URL, {"q": "113-", "page": "2"}).content.decode()
    assert second.count('class="order-row') == 1
    assert "Showing 51–51 of 51" in second
    # Back to page 1 drops the page; the tabs always start on page 1; the last page has no next.
    assert 'href="?q=113-" hx-get="?q=113-" rel="prev"' in second
    assert 'href="?q=113-&amp;tab=late"' in second
    assert 'rel="next"' not in second


def test_pager_keeps_every_other_parameter_in_place(op_client, store):
    for n in range(101):
        OrderFactory(store=store, amazon_order_id=f"113-0000000-{n:07d}")
    html = op_client.get(f"{URL}?tab=all&page=2&store=ACME-US&x=a&x=b").content.decode()
    previous = "?tab=all&amp;store=ACME-US&amp;x=a&amp;x=b"
    following = "?tab=all&amp;page=3&amp;store=ACME-US&amp;x=a&amp;x=b"
    assert f'href="{previous}" hx-get="{previous}" rel="prev"' in html
    assert f'href="{following}" hx-get="{following}" rel="next"' in html


def test_filters_narrow_the_table(op_client, store):
    OrderFactory(store=store, amazon_order_id="113-0000000-0000001", buyer_name="Ridge Outfitters LLC")
    OrderFactory(store=store, amazon_order_id="113-0000000-0000002", buyer_name="Ann Other")
    html = op_client.get(URL, {"q": "ridge"}, headers={"HX-Request": "true"}).content.decode()
    assert "113-0000000-0000001" in html and "113-0000000-0000002" not in html
    assert "Showing 1–1 of 1" in html


def test_a_bad_filter_value_is_ignored(op_client, store):
    OrderFactory(store=store, amazon_order_id="113-0000000-0000001")
    bad = {"tab": "nonsense", "store": "NOT-MINE", "ship_from": "yesterday", "page": "x"}
    response = op_client.get(URL, bad)
    assert response.status_code == 200
    assert "113-0000000-0000001" in response.content.decode()


def _orders(store, count: int) -> None:
    now = timezone.now()
    for n in range(count):
        order = OrderFactory(store=store, amazon_order_id=f"113-0000000-{n:07d}",
                             latest_ship_date=now + timedelta(hours=n - 3), risk_flags=["stock_short"])
        OrderItemFactory(order=order, store=store)
        OrderItemFactory(order=order, store=store)
        if n % 5 == 0:
            ShipmentFactory(order=order, store=store)


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("tab", ["needs_action", "all"])
def test_query_count_does_not_grow_with_rows(op_client, store, count, tab, django_assert_max_num_queries):
    _orders(store, count)
    # session, user, profile, stores' timezones, page of orders, items, shipments, tab counts, store choices,
    # whether the viewer may act (the bulk bar), the top bar's open breaches and unread notifications, the
    # deliveries at risk of the tab support adds with the stores' own days of silence they read (kept a minute)
    with django_assert_max_num_queries(13):
        response = op_client.get(URL, {"tab": tab})
    assert response.content.decode().count('class="order-row') == count


def test_chinese_page_after_switching_language(op_client, store):
    OrderFactory(store=store, amazon_order_id="113-0000000-0000001",
                 latest_ship_date=timezone.now() - timedelta(hours=2))
    response = op_client.post(reverse("set_language"), {"language": "zh-hans", "next": URL})
    assert response.status_code == 302
    assert response["Location"] == URL
    html = op_client.get(URL).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "订单" in html
    assert "待处理" in html
    assert "已逾期" in html
    assert "Needs action" not in html
    english = op_client.post(reverse("set_language"), {"language": "en", "next": URL})
    assert english.status_code == 302
    assert "Needs action" in op_client.get(URL).content.decode()


def test_preferences_set_the_viewer_timezone(op_client, operator):
    page = op_client.get(reverse("preferences"))
    assert page.status_code == 200
    response = op_client.post(reverse("preferences"), {"timezone": "Asia/Shanghai"})
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.profile.timezone == "Asia/Shanghai"
    assert "Asia/Shanghai" in op_client.get(URL).content.decode()
    bad = op_client.post(reverse("preferences"), {"timezone": "Mars/Olympus"})
    assert bad.status_code == 200
    operator.profile.refresh_from_db()
    assert operator.profile.timezone == "Asia/Shanghai"
