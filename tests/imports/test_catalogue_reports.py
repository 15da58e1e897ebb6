"""The catalogue reports: All Listings (US, UK, Japanese, German) and FBA Manage Inventory, from the files of
files/real/README.md, every encoding, the rules of each kind, and a second import that changes nothing."""

from __future__ import annotations

import io
import zoneinfo
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.dates import REPORT_DATES, parse_report_datetime
from imports.models import ImportJob, ImportPreviewLine
from imports.preview import preview_save
from imports.services import import_file, import_kind_detect
from listings.models import Channel, Listing, StockMovement
from tests.factories import ListingFactory, StoreFactory

from .conftest import sample

pytestmark = pytest.mark.django_db

ALL_LISTINGS, FBA = "all_listings", "fba_inventory"


def catalogue_state() -> list[tuple]:
    return sorted(Listing.objects.values_list(
        "sku", "title", "asin", "fnsku", "price", "currency", "status", "fulfillment_channel", "condition",
        "open_date", "product_id", "quantity_available", "quantity_reserved", "quantity_inbound",
        "quantity_unfulfillable")) + [("movements", StockMovement.objects.count())]


@pytest.fixture
def us_store(db):
    return StoreFactory(code="BOOKS-US", marketplace="US", timezone="America/Los_Angeles", currency="USD")


@pytest.fixture
def uk_store(db):
    return StoreFactory(code="SHOP-UK", marketplace="UK", timezone="Europe/London", currency="GBP")


def _import(store, kind: str, data: bytes, **kwargs):
    result = import_file(store=store, kind=kind, data=data, **kwargs)
    assert result.errors == [], result.errors
    return result


def _twice(store, kind: str, data: bytes, **kwargs):
    """Import ``data``, then again: the second run must change nothing."""
    first = _import(store, kind, data, **kwargs)
    before = catalogue_state()
    again = _import(store, kind, data, **kwargs)
    assert (again.created, again.updated, again.skipped) == (0, 0, first.total_rows)
    assert catalogue_state() == before
    return first


# --- Detection ---

@pytest.mark.parametrize(("name", "marketplace", "kind"), [
    ("all_listings_DE_cp1252_CONSTRUCTED.txt", "DE", ALL_LISTINGS),
    ("all_listings_JP_cp932_CONSTRUCTED.txt", "JP", ALL_LISTINGS),
    ("all_listings_UK_zynk_docs.txt", "UK", ALL_LISTINGS),
    ("all_listings_US_books_2022.txt", "US", ALL_LISTINGS),
    ("all_listings_US_bom_crlf_CONSTRUCTED.txt", "US", ALL_LISTINGS),
    ("fba_inventory_UK_cp1252_CONSTRUCTED.txt", "UK", FBA),
    ("fba_inventory_US_CONSTRUCTED.txt", "US", FBA),
])
def test_each_catalogue_file_is_recognised_by_its_header(name, marketplace, kind):
    store = StoreFactory(marketplace=marketplace)

    assert import_kind_detect(data=io.BytesIO(sample(f"real/{name}")), store=store) == kind


# --- All Listings: real files ---

def test_us_active_listings_report_creates_the_fba_books(us_store):
    result = _twice(us_store, ALL_LISTINGS, sample("real/all_listings_US_books_2022.txt"))

    assert (result.total_rows, result.created, result.encoding) == (4, 4, "utf-8")
    assert result.warnings == []
    # 47 columns, of which business and progressive prices are not ours to read.
    assert "Business Price" in result.ignored_columns
    book = Listing.objects.get(sku="0F-O1L9-60Y7")
    assert (book.title, book.asin, book.price, book.currency, book.fulfillment_channel, book.condition) == (
        "Atomic Habits: An Easy & Proven Way to Build Good Habits & Break Bad Ones [Hardcover] Clear, James",
        "0735211299", Decimal("15.69"), "USD", Channel.AFN, "new_new")
    # PDT and PST as written, whatever the store's zone.
    assert book.open_date == datetime(2022, 3, 15, 9, 26, 37, tzinfo=UTC)
    assert Listing.objects.get(sku="KE-H1ZQ-628T").open_date == datetime(2022, 3, 11, 3, 20, 20, tzinfo=UTC)
    # The Active Listings report has no status column: what it lists is active.
    assert set(Listing.objects.values_list("status", flat=True)) == {Listing.Status.ACTIVE}
    paperback = Listing.objects.get(sku="YT-AAUR-OBXE")
    assert paperback.description.startswith("James Clear is a writer and speaker")
    assert (paperback.product_id, paperback.product_id_type) == ("B07RFSSYBH", "ISBN")
    # FBA listings: Amazon's quantity is empty and no stock is invented.
    assert StockMovement.objects.count() == 0


