"""The operator answers returns in place, and reads the listings and FBA inbound pages, in English and Chinese."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fulfillment.inbound import InboundLine, inbound_create, inbound_receive, inbound_set_status
from orders.models import OrderStatus
from returns.models import Refund, ReturnRequest, ReturnStatus
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
GOOD = {"brand": "Acme", "bullets": ["Waterproof", "Non-slip", "Light"], "description": "A mat for every day."}


def _return(store, *, sku, hours_ago, reason, price="40.00", status=ReturnStatus.REQUESTED, comment="",
            in_policy=True, listing=None, buyer="J. Miller", order_id=None) -> ReturnRequest:
    now = timezone.now()
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED, purchase_date=now - timedelta(days=12),
                         buyer_name=buyer, **({"amazon_order_id": order_id} if order_id else {}))
    item = OrderItemFactory(order=order, sku=sku, quantity=1, quantity_shipped=1, item_price=Decimal(price),
                            listing=listing)
    requested = now - timedelta(hours=hours_ago)
    responded = None if status == ReturnStatus.REQUESTED else requested + timedelta(hours=3)
    return ReturnRequestFactory(order=order, order_item=item, sku=sku, reason=reason, status=status,
                                requested_at=requested, buyer_comment=comment, in_policy=in_policy,
                                responded_at=responded)


@pytest.fixture
def workspace(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    us = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    de = StoreFactory(code="ACME-DE", name="Acme DE", marketplace="DE")
    operator = UserFactory(username="operator")
    for store in (us, de):
        MembershipFactory(user=operator, store=store)
    mat = ListingFactory(store=us, sku="YM-6MM-BLU", asin="B0C1YM6BLU", fulfillment_channel="AFN",
                         title="Acme Yoga Mat 6 mm, Non-Slip, Blue", quantity_available=12, quantity_reserved=2,
                         safety_stock=20, lead_time_days=30, **GOOD)
    bottle = ListingFactory(store=us, sku="WB-1L-STEEL", asin="B0C1WB1LST", fulfillment_channel="AFN",
                            title="Acme Insulated Water Bottle 1 L, Stainless Steel", quantity_available=240,
                            safety_stock=30, **GOOD)
    green = ListingFactory(store=us, sku="YM-6MM-GRN", asin="B0C1YM6GRN", fulfillment_channel="AFN",
                           title="Acme Yoga Mat 6 mm, Non-Slip, Green", quantity_available=40, safety_stock=10,
                           **GOOD)
    ListingFactory(store=us, sku="CH-15W-BLK", asin="B0CHX1W1XY",
                   title="HOT SALE!!! Wireless Charger 15W FREE SHIPPING Fast Charging Pad For All Phones 🔥",
                   quantity_available=0, safety_stock=5, brand="", bullets=["Fast"])
    ListingFactory(store=de, sku="YM-6MM-DE", asin="B0C1YM6DE1", fulfillment_channel="AFN",
                   title="Acme Yogamatte 6 mm, rutschfest", currency="EUR", quantity_available=35, safety_stock=10,
                   **GOOD)
    now = timezone.now()
    for days, units in [(2, 6), (9, 8), (16, 5), (25, 11)]:
        order = OrderFactory(store=us, status=OrderStatus.SHIPPED, purchase_date=now - timedelta(days=days))
        OrderItemFactory(order=order, sku="YM-6MM-BLU", quantity=units, listing=mat)
    order = OrderFactory(store=us, status=OrderStatus.SHIPPED, purchase_date=now - timedelta(days=4))
    OrderItemFactory(order=order, sku="WB-1L-STEEL", quantity=14, listing=bottle)

    _return(us, sku="YM-6MM-BLU", hours_ago=52, reason="DEFECTIVE", comment="Edges peel after one week.",
            listing=mat, buyer="K. Schmidt")
    _return(us, sku="YM-6MM-BLU", hours_ago=30, reason="QUALITY_UNACCEPTABLE", listing=mat,
            order_id="113-4829104-7710263", buyer="A. Chen", comment="Smells of rubber, thinner than described.")
    _return(us, sku="WB-1L-STEEL", hours_ago=4, reason="UNWANTED_ITEM", in_policy=False, price="24.99",
            listing=bottle, buyer="P. O'Neil")
    _return(de, sku="YM-6MM-DE", hours_ago=12, reason="TOO_SMALL", price="35.00", buyer="L. Weber")
    _return(us, sku="YM-6MM-BLU", hours_ago=80, reason="DAMAGED_BY_CARRIER", status=ReturnStatus.RECEIVED,
            listing=mat)
    _return(us, sku="WB-1L-STEEL", hours_ago=200, reason="WRONG_ITEM", status=ReturnStatus.CLOSED, price="24.99")

    plan = inbound_create(store=us, lines=[InboundLine(mat, 120), InboundLine(bottle, 60)],
                          name="December restock", destination_fc="PHX7")
    receiving = inbound_create(store=us, lines=[InboundLine(green, 80), InboundLine(bottle, 48)],
                               name="November restock", destination_fc="ONT8")
    inbound_set_status(inbound=receiving, status="shipped", carrier="UPS", tracking_number="1Z999AA10123456784")
    steel, mats = receiving.items.order_by("listing__sku")
    inbound_receive(inbound=receiving, quantities={mats.pk: 76, steel.pk: 48})
    assert plan.status == "working"
    return operator


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/returns/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/returns/")


def count(page, tab: str) -> str:
    return page.locator(f".tabs a[data-tab={tab}] .count").inner_text()


def test_operator_authorises_and_refunds_a_return_and_sees_it_move_tabs(page, live_server, workspace, screenshot):
    log_in(page, live_server)
    rows = page.locator("tr.return-row")
    assert rows.count() == 4
    assert "overdue 4 h" in rows.nth(0).locator(".left").inner_text()
    assert "UTC\u22128" in rows.nth(0).inner_text() or "UTC\u22127" in rows.nth(0).inner_text()
    assert count(page, "needs_response") == "4" and count(page, "authorized") == "0"
    panel = page.locator("#reasons-by-sku")
    assert panel.locator(".sku-reasons").first.get_attribute("data-sku") == "YM-6MM-BLU"
    screenshot("returns-en")

    target = ReturnRequest.objects.get(order__amazon_order_id="113-4829104-7710263")
    row = page.locator(f"#return-{target.pk}")
    page.evaluate("window.__noReload = true")
    row.locator("details.act-reject > summary").click()
    assert "counts against the Return Dissatisfaction Rate" in row.locator(".warn-box").inner_text()
    row.locator("details.act-reject > summary").click()
    row.locator("details.act-authorize > summary").click()
    row.locator("input[name=label_provided]").check()
    screenshot("returns-authorise-open")
    with page.expect_response(lambda r: "/authorize/" in r.url):
        row.locator("details.act-authorize button[type=submit]").click()
    page.wait_for_function(f"!document.getElementById('return-{target.pk}')")
    assert "authorised" in page.locator("#return-results .message").inner_text()
    assert count(page, "needs_response") == "3" and count(page, "authorized") == "1"
    assert page.evaluate("window.__noReload") is True

    page.click(".tabs a[data-tab=authorized]")
    page.wait_for_url("**/returns/?tab=authorized")
    row = page.locator(f"#return-{target.pk}")
    row.wait_for()
    assert "prepaid label" in row.inner_text()

    # A partial refund above the item's price is refused in place; nothing changes.
    row.locator("details.act-refund > summary").click()
    row.locator("input[name=kind][value=partial]").check()
    row.locator("input[name=amount]").fill("55")
    with page.expect_response(lambda r: "/refund/" in r.url):
        row.locator("details.act-refund button[type=submit]").click()
    page.wait_for_selector(f"#return-{target.pk} .form-error")
    assert "more than the 40.00 left to refund" in page.locator(f"#return-{target.pk} .form-error").inner_text()
    assert not Refund.objects.exists()
    screenshot("returns-refund-refused")

    row = page.locator(f"#return-{target.pk}")
    row.locator("input[name=kind][value=full]").check()
    with page.expect_response(lambda r: "/refund/" in r.url):
        row.locator("details.act-refund button[type=submit]").click()
    page.wait_for_function(f"!document.getElementById('return-{target.pk}')")
    assert count(page, "authorized") == "0" and count(page, "closed") == "2"
    assert page.evaluate("window.__noReload") is True
    assert Refund.objects.get().amount == Decimal("40.00")

    page.click(".tabs a[data-tab=closed]")
    page.wait_for_url("**/returns/?tab=closed")
    refunded = page.locator(f"#return-{target.pk}")
    assert "Refunded" in refunded.inner_text() and "Full 40.00 USD" in refunded.inner_text()
    page.reload()
    assert page.locator(f"#return-{target.pk}").count() == 1


def test_listings_and_inbound_pages_in_english_and_chinese(page, live_server, workspace, screenshot):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/listings/")
    row = page.locator("tr[data-sku=YM-6MM-BLU]")
    assert "low" in row.inner_text()
    assert page.locator("tr[data-sku=CH-15W-BLK] .flags .badge-bad").count() == 1
    screenshot("listings-en")
    page.click("tr[data-sku=CH-15W-BLK] a")
    page.wait_for_selector("#quality-panel")
    assert page.locator("#quality-panel li").count() >= 5
    screenshot("listing-detail-en")

    page.goto(f"{live_server.url}/fulfillment/")
    assert page.locator("tr.inbound-row").count() == 2
    screenshot("fulfillment-en")
    page.click("tr.inbound-row.row-overdue a")
    page.wait_for_selector("#inbound-panel")
    assert "YM-6MM-GRN: 4 short" in page.locator(".summary-strip").inner_text()
    screenshot("inbound-detail-en")
    page.goto(f"{live_server.url}/fulfillment/inbound/new/?store=ACME-US")
    assert page.locator("table.plan tr[data-sku]").count() == 3
    screenshot("inbound-new-en")

    page.goto(f"{live_server.url}/returns/")
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator(".mainnav a.active").inner_text() == "退货"
    screenshot("returns-zh")
    for path, name in [("/listings/", "listings-zh"), ("/fulfillment/", "fulfillment-zh")]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("html[lang=zh-hans]")
        screenshot(name)
