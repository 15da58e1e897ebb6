"""The FBA inventory reports (Inventory Planning in two layouts, Stranded, Reserved, and the Manage Inventory
report's figures) writing each FBA SKU's snapshot of the day: exact figures, every encoding, a second import that
changes nothing, a later report of the same day, bad lines by line and column, and the dry run's plan."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fulfillment.models import FbaInventorySnapshot
from imports.services import import_file, import_kind_detect
from listings.models import Channel
from spapi.catalogue import CATALOGUE_REPORT_TYPES
from tests.factories import ListingFactory, StoreFactory

from .conftest import sample

pytestmark = pytest.mark.django_db

ALL_LISTINGS, MYI = "all_listings", "fba_inventory"
PLANNING, STRANDED, RESERVED = "fba_planning", "fba_stranded", "fba_reserved"
#: The import's clock: 11:00 on 14 July 2025 in Los Angeles, 19:00 in London, 03:00 on the 15th in Tokyo.
NOW = datetime(2025, 7, 14, 18, 0, tzinfo=UTC)
JULY_14 = date(2025, 7, 14)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def state() -> list[tuple]:
    fields = [f.name for f in FbaInventorySnapshot._meta.concrete_fields if f.name not in {"id", "updated_at"}]
    return sorted(FbaInventorySnapshot.objects.values_list(*fields))


def snapshot(sku: str, day: date = JULY_14) -> FbaInventorySnapshot:
    return FbaInventorySnapshot.objects.get(listing__sku=sku, day=day)


def _import(store, kind: str, data: bytes, **kwargs):
    result = import_file(store=store, kind=kind, data=data, **kwargs)
    assert result.errors == [], result.errors
    return result


def _twice(store, kind: str, data: bytes):
    first = _import(store, kind, data)
    before = state()
    again = _import(store, kind, data)
    assert (again.created, again.updated, again.skipped) == (0, 0, again.total_rows)
    assert state() == before
    return first


@pytest.fixture
def books(db):
    """The US book seller of the real All Listings sample, its FBA listings made by the Manage Inventory report."""
    store = StoreFactory(code="BOOKS-US", marketplace="US", timezone="America/Los_Angeles", currency="USD")
    _import(store, ALL_LISTINGS, sample("real/all_listings_US_books_2022.txt"))
    ListingFactory(store=store, sku="MFN-BOTTLE-1", fulfillment_channel=Channel.MFN, quantity_available=40)
    _import(store, MYI, sample("real/fba_inventory_US_CONSTRUCTED.txt"))
    return store


# --- Detection ---

@pytest.mark.parametrize(("name", "marketplace", "kind"), [
    ("fba_planning_UK_older_layout_cp1252_CONSTRUCTED.txt", "UK", PLANNING),
    ("fba_planning_US_CONSTRUCTED.txt", "US", PLANNING),
    ("fba_reserved_JP_cp932_CONSTRUCTED.txt", "JP", RESERVED),
    ("fba_stranded_US_CONSTRUCTED.txt", "US", STRANDED),
    ("fba_inventory_US_CONSTRUCTED.txt", "US", MYI),
])
def test_each_fba_report_is_recognised_by_its_header(name, marketplace, kind):
    store = StoreFactory(marketplace=marketplace)

    assert import_kind_detect(data=io.BytesIO(sample(f"real/{name}")), store=store) == kind


def test_the_daily_catalogue_fetch_asks_for_the_fba_reports():
    assert CATALOGUE_REPORT_TYPES == ("GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
                                      "GET_FBA_INVENTORY_PLANNING_DATA", "GET_RESERVED_INVENTORY_DATA",
                                      "GET_STRANDED_INVENTORY_UI_DATA")


# --- The Manage Inventory report writes the day's figures ---

def test_the_manage_inventory_report_writes_each_fba_listings_figures_of_the_day(books):
    hardcover = snapshot("0F-O1L9-60Y7")
    assert (hardcover.day, hardcover.fulfillable, hardcover.reserved, hardcover.unfulfillable,
            hardcover.inbound_working, hardcover.inbound_shipped, hardcover.inbound_receiving, hardcover.researching,
            hardcover.source) == (JULY_14, 12, 1, 1, 0, 6, 2, 0, "manage_inventory")
    assert hardcover.store == books and hardcover.units_shipped_t30 is None and hardcover.age_0_90 == 0
    # One row per FBA listing (five: the four books and the lid it created); none for the MFN listing.
    assert sorted(FbaInventorySnapshot.objects.values_list("listing__sku", flat=True)) == [
        "0F-O1L9-60Y7", "FBA-LID-2PK", "KE-H1ZQ-628T", "O8-BFXG-PG6F", "YT-AAUR-OBXE"]
    again = _import(books, MYI, sample("real/fba_inventory_US_CONSTRUCTED.txt"))
    assert (again.created, again.updated) == (0, 0)


def test_a_later_manage_inventory_report_of_the_day_updates_only_its_figures(books):
    _import(books, PLANNING, sample("real/fba_planning_US_CONSTRUCTED.txt"))
    later = sample("real/fba_inventory_US_CONSTRUCTED.txt").replace(
        b"No\t\tYes\t3\t3\t0\t0\t3\t", b"No\t\tYes\t3\t1\t0\t2\t3\t")

    result = _import(books, MYI, later)

    assert (result.created, result.updated) == (0, 1)
    alchemist = snapshot("KE-H1ZQ-628T")
    assert (alchemist.fulfillable, alchemist.reserved, alchemist.source) == (1, 2, "manage_inventory,planning")
    # The planning report's figures of the same day stay.
    assert (alchemist.age_365_plus, alchemist.estimated_ltsf_next_charge) == (2, Decimal("0.55"))


# --- Inventory Planning ---

def test_the_planning_report_writes_ages_sales_and_fees_of_its_snapshot_date(books):
    FbaInventorySnapshot.objects.all().delete()

    result = _twice(books, PLANNING, sample("real/fba_planning_US_CONSTRUCTED.txt"))

    assert (result.total_rows, result.created, result.updated, result.skipped) == (6, 4, 0, 2)
    hardcover = snapshot("0F-O1L9-60Y7")
    assert (hardcover.fulfillable, hardcover.pending_removal, hardcover.reserved, hardcover.unfulfillable,
            hardcover.inbound_working, hardcover.inbound_shipped, hardcover.inbound_receiving) == (12, 0, 1, 1, 0, 6, 2)
    assert (hardcover.age_0_90, hardcover.age_91_180, hardcover.age_181_270, hardcover.age_271_365,
            hardcover.age_365_plus) == (9, 3, 0, 0, 0)
    assert (hardcover.units_shipped_t7, hardcover.units_shipped_t30, hardcover.units_shipped_t60,
            hardcover.units_shipped_t90) == (4, 17, 31, 44)
    assert (hardcover.sell_through, hardcover.days_of_supply, hardcover.estimated_excess_units) == (
        Decimal("2.85"), Decimal("21.0"), 0)
    assert (hardcover.currency, hardcover.estimated_storage_cost_next_month, hardcover.estimated_ltsf_next_charge,
            hardcover.storage_volume, hardcover.item_volume, hardcover.volume_unit, hardcover.size_tier,
            hardcover.recommended_action, hardcover.source) == (
        "USD", Decimal("0.47"), Decimal("0.00"), Decimal("0.6024"), Decimal("0.0502"), "cubic feet", "Standard",
        "No action required", "planning")
    alchemist = snapshot("KE-H1ZQ-628T")
    assert (alchemist.age_181_270, alchemist.age_365_plus, alchemist.estimated_ltsf_next_charge,
            alchemist.estimated_excess_units, alchemist.recommended_action) == (
        1, 2, Decimal("0.55"), 3, "Create removal order")
    # A row with the first bucket only in parts, and no 181–270 / 271–365 columns filled: the newer buckets.
    paperback = snapshot("YT-AAUR-OBXE")
    assert (paperback.age_0_90, paperback.age_91_180, paperback.age_181_270, paperback.age_271_365) == (5, 0, 0, 0)
    assert paperback.estimated_ltsf_next_charge is None
    # No next-charge figure: the aged inventory surcharges are added up.
    lid = snapshot("FBA-LID-2PK")
    assert (lid.age_181_270, lid.age_271_365, lid.estimated_ltsf_next_charge, lid.pending_removal) == (
        5, 3, Decimal("0.36"), 2)
    assert [(w["line"], w["column"]) for w in result.warnings] == [(6, "sku"), (7, "sku")]
    assert "MFN-BOTTLE-1" in result.warnings[0]["message"] and "GONE-SKU-7" in result.warnings[1]["message"]


def test_the_older_planning_layout_in_windows_1252_with_day_first_dates(db):
    store = StoreFactory(code="SHOP-UK", marketplace="UK", timezone="Europe/London", currency="GBP")
    for sku in ("FBA-LID-2PK", "ATV2"):
        ListingFactory(store=store, sku=sku, fulfillment_channel=Channel.AFN, currency="GBP")

    result = _twice(store, PLANNING, sample("real/fba_planning_UK_older_layout_cp1252_CONSTRUCTED.txt"))

    assert (result.encoding, result.created) == ("cp1252", 2)
    lid = snapshot("FBA-LID-2PK")
    assert (lid.day, lid.fulfillable, lid.age_0_90, lid.age_91_180, lid.age_181_270, lid.age_271_365,
            lid.age_365_plus) == (JULY_14, 18, 2, 4, 6, 4, 2)
    assert (lid.currency, lid.estimated_ltsf_next_charge, lid.sell_through, lid.storage_volume, lid.volume_unit,
            lid.estimated_storage_cost_next_month) == (
        "GBP", Decimal("1.23"), Decimal("0.27"), Decimal("0.0054"), "cubic meters", None)
    # A column the layout does not have leaves the figure unknown, or as another report left it.
    assert (lid.reserved, lid.inbound_receiving) == (0, 0)
    assert snapshot("ATV2").estimated_ltsf_next_charge == Decimal("1.25")


def test_a_planning_row_that_cannot_be_used_refuses_the_file(books):
    before = state()
    data = (sample("real/fba_planning_US_CONSTRUCTED.txt")
            .replace(b"\tNew\t12\t0\t9\t", b"\tNew\t-12\t0\t9\t")
            .replace(b"\t1.20\t0.0300\t", b"\tabout 1\t0.0300\t"))
    data += data.splitlines(keepends=True)[2]

    result = import_file(store=books, kind=PLANNING, data=data)

    assert [(e["line"], e["column"]) for e in result.errors] == [
        (2, "available"), (4, "sell-through"), (8, "sku")]
    assert "line 3" in result.errors[2]["message"]
    assert state() == before


# --- Stranded ---

def test_the_stranded_report_marks_the_days_stranded_units_and_clears_those_it_no_longer_lists(books):
    result = _twice(books, STRANDED, sample("real/fba_stranded_US_CONSTRUCTED.txt"))

    assert (result.total_rows, result.updated, result.skipped) == (3, 2, 1)
    alchemist = snapshot("KE-H1ZQ-628T")
    assert (alchemist.stranded_units, alchemist.stranded_reason, alchemist.stranded_since, alchemist.source) == (
        3, "Listing closed", date(2025, 6, 30), "manage_inventory,stranded")
    assert alchemist.fulfillable == 3  # the Manage Inventory report's figure, left alone
    lid = snapshot("FBA-LID-2PK")
    assert (lid.stranded_units, lid.stranded_reason, lid.stranded_since) == (
        6, "Incomplete · Missing required attribute: item_package_quantity (8541)", date(2025, 7, 8))
    assert [(w["line"], w["column"]) for w in result.warnings] == [(4, "sku")]

    fixed = b"".join(line for line in sample("real/fba_stranded_US_CONSTRUCTED.txt").splitlines(keepends=True)
                     if b"KE-H1ZQ-628T" not in line)
    later = _import(books, STRANDED, fixed)

    assert later.updated == 1
    assert (snapshot("KE-H1ZQ-628T").stranded_units, snapshot("KE-H1ZQ-628T").stranded_reason) == (0, "")
    assert snapshot("FBA-LID-2PK").stranded_units == 6


# --- Reserved ---

def test_the_reserved_report_in_shift_jis_writes_the_reserved_units_and_their_reasons(db):
    store = StoreFactory(code="SHOP-JP", marketplace="JP", timezone="Asia/Tokyo", currency="JPY")
    for sku in ("BOTTLE-750-BL", "LID-BAMBOO-2"):
        ListingFactory(store=store, sku=sku, fulfillment_channel=Channel.AFN, currency="JPY")

    result = _twice(store, RESERVED, sample("real/fba_reserved_JP_cp932_CONSTRUCTED.txt"))

    assert (result.encoding, result.created, result.skipped) == ("cp932", 2, 1)
    # Imported at 03:00 on the 15th in Tokyo: the store's day.
    bottle = snapshot("BOTTLE-750-BL", date(2025, 7, 15))
    assert (bottle.reserved, bottle.reserved_customer_orders, bottle.reserved_fc_transfers,
            bottle.reserved_fc_processing, bottle.source) == (7, 4, 2, 1, "reserved")
    assert "SLEEVE-GR" in result.warnings[0]["message"]


def test_a_reserved_figure_that_is_not_a_whole_number_is_an_error_on_its_line(db):
    store = StoreFactory(marketplace="JP", timezone="Asia/Tokyo")
    data = sample("real/fba_reserved_JP_cp932_CONSTRUCTED.txt").replace(b"\t7\t4\t", b"\t7.5\t4\t")

    result = import_file(store=store, kind=RESERVED, data=data)

    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "reserved_qty")]
    assert not FbaInventorySnapshot.objects.exists()


# --- The preview ---

def test_a_dry_run_plans_each_line_and_writes_nothing(books):
    before = state()

    result = import_file(store=books, kind=PLANNING, data=sample("real/fba_planning_US_CONSTRUCTED.txt"),
                         dry_run=True)

    assert state() == before
    assert [(line["line"], line["order_id"], line["outcome"]) for line in sorted(result.plan,
                                                                               key=lambda p: p["line"])] == [
        (2, "0F-O1L9-60Y7", "write"), (3, "KE-H1ZQ-628T", "write"), (4, "YT-AAUR-OBXE", "write"),
        (5, "FBA-LID-2PK", "write"), (6, "MFN-BOTTLE-1", "skip"), (7, "GONE-SKU-7", "skip")]
