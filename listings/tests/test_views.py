"""Listing pages: stock table with cover and reorder, filters, detail with audit trail, adjustment, image."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from listings.models import Listing, StockMovement
from listings.selectors import stock_plan
from orders.models import OrderStatus
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

URL = "/listings/"
COMPLETE = {"brand": "Acme", "bullets": ["One", "Two", "Three"], "description": "A good product.",
            "main_image": "listings/x.png"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sell(listing: Listing, units: int, *, days_ago: int = 3, status: str = OrderStatus.SHIPPED) -> None:
    purchased = timezone.now() - timedelta(days=days_ago)
    order = OrderFactory(store=listing.store, status=status, purchase_date=purchased,
                         canceled_at=purchased + timedelta(hours=1) if status == OrderStatus.CANCELED else None)
    OrderItemFactory(order=order, sku=listing.sku, quantity=units, listing=listing)


def png(size: int = 1200, fill: float = 0.9, background=(255, 255, 255), kind: str = "PNG") -> bytes:
    image = Image.new("RGB", (size, size), background)
    side = int(size * fill)
    start = (size - side) // 2
    ImageDraw.Draw(image).rectangle([start, start, start + side - 1, start + side - 1], fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


# The stock plan -------------------------------------------------------------------------------------------

def test_stock_plan_cover_and_reorder(store):
    listing = ListingFactory.build(store=store, quantity_available=30, quantity_inbound=10, lead_time_days=30,
                                   safety_stock=5)
    plan = stock_plan(listing, units_sold=60)
    assert plan.velocity == 2
    assert plan.days_of_cover == 15
    # 2 a day × (30 + 14) days = 88, less 30 available and 10 inbound.
    assert plan.suggestion == 48
    assert plan.runs_out_before_restock and not plan.is_low


def test_stock_plan_floors_at_zero_and_without_sales_cover_is_unbounded(store):
    listing = ListingFactory.build(store=store, quantity_available=500, quantity_inbound=0, safety_stock=0)
    assert stock_plan(listing, units_sold=30).suggestion == 0
    idle = stock_plan(listing, units_sold=0)
    assert idle.days_of_cover is None and idle.suggestion == 0 and not idle.runs_out_before_restock


def test_low_stock_is_at_or_below_the_safety_stock(store):
    assert stock_plan(ListingFactory.build(store=store, quantity_available=5, safety_stock=5), units_sold=0).is_low
    assert not stock_plan(ListingFactory.build(store=store, quantity_available=6, safety_stock=5),
                          units_sold=0).is_low


# The list -------------------------------------------------------------------------------------------------

def test_login_is_required(client):
    assert client.get(URL).status_code == 302


def test_the_table_shows_stock_cover_reorder_and_quality(op_client, store, other_store):
    listing = ListingFactory(store=store, sku="AK-WC15-BLK", asin="B0CHX1W1XY", title="Wireless charger",
                             quantity_available=30, quantity_reserved=4, quantity_inbound=10, lead_time_days=30,
                             safety_stock=40, **COMPLETE)
    sell(listing, 40, days_ago=3)
    sell(listing, 20, days_ago=20)
    sell(listing, 500, days_ago=45)  # outside the 30 days
    sell(listing, 7, status=OrderStatus.CANCELED)  # cancelled: not a sale
    ListingFactory(store=other_store, sku="DE-ONLY")
    response = op_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('data-sku="AK-WC15-BLK"'):]
    row = row[:row.index("</tr>")]
    assert "B0CHX1W1XY" in row and "ACME-US" in row
    assert "<strong>30</strong>" in row and "low" in row  # 30 available ≤ 40 safety
    assert "2.0/day" in row and ">15<" in row and "<strong>48</strong>" in row
    assert "OK" in row
    assert "DE-ONLY" not in html
    assert "HX-Request" in response["Vary"]


def test_quality_flags_are_counted_per_row(op_client, store):
    ListingFactory(store=store, sku="BAD-1", title="HOT SALE!!! Yoga mat", brand="", bullets=[])
    html = op_client.get(URL).content.decode()
    row = html[html.index('data-sku="BAD-1"'):]
    row = row[:row.index("</tr>")]
    # Promotional, characters, brand, bullets, image: 5 errors; description: 1 warning.
    assert "5 errors" in row and "1 warning" in row


def test_filters(op_client, store, other_store, operator):
    MembershipFactory(user=operator, store=other_store, role="operator")
    ListingFactory(store=store, sku="LOW-1", quantity_available=2, safety_stock=5, **COMPLETE)
    ListingFactory(store=store, sku="FINE-1", quantity_available=50, safety_stock=5, **COMPLETE)
    ListingFactory(store=store, sku="FBA-1", fulfillment_channel="AFN", quantity_available=50, **COMPLETE)
    ListingFactory(store=store, sku="UGLY-1", quantity_available=50, title="FREE SHIPPING mat", **COMPLETE)
    ListingFactory(store=other_store, sku="DE-1", quantity_available=50, currency="EUR", **COMPLETE)

    def skus(**params) -> set[str]:
        html = op_client.get(URL, params, headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in html
        return {chunk.split('"')[0] for chunk in html.split('data-sku="')[1:]}

    assert skus() == {"LOW-1", "FINE-1", "FBA-1", "UGLY-1", "DE-1"}
    assert skus(low_stock="on") == {"LOW-1"}
    assert skus(channel="AFN") == {"FBA-1"}
    assert skus(quality="on") == {"UGLY-1"}
    assert skus(store="OTHER-DE") == {"DE-1"}
    assert skus(q="fine") == {"FINE-1"}
    assert skus(store="NOT-MINE", channel="bogus") == {"LOW-1", "FINE-1", "FBA-1", "UGLY-1", "DE-1"}


def test_the_pager_keeps_the_filters(op_client, store):
    for n in range(51):
        ListingFactory(store=store, sku=f"PAGE-{n:02d}")
    first = op_client.get(URL, {"q": "PAGE", "channel": "", "page": "1"}).content.decode()
    following = "?q=PAGE&amp;channel=&amp;page=2"
    assert f'href="{following}" hx-get="{following}" rel="next"' in first and 'rel="prev"' not in first
    second = op_client.get(URL, {"q": "PAGE", "channel": "", "page": "2"}, headers={"HX-Request": "true"})
    html = second.content.decode()
    assert html.count('class="listing-row') == 1
    assert 'href="?q=PAGE&amp;channel=" hx-get="?q=PAGE&amp;channel=" rel="prev"' in html
    assert 'rel="next"' not in html


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_reads_a_bounded_number_of_queries(op_client, store, rows, django_assert_max_num_queries):
    for n in range(rows):
        listing = ListingFactory(store=store, sku=f"Q-{n:03d}")
        sell(listing, 2)
    with django_assert_max_num_queries(8):
        response = op_client.get(URL)
    assert response.content.decode().count('class="listing-row') == rows


def test_quality_filter_reads_a_bounded_number_of_queries(op_client, store, django_assert_max_num_queries):
    for n in range(25):
        ListingFactory(store=store, sku=f"Q-{n:03d}", title="BEST SELLER mat" if n % 2 else "Mat")
    with django_assert_max_num_queries(9):
        html = op_client.get(URL, {"quality": "on"}).content.decode()
    assert html.count('class="listing-row') == 25  # the plain ones have no image, brand or bullets either


# The detail -----------------------------------------------------------------------------------------------

def test_detail_shows_stock_movements_and_quality(op_client, store, operator):
    listing = ListingFactory(store=store, sku="AK-1", title="A" * 90, quantity_available=10, **COMPLETE)
    StockMovement.objects.create(store=store, listing=listing, reason=StockMovement.Reason.ADJUST,
                                 available_delta=-3, note="Cycle count", actor=operator, at=timezone.now())
    html = op_client.get(f"/listings/{listing.pk}/").content.decode()
    assert "Cycle count" in html and "-3" in html and ">op<" in html
    assert 'data-code="title_long"' in html and "90 characters" in html
    assert 'data-code="image_unreadable"' in html  # the file named in COMPLETE does not exist
    assert 'name="note"' in html and 'enctype="multipart/form-data"' in html


def test_another_stores_listing_is_not_found(op_client, other_store):
    listing = ListingFactory(store=other_store)
    assert op_client.get(f"/listings/{listing.pk}/").status_code == 404
    assert op_client.post(f"/listings/{listing.pk}/adjust/", {"available": 1, "inbound": 0, "reason": "adjust",
                                                               "note": "x"}).status_code == 404
    assert op_client.get(f"/listings/{listing.pk}/image/file/").status_code == 404


def test_adjusting_stock_records_a_movement(op_client, store, operator):
    listing = ListingFactory(store=store, quantity_available=10)
    response = op_client.post(f"/listings/{listing.pk}/adjust/",
                              {"available": "-4", "inbound": "0", "reason": "adjust", "note": "Damaged in shelf"},
                              headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="stock-panel"') and "Stock adjusted." in html
    listing.refresh_from_db()
    assert listing.quantity_available == 6
    move = listing.movements.get()
    assert (move.reason, move.available_delta, move.actor, move.note) == ("adjust", -4, operator, "Damaged in shelf")


def test_adjusting_below_zero_is_refused_in_place(op_client, store):
    listing = ListingFactory(store=store, quantity_available=3)
    response = op_client.post(f"/listings/{listing.pk}/adjust/",
                              {"available": "-5", "inbound": "0", "reason": "adjust", "note": "count"},
                              headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "would go below zero" in response.content.decode()
    listing.refresh_from_db()
    assert listing.quantity_available == 3 and not listing.movements.exists()


def test_adjusting_needs_a_note_and_a_change(op_client, store):
    listing = ListingFactory(store=store, quantity_available=3)
    response = op_client.post(f"/listings/{listing.pk}/adjust/",
                              {"available": "0", "inbound": "0", "reason": "adjust", "note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert not listing.movements.exists()


def test_an_agent_reads_but_cannot_adjust_or_upload(agent_client, store):
    listing = ListingFactory(store=store, quantity_available=3)
    page = agent_client.get(f"/listings/{listing.pk}/").content.decode()
    assert "Adjust stock" not in page and "multipart" not in page
    response = agent_client.post(f"/listings/{listing.pk}/adjust/",
                                 {"available": "5", "inbound": "0", "reason": "adjust", "note": "x"})
    assert response.status_code == 403
    upload = SimpleUploadedFile("main.png", png(), content_type="image/png")
    assert agent_client.post(f"/listings/{listing.pk}/image/", {"image": upload}).status_code == 403
    listing.refresh_from_db()
    assert listing.quantity_available == 3 and not listing.main_image


def test_uploading_a_compliant_main_image(op_client, store):
    listing = ListingFactory(store=store, **{k: v for k, v in COMPLETE.items() if k != "main_image"})
    upload = SimpleUploadedFile("main.png", png(), content_type="image/png")
    response = op_client.post(f"/listings/{listing.pk}/image/", {"image": upload})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.main_image.name.startswith("listings/main")
    html = op_client.get(f"/listings/{listing.pk}/").content.decode()
    assert "No problems found." in html
    served = op_client.get(f"/listings/{listing.pk}/image/file/")
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_uploading_a_grey_small_image_shows_what_is_wrong(op_client, store):
    listing = ListingFactory(store=store, **{k: v for k, v in COMPLETE.items() if k != "main_image"})
    upload = SimpleUploadedFile("grey.jpg", png(size=600, fill=0.5, background=(200, 200, 200), kind="JPEG"),
                                content_type="image/jpeg")
    op_client.post(f"/listings/{listing.pk}/image/", {"image": upload})
    html = op_client.get(f"/listings/{listing.pk}/").content.decode()
    for code in ("image_background", "image_small"):
        assert f'data-code="{code}"' in html
    # On a grey background every pixel is "product": the fill cannot be judged and is not flagged.
    assert 'data-code="image_fill"' not in html


def test_uploading_something_else_is_refused(op_client, store):
    listing = ListingFactory(store=store)
    gif = SimpleUploadedFile("x.gif", png(kind="GIF"), content_type="image/gif")
    response = op_client.post(f"/listings/{listing.pk}/image/", {"image": gif})
    assert response.status_code == 400
    assert "Upload a JPEG or PNG file." in response.content.decode()
    text = SimpleUploadedFile("x.png", b"hello", content_type="image/png")
    assert op_client.post(f"/listings/{listing.pk}/image/", {"image": text}).status_code == 400
    listing.refresh_from_db()
    assert not listing.main_image


def test_the_bulk_bar_offers_the_operations_of_their_own_table(op_client, store):
    import re

    from listings.bulk import Operation

    ListingFactory(store=store)
    html = op_client.get(URL).content.decode()
    select = re.search(r'<select id="bulk-operation" name="operation">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]+)">', select) == [o.value for o in Operation]
