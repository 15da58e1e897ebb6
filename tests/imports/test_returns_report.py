"""The seller-fulfilled returns report, in Amazon's current layout and in the older one (14-Jul-2025 dates,
AMZ-PG-* reason codes): every column with a field on the return is kept, reasons are Amazon's, not "Other"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from imports.services import import_file
from orders.models import OrderStatus
from returns.models import ReturnReason, ReturnRequest
from tests.factories import OrderFactory, OrderItemFactory, StoreFactory

from .conftest import db_state, sample

pytestmark = pytest.mark.django_db
CURRENT = "real/returns_US_current_header_constructed.txt"
OLD = "real/returns_UK_old_layout_constructed.txt"


def _shipped(store, order_id: str, sku: str, quantity: int = 2) -> None:
    order = OrderFactory(store=store, amazon_order_id=order_id, status=OrderStatus.SHIPPED,
                         purchase_date=datetime(2025, 7, 1, tzinfo=UTC), currency=store.currency)
    OrderItemFactory(order=order, sku=sku, quantity=quantity)


@pytest.fixture
def us_store(db):
    store = StoreFactory(code="RET-US", marketplace="US")
    _shipped(store, "113-2345678-1234567", "BOTTLE-750")
    _shipped(store, "113-3456789-2345678", "LID-BAMBOO")
    _shipped(store, "113-4567890-3456789", "BOTTLE-750")
    return store


@pytest.fixture
def uk_store(db):
    store = StoreFactory(code="RET-UK", marketplace="UK")
    _shipped(store, "202-1234567-1234567", "OD001191Black")
    _shipped(store, "202-2345678-2345678", "M0323")
    return store


def test_the_current_layout_keeps_label_carrier_tracking_claim_and_refund(us_store):
    result = import_file(store=us_store, kind="returns", data=sample(CURRENT))

    assert result.errors == [], result.errors
    assert result.created == 3
    # Only the columns with no use to us are left aside; Order Amount, Return type and Resolution are read.
    assert result.ignored_columns == [
        "Order date", "Label type", "Label to be paid by", "Is prime", "ASIN", "Item Name", "Invoice number",
        "Return delivery date", "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state",
        "SafeT claim creation time", "SafeT claim reimbursement amount"]
    returns = {r.amazon_rma_id: r for r in ReturnRequest.objects.all()}
    defective = returns["DkQpRzX1RMA"]
    assert (defective.reason, defective.reason_code, defective.currency, defective.label_cost,
            defective.return_carrier, defective.return_tracking_number, defective.a_to_z_claim,
            defective.refunded_amount) == (
        ReturnReason.DEFECTIVE, "CR-DEFECTIVE", "USD", Decimal("7.85"), "UPS", "1Z999AA10123456784", False,
        Decimal("24.99"))
    claimed = returns["DkQpRzX2RMA"]
    assert (claimed.reason, claimed.reason_code, claimed.a_to_z_claim) == (
        ReturnReason.NOT_AS_DESCRIBED, "AMZ-PG-BAD-DESC", True)
    # No label bought and no refund yet: unknown, not zero; and no amount, so no currency either.
    assert (claimed.label_cost, claimed.refunded_amount, claimed.currency) == (None, None, "")
    unwanted = returns["DkQpRzX3RMA"]
    assert (unwanted.reason, unwanted.in_policy, unwanted.quantity, unwanted.merchant_rma_id) == (
        ReturnReason.NO_LONGER_NEEDED, False, 2, "RMA-0042")
    # A label cost without a currency code is in the order's currency; the tracking number without its spaces.
    assert (unwanted.label_cost, unwanted.currency) == (Decimal("6.10"), "USD")
    assert (unwanted.return_carrier, unwanted.return_tracking_number) == ("USPS", "9400100000000000000000")
    before = db_state()

    again = import_file(store=us_store, kind="returns", data=sample(CURRENT))

    assert (again.created, again.skipped) == (0, 3) and db_state() == before


def test_the_old_layout_with_month_names_and_amz_pg_codes_imports(uk_store):
    result = import_file(store=uk_store, kind="returns", data=sample(OLD))

    assert result.errors == [], result.errors
    assert result.created == 2
    bad_desc = ReturnRequest.objects.get(order__amazon_order_id="202-1234567-1234567")
    assert bad_desc.requested_at.astimezone(uk_store.tz).date() == date(2025, 7, 14)
    assert (bad_desc.reason, bad_desc.reason_code) == (ReturnReason.NOT_AS_DESCRIBED, "AMZ-PG-BAD-DESC")
    assert (bad_desc.label_cost, bad_desc.currency, bad_desc.return_carrier, bad_desc.return_tracking_number) == (
        Decimal("3.40"), "GBP", "Royal Mail", "RM123456785GB")
    too_small = ReturnRequest.objects.get(order__amazon_order_id="202-2345678-2345678")
    assert (too_small.reason, too_small.reason_code) == (ReturnReason.TOO_SMALL, "AMZ-PG-APP-TOO-SMALL")
    assert too_small.requested_at.astimezone(uk_store.tz).date() == date(2025, 7, 15)
    before = db_state()

    again = import_file(store=uk_store, kind="returns", data=sample(OLD))

    assert (again.created, again.skipped) == (0, 2) and db_state() == before


@pytest.mark.parametrize(("column", "value"), [
    ("Label cost", "7.85 USD"), ("Refunded Amount", "NaN"), ("Order Amount", "1e30"), ("A-to-Z Claim", "maybe"),
    ("Return request date", "14-Jux-2025"), ("Currency code", "DOLLARS"),
])
def test_a_malformed_value_names_its_line_and_column_and_writes_nothing(us_store, column, value):
    lines = sample(CURRENT).decode().split("\n")
    header = lines[0].split("\t")
    cells = lines[2].split("\t")
    cells[header.index(column)] = value
    lines[2] = "\t".join(cells)
    before = db_state()

    result = import_file(store=us_store, kind="returns", data="\n".join(lines).encode())

    assert [(e["line"], e["column"]) for e in result.errors] == [(3, column)]
    assert db_state() == before