def test_uk_all_listings_report_reads_day_first_dates_and_statuses(uk_store):
    result = _twice(uk_store, ALL_LISTINGS, sample("real/all_listings_UK_zynk_docs.txt"))

    assert (result.total_rows, result.created) == (3, 3)
    vest = Listing.objects.get(sku="1234567")
    # 08/07/2016 in the UK is 8 July, 10:12:40 BST.
    assert vest.open_date == datetime(2016, 7, 8, 9, 12, 40, tzinfo=UTC)
    assert (vest.title, vest.price, vest.currency, vest.condition, vest.product_id, vest.product_id_type) == (
        "Vest", Decimal("20.00"), "GBP", "new_new", "680242554716", "UPC")
    apple_tv = Listing.objects.get(sku="ATV2")
    assert (apple_tv.status, apple_tv.condition, apple_tv.open_date) == (
        Listing.Status.INACTIVE, "used_like_new", datetime(2011, 3, 24, 9, 29, 39, tzinfo=UTC))
    assert Listing.objects.get(sku="35-GFRR-W3VC").condition == "used_acceptable"
    # New MFN listings: the report's quantity is their stock, each through one movement.
    assert set(Listing.objects.values_list("fulfillment_channel", "quantity_available")) == {(Channel.MFN, 1)}
    movements = StockMovement.objects.all()
    assert movements.count() == 3
    assert {(m.reason, m.available_delta) for m in movements} == {(StockMovement.Reason.ADJUST, 1)}
    assert all("All Listings report" in m.note for m in movements)


def test_japanese_all_listings_report_in_shift_jis(db):
    store = StoreFactory(code="SHOP-JP", marketplace="JP", timezone="Asia/Tokyo", currency="JPY")

    result = _twice(store, ALL_LISTINGS, sample("real/all_listings_JP_cp932_CONSTRUCTED.txt"))

    assert (result.total_rows, result.created, result.encoding) == (3, 3, "cp932")
    bottle = Listing.objects.get(sku="BOTTLE-750-BL")
    assert (bottle.title, bottle.price, bottle.currency, bottle.status, bottle.quantity_available) == (
        "ステンレスボトル 750ml（ブルー）", Decimal("2480.00"), "JPY", Listing.Status.ACTIVE, 12)
    assert bottle.open_date == datetime(2021, 3, 1, 1, 0, tzinfo=UTC)  # 10:00 JST
    lid = Listing.objects.get(sku="LID-BAMBOO-2")
    assert (lid.fulfillment_channel, lid.quantity_available) == (Channel.AFN, 0)
    bag = Listing.objects.get(sku="BAG-COOL-GY")
    assert (bag.title, bag.status, bag.condition) == ("保冷バッグ（グレー）～限定色", Listing.Status.INACTIVE,
                                                      "used_like_new")


def test_german_all_listings_report_in_windows_1252(db):
    store = StoreFactory(code="SHOP-DE", marketplace="DE", timezone="Europe/Berlin", currency="EUR")

    result = _twice(store, ALL_LISTINGS, sample("real/all_listings_DE_cp1252_CONSTRUCTED.txt"))

    assert (result.created, result.encoding) == (3, "cp1252")
    cup = Listing.objects.get(sku="35-GFRR-W3VC")
    assert cup.title == "Café-Tasse „Grüße aus Köln“ (0,3 l)"
    assert cup.open_date == datetime(2011, 3, 30, 14, 23, 57, tzinfo=UTC)  # MESZ
    vest = Listing.objects.get(sku="1234567")
    assert (vest.title, vest.price, vest.currency) == ("Weste für Damen – Größe M", Decimal("20.00"), "EUR")
    assert Listing.objects.get(sku="ATV2").status == Listing.Status.INACTIVE  # "Inaktiv"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_us_report_with_byte_order_mark_and_crlf(us_store, encoding):
    result = _twice(us_store, ALL_LISTINGS, sample("real/all_listings_US_bom_crlf_CONSTRUCTED.txt"),
                    encoding=encoding)

    assert result.created == 4
    assert Listing.objects.get(sku="0F-O1L9-60Y7").title.startswith("Atomic Habits")


