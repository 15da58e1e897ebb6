"""A parcel stuck or lost: an operator files a carrier trace and sends a replacement from the order page, in English
and in Chinese, at desktop width and on a 390 px phone (asserting on ids and classes, which do not change with the
language)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fulfillment.models import CarrierTrace, Shipment, TraceStatus
from fulfillment.services import order_ship
from orders.models import OrderEvent
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
ORDER_ID = "113-5583920-7712045"
REPLACEMENT_NUMBER = "1Z12345E6605272234"


@pytest.fixture
def lost_parcel() -> Shipment:
    """A US order shipped by USPS nine days ago, promised two days ago, with no scan since."""
    now = timezone.now()
    store = StoreFactory(code="ACME-US", name="Acme Outdoor", marketplace="US")
    operator = UserFactory(username="operator")
    operator.set_password(PASSWORD)
    operator.save()
    MembershipFactory(user=operator, store=store, role="operator")
    order = OrderFactory(store=store, amazon_order_id=ORDER_ID, purchase_date=now - timedelta(days=10),
                         latest_delivery_date=now - timedelta(days=2), ship_name="Dana Whitfield",
                         ship_line1="4120 Cedar Ridge Rd", ship_city="Boulder", ship_state="CO",
                         ship_postal_code="80301")
    for sku, title, quantity in (("TENT-2P-GRN", "Trail tent, 2 person", 1), ("STAKE-AL-8", "Aluminium stakes", 2)):
        listing = ListingFactory(store=store, sku=sku, title=title, quantity_available=6)
        OrderItemFactory(order=order, sku=sku, title=title, listing=listing, quantity=quantity,
                         item_price=Decimal("89.00") if quantity == 1 else Decimal("18.00"))
    return order_ship(order=order, carrier="USPS", tracking_number="9400111899223197428490",
                      shipped_at=now - timedelta(days=9))


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/orders/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def trace_and_replace(page, live_server, lost: Shipment, screenshot, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/orders/{ORDER_ID}/#delivery-trace")
    card = page.locator("#delivery-trace")
    block = card.locator(f"#delivery-trace-{lost.pk}")
    assert block.get_attribute("open") is not None
    assert card.locator("[data-trace-url]").get_attribute("href") == "https://www.usps.com/help/missing-mail.htm"
    facts = card.locator(".trace-facts").inner_text()
    assert "9400111899223197428490" in facts and "4120 Cedar Ridge Rd" in facts and "107.00 USD" in facts
    block.locator("input[name=reference]").fill("MM-2384-551")
    block.locator("textarea[name=note]").fill("USPS: no scan since acceptance.")
    screenshot(f"delivery-trace-form-{name}")
    block.locator("[data-action=trace]").click()
    page.wait_for_selector("#delivery-trace .trace [data-trace-status]")
    trace = CarrierTrace.objects.get(shipment=lost)
    assert (trace.reference, trace.status) == ("MM-2384-551", TraceStatus.OPEN)

    replacement = page.locator(f"#delivery-replacement-{lost.pk}")
    if replacement.get_attribute("open") is None:
        replacement.locator("summary").click()
    replacement.locator("select[name=carrier]").select_option("UPS")
    replacement.locator("input[name=tracking_number]").fill(REPLACEMENT_NUMBER)
    page.wait_for_selector(f"#replacement-hint-{lost.pk} .track-hint-ok")
    screenshot(f"delivery-replacement-form-{name}")
    replacement.locator("[data-action=replacement]").click()
    page.wait_for_selector("[data-replaces]")
    sent = Shipment.objects.get(replacement_of=lost)
    assert (sent.carrier, sent.tracking_number) == ("UPS", REPLACEMENT_NUMBER)
    assert lost.order.events.filter(kind=OrderEvent.Kind.REPLACEMENT).exists()
    assert fits(page, 1280)
    screenshot(f"delivery-remedies-1280-{name}")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/orders/{ORDER_ID}/#delivery-trace")
    page.wait_for_selector("#delivery-trace")
    assert fits(page, 390), page.evaluate("document.documentElement.scrollWidth")
    screenshot(f"delivery-remedies-390-{name}")


def test_operator_traces_a_lost_parcel_and_sends_a_replacement(page, live_server, lost_parcel, screenshot):
    log_in(page, live_server)
    trace_and_replace(page, live_server, lost_parcel, screenshot, "en")


def test_the_same_in_chinese(page, live_server, lost_parcel, screenshot):
    log_in(page, live_server)
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    trace_and_replace(page, live_server, lost_parcel, screenshot, "zh")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
