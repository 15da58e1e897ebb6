"""Hostile report files: every bad value is an error naming its line and column, the job always finishes, and
nothing of the file is written. Run on PostgreSQL too: it refuses values SQLite would store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import bounds
from imports.kinds import all_orders
from imports.models import ImportJob
from imports.services import import_file, import_job_create
from orders.models import Order, OrderItem
from tests.factories import OrderFactory, OrderItemFactory

from .conftest import db_state

pytestmark = pytest.mark.django_db

ALL_ORDERS = ("amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tproduct-name\tsku\tquantity\t"
              "item-price\n")
GOOD = "113-0000001-0000001\t2026-11-20T08:15:00+00:00\tUnshipped\tMerchant\tBottle\tBOTTLE-750\t1\t24.99\n"


def order_line(order_id: str = "113-0000002-0000001", *, date: str = "2026-11-20T08:15:00+00:00",
               title: str = "Lid", sku: str = "LID", quantity: str = "1", price: str = "9.98") -> str:
    return f"{order_id}\t{date}\tUnshipped\tMerchant\t{title}\t{sku}\t{quantity}\t{price}\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def run_job(store, operator, django_capture_on_commit_callbacks):
    """Upload ``data`` as a report and let the (eager) worker run it, as the import page does."""

    def run(data: bytes, kind: str = "all_orders") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(store=store, kind=kind, upload=SimpleUploadedFile("hostile.txt", data),
                                    actor=operator)
        job.refresh_from_db()
        return job

    return run


def where(job: ImportJob) -> list[tuple[int | None, str]]:
    return [(problem["line"], problem["column"]) for problem in job.errors]


@pytest.mark.parametrize("bad_line, column", [
    (order_line(quantity="99999999999"), "quantity"),
    (order_line(quantity="Infinity"), "quantity"),
    (order_line(quantity="-Infinity"), "quantity"),
    (order_line(quantity="NaN"), "quantity"),
    (order_line(quantity="1e9"), "quantity"),
    (order_line(quantity="1e999999999"), "quantity"),
    (order_line(quantity="100001"), "quantity"),
    (order_line(quantity="-1"), "quantity"),
    (order_line(price="99999999999999"), "item-price"),
    (order_line(price="NaN"), "item-price"),
    (order_line(price="sNaN"), "item-price"),
    (order_line(price="Infinity"), "item-price"),
    (order_line(price="-1e30"), "item-price"),
    (order_line(date="0001-01-01T00:00:00+05:00"), "purchase-date"),
    (order_line(date="9999-12-31T23:59:59-05:00"), "purchase-date"),
    (order_line(date="1989-12-31T00:00:00+00:00"), "purchase-date"),
    (order_line(date="0001-01-01 00:00:00 JST"), "purchase-date"),
    (order_line(date="01/01/0001"), "purchase-date"),
    (order_line(title="x" * 131_073), "product-name"),
])
def test_a_hostile_value_fails_the_job_naming_line_and_column(run_job, bad_line, column):
    before = db_state()
    job = run_job((ALL_ORDERS + GOOD + bad_line).encode())

    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert where(job) == [(3, column)]
    assert db_state() == before and Order.objects.count() == 0


def test_the_worst_values_never_reach_the_database_even_in_a_dry_run(store):
    text = ALL_ORDERS + GOOD + order_line(price="NaN") + order_line("113-0000003-0000001", quantity="1e9")
    result = import_file(store=store, kind="all_orders", data=text.encode(), dry_run=True)
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "item-price"), (4, "quantity")]
    assert OrderItem.objects.count() == 0


def test_a_nul_byte_after_the_first_four_kilobytes_names_its_line(run_job):
    lines = [order_line(f"113-{n:07d}-0000001") for n in range(1, 80)]
    assert len("".join(lines[:-1]).encode()) > 4096
    lines[-1] = order_line("113-0000080-0000001", title="Lid\x00\x00binary")
    job = run_job((ALL_ORDERS + "".join(lines)).encode())

    assert job.status == ImportJob.Status.FAILED
    assert where(job) == [(80, "product-name")]
    assert "NUL" in job.errors[0]["message"]
    assert Order.objects.count() == 0


def test_a_line_of_megabytes_without_an_end_is_one_error(run_job):
    job = run_job((ALL_ORDERS + GOOD + "113-0000002-0000001\t" + "y" * 3_000_000).encode())
    assert job.status == ImportJob.Status.FAILED
    assert where(job) == [(3, "purchase-date")]
    assert Order.objects.count() == 0


def test_an_over_long_cell_in_a_column_the_report_does_not_use_is_named_by_its_header(run_job):
    text = ALL_ORDERS.replace("\n", "\tnotes\n") + GOOD.replace("\n", "\t\n") \
        + order_line().replace("\n", "\t" + "z" * 200_000 + "\n")
    job = run_job(text.encode())
    assert where(job) == [(3, "notes")]


def test_an_order_whose_items_add_up_past_the_order_total_column_is_refused(run_job):
    most = f"{bounds.MONEY_MAX:f}"
    text = ALL_ORDERS + order_line(sku="A", price=most) + order_line(sku="B", price=most)
    job = run_job(text.encode())
    assert job.status == ImportJob.Status.FAILED
    assert where(job) == [(2, "item-price")]
    assert Order.objects.count() == 0


def test_the_largest_values_within_the_bounds_are_stored(run_job, store):
    # One unit under each bound: stored exactly, on every database.
    text = ALL_ORDERS + order_line(quantity=str(bounds.QUANTITY_MAX), price=f"{bounds.ORDER_TOTAL_MAX:f}",
                                   date="1990-01-01T00:00:00+00:00")
    job = run_job(text.encode())
    assert job.status == ImportJob.Status.DONE, job.errors
    item = OrderItem.objects.get()
    assert (item.quantity, item.item_price) == (bounds.QUANTITY_MAX, bounds.ORDER_TOTAL_MAX)


def test_bounds_fit_the_columns_they_protect():
    from django.db.backends.base.operations import BaseDatabaseOperations

    quantity = OrderItem._meta.get_field("quantity")
    assert BaseDatabaseOperations.integer_field_ranges[quantity.get_internal_type()][1] >= bounds.QUANTITY_MAX
    price = OrderItem._meta.get_field("item_price")
    assert Decimal(10) ** (price.max_digits - price.decimal_places) - Decimal("0.01") == bounds.MONEY_MAX
    assert bounds.ORDER_TOTAL_MAX <= bounds.MONEY_MAX


# --- The other reports ---

SHIP = "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\ttracking-number\n"
RETURNS = "Order ID\tReturn request date\tMerchant SKU\tReturn quantity\n"
FEEDBACK = "Date\tRating\tComments\tOrder ID\n"
UNSHIPPED = "order-id\tpurchase-date\tpromise-date\tsku\tquantity-purchased\tdays-past-promise\n"


@pytest.mark.parametrize("kind, text, expected", [
    ("ship_confirm", SHIP + "113-0000001-0000001\t\t99999999999\t2026-11-21\tUPS\t1Z1\n", (2, "quantity")),
    ("ship_confirm", SHIP + "113-0000001-0000001\t\t\t0001-01-01T00:00:00+05:00\tUPS\t1Z1\n", (2, "ship-date")),
    ("returns", RETURNS + "113-0000001-0000001\t2026-11-22T10:00:00+00:00\tBOTTLE-750\tInfinity\n",
     (2, "Return quantity")),
    ("returns", RETURNS + "113-0000001-0000001\t9999-12-31T23:00:00-05:00\tBOTTLE-750\t1\n",
     (2, "Return request date")),
    ("feedback", FEEDBACK + "11/23/26\t99999999999999999999\tok\t113-0000001-0000001\n", (2, "Rating")),
    ("feedback", FEEDBACK + "12/31/9999\t1\tok\t113-0000001-0000001\n", (2, "Date")),
    ("unshipped_orders", UNSHIPPED + "113-0000001-0000001\t2026-11-20T08:00:00+00:00\t"
     "9999-12-31T23:00:00-05:00\tBOTTLE-750\t1\t0\n", (2, "promise-date")),
    ("unshipped_orders", UNSHIPPED + "113-0000001-0000001\t2026-11-20T08:00:00+00:00\t\tBOTTLE-750\t1\t"
     "1e999999999\n", (2, "days-past-promise")),
])
def test_hostile_values_in_every_report(run_job, store, kind, text, expected):
    order = OrderFactory(store=store, amazon_order_id="113-0000001-0000001")
    OrderItemFactory(order=order, sku="BOTTLE-750")
    before = db_state()
    job = run_job(text.encode(), kind=kind)
    assert job.status == ImportJob.Status.FAILED
    assert where(job) == [expected]
    assert db_state() == before


# --- An unexpected error anywhere fails the job, and nothing of the file stays ---


def test_an_unexpected_error_fails_the_job_with_a_message_and_rolls_back(run_job, monkeypatch, client, operator):
    real_apply = all_orders.apply

    def apply_then_break(orders, ctx):
        real_apply(orders, ctx)
        assert Order.objects.count() == 2  # written, inside the file's transaction
        raise RuntimeError("a bug")

    monkeypatch.setattr(all_orders, "apply", apply_then_break)
    job = run_job((ALL_ORDERS + GOOD + order_line()).encode())

    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert job.alive_until is None
    assert "unexpected error" in job.errors[0]["message"] and "a bug" not in job.errors[0]["message"]
    assert Order.objects.count() == 0
    client.force_login(operator)
    html = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "Nothing was imported." in html and 'hx-trigger="every 1s"' not in html


def test_an_import_past_the_time_limit_is_failed_and_rolled_back(run_job, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    real_apply = all_orders.apply

    def apply_then_time_out(orders, ctx):
        real_apply(orders, ctx)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(all_orders, "apply", apply_then_time_out)
    job = run_job((ALL_ORDERS + GOOD).encode())
    assert job.status == ImportJob.Status.FAILED
    assert "took longer than 10 minutes" in job.errors[0]["message"]
    assert Order.objects.count() == 0
