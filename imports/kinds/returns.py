"""The seller-fulfilled returns report: the buyers' return requests, by return date.

Besides the request, each line says what Amazon knows of it: the return label (type, cost, carrier, tracking),
whether an A-to-z claim is open, Amazon's reason code, the refund. What has a field on the return is kept
(``AmazonReturnFacts``); the order amount, return type and resolution are checked but have no field yet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from orders.models import Order
from orders.services import CLOCK_SKEW
from returns.models import ReturnRequest, return_reason_from_amazon
from returns.services import AmazonReturnFacts, return_create

from ..base import Context, Counts
from ..parsers import Cells, Column, Row

LABEL = gettext_lazy("returns report")
#: The report as Seller Central names it, where the seller finds it.
SELLER_CENTRAL_NAME = gettext_lazy("Seller Fulfilled Returns (Return Reports)")
COLUMNS = [
    Column("order_id", "Order ID", required=True),
    Column("requested_at", "Return request date", required=True),
    Column("status", "Return request status"),
    Column("amazon_rma_id", "Amazon RMA ID"),
    Column("merchant_rma_id", "Merchant RMA ID", aliases=("Seller RMA ID",)),
    Column("label_cost", "Label cost"),
    Column("currency", "Currency code"),
    Column("return_carrier", "Return carrier"),
    Column("tracking_number", "Tracking ID"),
    Column("a_to_z_claim", "A-to-Z Claim"),
    Column("sku", "Merchant SKU", required=True, aliases=("sku",)),
    Column("quantity", "Return quantity", required=True),
    Column("reason", "Return Reason"),
    Column("in_policy", "In policy"),
    Column("return_type", "Return type"),
    Column("resolution", "Resolution"),
    Column("order_amount", "Order Amount"),
    Column("refunded_amount", "Refunded Amount"),
]


@dataclass
class ReturnRow:
    line: int
    order_id: str
    sku: str
    quantity: int
    reason: str
    in_policy: bool
    requested_at: datetime
    amazon_rma_id: str
    merchant_rma_id: str
    amazon: AmazonReturnFacts
    #: Read and checked, but no field on the return holds them yet.
    order_amount: Decimal | None = None
    return_type: str = ""
    resolution: str = ""


def _amount(cells: Cells, key: str) -> Decimal | None:
    """An amount, or None when the cell is empty (no label bought, no refund yet): not the same as 0."""
    return cells.decimal(key) if cells.row.values.get(key) else None


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, ReturnRow] | None:
    latest = ctx.now + CLOCK_SKEW
    order_id = cells.text("order_id", required=True)
    sku = cells.text("sku", required=True, max_length=40)
    requested_at = cells.datetime("requested_at", required=True)
    if requested_at and requested_at > latest:
        cells.fail("requested_at", _("%(value)s is in the future.") % {"value": row.values["requested_at"]})
    quantity = cells.quantity("quantity", required=True, minimum=1)
    rma = cells.text("amazon_rma_id", max_length=40)
    key = ("rma", rma) if rma else ("return", order_id, sku, requested_at.isoformat() if requested_at else "")
    first = ctx.first_line(*key, line=row.line)
    if first is not None:
        cells.fail("amazon_rma_id" if rma else "order_id", _("This return repeats line %(line)d.") % {"line": first})
    in_policy = cells.boolean("in_policy") if row.values.get("in_policy") else True
    reason_code = cells.text("reason", max_length=64)
    amazon = AmazonReturnFacts(
        reason_code=reason_code, currency=cells.text("currency", max_length=3).upper(),
        label_cost=_amount(cells, "label_cost"), refunded_amount=_amount(cells, "refunded_amount"),
        return_carrier=cells.text("return_carrier", max_length=64),
        return_tracking_number=cells.text("tracking_number", max_length=64).replace(" ", ""),
        a_to_z_claim=cells.boolean("a_to_z_claim"))
    order_amount = _amount(cells, "order_amount")
    if not cells.ok:
        return None
    assert quantity is not None and requested_at is not None  # required: set when cells.ok
    return order_id, ReturnRow(line=row.line, order_id=order_id, sku=sku, quantity=quantity,
                               reason=return_reason_from_amazon(reason_code), in_policy=in_policy,
                               requested_at=requested_at, amazon_rma_id=rma,
                               merchant_rma_id=cells.text("merchant_rma_id")[:40], amazon=amazon,
                               order_amount=order_amount, return_type=row.values.get("return_type", "")[:64],
                               resolution=row.values.get("resolution", "")[:64])


def build(groups: list[list[ReturnRow]], ctx: Context) -> list[ReturnRow]:
    return [row for group in groups for row in group]


def apply(rows: list[ReturnRow], ctx: Context) -> Counts:
    counts = Counts()
    column = ctx.headers["order_id"]
    orders = {o.amazon_order_id: o for o in
              Order.objects.filter(store=ctx.store, amazon_order_id__in=[r.order_id for r in rows])}
    known = ReturnRequest.objects.filter(store=ctx.store, order__in=orders.values())
    rmas = set(known.exclude(amazon_rma_id="").values_list("amazon_rma_id", flat=True))
    natural = set(known.filter(Q(amazon_rma_id="")).values_list("order__amazon_order_id", "sku", "requested_at"))
    plans = []
    for row in rows:
        order = orders.get(row.order_id)
        if order is None:
            ctx.error(row.line, column, _("Order %(id)s is not in %(store)s.") % {"id": row.order_id,
                                                                                  "store": ctx.store.code})
            continue
        plans.append((row, order))
    if ctx.problems:
        return counts
    for row, order in plans:
        if (row.amazon_rma_id and row.amazon_rma_id in rmas) or (
                not row.amazon_rma_id and (row.order_id, row.sku, row.requested_at) in natural):
            counts.skipped += 1
            continue
        amazon = row.amazon
        if not amazon.currency and (amazon.label_cost is not None or amazon.refunded_amount is not None):
            # Amounts without a currency code are in the order's currency.
            amazon = replace(amazon, currency=order.currency)
        try:
            created = return_create(order=order, sku=row.sku, quantity=row.quantity, reason=row.reason,
                          in_policy=row.in_policy, requested_at=row.requested_at, amazon_rma_id=row.amazon_rma_id,
                          merchant_rma_id=row.merchant_rma_id, actor=ctx.actor, source="import", amazon=amazon)
        except ApplicationError as error:
            ctx.error(row.line, column, error.message)
            continue
        counts.created += 1
        ctx.touched.add("return", created.pk, created=True)
    return counts