def test_latin_1_chosen_by_hand_reads_windows_1252(uk_store):
    data = sample("real/all_listings_DE_cp1252_CONSTRUCTED.txt")

    result = _import(uk_store, ALL_LISTINGS, data.replace(b"MESZ", b"BST").replace(b"MEZ", b"GMT"),
                     encoding="latin-1")

    assert result.encoding == "cp1252"
    assert Listing.objects.get(sku="1234567").title == "Weste für Damen – Größe M"


def test_a_file_that_is_not_the_encoding_chosen_is_refused_whole(db):
    store = StoreFactory(marketplace="JP", timezone="Asia/Tokyo")

    result = import_file(store=store, kind=ALL_LISTINGS, data=sample("real/all_listings_JP_cp932_CONSTRUCTED.txt"),
                         encoding="utf-8")

    assert result.error_count == 1 and "not valid UTF-8" in result.errors[0]["message"]
    assert Listing.objects.count() == 0


# --- All Listings: the rules for listings we hold ---

def _uk_file(**replace: str) -> bytes:
    text = sample("real/all_listings_UK_zynk_docs.txt").decode()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


def test_a_listing_we_hold_gets_amazons_content_and_keeps_our_stock(uk_store):
    vest = ListingFactory(store=uk_store, sku="1234567", title="Old vest", asin="", price=Decimal("25.00"),
                          currency="GBP", status=Listing.Status.INACTIVE, quantity_available=7, safety_stock=2)

    result = _import(uk_store, ALL_LISTINGS, _uk_file())

    assert (result.created, result.updated) == (2, 1)
    vest.refresh_from_db()
    assert (vest.title, vest.asin, vest.price, vest.status, vest.product_id) == (
        "Vest", "B01I53BE4O", Decimal("20.00"), Listing.Status.ACTIVE, "680242554716")
    assert vest.open_date == datetime(2016, 7, 8, 9, 12, 40, tzinfo=UTC)
    assert vest.quantity_available == 7
    assert not StockMovement.objects.filter(listing=vest).exists()
    # Amazon shows 1, we hold 7 − 2 sellable: said, not changed.
    [warning] = result.warnings
    assert (warning["line"], warning["column"]) == (2, "quantity")
    assert "1234567" in warning["message"] and "1" in warning["message"] and "5" in warning["message"]


def test_a_channel_that_differs_is_a_warning_not_a_change(uk_store):
    ListingFactory(store=uk_store, sku="ATV2", fulfillment_channel=Channel.AFN, quantity_available=0)

    result = _import(uk_store, ALL_LISTINGS, _uk_file())

    assert Listing.objects.get(sku="ATV2").fulfillment_channel == Channel.AFN
    assert [(w["line"], w["column"]) for w in result.warnings] == [(4, "fulfillment-channel")]


@pytest.mark.parametrize(("replace", "line", "column", "words"), [
    ({"\tInactive\n": "\tDeleted\n"}, 4, "status", "Deleted is not a listing status"),
    ({"DEFAULT\tMigrated Template\tInactive": "WAREHOUSE_9\tMigrated Template\tInactive"}, 4,
     "fulfillment-channel", "WAREHOUSE_9 is not a fulfilment channel"),
    ({"\t20\t1\t": "\t-20\t1\t"}, 2, "price", "cannot be below zero"),
    ({"08/07/2016 10:12:40 BST": "08/07/2016 10:12:40 XYZ"}, 2, "open-date", "XYZ is not a time zone"),
    ({"\t3\t\t\t11\t": "\t3\t\t\t12\t"}, 2, "item-condition", "12 is not a condition"),
    ({"35-GFRR-W3VC": "1234567"}, 3, "seller-sku", "also on line 2"),
    ({"\t20\t1\t": "\t20\tlots\t"}, 2, "quantity", "not a whole number"),
])
def test_a_row_that_cannot_be_used_is_an_error_naming_its_line_and_nothing_is_written(
        uk_store, replace, line, column, words):
    result = import_file(store=uk_store, kind=ALL_LISTINGS, data=_uk_file(**replace))

    assert [(e["line"], e["column"]) for e in result.errors] == [(line, column)]
    assert words in result.errors[0]["message"]
    assert Listing.objects.count() == 0 and StockMovement.objects.count() == 0


