"""Quotes in flat files: Amazon does not quote its cells and a product name may hold a lone ``"``, but some
files hold a quoted product name with tabs or line breaks inside. A quoted cell is read as one only when that
makes the line as wide as the header."""

from __future__ import annotations

import pytest

from imports.parsers import split_quoted
from imports.services import import_file
from orders.models import OrderItem

pytestmark = pytest.mark.django_db
HEADER = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tproduct-name\tsku\tquantity\tship-city\n"


def line(n: int, title: str, city: str = "Austin") -> str:
    return f"113-{n:07d}-0000001\t2026-11-20T08:15:00+00:00\tShipped\tMerchant\t{title}\tSKU-{n}\t1\t{city}\n"


def titles() -> dict[str, str]:
    return dict(OrderItem.objects.values_list("sku", "title"))


def test_a_lone_inch_mark_is_the_names_own(store):
    text = HEADER + line(1, 'Steel ruler 12" metric') + line(2, '12" ruler') + line(3, '"Pro" ruler 12"') \
        + line(4, 'Ruler 12"')

    result = import_file(store=store, kind="all_orders", data=text.encode())

    assert result.errors == [] and result.created == 4
    assert titles() == {"SKU-1": 'Steel ruler 12" metric', "SKU-2": '12" ruler', "SKU-3": '"Pro" ruler 12"',
                        "SKU-4": 'Ruler 12"'}


def test_an_opening_quote_that_never_closes_leaves_the_lines_below_their_own(store):
    # Line 2 is one cell short and its name opens a quote that nothing closes: read as written, and the lines
    # below are read as lines of their own, with their own numbers.
    short = "113-0000001-0000001\t2026-11-20T08:15:00+00:00\tShipped\tMerchant\t\"12\" ruler\tSKU-1\t1\n"
    text = HEADER + short + line(2, "Tape") + line(3, "Pen")

    result = import_file(store=store, kind="all_orders", data=text.encode())

    assert result.errors == [] and result.created == 3
    assert titles() == {"SKU-1": '"12" ruler', "SKU-2": "Tape", "SKU-3": "Pen"}

    wrong = import_file(store=store, kind="all_orders", data=(text + line(4, "Ink").replace("\t1\t", "\tx\t")).encode())
    assert [(e["line"], e["column"]) for e in wrong.errors] == [(5, "quantity")]


def test_a_quoted_name_holding_a_tab_and_a_line_break_is_one_cell(store):
    text = HEADER + line(1, '"Ruler\t12 inch,\nsteel ""Pro"""') + line(2, "Tape", city="Reno")

    result = import_file(store=store, kind="all_orders", data=text.encode())

    assert result.errors == [] and result.total_rows == 2
    assert titles() == {"SKU-1": 'Ruler\t12 inch,\nsteel "Pro"', "SKU-2": "Tape"}


def test_a_quoted_reading_that_does_not_fit_the_header_is_not_taken(store):
    # Read with quotes, line 2 would swallow line 3 and still not be as wide as the header: both stay as they are.
    text = HEADER + line(1, '"Ruler').replace("\tAustin\n", "\n") + line(2, 'steel" ruler')

    result = import_file(store=store, kind="all_orders", data=text.encode())

    assert result.errors == [] and result.created == 2
    assert titles() == {"SKU-1": '"Ruler', "SKU-2": 'steel" ruler'}


@pytest.mark.parametrize(("text", "cells", "still_open"), [
    ("a\tb", ["a", "b"], False),
    ('"a\tb"\tc', ["a\tb", "c"], False),
    ('"say ""hi"""\t', ['say "hi"', ""], False),
    ('12" ruler\tx', ['12" ruler', "x"], False),
    ('"12" ruler\tx', ['"12" ruler\tx'], True),
    ('"open\nstill', ['"open\nstill'], True),
])
def test_split_quoted(text, cells, still_open):
    assert split_quoted(text) == (cells, still_open)
