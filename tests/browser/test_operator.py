"""The operator's day in real headless Chromium: filter, open, ship, cancel, keyboard, Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.models import Shipment
from orders.models import Order, OrderStatus
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TO_SHIP = "113-4829104-7710263"
TO_CANCEL = "112-5520183-9925510"
UPS_VALID = "1Z999AA10123456784"


@pytest.fixture
def workday():
    now = timezone.now()
    us = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    operator = UserFactory(username="operator")
    MembershipFactory(user=operator, store=us)
    charger = ListingFactory(store=us, sku="AK-WC15-BLK", asin="B07XJ8C8F5", title="65W USB-C wall charger, black",
                             quantity_available=40, quantity_reserved=2)
    rows = [
        (TO_SHIP, "J. Miller", "1 Congress Ave", "Austin", "TX", "73301", -timedelta(hours=3), "AK-WC15-BLK", 2),
        ("114-9031552-0183364", "P. O'Neil", "PO Box 1180", "Honolulu", "HI", "96813", timedelta(hours=2),
         "BK-MAT-3", 1),
        (TO_CANCEL, "A. Chen", "400 Pine St", "Seattle", "WA", "98101", timedelta(hours=5), "UC-6FT-2P", 3),
        ("111-0038291-4472910", "Ridge Outfitters LLC", "55 Market St", "Denver", "CO", "80202",
         timedelta(hours=30), "SS-WB32-BLU", 12),
    ]
    for oid, buyer, line1, city, state, postal, left, sku, qty in rows:
        order = OrderFactory(store=us, amazon_order_id=oid, purchase_date=now - timedelta(days=1),
                             earliest_ship_date=None, latest_ship_date=now + left, buyer_name=buyer, ship_name=buyer,
                             ship_line1=line1, ship_city=city, ship_state=state, ship_postal_code=postal,
                             risk_flags=["po_box"] if line1.startswith("PO") else [],
                             shipment_service_level_category="Expedited" if oid == TO_SHIP else "Standard")
        stocked = sku == charger.sku
        OrderItemFactory(order=order, sku=sku, quantity=qty, listing=charger if stocked else None,
                         asin=charger.asin if stocked else "", title=charger.title if stocked else "",
                         quantity_reserved=qty if stocked else 0)
    return operator


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/orders/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")


def test_operator_filters_opens_ships_and_the_order_leaves_unshipped(page, live_server, workday, screenshot):
    log_in(page, live_server)
    with page.expect_response(lambda r: "q=Miller" in r.url):
        page.fill("input[name=q]", "Miller")
    page.wait_for_function("document.querySelectorAll('tr.order-row').length === 1")

    page.click(f"tr[data-order='{TO_SHIP}'] a.order-link")
    page.wait_for_url(f"**/orders/{TO_SHIP}/?store=ACME-US")
    assert "AK-WC15-BLK" in page.locator(".items-table").inner_text()
    assert "B07XJ8C8F5" in page.locator(".items-table").inner_text()
    assert page.locator("[data-risk=late]").count() == 1
    assert "overdue 3 h" in page.locator("[data-countdown]").inner_text()
    screenshot("order-detail-en")

    # The live check warns while typing a number that does not fit the carrier.
    page.select_option("#ship-carrier", "UPS")
    page.fill("#ship-tracking", "1Z999AA10123456785")
    page.wait_for_selector("#tracking-hint .track-hint-bad")
    assert "check digit is wrong" in page.locator("#tracking-hint").inner_text()
    page.fill("#ship-tracking", UPS_VALID)
    page.wait_for_selector("#tracking-hint .track-hint-ok")

    page.evaluate("window.__noReload = true")
    page.click("#ship button.btn-primary")
    page.wait_for_selector(".flash-ok")
    assert f"Shipped with UPS {UPS_VALID}" in page.locator(".flash-ok").inner_text()
    assert page.locator(".order-head [data-order-status]").inner_text() == "Shipped"
    assert UPS_VALID in page.locator(".shipments-table").inner_text()
    assert page.evaluate("window.__noReload") is True
    assert Shipment.objects.get(order__amazon_order_id=TO_SHIP).tracking_format_valid is True
    screenshot("order-detail-shipped-en")

    page.goto(f"{live_server.url}/orders/?tab=unshipped")
    rows = page.locator("tr.order-row")
    assert rows.count() == 3
    assert page.locator(f"tr[data-order='{TO_SHIP}']").count() == 0


def test_operator_cancels_with_a_reason_after_the_cancel_rate_warning(page, live_server, workday, screenshot):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/orders/{TO_CANCEL}/")
    page.click(".cancel-block summary")
    page.select_option("#cancel-initiator", "seller")
    page.fill("#cancel-reason", "Out of stock")
    page.click("#cancel button.btn-danger")
    page.wait_for_selector("#cancel .warning-box")
    assert "Pre-fulfilment Cancel Rate" in page.locator("#cancel .warning-box").inner_text()
    screenshot("order-detail-cancel-warning-en")
    assert Order.objects.get(amazon_order_id=TO_CANCEL).status == OrderStatus.UNSHIPPED
    page.click("#cancel .warning-box button[name=confirm_seller]")
    page.wait_for_selector(".flash-ok")
    assert page.locator(".order-head [data-order-status]").inner_text() == "Cancelled"
    assert "Seller: Out of stock" in page.locator(".order-timeline").inner_text()
    order = Order.objects.get(amazon_order_id=TO_CANCEL)
    assert (order.status, order.cancel_initiator, order.cancel_reason) == (OrderStatus.CANCELED, "seller",
                                                                           "Out of stock")


def test_keyboard_moves_selects_and_opens(page, live_server, workday, screenshot):
    log_in(page, live_server)
    rows = page.locator("tr.order-row")
    assert rows.count() == 4
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert "is-focused" in rows.nth(1).get_attribute("class")
    page.keyboard.press("x")
    assert rows.nth(1).locator("input.row-select").is_checked()
    assert page.locator("[data-selected-count]").inner_text() == "1 selected"
    page.keyboard.press("k")
    assert "is-focused" in rows.nth(0).get_attribute("class")
    page.keyboard.press("x")
    assert page.locator("[data-selected-count]").inner_text() == "2 selected"
    screenshot("orders-keyboard-en")

    # Typing in the search box is typing, not a shortcut.
    page.keyboard.press("/")
    page.keyboard.type("jx")
    assert page.locator("input[name=q]").input_value() == "jx"
    assert page.locator("input.row-select:checked").count() == 2
    page.wait_for_function("document.querySelectorAll('tr.order-row').length === 0")
    page.goto(f"{live_server.url}/orders/")

    page.keyboard.press("?")
    assert page.locator("#kbd-help").is_visible()
    page.keyboard.press("Escape")

    page.keyboard.press("j")
    page.keyboard.press("s")
    page.wait_for_url(f"**/orders/{TO_SHIP}/?store=ACME-US#ship")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'ship-carrier'")
    page.go_back()
    page.wait_for_selector("tr.order-row")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/orders/{TO_SHIP}/?store=ACME-US")


def test_bulk_confirm_and_packing_slips(page, live_server, workday, screenshot):
    log_in(page, live_server)
    page.check("[data-select-all]")
    assert page.locator("input.row-select:checked").count() == 4
    page.click("#bulk-form button[value=confirm]")
    page.wait_for_url("**/orders/bulk/")
    assert "4 orders done" in page.locator(".bulk-summary").inner_text()
    screenshot("orders-bulk-confirm-en")
    assert Order.objects.filter(status=OrderStatus.CONFIRMED).count() == 4
    page.click("text=Back to the queue")
    page.check(f"tr[data-order='{TO_SHIP}'] input.row-select")
    with page.expect_popup() as popup:
        page.click("#bulk-form button[value=slips]")
    slips = popup.value
    slips.wait_for_load_state()
    assert slips.locator("article.slip").count() == 1
    assert "65W USB-C wall charger, black" in slips.locator("article.slip").inner_text()
    slips.screenshot(path=str(screenshot("orders-bulk-confirm-en").parent / "packing-slips-en.png"), full_page=True)
    slips.emulate_media(media="print")
    assert not slips.locator(".topbar").is_visible()


def test_detail_page_in_simplified_chinese(page, live_server, workday, screenshot):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/orders/{TO_SHIP}/")
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert f"/orders/{TO_SHIP}/" in page.url
    assert page.locator(".crumbs a").inner_text() == "订单"
    assert page.locator(".order-head [data-order-status]").inner_text() == "未发货"
    assert "已逾期" in page.locator("[data-countdown]").inner_text()
    screenshot("order-detail-zh")
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
