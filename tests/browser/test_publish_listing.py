"""Publishing a listing with only warnings in headless Chromium, against the local Amazon, in English and Chinese."""

from __future__ import annotations

import pytest
from sp_api.auth import access_token_client

from spapi.services import credentials_save
from tests.factories import MembershipFactory, StoreFactory, UserFactory
from tests.spapi.conftest import SECRETS, SELLER_ID
from tests.spapi.listing_world import clean_listing
from tests.spapi.server import FakeAmazon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def amazon(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    server = FakeAmazon(refresh_token=SECRETS["refresh_token"], client_id=SECRETS["lwa_client_id"],
                        client_secret=SECRETS["lwa_client_secret"], seller_id=SELLER_ID).start()
    settings.SPAPI_ENDPOINT = server.url
    settings.SPAPI_LWA_TOKEN_URL = f"{server.url}/auth/o2/token"
    access_token_client.cache.clear()
    yield server
    server.stop()
    access_token_client.cache.clear()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_publish_a_listing_with_warnings_after_confirming(page, live_server, amazon, screenshot, language):
    store = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    credentials_save(store=store, seller_id=SELLER_ID, **SECRETS)
    user = UserFactory(username="operator")
    MembershipFactory(user=user, store=store, role="operator")
    listing = clean_listing(store, warnings=True)

    page.goto(f"{live_server.url}/listings/{listing.pk}/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("#amazon-panel[data-state=unpublished]")
    if language != "en":
        page.click(".lang-switch button[value=zh-hans]")
        page.wait_for_selector("html[lang=zh-hans]")
    page.click("#amazon-publish")
    page.wait_for_selector("#amazon-confirm")
    assert amazon.requests == []
    screenshot(f"publish-confirm-{language}")
    page.click("#amazon-confirm")
    page.wait_for_selector("#amazon-panel[data-state=published]")
    assert page.locator("#amazon-panel [data-status=BUYABLE]").count() == 1
    assert page.locator("#amazon-panel .our-issues .problem-warning").count() >= 1
    screenshot(f"publish-done-{language}")
    assert "MUG-450" in amazon.listing_items
    listing.refresh_from_db()
    assert listing.published_at is not None and listing.amazon_status == ["BUYABLE", "DISCOVERABLE"]
