"""The seller-fulfilled returns report: the buyers' return requests, by return date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.models import Order
from orders.services import CLOCK_SKEW
from returns.models import ReturnRequest, return_reason_from_amazon
from returns.services import return_create
from sellerops.errors import ApplicationError

from ..base import Context, Counts
from ..parsers import Cells, Column, Row

LABEL = gettext_lazy("returns report")
COLUMNS = [
    Column("order_id", "Order ID", required=True),
    Column("requested_at", "Return request date", required=True),
    Column("status", "Return request status"),
    Column("amazon_rma_id", "Amazon RMA ID"),
    Column("merchant_rma_id", "Merchant RMA ID"),
    Column("sku", "Merchant SKU", required=True, aliases=("sku",)),
    Column("quantity", "Return quantity", required=True),
    Column("reason", "Return Reason"),
    Column("in_policy", "In policy"),
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
    if not cells.ok:
        return None
    return order_id, ReturnRow(line=row.line, order_id=order_id, sku=sku, quantity=quantity,
                               reason=return_reason_from_amazon(row.values.get("reason", "")), in_policy=in_policy,
                               requested_at=requested_at, amazon_rma_id=rma,
                               merchant_rma_id=cells.text("merchant_rma_id")[:40])


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
        try:
            return_create(order=order, sku=row.sku, quantity=row.quantity, reason=row.reason,
                          in_policy=row.in_policy, requested_at=row.requested_at, amazon_rma_id=row.amazon_rma_id,
                          merchant_rma_id=row.merchant_rma_id, actor=ctx.actor, source="import")
        except ApplicationError as error:
            ctx.error(row.line, column, error.message)
            continue
        counts.created += 1
    return counts
