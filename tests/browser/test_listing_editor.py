"""Writing a listing in real Chromium: the live check as the title is typed, the main image checked as it lands,
in English and in Simplified Chinese, and the page at phone width."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from listings.models import Listing
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def seller(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    store = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    user = UserFactory(username="operator")
    MembershipFactory(user=user, store=store)
    return store


def picture(path: Path, *, size: int, background, fill: float = 0.9) -> Path:
    image = Image.new("RGB", (size, size), background)
    side = int(size * fill)
    start = (size - side) // 2
    ImageDraw.Draw(image).ellipse([start, start, start + side - 1, start + side - 1], fill=(30, 60, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def write_listing(page, *, title_error_text: str | None) -> None:
    """Type a listing; watch the promotional-wording error appear beside the title and go away again."""
    page.fill("#id_sku", "AK-WC15-BLK")
    page.fill("#id_brand", "Anker")
    page.fill("#id_core_function", "Wireless Charger 15W")
    page.fill("#id_key_attributes", "Qi-Certified, Black")
    page.wait_for_selector("#id_title[value='Anker Wireless Charger 15W, Qi-Certified, Black']", state="attached")
    page.fill("#id_title", "Anker Wireless Charger 15W Free Shipping")
    error = page.wait_for_selector("#problems-title [data-code=title_promotional]")
    if title_error_text:
        assert title_error_text in error.inner_text()
    page.fill("#id_title", "Anker Wireless Charger 15W, Qi-Certified Pad, Black")
    page.wait_for_selector("#problems-title [data-code=title_promotional]", state="detached")
    page.fill("#id_bullet_1", "Charges at 15 W")
    page.fill("#id_bullet_2", "Qi certified")
    page.fill("#id_bullet_3", "Slim pad")
    page.fill("#id_description", "A slim wireless charging pad.")
    page.fill("#id_price", "29.99")
    page.fill("#id_quantity", "25")
    page.fill("#id_handling_time_days", "2")
    page.fill("#id_attr_color", "Black")
    page.select_option("#id_attr_country_of_origin", "CN")
    page.select_option("#id_attr_supplier_declared_dg_hz_regulation", "not_applicable")
    page.fill("#id_attr_item_type_keyword", "chargers")
    page.wait_for_selector("#problems-attr-color [data-code=attribute_missing]", state="detached")


def upload_images(page, tmp_path: Path) -> None:
    grey = picture(tmp_path / "grey.png", size=800, background=(225, 225, 225))
    page.set_input_files("#main-image-input", str(grey))
    page.wait_for_selector("#main-image-result.image-result-bad [data-code=image_background]")
    good = picture(tmp_path / "good.png", size=1200, background=(255, 255, 255))
    page.set_input_files("#main-image-input", str(good))
    page.wait_for_selector("#main-image-result.image-result-ok")


def test_writing_a_listing_in_english(page, live_server, seller, screenshot, tmp_path):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/listings/")
    page.click("#new-listing")
    page.wait_for_url(f"{live_server.url}/listings/new/")
    write_listing(page, title_error_text="promotional wording")
    screenshot("listing-new-en")
    page.click("#save-listing")
    page.wait_for_url("**/edit/")
    listing = Listing.objects.get()
    assert listing.title == "Anker Wireless Charger 15W, Qi-Certified Pad, Black"
    assert listing.quantity_available == 25 and listing.status == Listing.Status.INCOMPLETE  # no image yet

    upload_images(page, tmp_path)
    page.wait_for_selector("#quality-summary[data-errors='0']")
    screenshot("listing-edit-en")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert no_horizontal_overflow(page)
    screenshot("listing-edit-390")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.INACTIVE


def test_writing_a_listing_in_chinese(page, live_server, seller, screenshot, tmp_path):
    log_in(page, live_server)
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/listings/new/")
    assert no_horizontal_overflow(page)
    write_listing(page, title_error_text=None)
    screenshot("listing-new-zh-390")
    page.click("#save-listing")
    page.wait_for_url("**/edit/")
    upload_images(page, tmp_path)
    assert no_horizontal_overflow(page)
    screenshot("listing-edit-zh-390")
