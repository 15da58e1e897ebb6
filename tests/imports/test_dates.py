"""The table of report date formats: every marketplace's numeric order, every report kind's shapes, and no
silent guess where a date could be read two ways."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import pytest

from core.marketplaces import MARKETPLACES
from imports.dates import (
    ISO_ONLY,
    MARKETPLACE_DATE_ORDER,
    REPORT_DATES,
    DateError,
    DateOrder,
    parse_report_datetime,
)

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
FEEDBACK = REPORT_DATES["feedback"]
#: 14 July 2025, written in each order with a two-digit year, as the feedback report writes it.
WRITTEN = {DateOrder.MONTH_FIRST: "07/14/25", DateOrder.DAY_FIRST: "14/07/25", DateOrder.YEAR_FIRST: "25/07/14"}


def _local_date(value: str, marketplace: str, formats=FEEDBACK) -> date:
    tz = zoneinfo.ZoneInfo(MARKETPLACES[marketplace].timezone)
    return parse_report_datetime(value, tz=tz, formats=formats, marketplace=marketplace).astimezone(tz).date()


@pytest.mark.parametrize(("marketplace", "order"), sorted(MARKETPLACE_DATE_ORDER.items()))
def test_every_marketplace_reads_its_own_order(marketplace, order):
    assert _local_date(WRITTEN[order], marketplace) == date(2025, 7, 14)


@pytest.mark.parametrize(("marketplace", "order"), sorted(MARKETPLACE_DATE_ORDER.items()))
def test_a_date_that_cannot_be_in_the_marketplaces_order_is_refused_not_misread(marketplace, order):
    # 14 July written the other ways: a month of 14 or a day of 25 in the wrong place is no date of this order.
    impossible = {DateOrder.MONTH_FIRST: ["14/07/25", "25/07/14"], DateOrder.DAY_FIRST: ["07/14/25"],
                  DateOrder.YEAR_FIRST: ["07/14/25"]}[order]
    for written in impossible:
        with pytest.raises(DateError, match="does not fit"):
            _local_date(written, marketplace)


def test_the_issues_examples():
    # JP writes year first: 25/07/14 was read as 25 July 2014.
    assert _local_date("25/07/14", "JP") == date(2025, 7, 14)
    # The same digits mean different days in the US and in Europe: each marketplace its own.
    assert _local_date("03/04/25", "US") == date(2025, 3, 4)
    assert _local_date("03/04/25", "UK") == date(2025, 4, 3)
    assert _local_date("03/04/25", "CA") == date(2025, 4, 3)
    assert _local_date("14-Jul-2025", "US", REPORT_DATES["returns"]) == date(2025, 7, 14)
    assert _local_date("01-Feb-25", "DE", REPORT_DATES["returns"]) == date(2025, 2, 1)


def test_where_the_order_is_not_known_an_ambiguous_date_is_an_error_naming_both_readings():
    assert "SE" in MARKETPLACES and "SE" not in MARKETPLACE_DATE_ORDER
    with pytest.raises(DateError) as error:
        _local_date("03/04/25", "SE")
    assert "2025-03-04" in error.value.message and "2025-04-03" in error.value.message
    # A date every reading agrees on, or a four-digit year first, is not ambiguous.
    assert _local_date("2025/07/14", "SE") == date(2025, 7, 14)
    assert _local_date("14/07/2025", "SE") == date(2025, 7, 14)


@pytest.mark.parametrize("marketplace", sorted(MARKETPLACES))
def test_iso_and_four_digit_year_first_read_the_same_everywhere(marketplace):
    assert _local_date("2025-07-14", marketplace) == date(2025, 7, 14)
    assert _local_date("2025/07/14", marketplace) == date(2025, 7, 14)
    assert parse_report_datetime("2025-07-14T09:30:00+09:00", tz=TOKYO, marketplace=marketplace) == \
        datetime(2025, 7, 14, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("kind", sorted(REPORT_DATES))
def test_every_kinds_example_reads(kind):
    formats = REPORT_DATES[kind]
    assert _local_date(formats.example, "US", formats).year == 2025


def test_iso_only_reports_refuse_numeric_dates_with_an_example():
    with pytest.raises(DateError, match="2025-07-14T09:30:00"):
        parse_report_datetime("07/14/25", tz=TOKYO, formats=ISO_ONLY, marketplace="US")


def test_a_local_time_is_the_stores_and_zone_abbreviations_are_amazons():
    assert parse_report_datetime("2025-07-14 09:30:00", tz=TOKYO) == datetime(2025, 7, 14, 0, 30, tzinfo=UTC)
    assert parse_report_datetime("2025-07-14 09:30:00 PST", tz=TOKYO) == datetime(2025, 7, 14, 17, 30, tzinfo=UTC)
    with pytest.raises(DateError, match="XYZ"):
        parse_report_datetime("2025-07-14 09:30:00 XYZ", tz=TOKYO)


@pytest.mark.parametrize("value", ["31/02/25", "13/13/25", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
                                   "14-Foo-2025", "07/14/25 25:00"])
def test_impossible_dates_are_errors(value):
    with pytest.raises(DateError):
        parse_report_datetime(value, tz=TOKYO, formats=REPORT_DATES["returns"], marketplace="US")


@pytest.mark.parametrize("value", ["1989-12-31T23:59:59+00:00", "2101-01-01T00:00:00+00:00", "12/31/1989",
                                   "01/01/2101", "31-Dec-1989", "01-Jan-2101", "1989-12-31 23:00:00 PST"])
def test_years_outside_the_bounds_are_refused_as_written(value):
    with pytest.raises(DateError, match="outside the years 1990 to 2100"):
        parse_report_datetime(value, tz=TOKYO, formats=REPORT_DATES["returns"], marketplace="US")


def test_the_bounds_are_checked_before_the_offset_is_applied():
    # The first and last moments of the bounds, moved by the widest offsets, read without overflowing.
    assert parse_report_datetime("1990-01-01T00:00:00+23:59", tz=TOKYO).year == 1989
    assert parse_report_datetime("2100-12-31T23:59:59-23:59", tz=TOKYO).year == 2101


def test_a_hostile_cell_is_quoted_short_in_the_error():
    with pytest.raises(DateError) as error:
        parse_report_datetime("2025" + "x" * 100_000, tz=TOKYO)
    assert len(error.value.message) < 200


# --- Through the importer: each report's dates as its marketplace writes them ---

FEEDBACK_HEADER = "Date\tRating\tComments\tYour Response\tOrder ID\tRater Email\n"


def _feedback_import(marketplace: str, written: str):
    from imports.services import import_file
    from tests.factories import OrderFactory, StoreFactory

    market = MARKETPLACES[marketplace]
    store = StoreFactory(code=f"FB-{marketplace}", marketplace=marketplace)
    OrderFactory(store=store, amazon_order_id="113-0000001-0000001",
                 purchase_date=datetime(2025, 7, 1, tzinfo=UTC))
    text = FEEDBACK_HEADER + f"{written}\t2\tSlow\t\t113-0000001-0000001\t\n"
    result = import_file(store=store, kind="feedback", data=text.encode())
    return store, result, zoneinfo.ZoneInfo(market.timezone)


@pytest.mark.django_db
@pytest.mark.parametrize(("marketplace", "written"), [
    ("JP", "25/07/14"),  # year first; was read as 25 July 2014 without a word
    ("US", "07/14/25"),
    ("UK", "14/07/25"), ("DE", "14/07/25"), ("FR", "14.07.25"), ("CA", "14/07/25"), ("IN", "14/07/25"),
    ("AU", "14/07/25"),
])
def test_the_feedback_report_reads_each_marketplaces_dates(marketplace, written):
    from support.models import Feedback

    store, result, tz = _feedback_import(marketplace, written)

    assert result.errors == [], result.errors
    assert Feedback.objects.get(order__store=store).received_at.astimezone(tz).date() == date(2025, 7, 14)


@pytest.mark.django_db
def test_a_date_two_orders_could_read_differently_is_an_error_naming_its_line():
    from support.models import Feedback

    # Sweden has no entry in the table: 03/04/25 could be 4 March or 3 April.
    store, result, _tz = _feedback_import("SE", "03/04/25")

    [error] = result.errors
    assert (error["line"], error["column"]) == (2, "Date")
    assert "2025-03-04" in error["message"] and "2025-04-03" in error["message"]
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_a_us_feedback_date_that_is_not_month_first_is_refused_not_misread():
    store, result, _tz = _feedback_import("US", "14/07/25")

    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "Date")]
    assert "MM/DD/YY" in result.errors[0]["message"]


@pytest.mark.django_db
def test_the_returns_report_reads_amazons_day_month_name_year():
    from imports.services import import_file
    from orders.models import OrderStatus
    from returns.models import ReturnRequest
    from tests.factories import OrderFactory, OrderItemFactory, StoreFactory

    store = StoreFactory(code="RET-US", marketplace="US")
    order = OrderFactory(store=store, amazon_order_id="113-0000001-0000001", status=OrderStatus.SHIPPED,
                         purchase_date=datetime(2025, 7, 1, tzinfo=UTC))
    OrderItemFactory(order=order, sku="LID-BAMBOO", quantity=1)
    text = ("Order ID\tReturn request date\tMerchant SKU\tReturn quantity\n"
            "113-0000001-0000001\t14-Jul-2025\tLID-BAMBOO\t1\n")

    result = import_file(store=store, kind="returns", data=text.encode())

    assert result.errors == [], result.errors
    assert ReturnRequest.objects.get().requested_at.astimezone(store.tz).date() == date(2025, 7, 14)


@pytest.mark.django_db
def test_reports_that_write_iso_dates_refuse_a_numeric_one_naming_an_example(store):
    from imports.services import import_file

    text = ("amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\n"
            "113-0000001-0000001\t07/14/25\tShipped\tMerchant\tLID-BAMBOO\t1\n")
    result = import_file(store=store, kind="all_orders", data=text.encode())

    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "purchase-date")]
    assert "07/14/25" in result.errors[0]["message"] and "2025-07-14T09:30:00" in result.errors[0]["message"]
