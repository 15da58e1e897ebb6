"""Amazon's figures beside ours in a real browser, in English and in Chinese: a manager sees that the order defect
rate differs from Amazon's, opens it, and finds the orders at the window's time-zone edge that account for all of
it, each a link to its order; at a phone's width too."""

from __future__ import annotations

import pytest

from spapi.reconciliation.services import reconciliation_run
from tests.factories import MembershipFactory, StoreFactory, UserFactory
from tests.spapi.reconcile_world import AS_OF, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def reconciled():
    store = StoreFactory(code="ACME-US", name="Amazon.com", marketplace="US")
    MembershipFactory(user=UserFactory(username="manager"), store=store, role="manager")
    world = build(store)
    reconciliation_run(report_id=world.report.pk, now=AS_OF)
    return world


def log_in(page, live_server, username: str, language: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    if language != "en":
        page.click(f".lang-switch button[value={language}]")
        page.wait_for_selector(f"html[lang={language}]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_manager_follows_a_difference_down_to_its_orders(page, live_server, reconciled, language, screenshot):
    log_in(page, live_server, "manager", language)
    page.goto(f"{live_server.url}/health/")
    page.click(".health-links a[href='/health/reconciliation/']")
    page.wait_for_selector("#reconcile-summary")

    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".reconcile-row").count() == 3
    odr = page.locator(".reconcile-row[data-metric=odr]")
    assert odr.get_attribute("data-verdict") == "differs"
    assert "+41.67" in odr.inner_text()
    assert page.locator(".reconcile-row[data-metric=cancel]").get_attribute("data-verdict") == "agrees"
    screenshot(f"reconciliation-{language}")

    odr.locator("td a").first.click()
    page.wait_for_selector("#verdict")
    edge = page.locator(".reconcile-cause[data-cause=tz_edge]")
    assert edge.locator(".proof.badge-green").count() == 1
    o3 = reconciled.orders["o3"].amazon_order_id
    assert edge.locator(f".reconcile-order.side-ours[data-order='{o3}']").count() == 1
    assert edge.locator(f".reconcile-order.side-amazon[data-order='{reconciled.orders['o4'].amazon_order_id}']"
                        ).count() == 1
    # Times carry their offset, in the store's zone.
    assert "UTC−7" in edge.locator(f".reconcile-order[data-order='{o3}'] .time").inner_text()
    screenshot(f"reconciliation-odr-{language}")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391

    edge.locator(f".reconcile-order[data-order='{o3}'] a.order-link").click()
    page.wait_for_url(f"**/orders/{o3}/**")
    assert o3 in page.locator("h1").inner_text()
