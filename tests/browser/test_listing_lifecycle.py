"""A listing's whole life in real Chromium against the local Amazon: written in the browser, checked by us and by
Amazon's validation preview, published, then its price and its stock changed on our side and seen on Amazon's,
in English and in Simplified Chinese."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from listings.models import Listing
from spapi.services import credentials_save
from tests.browser.test_listing_editor import PASSWORD, upload_images, write_listing
from tests.browser.test_publish_listing import amazon  # noqa: F401  # the local Amazon, a fixture
from tests.factories import MembershipFactory, StoreFactory, UserFactory
from tests.spapi.conftest import SECRETS, SELLER_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SKU = "AK-WC15-BLK"


def offered_price(amazon_item: dict) -> Decimal:
    offer = amazon_item["attributes"]["purchasable_offer"][0]
    return Decimal(str(offer["our_price"][0]["schedule"][0]["value_with_tax"]))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_listing_written_here_is_validated_published_and_kept_in_step_with_amazon(
        page, live_server, amazon, screenshot, tmp_path, language):  # noqa: F811  # the fixture
    store = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    credentials_save(store=store, seller_id=SELLER_ID, **SECRETS)
    MembershipFactory(user=UserFactory(username="operator"), store=store, role="operator")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")
    if language != "en":
        page.click(".lang-switch button[value=zh-hans]")
        page.wait_for_selector("html[lang=zh-hans]")

    # Written in the browser: our checks live, the opening stock recorded, the main image checked as it lands.
    page.goto(f"{live_server.url}/listings/new/")
    write_listing(page, title_error_text=None)
    page.click("#save-listing")
    page.wait_for_url("**/edit/")
    upload_images(page, tmp_path)
    page.wait_for_selector("#quality-summary[data-errors='0']")
    listing = Listing.objects.get(sku=SKU)
    assert amazon.requests == []  # nothing reaches Amazon before the seller publishes

    # Published: Amazon's validation preview first, then the real submission, then the status read back.
    page.goto(f"{live_server.url}/listings/{listing.pk}/")
    page.click("#amazon-publish")
    if page.locator("#amazon-confirm").count():  # warnings only: confirmed
        page.click("#amazon-confirm")
    page.wait_for_selector("#amazon-panel[data-state=published]")
    puts = amazon.calls("putListingsItem")
    assert [call.query.get("mode") for call in puts] == [["VALIDATION_PREVIEW"], None]
    assert json.loads(puts[1].body)["productType"] == "PRODUCT"
    assert offered_price(amazon.listing_items[SKU]) == Decimal("29.99")
    assert amazon.listed_quantity(SKU) == 25
    screenshot(f"lifecycle-published-{language}")

    # A later price change on our side reaches Amazon as a patch of the offer only.
    page.goto(f"{live_server.url}/listings/{listing.pk}/edit/")
    page.fill("#id_price", "24.99")
    page.click("#save-listing")
    page.wait_for_load_state("networkidle")
    assert offered_price(amazon.listing_items[SKU]) == Decimal("24.99")
    patch = json.loads(amazon.calls("patchListingsItem")[-1].body)
    assert [p["path"] for p in patch["patches"]] == ["/attributes/purchasable_offer"]

    # So does a stock change: 25 available, 5 counted as damaged and removed, Amazon may sell 20.
    page.goto(f"{live_server.url}/listings/{listing.pk}/")
    page.fill(".adjust-form input[name=available]", "-5")
    page.fill(".adjust-form input[name=note]", "Damaged in the warehouse")
    page.click(".adjust-form button[type=submit]")
    page.wait_for_selector("#stock-panel [role=status]")
    assert amazon.listed_quantity(SKU) == 20
    listing.refresh_from_db()
    assert (listing.stock_accepted_quantity, listing.quantity_available) == (20, 20)
    screenshot(f"lifecycle-stock-{language}")
