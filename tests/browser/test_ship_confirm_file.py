"""Ship-confirm by file in headless Chromium: upload three lines, read the preview, confirm, orders leave Unshipped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Order, OrderStatus
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
IDS = ["113-0000001-0000001", "113-0000002-0000002", "113-0000003-0000003"]
TRACKING = ["1Z999AA10123456784", "1Z999AA10123456785", "SPD123456"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def operator_user():
    store = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    user = UserFactory(username="operator")
    MembershipFactory(user=user, store=store)
    for n, order_id in enumerate(IDS):
        order = OrderFactory(store=store, amazon_order_id=order_id, purchase_date=timezone.now() - timedelta(days=2))
        listing = ListingFactory(store=store, sku=f"BOTTLE-{n}", quantity_available=10)
        OrderItemFactory(order=order, sku=listing.sku, listing=listing, quantity=n + 1)
    return user


def ship_file(tmp_path):
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    carriers = [("UPS", ""), ("UPS", ""), ("Other", "Speedy Couriers")]
    text = "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n"
    for order_id, tracking, (code, name) in zip(IDS, TRACKING, carriers, strict=True):
        text += f"{order_id}\t\t\t{day}\t{code}\t{name}\t{tracking}\tGround\n"
    path = tmp_path / "shipping-confirmation.txt"
    path.write_text(text)
    return path


def test_upload_preview_confirm_and_the_orders_leave_unshipped(page, live_server, operator_user, screenshot,
                                                              tmp_path):
    page.goto(f"{live_server.url}/orders/?tab=unshipped")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/orders/?tab=unshipped")
    assert page.locator("tr[data-order]").count() == 3

    page.click("text=Ship-confirm by file")
    page.wait_for_url(f"{live_server.url}/imports/ship-confirm/")
    page.set_input_files("input[name=file]", str(ship_file(tmp_path)))
    screenshot("ship-confirm-upload")
    page.click("button:has-text('Preview')")
    page.wait_for_selector("table.ship-confirm-plan")

    assert page.locator("tr.plan-line[data-outcome=ship]").count() == 3
    assert page.locator("[data-count=ship]").inner_text() == "3"
    assert page.locator("[data-count=errors]").inner_text() == "0"
    # The second number has a wrong check digit: a warning in place, not an error.
    assert page.locator("tr.plan-warned").count() == 1
    assert "check digit" in page.locator("tr[data-line='3'] .plan-warnings").inner_text()
    assert "Speedy Couriers" in page.locator("tr[data-line='4']").inner_text()
    assert Order.objects.filter(status=OrderStatus.UNSHIPPED).count() == 3
    screenshot("ship-confirm-preview")

    page.click("button:has-text('Confirm and ship all')")
    page.wait_for_selector(".badge.badge-done")
    assert page.locator("[data-count=created]").inner_text() == "3"
    screenshot("ship-confirm-done")

    page.goto(f"{live_server.url}/orders/?tab=unshipped")
    assert page.locator("tr[data-order]").count() == 0
    assert Order.objects.filter(status=OrderStatus.SHIPPED).count() == 3


def test_a_file_with_an_error_cannot_be_confirmed(page, live_server, operator_user, screenshot, tmp_path):
    path = ship_file(tmp_path)
    path.write_text(path.read_text().replace(IDS[1], "113-9999999-9999999"))
    page.goto(f"{live_server.url}/imports/ship-confirm/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/imports/ship-confirm/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Preview')")
    page.wait_for_selector("table.ship-confirm-plan")
    assert page.locator("tr.plan-error").count() == 1
    assert "113-9999999-9999999" in page.locator("tr[data-line='3']").inner_text()
    assert page.locator("button:has-text('Confirm and ship all')").is_disabled()
    screenshot("ship-confirm-preview-errors")


def test_a_long_file_is_previewed_a_page_at_a_time(page, live_server, operator_user, screenshot, tmp_path):
    """250 lines: the worker plans them once; the page shows 100 at a time, and the errors on their own."""
    path = ship_file(tmp_path)
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    with path.open("a") as out:
        for n in range(247):
            out.write(f"113-9999999-{n:07d}\t\t\t{day}\tUPS\t\t1Z999AA2{n:010d}\tGround\n")
    page.goto(f"{live_server.url}/imports/ship-confirm/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/imports/ship-confirm/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Preview')")
    page.wait_for_selector("table.ship-confirm-plan")
    assert page.locator("tr.plan-line").count() == 100
    assert page.locator("[data-tab=error] .count").inner_text() == "247"
    assert page.locator("button:has-text('Confirm and ship all')").is_disabled()

    page.click("[data-tab=error]")
    page.wait_for_selector("[data-tab=error].active")
    assert page.locator("tr.plan-line[data-outcome=error]").count() == 100
    page.click("a[rel=next]")
    page.wait_for_selector("[data-page='2']")
    assert page.locator("tr.plan-line").first.get_attribute("data-line") == "105"
    assert "outcome=error" in page.url and "page=2" in page.url
    screenshot("ship-confirm-preview-paged")