def test_a_row_without_a_name_is_named_by_its_sku_with_a_warning(uk_store):
    result = _import(uk_store, ALL_LISTINGS, _uk_file(**{"Vest\t": "\t"}))

    assert Listing.objects.get(sku="1234567").title == "1234567"
    assert [(w["line"], w["column"]) for w in result.warnings] == [(2, "item-name")]


# --- FBA Manage Inventory ---

@pytest.fixture
def books(us_store):
    _import(us_store, ALL_LISTINGS, sample("real/all_listings_US_books_2022.txt"))
    ListingFactory(store=us_store, sku="MFN-BOTTLE-1", fulfillment_channel=Channel.MFN, quantity_available=40)
    return us_store


def test_fba_inventory_sets_amazons_figures_with_one_movement_each(books):
    result = _twice(books, FBA, sample("real/fba_inventory_US_CONSTRUCTED.txt"))

    assert (result.total_rows, result.created, result.updated, result.skipped) == (7, 1, 4, 2)
    hardcover = Listing.objects.get(sku="0F-O1L9-60Y7")
    assert (hardcover.quantity_available, hardcover.quantity_reserved, hardcover.quantity_inbound,
            hardcover.quantity_unfulfillable, hardcover.fnsku) == (12, 1, 8, 1, "X001ABCD01")
    [movement] = StockMovement.objects.filter(listing=hardcover)
    assert (movement.reason, movement.available_delta, movement.reserved_delta, movement.inbound_delta,
            movement.unfulfillable_delta) == (StockMovement.Reason.ADJUST, 12, 1, 8, 1)
    assert "FBA Manage Inventory report" in movement.note
    assert Listing.objects.get(sku="O8-BFXG-PG6F").quantity_inbound == 10
    # A SKU we lacked is created as an FBA listing with Amazon's figures.
    lid = Listing.objects.get(sku="FBA-LID-2PK")
    assert (lid.fulfillment_channel, lid.title, lid.fnsku, lid.asin, lid.price, lid.currency) == (
        Channel.AFN, "Bamboo lid for 750 ml bottle, 2 pack", "X001ABCD05", "B0CLIDFBA1", Decimal("9.99"), "USD")
    assert (lid.quantity_available, lid.quantity_unfulfillable, lid.quantity_inbound) == (18, 2, 5)
    # Our MFN listing keeps its stock; Amazon's figures for it are said. An MFN-only SKU creates nothing.
    mfn = Listing.objects.get(sku="MFN-BOTTLE-1")
    assert mfn.quantity_available == 40 and not StockMovement.objects.filter(listing=mfn).exists()
    assert not Listing.objects.filter(sku="MFN-ONLY-9").exists()
    assert [(w["line"], w["column"]) for w in result.warnings] == [(7, "afn-fulfillable-quantity"),
                                                                   (8, "afn-listing-exists")]
    assert "MFN-BOTTLE-1" in result.warnings[0]["message"] and "2 available" in result.warnings[0]["message"]


def test_fba_inventory_in_windows_1252_with_crlf(uk_store):
    result = _twice(uk_store, FBA, sample("real/fba_inventory_UK_cp1252_CONSTRUCTED.txt"))

    assert (result.encoding, result.created) == ("cp1252", 6)
    assert Listing.objects.get(sku="FBA-LID-2PK").title == "Bamboo lid – 2 pack, £ saver"
    assert Listing.objects.get(sku="FBA-LID-2PK").currency == "GBP"


