from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from metrics.engine import compute_all
from metrics.models import MetricSnapshot
from metrics.services import metrics_recompute
from metrics.views.common import percent
from metrics.windows import local_midnight
from orders.models import CancelInitiator, OrderStatus
from support.models import Message
from tests.factories import (
    FeedbackFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def seed_store(store, *, orders_per_day: int, late_days: int, defects: int, trouble: bool) -> list[str]:
    """Forty days of seller-fulfilled orders, a late one a day for the last ``late_days`` days; returns their ids."""
    today = local_midnight(timezone.now().astimezone(store.tz).date(), store.tz)
    late_ids = []
    defects_left = defects
    for days_ago in range(1, 41):
        due = today - timedelta(days=days_ago) + timedelta(hours=14)
        for n in range(orders_per_day):
            order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due,
                                 status=OrderStatus.DELIVERED)
            shipped = due - timedelta(hours=3)
            ShipmentFactory(order=order, store=store, shipped_at=shipped,
                            first_scan_at=None if n == 0 and days_ago % 9 == 0 else shipped + timedelta(hours=4),
                            delivered_at=None if n == 0 and days_ago % 9 == 0 else shipped + timedelta(days=2))
            if days_ago > 14 and defects_left and n == 1 and days_ago % 5 == 0:
                FeedbackFactory(order=order, rating=1, received_at=due + timedelta(days=4))
                defects_left -= 1
        if days_ago <= late_days:
            late = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due,
                                status=OrderStatus.UNSHIPPED if days_ago % 2 else OrderStatus.SHIPPED)
            if not days_ago % 2:
                ShipmentFactory(order=late, store=store, shipped_at=due + timedelta(hours=20),
                                first_scan_at=due + timedelta(hours=23))
            late_ids.append(late.amazon_order_id)
        if days_ago <= 30:
            for hour in (4, 9):
                thread = ThreadFactory(store=store, subject=f"Question {days_ago}")
                asked = due - timedelta(hours=hour)
                MessageFactory(thread=thread, store=store, sent_at=asked)
                late_reply = trouble and hour == 4 and days_ago == 5
                MessageFactory(thread=thread, store=store, direction=Message.Direction.OUTBOUND,
                               sent_at=asked + timedelta(hours=30 if late_reply else 3), body="On its way.")
        if days_ago % 4 == 0:
            ReturnRequestFactory(order__store=store, store=store, requested_at=due,
                                 responded_at=due + timedelta(hours=5))
        if trouble and days_ago == 6:
            OrderFactory(store=store, purchase_date=due - timedelta(hours=5), status=OrderStatus.CANCELED,
                         canceled_at=due, cancel_initiator=CancelInitiator.SELLER, cancel_reason="No stock")
    for days_ago in range(20, 50, 3):
        OrderFactory(store=store, fulfillment_channel="AFN", purchase_date=today - timedelta(days=days_ago),
                     status=OrderStatus.SHIPPED)
    return late_ids


def snapshot_history(store, days: int) -> None:
    today = timezone.now().astimezone(store.tz).date()
    for days_ago in range(days, 0, -1):
        midnight = local_midnight(today - timedelta(days=days_ago), store.tz)
        metrics_recompute(store=store, as_of=midnight, kind=MetricSnapshot.Kind.DAILY)
    metrics_recompute(store=store)  # live: opens the breaches


@pytest.fixture
def health():
    """A manager of two stores: ACME-US shipping late this week, ACME-DE healthy."""
    us = StoreFactory(code="ACME-US", name="Amazon.com", marketplace="US")
    de = StoreFactory(code="ACME-DE", name="Amazon.de", marketplace="DE")
    manager = UserFactory(username="manager")
    for store in (us, de):
        MembershipFactory(user=manager, store=store, role="manager")
    late_ids = seed_store(us, orders_per_day=6, late_days=6, defects=2, trouble=True)
    seed_store(de, orders_per_day=3, late_days=0, defects=0, trouble=False)
    for store in (us, de):
        snapshot_history(store, 30)
    return {"us": us, "de": de, "late_ids": late_ids}


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/health/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/health/")


