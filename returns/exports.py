"""The return requests of the viewer's stores as a CSV download, with the filters of the query string."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import csv_response
from core.selectors import scoped, store_list

from .models import ReturnRequest, ReturnStatus


def return_export_rows(*, user, store_code: str = "", status: str = "", q: str = "") -> QuerySet[ReturnRequest]:
    """The returns of ``user``'s stores, optionally of one store, in one status, or of an order id, newest first."""
    qs = scoped(ReturnRequest.objects.all(), user=user)
    if store_code:
        qs = qs.filter(store__in=store_list(user=user).filter(code=store_code))
    if status in ReturnStatus.values:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(order__amazon_order_id__icontains=q.strip())
    return qs.select_related("store", "order").order_by("-requested_at", "-id")


@login_required
@require_GET
def return_export_view(request: HttpRequest) -> StreamingHttpResponse:
    returns = return_export_rows(user=request.user, store_code=request.GET.get("store", ""),
                                 status=request.GET.get("status", ""), q=request.GET.get("q", ""))
    header = [_("Order"), _("Store"), _("SKU"), _("Quantity"), _("Reason"), _("Status"), _("Requested at"),
              _("First response at"), _("In policy"), _("Amazon RMA id"), _("Merchant RMA id"), _("Disposition"),
              _("Buyer comment")]

    def rows() -> Iterator[list]:
        for r in returns.iterator(chunk_size=2000):
            tz = r.store.tz
            yield [r.order.amazon_order_id, r.store.code, r.sku, r.quantity, r.get_reason_display(),
                   r.get_status_display(), r.requested_at.astimezone(tz),
                   r.responded_at.astimezone(tz) if r.responded_at else None, r.in_policy, r.amazon_rma_id,
                   r.merchant_rma_id, r.get_disposition_display(), r.buyer_comment]

    return csv_response(header, rows(), filename=f"returns-{timezone.now():%Y%m%d-%H%M}.csv")
