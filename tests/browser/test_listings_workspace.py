"""The listings workspace in Chromium: filter by tab and search without reloading, select rows, preview a bulk price
change, confirm it; the list and the preview at 390 px, in English and Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest

from listings.models import Listing
from tests.factories import ListingFactory, MembershipFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
COMPLETE = {"brand": "Acme", "bullets": ["One", "Two", "Three"], "description": "A good product."}


@pytest.fixture
def catalogue():
    us = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    jp = StoreFactory(code="ACME-JP", name="Acme JP", marketplace="JP", currency="JPY")
    operator = UserFactory(username="operator")
    for store in (us, jp):
        MembershipFactory(user=operator, store=store)
    rows = [
        (us, "AK-WC15-BLK", "Acme Wireless Charger 15W, Black", "24.99", 40, "MFN", "", ""),
        (us, "AK-WC15-WHT", "Acme Wireless Charger 15W, White", "24.99", 0, "MFN", "", ""),
        (us, "SS-WB1L-BLU", "Summit Steel Water Bottle 1 L, Blue", "19.50", 12, "MFN", "429 QuotaExceeded", ""),
        (us, "BK-MAT-3", "Acme Yoga Mat 6 mm", "0.80", 8, "MFN", "", ""),
        (us, "FBA-UC-6FT", "Acme USB-C Cable 6 ft, 2-pack", "11.99", 300, "AFN", "", ""),
        (jp, "AK-WC15-JP", "Acme ワイヤレス充電器 15W ブラック", "2980.00", 15, "MFN", "", "Feed refused: 8541"),
    ]
    for store, sku, title, price, qty, channel, sync_error, publish_error in rows:
        ListingFactory(store=store, sku=sku, title=title, price=Decimal(price), currency=store.currency,
                       quantity_available=qty, fulfillment_channel=channel, stock_sync_error=sync_error,
                       publish_error=publish_error, safety_stock=2, **COMPLETE)
    return operator


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/listings/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/listings/")


def test_filter_bulk_edit_prices_with_a_preview_and_confirm(page, live_server, catalogue, screenshot):
    log_in(page, live_server)
    rows = page.locator("tr.listing-row")
    assert rows.count() == 6
    assert page.locator('[data-status="out_of_stock"] .count').inner_text() == "1"

    # A status tab and the search swap the table in place (htmx) and push the address.
    page.click('[data-status="active"]')
    page.wait_for_url("**status=active**")
    page.fill("#id_q", "AK-WC15")
    page.wait_for_function("document.querySelectorAll('tr.listing-row').length === 3")
    page.check("#id_sync_problem")
    page.wait_for_function("document.querySelectorAll('tr.listing-row').length === 1")
    assert page.locator("tr.listing-row").get_attribute("data-sku") == "AK-WC15-JP"
    page.uncheck("#id_sync_problem")
    page.fill("#id_q", "")
    page.wait_for_function("document.querySelectorAll('tr.listing-row').length === 6")
    # Clearing the search sends its search event at once and its input event after the delay: let both land.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)
    page.wait_for_load_state("networkidle")
    screenshot("listings-en")

    # Select every row on the page, then a 10 % cut: the 0.80 mat would still be 0.72, the FBA cable is fine too
    # (prices of FBA listings are the seller's); preview first, nothing written yet.
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.check("[data-select-all]")  # leaves the search box: no reload under the click
    assert page.locator("[data-selected-count]").inner_text() == "6 selected"
    assert requests == []
    page.select_option("#bulk-operation", "price_pct_down")
    page.fill("#bulk-amount", "10")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_selector("table.bulk-preview")
    preview = page.locator("tr.change")
    assert preview.count() == 6
    row = page.locator('tr.change[data-sku="AK-WC15-BLK"]')
    assert "24.99" in row.locator(".old").inner_text() and "22.49" in row.locator(".new").inner_text()
    assert Listing.objects.get(sku="AK-WC15-BLK").price == Decimal("24.99")
    screenshot("listings-bulk-preview-en")

    # Someone changes one price between the preview and the confirmation: that row is refused, not overwritten.
    Listing.objects.filter(sku="SS-WB1L-BLU").update(price=Decimal("18.00"))
    page.click("form.bulk-confirm button[type=submit]")
    page.wait_for_selector("tr.change-done")
    assert page.locator("tr.change-done").count() == 5
    refused = page.locator('tr.change-refused[data-sku="SS-WB1L-BLU"]')
    assert "Changed since the preview" in refused.inner_text()
    assert Listing.objects.get(sku="AK-WC15-BLK").price == Decimal("22.49")
    assert Listing.objects.get(sku="AK-WC15-JP").price == Decimal("2682.00")
    assert Listing.objects.get(sku="SS-WB1L-BLU").price == Decimal("18.00")
    screenshot("listings-bulk-result-en")


def test_the_list_and_the_preview_fit_390_px_in_chinese(page, live_server, catalogue, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server)
    page.click(".nav-toggle")  # on a phone the language switch is in the folded menu
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    screenshot("listings-zh-390")
    # The workspace does not run past the screen: the table scrolls inside its own box. (The top bar's own
    # overflow at this width is the site's navigation, not this page's.)
    assert page.locator("#listing-results").evaluate("el => el.getBoundingClientRect().right") <= 390
    assert page.locator("#listing-filters").evaluate("el => el.getBoundingClientRect().right") <= 390
    card = page.locator("#listing-results .table-card")
    assert card.evaluate("el => el.scrollWidth > el.clientWidth")
    page.check("[data-select-all]")
    page.select_option("#bulk-operation", "qty_remove")
    page.fill("#bulk-amount", "10")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_selector("table.bulk-preview")
    card = page.locator(".table-card:has(table.bulk-preview)")
    assert card.evaluate("el => el.getBoundingClientRect().right") <= 390
    assert page.locator("tr.change-refused").count() == 3  # 0 and 8 would go below zero; FBA is Amazon's
    screenshot("listings-bulk-preview-zh-390")