def test_manager_finds_the_orders_behind_a_red_tile(page, live_server, health, screenshot):
    us = health["us"]
    log_in(page, live_server)
    # Two stores: the overview first, one row per store.
    assert page.locator("table.health-overview tbody tr").count() == 2
    assert page.locator("tr[data-store=ACME-US] td.cell-red").count() >= 1
    screenshot("health-overview-en")
    assert page.locator("tr[data-store=ACME-DE] td.cell-red").count() == 0
    banner = page.locator(".breach-banner").inner_text()
    assert "Open breach on ACME-US: Late Shipment Rate · seller-fulfilled · 10 days" in banner
    assert "ACME-DE" not in banner
    screenshot("health-overview-en")

    page.evaluate("window.__noReload = true")
    page.click(".store-pills a:text-is('ACME-US')")
    page.wait_for_url("**/health/?store=ACME-US")
    page.wait_for_selector("#tile-lsr-mfn-10")
    assert page.evaluate("window.__noReload") is True
    screenshot("health-en")

    tile = page.locator("#tile-lsr-mfn-10")
    assert "tile-red" in tile.get_attribute("class")
    assert tile.locator(".tile-head .badge").inner_text() == "Breach"
    value = tile.locator(".value").inner_text()
    expected = next(r for r in compute_all(us, timezone.now()) if r.key == ("lsr", "MFN", 10))
    assert value == f"{percent(expected.rate)} %"
    assert tile.locator(".ratio").inner_text().replace(" ", "") == f"{expected.numerator}/{expected.denominator}"
    assert tile.locator("svg.sparkline polyline").count() == 1
    assert "Back in target after" in tile.locator(".consequence").inner_text()

    tile.locator("a.value").click()
    page.wait_for_url("**/health/ACME-US/lsr/MFN/10/?part=numerator")
    rows = page.locator("tr.drill-row")
    assert rows.count() == expected.numerator == len(health["late_ids"])
    listed = {rows.nth(i).get_attribute("data-order") for i in range(rows.count())}
    assert listed == set(health["late_ids"])
    drill = page.locator("table.drill").inner_text()
    assert "UTC\u22128" in drill or "UTC\u22127" in drill
    screenshot("health-drilldown-en")

    page.click("a[data-part=denominator]")
    shown = min(expected.denominator, 50)
    page.wait_for_function(f"document.querySelectorAll('tr.drill-row').length === {shown}")
    assert "part=denominator" in page.url

    first = sorted(listed)[0]
    page.click(f"tr[data-order='{first}'] a")
    page.wait_for_url(f"**/orders/{first}/**")  # the order's own page
    assert first in page.locator("h1").inner_text()


def test_health_in_chinese(page, live_server, health, screenshot):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/health/?store=ACME-US")
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "store=ACME-US" in page.url
    assert page.locator(".mainnav a.active").inner_text() == "账户状况"
    assert page.locator("#tile-lsr-mfn-10 .tile-head .badge").inner_text() == "违规"
    screenshot("health-zh")
    page.click("#tile-lsr-mfn-10 a.value")
    page.wait_for_selector("tr.drill-row")
    screenshot("health-drilldown-zh")
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")


def test_time_travel_is_a_real_url(page, live_server, health):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/health/?store=ACME-US")
    day = (datetime.now(health["us"].tz) - timedelta(days=20)).date()
    page.fill("input[name=as_of]", day.isoformat())
    page.locator("input[name=as_of]").dispatch_event("change")
    page.wait_for_url(f"**/health/?store=ACME-US&as_of={day.isoformat()}")
    page.wait_for_selector("#tile-lsr-mfn-10.tile-green")
    assert page.locator("#tile-lsr-mfn-10").get_attribute("data-denominator") == "60"
    page.reload()
    assert page.locator("#tile-lsr-mfn-10").get_attribute("data-denominator") == "60"
    assert page.locator("input[name=as_of]").input_value() == day.isoformat()
