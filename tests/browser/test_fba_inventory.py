"""The FBA inventory pages in a real browser, in English and in Chinese: a manager follows an index part to the
SKUs behind it; an operator picks rows of the restock list and lands on the new inbound plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fulfillment.fba_health import fba_store_day_refresh
from fulfillment.models import FbaAccountSnapshot, FbaInventorySnapshot
from listings.models import Channel
from tests.factories import ListingFactory, MembershipFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def fba_store():
    """The demo's struggling US store in small: old, slow and stranded stock, a poor index, fast sellers low."""
    store = StoreFactory(code="ACME-US", name="Amazon.com", marketplace="US")
    for role, name in (("manager", "manager"), ("operator", "operator")):
        MembershipFactory(user=UserFactory(username=name), store=store, role=role)
    today = timezone.now().astimezone(store.tz).date()
    listings = [ListingFactory(store=store, sku=f"FBA-{n:02d}", fulfillment_channel=Channel.AFN,
                               price=Decimal("19.99")) for n in range(6)]
    for back in range(30, -1, -1):
        day = today - timedelta(days=back)
        for n, listing in enumerate(listings):
            slow = n < 3
            FbaInventorySnapshot.objects.create(
                store=store, listing=listing, day=day, fulfillable=(600 if slow else 25) + back,
                age_0_90=50, age_181_270=200 if slow else 0, age_271_365=150 if slow else 0,
                age_365_plus=100 if slow else 0, units_shipped_t7=1 if slow else 35,
                units_shipped_t30=4 if slow else 150, units_shipped_t60=8 if slow else 300,
                units_shipped_t90=12 if slow else 450, stranded_units=20 if n == 0 else 0,
                item_volume=Decimal("0.25"), volume_unit="cubic feet", size_tier="Standard", source="planning")
        fba_store_day_refresh(store=store, day=day)
    FbaAccountSnapshot.objects.create(store=store, day=today, amazon_index=352)
    return store


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
def test_manager_follows_a_part_to_its_skus(page, live_server, fba_store, language, screenshot):
    log_in(page, live_server, "manager", language)
    page.goto(f"{live_server.url}/fba/?store=ACME-US")

    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".fba-part").count() == 4
    assert page.locator("#part-excess").get_attribute("data-status") == "red"
    assert "352" in page.locator("#amazon-index").inner_text()
    assert page.locator(".bar-chart").count() == 1
    assert page.locator(".fee-action").count() >= 1
    screenshot(f"fba-health-{language}")

    page.click("#part-stranded .part-link")
    page.wait_for_selector("#part-summary[data-part=stranded]")
    assert page.locator(".part-sku").count() == 1
    assert page.locator(".part-sku").first.get_attribute("data-sku") == "FBA-00"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_operator_creates_an_inbound_plan_from_the_restock_list(page, live_server, fba_store, language):
    log_in(page, live_server, "operator", language)
    page.goto(f"{live_server.url}/fba/ACME-US/restock/")

    rows = page.locator(".restock-sku")
    assert rows.count() >= 1
    assert "FBA-03" in [rows.nth(n).get_attribute("data-sku") for n in range(rows.count())]
    page.check(".restock-sku[data-sku=FBA-03] .restock-pick")
    page.click("#restock-create")

    page.wait_for_url("**/fulfillment/inbound/*/")
    assert page.locator("html").get_attribute("lang") == language
    assert "FBA-03" in page.content()