def test_a_later_fba_report_records_only_the_change(books):
    _import(books, FBA, sample("real/fba_inventory_US_CONSTRUCTED.txt"))
    later = sample("real/fba_inventory_US_CONSTRUCTED.txt").replace(
        b"No\t\tYes\t3\t3\t0\t0\t3\t", b"No\t\tYes\t3\t1\t0\t2\t3\t")

    result = _import(books, FBA, later)

    assert (result.created, result.updated) == (0, 1)
    alchemist = Listing.objects.get(sku="KE-H1ZQ-628T")
    assert (alchemist.quantity_available, alchemist.quantity_reserved) == (1, 2)
    latest = StockMovement.objects.filter(listing=alchemist).order_by("-id").first()
    assert (latest.available_delta, latest.reserved_delta, latest.inbound_delta) == (-2, 2, 0)


def test_an_fba_row_that_cannot_be_used_refuses_the_file(books):
    before = catalogue_state()
    data = sample("real/fba_inventory_US_CONSTRUCTED.txt").replace(b"Yes\t14\t12\t", b"Yes\t14\t-12\t")

    result = import_file(store=books, kind=FBA, data=data)

    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "afn-fulfillable-quantity")]
    assert catalogue_state() == before


# --- The preview (dry run) ---

def test_a_dry_run_plans_every_line_by_sku_and_writes_nothing(uk_store):
    ListingFactory(store=uk_store, sku="ATV2", title="Apple TV 2, MC572FD_A", asin="B0041IZHVO",
                   price=Decimal("10.00"), status=Listing.Status.INACTIVE, condition="used_like_new",
                   open_date=datetime(2011, 3, 24, 9, 29, 39, tzinfo=UTC), product_id="B0041IZHVO",
                   product_id_type="ASIN", quantity_available=1)
    job = ImportJob.objects.create(store=uk_store, kind=ALL_LISTINGS, file="imports/x.txt")
    summaries = []

    def consume(lines, result, file_errors):
        summaries.append(preview_save(job=job, lines=lines, result=result, file_errors=file_errors))

    result = import_file(store=uk_store, kind=ALL_LISTINGS, data=_uk_file(), dry_run=True, preview=consume)

    assert result.created == 2 and Listing.objects.count() == 1
    assert (summaries[0]["write"], summaries[0]["skip"], summaries[0]["error"]) == (2, 1, 0)
    lines = list(ImportPreviewLine.objects.filter(job=job).order_by("line").values_list("line", "order_id",
                                                                                          "outcome"))
    assert lines == [(2, "1234567", "write"), (3, "35-GFRR-W3VC", "write"), (4, "ATV2", "skip")]


# --- The open date, per marketplace ---

@pytest.mark.parametrize(("value", "marketplace", "expected"), [
    ("08/07/2016 10:12:40 BST", "UK", datetime(2016, 7, 8, 9, 12, 40, tzinfo=UTC)),
    ("08.07.2016 10:12:40 MESZ", "DE", datetime(2016, 7, 8, 8, 12, 40, tzinfo=UTC)),
    ("2019-02-05 08:36:12 PST", "US", datetime(2019, 2, 5, 16, 36, 12, tzinfo=UTC)),
    ("2021/03/01 10:00:00 JST", "JP", datetime(2021, 3, 1, 1, 0, tzinfo=UTC)),
    ("2021/03/01 10:00:00", "JP", datetime(2021, 3, 1, 1, 0, tzinfo=UTC)),
])
def test_the_open_date_is_read_per_marketplace_with_its_zone(value, marketplace, expected):
    assert parse_report_datetime(value, tz=zoneinfo.ZoneInfo("Asia/Tokyo"), formats=REPORT_DATES[ALL_LISTINGS],
                                 marketplace=marketplace) == expected


# --- The upload page ---

def test_the_upload_page_offers_and_detects_the_catalogue_reports(client, operator, store, settings, tmp_path,
                                                                   django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(operator)
    page = client.get("/imports/").content.decode()
    assert 'value="all_listings"' in page and 'value="fba_inventory"' in page
    upload = SimpleUploadedFile("All+Listings+Report.txt", sample("real/all_listings_US_books_2022.txt"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"store": store.code, "kind": "", "file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.kind, job.status, job.created_count) == (ALL_LISTINGS, ImportJob.Status.DONE, 4)
    assert Listing.objects.filter(store=store).count() == 4
