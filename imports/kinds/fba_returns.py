"""The FBA customer returns report: the units buyers sent back to Amazon's warehouses, one row per return.

Amazon received, inspected and disposed of each unit itself: each row is recorded as a received return of an
Amazon-fulfilled order, with Amazon's disposition and license plate number, through
``returns.services.return_record_fba``. A return is known again by its license plate number (or, where Amazon
gives none, by its order, SKU and return date), so a second import of the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from orders.models import Order, OrderItem
from orders.services import AMAZON_ORDER_ID, CLOCK_SKEW
from returns.models import ReturnRequest, return_reason_from_amazon
from returns.services import AmazonReturnFacts, return_record_fba

from ..base import Context, Counts
from ..parsers import Cells, Column, Row, shown

LABEL = gettext_lazy("FBA customer returns report")
SELLER_CENTRAL_NAME = gettext_lazy("FBA customer returns (Reports › Fulfillment › Customer returns)")
REPORT_TYPE = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
COLUMNS = [
    Column("returned_at", "return-date", required=True),
    Column("order_id", "order-id", required=True, aliases=("amazon-order-id",)),
    Column("sku", "sku", required=True, aliases=("merchant-sku", "seller-sku")),
    Column("asin", "asin"),
    Column("fnsku", "fnsku"),
    Column("title", "product-name"),
    Column("quantity", "quantity", required=True),
    Column("fulfillment_center_id", "fulfillment-center-id"),
    Column("detailed_disposition", "detailed-disposition"),
    Column("reason", "reason"),
    Column("status", "status"),
    Column("license_plate_number", "license-plate-number"),
    Column("customer_comments", "customer-comments"),
]
#: Where the order of a return comes from when it is not in the store yet.
ORDER_REPORTS = gettext_lazy("the Amazon-fulfilled shipments report (or the All Orders report)")


@dataclass
class FbaReturnRow:
    line: int
    order_id: str
    sku: str
    quantity: int
    returned_at: datetime
    reason_code: str
    comment: str
    facts: AmazonReturnFacts


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, FbaReturnRow] | None:
    """Check one row on its own; no database access."""
    v = row.values
    order_id = cells.text("order_id", required=True)
    if order_id and not AMAZON_ORDER_ID.match(order_id):
        cells.fail("order_id", _("%(id)s is not an Amazon order id (3-7-7 digits, e.g. 113-1234567-1234567).")
                   % {"id": shown(order_id)})
    sku = cells.text("sku", required=True, max_length=40)
    returned_at = cells.datetime("returned_at", required=True)
    if returned_at and returned_at > ctx.now + CLOCK_SKEW:
        cells.fail("returned_at", _("%(value)s is in the future.") % {"value": shown(v["returned_at"])})
    quantity = cells.quantity("quantity", required=True, minimum=1)
    lpn = cells.text("license_plate_number", max_length=40)
    fnsku = cells.text("fnsku", max_length=16)
    center = cells.text("fulfillment_center_id", max_length=16)
    disposition = cells.text("detailed_disposition", max_length=40)
    reason_code = cells.text("reason", max_length=64)
    if not cells.ok:
        return None
    assert quantity is not None and returned_at is not None  # required: set when cells.ok
    # Amazon lists a unit once; the same plate twice is the same return, counted once.
    key = ("lpn", lpn) if lpn else ("return", order_id, sku, returned_at.isoformat())
    first = ctx.first_line(*key, line=row.line)
    if first is not None:
        ctx.warn(row.line, ctx.headers.get("license_plate_number" if lpn else "order_id", "license-plate-number"),
                 _("This return repeats line %(line)d: counted once.") % {"line": first})
        return None
    facts = AmazonReturnFacts(reason_code=reason_code, fnsku=fnsku, license_plate_number=lpn,
                              fulfillment_center_id=center, detailed_disposition=disposition)
    return order_id, FbaReturnRow(line=row.line, order_id=order_id, sku=sku, quantity=quantity,
                                  returned_at=returned_at, reason_code=reason_code,
                                  comment=v.get("customer_comments", ""), facts=facts)


def build(groups: list[list[FbaReturnRow]], ctx: Context) -> list[FbaReturnRow]:
    return [row for group in groups for row in group]


def apply(rows: list[FbaReturnRow], ctx: Context) -> Counts:
    """Record the returns not recorded yet; a return of an order we do not hold is an error on its line."""
    counts = Counts()
    column = ctx.headers["order_id"]
    orders = {o.amazon_order_id: o for o in
              Order.objects.filter(store=ctx.store, amazon_order_id__in={r.order_id for r in rows})}
    known = ReturnRequest.objects.filter(store=ctx.store, order__in=list(orders.values()))
    plates = set(known.filter(license_plate_number__in={r.facts.license_plate_number for r in rows}
                              - {""}).values_list("license_plate_number", flat=True))
    natural = set(known.filter(license_plate_number="").values_list("order__amazon_order_id", "sku",
                                                                      "requested_at"))
    skus = set(OrderItem.objects.filter(order__in=list(orders.values())).values_list("order_id", "sku"))
    plans = []
    for row in rows:
        order = orders.get(row.order_id)
        if order is None:
            ctx.error(row.line, column, _("Order %(id)s is not in %(store)s yet: import %(reports)s that holds it "
                                          "first, then this file again.")
                      % {"id": row.order_id, "store": ctx.store.code, "reports": ORDER_REPORTS})
        elif order.is_mfn:
            ctx.error(row.line, column, _("Order %(id)s is seller-fulfilled; the FBA customer returns report lists "
                                          "only orders fulfilled by Amazon.") % {"id": row.order_id})
        elif (order.pk, row.sku) not in skus:
            ctx.error(row.line, ctx.headers["sku"], _("Order %(order)s has no item with SKU %(sku)s.")
                      % {"order": row.order_id, "sku": row.sku})
        else:
            plans.append((row, order))
    if ctx.problems:
        return counts
    for row, order in plans:
        plate = row.facts.license_plate_number
        # The service dates a return no earlier than its order: the same time is compared here.
        if (plate and plate in plates) or (
                not plate and (row.order_id, row.sku, max(row.returned_at, order.purchase_date)) in natural):
            counts.skipped += 1
            continue
        try:
            created = return_record_fba(order=order, sku=row.sku, quantity=row.quantity, returned_at=row.returned_at,
                              reason=return_reason_from_amazon(row.reason_code), buyer_comment=row.comment,
                              amazon=row.facts)
        except ApplicationError as error:
            # What is left to refuse is the quantity: more units than were sent, or already returned.
            ctx.error(row.line, ctx.headers["quantity"], error.message)
            continue
        counts.created += 1
        ctx.touched.add("return", created.pk, created=True)
    return counts
