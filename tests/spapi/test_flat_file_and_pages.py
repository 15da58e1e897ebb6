"""The flat-file export matches Amazon's category template layout; the publish pages through the browser client."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from core.marketplaces import MARKETPLACES
from spapi.flatfile import columns, flat_file
from tests.factories import MembershipFactory, UserFactory

from .listing_world import clean_listing

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).parent / "fixtures" / "listings" / "Flat.File.BLANKET.header.txt"
#: The source transcribes this one attribute name as its label (a slip in the sample): the template's is this.
SOURCE_SLIPS = {"Other Image URL7": "other_image_url7"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LISTING_MEDIA_BASE_URL = "https://media.example.com/media/"


def _template() -> list[list[str]]:
    rows = TEMPLATE.read_bytes().decode("utf-8").splitlines()[:3]
    rows = [row.split("\t") for row in rows]
    rows[2] = [SOURCE_SLIPS.get(name, name) for name in rows[2]]
    return rows


def test_the_export_has_the_templates_header_rows_and_column_order(store):
    listing = clean_listing(store, others=2)
    text = flat_file([listing], marketplace=MARKETPLACES["US"], media_base="https://media.example.com/media/")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = [line.split("\t") for line in text.split("\r\n")[:-1]]
    assert len(rows) == 4 and {len(r) for r in rows} == {len(columns(MARKETPLACES["US"]))}
    version, labels, names = _template()
    # The version line: the same keys in the same cells, the signature naming the product type.
    assert [cell.split("=")[0] for cell in rows[0][:4]] == [cell.split("=")[0] for cell in version[:4]]
    assert rows[0][0] == "TemplateType=fptcustom" and rows[0][1] == version[1]
    assert rows[0][2] == "TemplateSignature=RFJJTktJTkdfQ1VQ"  # base64("DRINKING_CUP"), as QkxBTktFVA== is BLANKET
    assert rows[0][4] == version[4]
    # Every column is the template's, with its label, in the template's order, under the template's section.
    positions = [names.index(name) for name in rows[2]]
    assert positions == sorted(positions)
    assert [labels[p] for p in positions] == rows[1]
    sections = {names[p]: version[p] for p in positions if p >= 5 and version[p]}
    assert sections == {"other_image_url1": "Images", "update_delete": "Basic", "bullet_point1": "Discovery"}
    row = dict(zip(rows[2], rows[3], strict=True))
    assert row["item_sku"] == "MUG-450" and row["feed_product_type"] == "drinking_cup"
    assert row["purchasable_offer[marketplace_id=ATVPDKIKX0DER]#1.our_price#1.schedule#1.value_with_tax"] == "19.99"
    assert row["main_image_url"] == "https://media.example.com/media/listings/mug-450.png"
    assert row["other_image_url2"].endswith("mug-450-2.png") and row["other_image_url3"] == ""
    assert [row[f"bullet_point{n}"] != "" for n in range(1, 6)] == [True, True, True, False, False]
    assert (row["update_delete"], row["condition_type"], row["fulfillment_latency"], row["quantity"]) == (
        "Update", "New", "2", "10")


def _client(store, role: str) -> Client:
    user = UserFactory(username=f"{role}-pages")
    MembershipFactory(user=user, store=store, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_the_listing_page_shows_the_panel_and_the_export_downloads(store):
    listing = clean_listing(store)
    operator, agent = _client(store, "operator"), _client(store, "agent")
    page = operator.get(f"/listings/{listing.pk}/").content.decode()
    assert 'id="amazon-panel"' in page and 'id="amazon-publish"' in page and "amazon-flat-file" in page
    assert 'id="amazon-publish"' not in agent.get(f"/listings/{listing.pk}/").content.decode()
    download = agent.get(f"/listings/export/flat-file/?listing={listing.pk}")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/tab-separated-values")
    assert download.content.decode().startswith("TemplateType=fptcustom\t")


def test_publishing_with_warnings_asks_first_then_shows_the_result(amazon, credentials,
                                                                    django_capture_on_commit_callbacks):
    listing = clean_listing(credentials.store, warnings=True)
    client = _client(credentials.store, "operator")
    asked = client.post(f"/listings/{listing.pk}/publish/", headers={"HX-Request": "true"}).content.decode()
    assert 'id="amazon-confirm"' in asked and amazon.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/listings/{listing.pk}/publish/", {"confirm_warnings": "1"},
                           headers={"HX-Request": "true"})
    panel = client.get(f"/listings/{listing.pk}/amazon/", headers={"HX-Request": "true"}).content.decode()
    assert done.status_code == 200 and 'data-state="published"' in panel and "BUYABLE" in panel
    assert "MUG-450" in amazon.listing_items
