from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from core.exports import csv_cell
from orders.models import OrderStatus
from tests.factories import OrderFactory, OrderItemFactory, ReturnRequestFactory, ShipmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_op(client, operator):
    client.force_login(operator)
    return client


def read(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1 555", "'+1 555"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Jane", "Jane"), ("", ""), (None, ""), (True, "yes"), (3, "3"),
    # A separator of some locale (or a line break), then a formula: a cell of its own where the line is split.
    ("x;=cmd|' /C calc'!A0", "x;'=cmd|' /C calc'!A0"), ("x,=1+1", "x,'=1+1"), ("a; @SUM(A1)", "a;' @SUM(A1)"),
    ("Miller;\t+1", "Miller;'\t'+1"), ("1,-2", "1,'-2"), ("x\n=1+1", "x\n'=1+1"), ("=1;=2", "'=1;'=2"),
    ("Miller; Jane", "Miller; Jane"), ("2 × SKU-A; 1 × SKU-B", "2 × SKU-A; 1 × SKU-B"), ("1,5", "1,5"),
    # Numbers stay numbers, negative ones too.
    (-3, "-3"), (Decimal("-2.50"), "-2.50"), (-1.5, "-1.5"),
])
def test_cells_that_spreadsheets_would_run_are_defused(value, expected):
    assert csv_cell(value) == expected


def test_order_export_has_header_rows_and_chinese(client_op, store, other_store):
    order = OrderFactory(store=store, amazon_order_id="113-1000000-0000001", buyer_name="王小明",
                         ship_name="=cmd|' /C calc'!A0")
    OrderItemFactory(order=order, sku="SKU-A", quantity=2)
    OrderFactory(store=store, amazon_order_id="113-1000000-0000002", status=OrderStatus.SHIPPED)
    OrderFactory(store=other_store, amazon_order_id="113-1000000-0000003")

    rows = read(client_op.get("/orders/export.csv", {"tab": "all"}))

    assert rows[0][:3] == ["Order", "Store", "Status"]
    ids = [r[0] for r in rows[1:]]
    assert sorted(ids) == ["113-1000000-0000001", "113-1000000-0000002"]
    first = next(r for r in rows if r[0] == "113-1000000-0000001")
    assert first[7] == "王小明"
    assert first[8].startswith("'=")
    assert first[13] == "2 × SKU-A"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_cells(body: bytes) -> list[str]:
    """The cells a spreadsheet would run, reading the file with a comma or, as in most of Europe, a semicolon
    as the field separator."""
    text = body.decode("utf-8-sig")
    cells = [cell for delimiter in (",", ";") for row in csv.reader(io.StringIO(text), delimiter=delimiter)
             for cell in row]
    return [cell for cell in cells if cell.startswith(FORMULA_START)]


def test_no_cell_runs_in_a_comma_or_a_semicolon_locale(client_op, store):
    order = OrderFactory(store=store, amazon_order_id="113-1000000-0000009", buyer_name="x;=cmd|' /C calc'!A0",
                         ship_name="Jane, @SUM(1+1)*cmd|' /C calc'!A0", ship_city="=HYPERLINK(\"http://evil\")")
    OrderItemFactory(order=order, sku="-SKU", quantity=1)
    ReturnRequestFactory(order=order, store=store, sku="R-1", buyer_comment="broken;+cmd|' /C calc'!A0",
                         merchant_rma_id="x;-1+1")
    for url in ("/orders/export.csv?tab=all", "/returns/export.csv"):
        body = b"".join(client_op.get(url).streaming_content)
        assert formula_cells(body) == [], url
    # Read with commas, as written, every value is there, with the apostrophe in front of those defused.
    rows = read(client_op.get("/orders/export.csv", {"tab": "all"}))
    row = next(r for r in rows if r[0] == "113-1000000-0000009")
    assert row[7:10] == ["x;'=cmd|' /C calc'!A0", "Jane,' @SUM(1+1)*cmd|' /C calc'!A0", "'=HYPERLINK(\"http://evil\")"]
    order.refresh_from_db()
    assert row[14] == str(order.order_total)


def test_order_export_applies_the_list_filters(client_op, store):
    OrderFactory(store=store, amazon_order_id="113-1000000-0000001", status=OrderStatus.UNSHIPPED)
    shipped = OrderFactory(store=store, amazon_order_id="113-1000000-0000002", status=OrderStatus.SHIPPED)
    ShipmentFactory(order=shipped, tracking_number="1ZTRACK")
    OrderFactory(store=store, amazon_order_id="113-1000000-0000003", fulfillment_channel="AFN")

    shipped_rows = read(client_op.get("/orders/export.csv", {"tab": "all", "status": "Shipped"}))
    assert [r[0] for r in shipped_rows[1:]] == ["113-1000000-0000002"]
    assert shipped_rows[1][17] == "1ZTRACK"
    fba = read(client_op.get("/orders/export.csv", {"tab": "fba"}))
    assert [r[0] for r in fba[1:]] == ["113-1000000-0000003"]
    # The default tab is the action queue, as on the page.
    default = read(client_op.get("/orders/export.csv"))
    assert [r[0] for r in default[1:]] == ["113-1000000-0000001"]


def test_order_export_needs_login(client):
    assert client.get("/orders/export.csv").status_code == 302


def test_order_export_query_count_does_not_grow(client_op, store, django_assert_max_num_queries):
    for n in range(30):
        OrderItemFactory(order=OrderFactory(store=store, amazon_order_id=f"113-2000000-{n:07d}"))
    with django_assert_max_num_queries(12):
        rows = read(client_op.get("/orders/export.csv", {"tab": "all"}))
    assert len(rows) == 31


def test_return_export_is_scoped_and_filtered(client_op, store, other_store):
    mine = ReturnRequestFactory(order__store=store, order__amazon_order_id="113-3000000-0000001", sku="R-1",
                                amazon_rma_id="@RMA")
    ReturnRequestFactory(order__store=store, order__amazon_order_id="113-3000000-0000002", sku="R-2",
                         status="closed")
    ReturnRequestFactory(order__store=other_store, order__amazon_order_id="113-3000000-0000003", sku="R-3")

    rows = read(client_op.get("/returns/export.csv"))
    assert rows[0][:3] == ["Order", "Store", "SKU"]
    assert sorted(r[2] for r in rows[1:]) == ["R-1", "R-2"]
    requested = read(client_op.get("/returns/export.csv", {"status": "requested"}))
    assert [r[2] for r in requested[1:]] == ["R-1"]
    assert requested[1][9] == "'@RMA"
    assert requested[1][6] == mine.requested_at.astimezone(store.tz).isoformat()
    assert read(client_op.get("/returns/export.csv", {"store": other_store.code}))[1:] == []

