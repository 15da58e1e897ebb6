"""The store chosen in the top bar carries across the order queue, account health and the inbox; a return opens on
its own page from the list. In English and Chinese (asserted on ids and classes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import OrderStatus
from returns.models import ReturnStatus
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def two_stores():
    us = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    de = StoreFactory(code="ACME-DE", name="Acme DE", marketplace="DE")
    boss = UserFactory(username="boss")
    boss.set_password(PASSWORD)
    boss.save()
    now = timezone.now()
    world = {"user": boss, "orders": {}, "threads": {}, "returns": {}}
    for store in (us, de):
        MembershipFactory(user=boss, store=store, role="admin")
        order = OrderFactory(store=store, status=OrderStatus.UNSHIPPED, purchase_date=now - timedelta(hours=5))
        OrderItemFactory(order=order, sku=f"SKU-{store.code}", quantity=1)
        delivered = OrderFactory(store=store, status=OrderStatus.DELIVERED, purchase_date=now - timedelta(days=9))
        item = OrderItemFactory(order=delivered, sku=f"RET-{store.code}", quantity=1, quantity_shipped=1)
        world["orders"][store.code] = order.amazon_order_id
        world["threads"][store.code] = ThreadFactory(store=store, order=order, subject=f"Where is it {store.code}").pk
        world["returns"][store.code] = ReturnRequestFactory(
            order=delivered, order_item=item, sku=item.sku, status=ReturnStatus.REQUESTED,
            requested_at=now - timedelta(hours=3)).pk
    return world


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_chosen_store_follows_through_queue_health_inbox_and_a_return_opens_its_page(
        chromium, live_server, two_stores, language, screenshot):
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True,
                                   locale="zh-CN" if language == "zh-hans" else "en-US", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    url = live_server.url
    try:
        page.goto(f"{url}/orders/")
        page.fill("input[name=username]", "boss")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].btn-primary")
        page.wait_for_url(f"{url}/orders/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("tr.order-row").count() == 2

        # Choose ACME-DE in the top bar: the page comes back showing that store.
        with page.expect_navigation():
            page.select_option("#store-switch-select", "ACME-DE")
        assert page.locator("#store-switch-select").input_value() == "ACME-DE"
        rows = page.locator("tr.order-row")
        assert rows.count() == 1
        assert rows.first.get_attribute("data-order") == two_stores["orders"]["ACME-DE"]

        page.goto(f"{url}/health/")
        assert page.locator(".store-name").count() == 1 and "ACME-DE" in page.locator("h1").inner_text()
        assert page.locator("tr[data-store]").count() == 0

        page.goto(f"{url}/inbox/?tab=all")
        threads = page.locator(".thread-row")
        assert threads.count() == 1
        assert threads.first.get_attribute("data-thread") == str(two_stores["threads"]["ACME-DE"])
        order_link = page.locator(".thread-order a.order-link")
        assert order_link.get_attribute("href").startswith(f"/orders/{two_stores['orders']['ACME-DE']}/")
        screenshot(f"store-switch-inbox-{language}")

        # The returns list follows too; a return's link opens its own page, with its order linked.
        page.goto(f"{url}/returns/")
        assert page.locator("tr.return-row").count() == 1
        with page.expect_navigation():
            page.locator("tr.return-row a.return-link").first.click()
        detail = page.locator("#return-detail")
        assert detail.get_attribute("data-return") == str(two_stores["returns"]["ACME-DE"])
        assert page.locator(".return-order a.order-link").count() == 1
        assert page.locator(".return-actions details.act-authorize").count() == 1
        assert page.locator(".return-history li.event").count() >= 1
        screenshot(f"return-page-{language}")

        # "All stores": every store again.
        page.goto(f"{url}/orders/")
        with page.expect_navigation():
            page.select_option("#store-switch-select", "")
        assert page.locator("tr.order-row").count() == 2
        page.goto(f"{url}/health/")
        assert page.locator("tr[data-store]").count() == 2

        # On a phone the switcher folds into the menu with the rest of the top bar, and the page still fits.
        page.set_viewport_size({"width": 390, "height": 860})
        page.goto(f"{url}/orders/")
        assert not page.locator("#store-switch-select").is_visible()
        page.click(".nav-toggle")
        assert page.locator("#store-switch-select").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
