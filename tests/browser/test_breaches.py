"""A manager follows the breach banner from the order queue to the root cause and the plan of action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.alerts import AlertRuleData, alert_rule_create
from metrics.models import AlertBand, Breach
from metrics.services import metrics_recompute
from metrics.windows import local_midnight
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
SKUS = ("MUG-BLUE-12OZ", "MUG-RED-12OZ", "TEAPOT-CAST-IRON")
CARRIERS = ("UPS", "USPS", "FedEx")


@pytest.fixture
def breach_world(db):
    store = StoreFactory(code="ACME-US", name="Acme Kitchen US", marketplace="US")
    manager = UserFactory(username="manager", email="manager@example.com")
    MembershipFactory(user=manager, store=store, role="manager")
    today = local_midnight(timezone.now().astimezone(store.tz).date(), store.tz)
    late_ids = []
    for days_ago in range(1, 10):
        due = today - timedelta(days=days_ago) + timedelta(hours=14)
        for n in range(6):
            order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due,
                                 status=OrderStatus.SHIPPED, ship_service_level="Std US D2D Dom")
            OrderItemFactory(order=order, sku=SKUS[n % 3])
            ShipmentFactory(order=order, store=store, carrier=CARRIERS[n % 3], shipped_at=due - timedelta(hours=3),
                            first_scan_at=due, delivered_at=due + timedelta(days=2))
        weekday = due.astimezone(store.tz).isoweekday()
        if weekday in (1, 5) or days_ago == 2:
            late = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due,
                                status=OrderStatus.SHIPPED, ship_service_level="Expedited US D2D Dom")
            OrderItemFactory(order=late, sku="TEAPOT-CAST-IRON")
            ShipmentFactory(order=late, store=store, carrier="USPS", shipped_at=due + timedelta(hours=20),
                            first_scan_at=due + timedelta(hours=23), delivered_at=due + timedelta(days=3))
            late_ids.append(late.amazon_order_id)
    alert_rule_create(owner=manager, data=AlertRuleData(metric="lsr", band=AlertBand.AMBER, store=store,
                                                        recipients=[manager]))
    metrics_recompute(store=store)
    return store, late_ids


def log_in(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}{path}")


def test_banner_leads_to_root_cause_and_plan(page, live_server, breach_world, screenshot):
    store, late_ids = breach_world
    log_in(page, live_server, "/orders/")
    banner = page.locator(".site-breach-banner")
    assert "Late Shipment Rate" in banner.inner_text()
    assert page.locator(".bell-count:not([aria-hidden])").inner_text().strip() != ""
    screenshot("breach-banner-orders-en")
    banner.locator("a", has_text="Root cause").click()
    page.wait_for_selector("#plan-text")
    plan = page.locator("#plan-text").input_value()
    for order_id in late_ids:
        assert order_id in plan
    assert "TEAPOT-CAST-IRON" in page.locator('[data-dimension="sku"]').inner_text()
    screenshot("breach-detail-en")
    page.goto(f"{live_server.url}/health/breaches/")
    screenshot("breaches-en")
    page.goto(f"{live_server.url}/health/notifications/")
    screenshot("notifications-en")
    page.goto(f"{live_server.url}/health/alerts/")
    screenshot("alerts-en")
    page.goto(f"{live_server.url}/health/?store={store.code}")
    screenshot("health-live-en")


def test_breach_pages_in_chinese(page, live_server, breach_world, screenshot):
    log_in(page, live_server, "/orders/")
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator(".site-breach-banner").count() == 1
    screenshot("breach-banner-orders-zh")
    breach = Breach.objects.filter(window_days=10).get()
    page.goto(f"{live_server.url}/health/breaches/{breach.pk}/")
    page.wait_for_selector("#plan-text")
    screenshot("breach-detail-zh")
    page.goto(f"{live_server.url}/health/breaches/")
    screenshot("breaches-zh")
    page.goto(f"{live_server.url}/health/alerts/")
    screenshot("alerts-zh")
