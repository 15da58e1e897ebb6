"""The operator finds a silent cross-border parcel in the queue's "Deliveries at risk" tab and tells the buyer."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from core.models import Profile
from fulfillment.models import CarrierEvent, Shipment
from orders.models import OrderEvent, OrderStatus
from support.models import Message
from tests.factories import (
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SILENT_ORDER = "113-4829104-7710263"


@pytest.fixture
def parcels():
    """An operator of a US store with a YunExpress parcel silent for 9 days whose buyer asked, and two others."""
    now = timezone.now()
    store = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    operator = UserFactory(username="operator")
    operator.set_password(PASSWORD)
    operator.save()
    MembershipFactory(user=operator, store=store)

    def parcel(order_id, carrier, tracking, days, status, description, deliver_in, buyer):
        order = OrderFactory(store=store, amazon_order_id=order_id, status=OrderStatus.SHIPPED,
                             purchase_date=now - timedelta(days=days + 2), latest_delivery_date=now + deliver_in,
                             buyer_name=buyer, ship_name=buyer,
                             buyer_email=f"{tracking.lower()}@marketplace.amazon.com", order_total=Decimal("38.90"))
        shipment = ShipmentFactory(order=order, carrier=carrier, tracking_number=tracking,
                                   shipped_at=now - timedelta(days=days + 1), last_event_at=now - timedelta(days=days),
                                   last_event_status=status)
        CarrierEvent.objects.create(store=store, shipment=shipment, at=shipment.last_event_at, status=status,
                                    description=description, location="Shenzhen, CN", source="demo")
        return shipment

    silent = parcel(SILENT_ORDER, "YunExpress", "YT2412345678901234", 9, "in_transit",
                    "Export customs clearance completed", timedelta(days=2), "Jane Miller")
    parcel("112-5520183-9925510", "UPS", "1Z999AA10123456784", 1, "returned", "Returned to shipper",
           timedelta(days=1), "A. Chen")
    parcel("114-9031552-0183364", "USPS", "9400100000000000000000", 1, "in_transit", "Arrived at facility",
           timedelta(days=3), "P. O'Neil")  # moving, on time: not at risk
    thread = ThreadFactory(store=store, order=silent.order, buyer_email="yt2412345678901234@marketplace.amazon.com")
    MessageFactory(thread=thread, body="Hi, my order still hasn't arrived. Can you tell me where it is?",
                   sent_at=now - timedelta(hours=7))
    return operator


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/orders/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_silent_parcel_is_found_in_the_tab_and_its_buyer_told(page, live_server, parcels, screenshot, language,
                                                                  settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Profile.objects.update_or_create(user=parcels, defaults={"language": language})
    log_in(page, live_server)
    assert page.locator("html").get_attribute("lang") == language
    tab = page.locator(".tabs a[data-tab=at_risk]")
    assert tab.locator(".count").inner_text() == "2"
    tab.click()
    page.wait_for_url(re.compile(r"/orders/at-risk/(\?.*)?$"))
    rows = page.locator("tr.risk-row")
    assert rows.count() == 2
    assert "1Z999AA10123456784" in rows.nth(0).inner_text()  # the carrier's exception first
    silent = page.locator(f"tr.risk-row[data-order='{SILENT_ORDER}']")
    text = silent.inner_text()
    assert "YT2412345678901234" in text and "38.90 USD" in text and "where it is" in text
    assert silent.locator("[data-reason=silent]").count() == 1
    assert silent.locator("a.tracking-link").get_attribute("href").startswith("https://www.yuntrack.com/")
    screenshot(f"deliveries-at-risk-{language}-1280")
    page.set_viewport_size({"width": 390, "height": 860})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"deliveries-at-risk-{language}-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    silent.locator("a.message-buyer").click()
    page.wait_for_url("**/orders/at-risk/*/message/**")
    body = page.locator("textarea[name=body]")
    assert "Hello Jane Miller" in body.input_value() and SILENT_ORDER in body.input_value()
    assert page.locator("a[href$='#delivery-trace']").count() == 1
    assert page.locator("a[href$='#delivery-replacement']").count() == 1
    screenshot(f"deliveries-at-risk-message-{language}")
    body.fill(body.input_value() + "\nP.S. Call +1 415 555 0100.")
    page.click("button[value=check]")
    assert page.locator(".rules-bad").count() == 1
    body = page.locator("textarea[name=body]")
    body.fill(body.input_value().replace("\nP.S. Call +1 415 555 0100.", ""))
    page.click("button[value=send]")
    page.wait_for_url(re.compile(r"/orders/at-risk/(\?.*)?$"))
    assert page.locator(".messages, [role=status]").first.is_visible()
    done = page.locator(f"tr.risk-row[data-order='{SILENT_ORDER}']")
    assert done.locator(".follow-up .badge").count() == 1
    assert page.locator("tr.risk-row").last.get_attribute("data-order") == SILENT_ORDER  # followed up: last

    assert len(mail.outbox) == 1 and "Hello Jane Miller" in mail.outbox[0].body
    shipment = Shipment.objects.get(order__amazon_order_id=SILENT_ORDER)
    assert shipment.follow_up == "buyer_messaged"
    assert Message.objects.filter(thread__order=shipment.order, direction="outbound").count() == 1
    assert OrderEvent.objects.filter(order=shipment.order, kind="message", note__contains="Jane Miller").exists()
