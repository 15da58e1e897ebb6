"""The order's status as its lines and parcels derive it, and whether ours agrees with Amazon's."""

from __future__ import annotations

import itertools

import pytest

from orders.models import ORDER_TRANSITIONS, SHIPPABLE_STATUSES, OrderItem, OrderStatus
from orders.status import order_status_derived, status_agrees

S = OrderStatus
NOT_SHIPPED_YET = [S.PENDING_AVAILABILITY, S.PENDING, S.UNSHIPPED, S.CONFIRMED, S.PACKED]


def line(quantity: int, shipped: int = 0, *, canceled: bool = False) -> OrderItem:
    return OrderItem(sku="SKU-1", quantity=quantity, quantity_shipped=shipped, is_canceled=canceled)


#: Sets of lines, and what they say once something has shipped (None: nothing has).
LINES = {
    "nothing shipped": ([line(2), line(1)], None),
    "one of two units": ([line(2, 1)], S.PARTIALLY_SHIPPED),
    "one line of two": ([line(1, 1), line(3)], S.PARTIALLY_SHIPPED),
    "every unit": ([line(2, 2), line(1, 1)], S.SHIPPED),
    "the rest cancelled": ([line(2, 2), line(1, canceled=True)], S.SHIPPED),
    "cancelled after one unit": ([line(3, 1, canceled=True), line(1, 1)], S.SHIPPED),
    "only cancelled lines": ([line(1, canceled=True), line(0, canceled=True)], None),
    "over-shipped": ([line(2, 3)], S.SHIPPED),
    "over-shipped beside one owed": ([line(2, 3), line(1)], S.PARTIALLY_SHIPPED),
    "no lines": ([], None),
}


@pytest.mark.parametrize("status", NOT_SHIPPED_YET)
@pytest.mark.parametrize("case", LINES)
def test_lines_decide_once_something_has_shipped(status, case):
    lines, by_lines = LINES[case]
    assert order_status_derived(status=status, lines=lines) == (by_lines or status)


@pytest.mark.parametrize("case", LINES)
def test_a_partly_shipped_order_is_shipped_once_nothing_is_owed(case):
    lines, by_lines = LINES[case]
    expected = S.SHIPPED if by_lines == S.SHIPPED else S.PARTIALLY_SHIPPED
    assert order_status_derived(status=S.PARTIALLY_SHIPPED, lines=lines) == expected


@pytest.mark.parametrize("status", [S.SHIPPED, S.INVOICE_UNCONFIRMED, S.DELIVERED])
@pytest.mark.parametrize("case", LINES)
def test_the_lines_never_take_an_order_back(status, case):
    assert order_status_derived(status=status, lines=LINES[case][0]) == status


@pytest.mark.parametrize("status", [S.CANCELED, S.UNFULFILLABLE])
@pytest.mark.parametrize("delivered", [False, True])
def test_a_final_status_stands_whatever_the_lines_say(status, delivered):
    assert order_status_derived(status=status, lines=[line(2, 2)], delivered=delivered) == status


@pytest.mark.parametrize(("status", "lines", "expected"), [
    (S.SHIPPED, [], S.DELIVERED),  # an order Amazon reported shipped, without its lines' quantities
    (S.SHIPPED, [line(2, 2)], S.DELIVERED),
    (S.UNSHIPPED, [line(2, 2)], S.DELIVERED),
    (S.PACKED, [line(2, 1)], S.PARTIALLY_SHIPPED),  # parcels delivered, units still owed
    (S.PARTIALLY_SHIPPED, [line(2, 1)], S.PARTIALLY_SHIPPED),
    (S.UNSHIPPED, [line(2)], S.UNSHIPPED),  # nothing shipped, so nothing delivered
    (S.INVOICE_UNCONFIRMED, [line(1, 1)], S.INVOICE_UNCONFIRMED),
    (S.DELIVERED, [line(1, 1)], S.DELIVERED),
])
def test_delivered_follows_shipped_only(status, lines, expected):
    assert order_status_derived(status=status, lines=lines, delivered=True) == expected


@pytest.mark.parametrize(("status", "case"), list(itertools.product(sorted(SHIPPABLE_STATUSES), LINES)))
def test_what_a_shipment_derives_is_a_move_the_table_allows(status, case):
    derived = order_status_derived(status=status, lines=LINES[case][0])
    assert derived == status or derived in ORDER_TRANSITIONS[status]


@pytest.mark.parametrize(("ours", "reported", "agrees"), [
    (S.UNSHIPPED, S.UNSHIPPED, True),
    (S.CONFIRMED, S.UNSHIPPED, True),
    (S.PACKED, S.UNSHIPPED, True),
    (S.DELIVERED, S.SHIPPED, True),
    (S.CANCELED, S.CANCELED, True),
    (S.UNSHIPPED, S.CONFIRMED, False),
    (S.SHIPPED, S.DELIVERED, False),
    (S.PARTIALLY_SHIPPED, S.SHIPPED, False),
    (S.CONFIRMED, S.SHIPPED, False),
    (S.PENDING, S.UNSHIPPED, False),
])
def test_status_agrees_when_ours_is_the_same_or_a_step_amazon_does_not_know(ours, reported, agrees):
    assert status_agrees(ours, reported) is agrees
