"""The seller feedback report: the buyers' ratings (it lists the negative and neutral ones) by order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from orders.models import Order
from orders.services import CLOCK_SKEW
from support.models import Feedback
from support.services import feedback_record

from ..base import Context, Counts
from ..parsers import Cells, Column, Row, shown

LABEL = gettext_lazy("seller feedback report")
#: The report as Seller Central names it, where the seller finds it.
SELLER_CENTRAL_NAME = gettext_lazy("Seller Feedback (Performance › Feedback Manager)")
COLUMNS = [
    Column("date", "Date", required=True),
    Column("rating", "Rating", required=True),
    Column("comments", "Comments", aliases=("comment",)),
    Column("response", "Your Response", aliases=("response",)),
    Column("order_id", "Order ID", required=True, aliases=("amazon-order-id",)),
    Column("rater_email", "Rater Email"),
]


@dataclass
class FeedbackRow:
    line: int
    order_id: str
    rating: int
    comment: str
    response: str | None
    received_at: datetime


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, FeedbackRow] | None:
    latest = ctx.now + CLOCK_SKEW
    order_id = cells.text("order_id", required=True)
    first = ctx.first_line(order_id, line=row.line)
    if first is not None:
        cells.fail("order_id", _("Order %(id)s has feedback on line %(line)d already; an order has one rating.")
                   % {"id": shown(order_id), "line": first})
    received_at = cells.datetime("date", required=True)
    if received_at and received_at > latest:
        cells.fail("date", _("%(value)s is in the future.") % {"value": row.values["date"]})
    rating = cells.integer("rating", required=True)
    if rating is not None and not 1 <= rating <= 5:
        cells.fail("rating", _("A rating is from 1 to 5 stars, not %(value)s.") % {"value": rating})
    response = row.values.get("response", "") if cells.has("response") else None
    if not cells.ok:
        return None
    assert rating is not None and received_at is not None  # required: set when cells.ok
    return order_id, FeedbackRow(line=row.line, order_id=order_id, rating=rating,
                                 comment=row.values.get("comments", ""), response=response or None,
                                 received_at=received_at)


def build(groups: list[list[FeedbackRow]], ctx: Context) -> list[FeedbackRow]:
    return [row for group in groups for row in group]


def apply(rows: list[FeedbackRow], ctx: Context) -> Counts:
    counts = Counts()
    column = ctx.headers["order_id"]
    orders = {o.amazon_order_id: o for o in
              Order.objects.filter(store=ctx.store, amazon_order_id__in=[r.order_id for r in rows])}
    existing = {f.order_id: f for f in Feedback.objects.filter(order__in=orders.values())}
    plans = []
    for row in rows:
        order = orders.get(row.order_id)
        if order is None:
            ctx.error(row.line, column, _("Order %(id)s is not in %(store)s.") % {"id": row.order_id,
                                                                                  "store": ctx.store.code})
            continue
        if row.received_at < order.purchase_date:
            ctx.error(row.line, ctx.headers["date"], _("Feedback cannot come before the order was placed."))
            continue
        plans.append((row, order))
    if ctx.problems:
        return counts
    for row, order in plans:
        before = existing.get(order.pk)
        if before is not None and (before.rating, before.comment) == (row.rating, row.comment.strip()) and (
                row.response is None or row.response == before.response):
            counts.skipped += 1
            continue
        try:
            feedback_record(order=order, rating=row.rating, comment=row.comment, received_at=row.received_at,
                            response=row.response)
        except ApplicationError as error:
            ctx.error(row.line, column, error.message)
            continue
        if before is None:
            counts.created += 1
        else:
            counts.updated += 1
        ctx.touched.add("feedback", order.amazon_order_id, created=before is None)
    return counts
