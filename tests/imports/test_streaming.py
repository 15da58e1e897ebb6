"""A report is read as a stream: a block at a time, never whole, with the encoding still detected."""

from __future__ import annotations

import io

import pytest

from imports import parsers
from imports.services import import_file
from orders.models import Order
from tests.factories import StoreFactory

from .conftest import db_state, sample

pytestmark = pytest.mark.django_db
HEADER = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\tship-city\n"


def order_line(n: int, city: str = "Berlin") -> str:
    return f"302-{n:07d}-0000001\t2026-11-20T08:15:00+00:00\tShipped\tAmazon\tSKU-{n}\t1\t{city}\n"


class BlockReader(io.BytesIO):
    """A file that refuses to be read whole, and remembers the largest read."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and size > 0, "the whole file was read at once"
        self.largest = max(self.largest, size)
        return super().read(size)


def test_the_file_is_read_a_block_at_a_time(store):
    data = (HEADER + "".join(order_line(n) for n in range(1, 3000))).encode()
    stream = BlockReader(data)
    result = import_file(store=store, kind="all_orders", data=stream)
    assert result.errors == [] and result.created == 2999
    assert stream.largest <= parsers.READ_BYTES < len(data) * 8


def test_an_encoding_that_fails_after_the_sniffed_start_gives_way_to_the_next():
    """The first 64 KB are plain ASCII (valid UTF-8); a Windows-1252 "é" comes later: read again as cp1252."""
    store = StoreFactory(code="SHOP-DE", marketplace="DE")
    lines = [order_line(n) for n in range(1, 1500)]
    assert len("".join(lines).encode()) > parsers.SNIFF_BYTES
    text = HEADER + "".join(lines) + order_line(1500, city="Orléans")
    result = import_file(store=store, kind="all_orders", data=text.encode("cp1252"))
    assert result.errors == [] and result.encoding == "cp1252" and result.created == 1500
    assert Order.objects.get(amazon_order_id="302-0001500-0000001").ship_city == "Orléans"


def test_a_forced_encoding_that_fails_late_names_the_line(store):
    text = HEADER + "".join(order_line(n) for n in range(1, 1500)) + order_line(1500, city="Orléans")
    result = import_file(store=store, kind="all_orders", data=text.encode("cp1252"), encoding="utf-8")
    assert [(e["line"], e["column"]) for e in result.errors] == [(1501, "")]
    assert "UTF-8" in result.errors[0]["message"] and Order.objects.count() == 0


@pytest.mark.parametrize("name, marketplace", [("all_orders_jp_sjis.txt", "JP"), ("all_orders_de_cp1252.txt", "DE"),
                                               ("all_orders_bom_reordered.txt", "US")])
def test_tiny_blocks_split_characters_and_line_ends_and_read_the_same(monkeypatch, name, marketplace):
    """Blocks of 3 bytes cut Shift-JIS characters, CRLF pairs and the byte-order mark in two."""
    whole = StoreFactory(code=f"WHOLE-{marketplace}", marketplace=marketplace)
    expected = import_file(store=whole, kind="all_orders", data=sample(name))
    rows = sorted(Order.objects.filter(store=whole).values_list("amazon_order_id", "ship_city", "items__title"))

    monkeypatch.setattr(parsers, "READ_BYTES", 3)
    split = StoreFactory(code=f"SPLIT-{marketplace}", marketplace=marketplace)
    result = import_file(store=split, kind="all_orders", data=sample(name))

    assert (result.errors, result.encoding, result.created, result.total_rows) == (
        [], expected.encoding, expected.created, expected.total_rows)
    assert sorted(Order.objects.filter(store=split).values_list("amazon_order_id", "ship_city",
                                                                "items__title")) == rows


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_every_line_end_counts_lines_alike(store, end):
    text = (HEADER + order_line(1) + order_line(2).replace("1\tBerlin", "many\tBerlin")).replace("\n", end)
    result = import_file(store=store, kind="all_orders", data=text.encode())
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "quantity")]


def test_an_orders_items_far_apart_in_the_file_are_one_order(store, monkeypatch):
    """Rows are written a chunk at a time; an order whose rows are thousands of lines apart is still whole."""
    from imports import engine

    monkeypatch.setattr(engine, "CHUNK_ROWS", 10)
    first = "302-0000000-0000001\t2026-11-20T08:15:00+00:00\tShipped\tAmazon\tSKU-A\t1\tBerlin\n"
    last = "302-0000000-0000001\t2026-11-20T08:15:00+00:00\tShipped\tAmazon\tSKU-B\t2\tBerlin\n"
    text = HEADER + first + "".join(order_line(n) for n in range(1, 100)) + last
    result = import_file(store=store, kind="all_orders", data=text.encode())
    assert result.errors == [] and result.created == 100
    order = Order.objects.get(amazon_order_id="302-0000000-0000001")
    assert sorted(order.items.values_list("sku", "quantity")) == [("SKU-A", 1), ("SKU-B", 2)]

    # A repeated line far down is one more line of the same order, grouped with it across chunks.
    fresh = import_file(store=StoreFactory(code="OTHER-DE", marketplace="DE"), kind="all_orders",
                        data=(text + first).encode())
    assert fresh.errors == [] and fresh.created == 100
    repeated = Order.objects.get(amazon_order_id="302-0000000-0000001", store__code="OTHER-DE")
    assert sorted(repeated.items.values_list("sku", "quantity")) == [("SKU-A", 1), ("SKU-A", 1), ("SKU-B", 2)]


def test_a_late_error_rolls_back_chunks_already_written(store, monkeypatch):
    from imports import engine

    monkeypatch.setattr(engine, "CHUNK_ROWS", 10)
    before = db_state()
    text = HEADER + "".join(order_line(n) for n in range(1, 100)) + order_line(100).replace("Shipped", "Lost")
    result = import_file(store=store, kind="all_orders", data=text.encode())
    assert [(e["line"], e["column"]) for e in result.errors] == [(101, "order-status")]
    assert db_state() == before
