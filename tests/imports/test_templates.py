"""Amazon's upload templates: a ``TemplateType=…`` line and a line of labels in the seller's language come
before the line of column keys. The header is found by its keys, the preamble skipped, the template's extra
columns accepted, and every line keeps its number in the file."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fulfillment.models import Carrier, Shipment
from imports.preview import ship_confirm_preview
from imports.services import import_file, import_job_create
from orders.models import OrderStatus
from tests.factories import OrderFactory, OrderItemFactory, StoreFactory

from .conftest import sample

pytestmark = pytest.mark.django_db
JP_TEMPLATE = "real/ship_confirm_template_JP_cp932.txt"
DE_TEMPLATE = "real/ship_confirm_template_DE_labels_cp1252.txt"
TEMPLATE_COLUMNS = ["cod-collection-method", "transparency_code", "ship_from_address_name",
                    "ship_from_address_line1", "ship_from_address_line2", "ship_from_address_line3",
                    "ship_from_address_city", "ship_from_address_county", "ship_from_address_state_or_region",
                    "ship_from_address_postalcode", "ship_from_address_countrycode"]


def _orders(store, *order_ids: str) -> None:
    for n, order_id in enumerate(order_ids):
        order = OrderFactory(store=store, amazon_order_id=order_id, status=OrderStatus.UNSHIPPED,
                             purchase_date=datetime(2025, 7, 10, tzinfo=UTC))
        OrderItemFactory(order=order, sku=f"SKU-{n}", quantity=1, order_item_id=f"1234567890123{n}"
                         if n else "12345678901234")


@pytest.fixture
def jp_store(db):
    store = StoreFactory(code="SHOP-JP", marketplace="JP")
    _orders(store, "250-1234567-1234567", "250-2345678-2345678", "250-3456789-3456789")
    return store


@pytest.fixture
def de_store(db):
    store = StoreFactory(code="SHOP-DE", marketplace="DE")
    _orders(store, "302-1234567-1234567", "302-2345678-2345678")
    return store


def test_the_japanese_template_in_shift_jis_ships_every_line(jp_store):
    result = import_file(store=jp_store, kind="ship_confirm", data=sample(JP_TEMPLATE))

    assert result.errors == [], result.errors
    assert (result.encoding, result.total_rows, result.created) == ("cp932", 3, 3)
    # The template's own columns are accepted and left aside, not refused.
    assert result.ignored_columns == TEMPLATE_COLUMNS
    shipments = {s.order.amazon_order_id: s for s in Shipment.objects.select_related("order")}
    first = shipments["250-1234567-1234567"]
    assert (first.carrier, first.tracking_number, first.ship_method) == (Carrier.YAMATO, "123456789012", "宅急便")
    assert first.shipped_at.astimezone(jp_store.tz).date() == date(2025, 7, 14)
    assert shipments["250-2345678-2345678"].carrier == Carrier.JAPAN_POST
    other = shipments["250-3456789-3456789"]
    assert (other.carrier, other.carrier_name) == (Carrier.OTHER, "西濃運輸")
    assert other.shipped_at.astimezone(jp_store.tz).date() == date(2025, 7, 15)

    again = import_file(store=jp_store, kind="ship_confirm", data=sample(JP_TEMPLATE))
    assert (again.created, again.skipped) == (0, 3) and Shipment.objects.count() == 3


def test_a_template_labelled_in_german_in_windows_1252_ships_every_line(de_store):
    result = import_file(store=de_store, kind="ship_confirm", data=sample(DE_TEMPLATE))

    assert result.errors == [], result.errors
    assert (result.encoding, result.total_rows, result.created) == ("cp1252", 2, 2)
    # 14.07.2025, as Germany writes a date.
    dhl = Shipment.objects.get(order__amazon_order_id="302-1234567-1234567")
    assert (dhl.carrier, dhl.shipped_at.astimezone(de_store.tz).date()) == (Carrier.DHL, date(2025, 7, 14))


def _with_line(name: str, codec: str, extra: str) -> bytes:
    return sample(name) + extra.encode(codec)


def test_errors_below_a_preamble_name_the_files_own_line_numbers(jp_store):
    data = _with_line(JP_TEMPLATE, "cp932", "250-9999999-9999999\t\t\t2025/07/14\tYamato\t\t1234\t\r\n"
                                            "250-1234567-1234567\t\t\t2025/13/14\tYamato\t\t5678\t\r\n")

    result = import_file(store=jp_store, kind="ship_confirm", data=data, dry_run=True)

    assert [(e["line"], e["column"]) for e in result.errors] == [(7, "order-id"), (8, "ship-date")]
    assert "250-9999999-9999999" in result.errors[0]["message"]
    assert Shipment.objects.count() == 0


def test_the_preview_of_a_template_numbers_its_lines_as_the_file_does(jp_store, operator, settings, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    from tests.factories import MembershipFactory

    settings.MEDIA_ROOT = tmp_path
    MembershipFactory(user=operator, store=jp_store, role="operator")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(store=jp_store, kind="ship_confirm", actor=operator, preview=True,
                                upload=SimpleUploadedFile("jp.txt", sample(JP_TEMPLATE)))
    job.refresh_from_db()

    preview = ship_confirm_preview(job=job)
    assert [(line.line, line.outcome) for line in preview.lines] == [(4, "ship"), (5, "ship"), (6, "ship")]
    assert preview.can_confirm


def test_a_template_missing_a_key_names_it_on_the_line_of_keys(jp_store):
    lines = sample(JP_TEMPLATE).decode("cp932").split("\r\n")
    lines[2] = lines[2].replace("tracking-number", "tracking")
    result = import_file(store=jp_store, kind="ship_confirm", data="\r\n".join(lines).encode("cp932"))

    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "tracking-number")]
    assert "Required column missing" in result.errors[0]["message"]


def test_the_header_is_looked_for_only_near_the_top(jp_store):
    preamble = "".join(f"note {n}\r\n" for n in range(5)).encode("cp932")
    result = import_file(store=jp_store, kind="ship_confirm", data=preamble + sample(JP_TEMPLATE))

    assert result.errors[0]["line"] == 1 and "Required column missing" in result.errors[0]["message"]
