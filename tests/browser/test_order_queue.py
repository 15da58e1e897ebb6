from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import OrderStatus
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def queue():
    """An operator of three stores with a realistic morning queue."""
    now = timezone.now()
    us = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    de = StoreFactory(code="ACME-DE", name="Acme DE", marketplace="DE")
    jp = StoreFactory(code="ACME-JP", name="Acme JP", marketplace="JP")
    operator = UserFactory(username="operator")
    for store in (us, de, jp):
        MembershipFactory(user=operator, store=store)
    rows = [
        (us, "113-4829104-7710263", -timedelta(hours=5, minutes=12), "J. Miller", "Austin", "TX", "73301",
         "US", [("AK-WC15-BLK", 2)], OrderStatus.UNSHIPPED, "Expedited", []),
        (de, "302-1183920-5521877", -timedelta(hours=1, minutes=40), "K. Schmidt", "Berlin", "", "10115",
         "DE", [("SS-WB1L-DE", 1)], OrderStatus.PACKED, "Standard", []),
        (us, "114-9031552-0183364", timedelta(hours=2, minutes=5), "P. O'Neil", "Honolulu", "HI", "96813",
         "US", [("BK-MAT-3", 1)], OrderStatus.CONFIRMED, "SecondDay", ["po_box"]),
        (us, "112-5520183-9925510", timedelta(hours=3, minutes=50), "A. Chen", "Seattle", "WA", "98101",
         "US", [("UC-6FT-2P", 3)], OrderStatus.CONFIRMED, "Standard", []),
        (jp, "250-7731029-1038847", timedelta(hours=30), "佐藤 様", "渋谷区", "東京都", "150-0002",
         "JP", [("AK-WC15-JP", 1)], OrderStatus.UNSHIPPED, "Standard", ["stock_short"]),
        (us, "111-0038291-4472910", timedelta(hours=33), "Ridge Outfitters LLC", "Denver", "CO", "80202",
         "US", [("SS-WB32-BLU", 12)], OrderStatus.UNSHIPPED, "Standard", ["quantity_unusual"]),
    ]
    for store, oid, left, buyer, city, state, postal, country, items, status, service, flags in rows:
        order = OrderFactory(
            store=store, amazon_order_id=oid, purchase_date=now - timedelta(days=1), earliest_ship_date=None,
            latest_ship_date=now + left, buyer_name=buyer, ship_name=buyer, ship_city=city, ship_state=state,
            ship_postal_code=postal, ship_country=country, status=status,
            shipment_service_level_category=service, risk_flags=flags,
            is_business_order=buyer.endswith("LLC"),
        )
        for sku, qty in items:
            OrderItemFactory(order=order, sku=sku, quantity=qty)
    shipped = OrderFactory(store=us, amazon_order_id="113-0000001-0000001", status=OrderStatus.SHIPPED,
                           buyer_name="R. Shipped")
    OrderItemFactory(order=shipped, sku="AK-WC15-BLK")
    ShipmentFactory(order=shipped, tracking_number="1Z999AA10123456784")
    OrderFactory(store=us, amazon_order_id="113-0000002-0000002", fulfillment_channel="AFN",
                 status=OrderStatus.SHIPPED, buyer_name="F. Amazon")
    return operator


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/orders/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")


def test_operator_logs_in_sees_the_queue_and_filters_without_reloading(page, live_server, queue, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot("login-en")
    log_in(page, live_server)

    rows = page.locator("tr.order-row")
    assert rows.count() == 6
    first = rows.nth(0)
    assert "113-4829104-7710263" in first.inner_text()
    assert "overdue 5 h" in first.locator(".left").inner_text()
    assert "UTC\u22128" in first.inner_text() or "UTC\u22127" in first.inner_text()
    assert "UTC+1" in rows.nth(1).inner_text() or "UTC+2" in rows.nth(1).inner_text()
    assert page.locator(".tabs a.active").inner_text().startswith("Needs action")
    assert page.locator(".tabs a[data-tab=late] .count").inner_text() == "2"
    screenshot("orders-en")

    # A marker on window survives an htmx swap and dies with a full page load.
    page.evaluate("window.__noReload = true")
    def is_htmx_late_tab(response) -> bool:
        return "tab=late" in response.url and response.request.headers.get("hx-request") == "true"

    with page.expect_response(is_htmx_late_tab):
        page.click(".tabs a[data-tab=late]")
    page.wait_for_url("**/orders/?tab=late")
    page.wait_for_function("document.querySelectorAll('tr.order-row').length === 2")
    assert page.evaluate("window.__noReload") is True
    assert page.locator(".tabs a.active").inner_text().startswith("Late")

    # Searching keeps the chosen tab and swaps the table in place too.
    with page.expect_response(lambda r: "q=Miller" in r.url):
        page.fill("input[name=q]", "Miller")
    page.wait_for_function("document.querySelectorAll('tr.order-row').length === 1")
    assert "tab=late" in page.url and "q=Miller" in page.url
    assert page.evaluate("window.__noReload") is True

    # Every state is a real URL: a reload shows the same table.
    page.reload()
    assert page.locator("tr.order-row").count() == 1
    assert page.evaluate("window.__noReload") is None

    page.goto(f"{live_server.url}/orders/?tab=all")
    assert page.locator("tr.order-row").count() == 8
    assert "1Z999AA10123456784" in page.locator("tr[data-order='113-0000001-0000001']").inner_text()


def test_switching_to_chinese(page, live_server, queue, screenshot):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/orders/?tab=risky")
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "tab=risky" in page.url
    assert page.locator("h1").inner_text() == "订单"
    assert page.locator(".tabs a.active").inner_text().startswith("有风险")
    assert page.locator(".mainnav a.active").inner_text() == "订单"
    assert "邮政信箱" in page.locator("table.orders").inner_text()
    page.click(".tabs a[data-tab=needs_action]")
    page.wait_for_function("document.querySelectorAll('tr.order-row').length === 6")
    assert "已逾期" in page.locator("tr.order-row").first.inner_text()
    screenshot("orders-zh")

    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Orders"
