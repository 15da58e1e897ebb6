"""The drill-down: the rows behind one number, a page at a time or as CSV, with why each one counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from core.charts import Box, sparkline
from core.exports import csv_line, started
from core.models import Store
from core.selectors import store_list
from core.web import refused_filters, refused_filters_response
from orders import links

from ..definitions import DEFINITIONS, Direction, MetricDefinition, MetricKey
from ..engine import compute
from ..forms import DrilldownForm, resolve_as_of
from ..models import Status
from ..selectors import metric_drilldown_rows, snapshot_history
from .common import (
    CHANNEL_LABELS,
    HISTORY_DAYS,
    PAGE_SIZE,
    consequence_text,
    drilldown_url,
    health_url,
    no_rows_text,
    percent,
    render_page,
    target_label,
    window_label,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

K = MetricKey


def _by(value: datetime | None, as_of: datetime) -> datetime | None:
    """``value`` if it had happened by ``as_of``: the drill-down shows the world as the metric saw it."""
    return value if value is not None and value <= as_of else None


Value = str | datetime | None


@dataclass(frozen=True)
class Column:
    label: StrOrPromise
    get: Callable[[Any, datetime], Value]
    mono: bool = False


@dataclass(frozen=True)
class RowView:
    """What one table defines per metric: how to name a row's order, its verdict and facts.

    Why a row is a defect comes from the metric's definition: the reason flags the engine set on the row.
    """

    order_id: Callable[[Any], str]
    #: (label when counted, label when not); may name the deadline as %(hours)s.
    counted: tuple[StrOrPromise, StrOrPromise]
    columns: list[Column]


def _thread_order_id(row) -> str:
    order = row.thread.order
    return order.amazon_order_id if order else ""


ROW_VIEWS: dict[MetricKey, RowView] = {
    K.ODR: RowView(lambda r: r.amazon_order_id, (gettext_lazy("defect"), gettext_lazy("no defect")), [
        Column(gettext_lazy("Purchased"), lambda r, a: r.purchase_date),
        Column(gettext_lazy("Channel"), lambda r, a: r.fulfillment_channel, mono=True),
        Column(gettext_lazy("Status"), lambda r, a: r.get_status_display()),
    ]),
    K.LSR: RowView(lambda r: r.amazon_order_id, (gettext_lazy("late"), gettext_lazy("on time")), [
        Column(gettext_lazy("Ship by"), lambda r, a: r.latest_ship_date),
        Column(gettext_lazy("First confirmation"), lambda r, a: r.first_confirmed_at),
        Column(gettext_lazy("Status"), lambda r, a: r.get_status_display()),
    ]),
    K.CANCEL: RowView(lambda r: r.amazon_order_id, (gettext_lazy("cancelled"), gettext_lazy("not counted")), [
        Column(gettext_lazy("Purchased"), lambda r, a: r.purchase_date),
        Column(gettext_lazy("Cancelled"), lambda r, a: _by(r.canceled_at, a)),
        Column(gettext_lazy("Cancelled by"),
               lambda r, a: r.get_cancel_initiator_display() if _by(r.canceled_at, a) else ""),
        Column(gettext_lazy("Cancellation reason"), lambda r, a: r.cancel_reason if _by(r.canceled_at, a) else ""),
    ]),
    K.VTR: RowView(lambda r: r.order.amazon_order_id,
                   (gettext_lazy("valid tracking"), gettext_lazy("no valid tracking")), [
        Column(gettext_lazy("Ship confirmed"), lambda r, a: r.shipped_at),
        Column(gettext_lazy("Carrier"), lambda r, a: r.carrier_label),
        Column(gettext_lazy("Tracking"), lambda r, a: r.tracking_number, mono=True),
        Column(gettext_lazy("First scan"), lambda r, a: _by(r.first_scan_at, a)),
    ]),
    K.OTDR: RowView(lambda r: r.order.amazon_order_id, (gettext_lazy("on time"), gettext_lazy("late")), [
        Column(gettext_lazy("Deliver by"), lambda r, a: r.order.latest_delivery_date),
        Column(gettext_lazy("First scan"), lambda r, a: _by(r.first_scan_at, a)),
        Column(gettext_lazy("Delivered"), lambda r, a: _by(r.delivered_at, a)),
        Column(gettext_lazy("Carrier"), lambda r, a: r.carrier_label),
        Column(gettext_lazy("Tracking"), lambda r, a: r.tracking_number, mono=True),
    ]),
    K.RESPONSE: RowView(_thread_order_id,
                        (gettext_lazy("answered in %(hours)s h"), gettext_lazy("not answered in %(hours)s h")), [
        Column(pgettext_lazy("buyer message", "Received"), lambda r, a: r.sent_at),
        Column(gettext_lazy("Answer due"), lambda r, a: r.sent_at + DEFINITIONS[K.RESPONSE].deadline),
        Column(gettext_lazy("Subject"), lambda r, a: r.subject or r.thread.subject),
        Column(gettext_lazy("Answered"), lambda r, a: r.answered_at),
    ]),
    K.RDR: RowView(lambda r: r.order.amazon_order_id, (gettext_lazy("dissatisfied"), gettext_lazy("handled well")), [
        Column(gettext_lazy("Requested"), lambda r, a: r.requested_at),
        Column(gettext_lazy("Answer due"), lambda r, a: r.requested_at + DEFINITIONS[K.RDR].deadline),
        Column(gettext_lazy("SKU"), lambda r, a: r.sku, mono=True),
        Column(gettext_lazy("Return reason"), lambda r, a: r.get_reason_display()),
        Column(gettext_lazy("First response"), lambda r, a: _by(r.responded_at, a)),
        Column(gettext_lazy("Rejected"), lambda r, a: _by(r.rejected_at, a)),
        Column(gettext_lazy("Negative feedback"), lambda r, a: _by(r.negative_feedback_at, a)),
    ]),
}


@dataclass(frozen=True)
class Cell:
    value: Value
    mono: bool
    is_time: bool


@dataclass(frozen=True)
class DrillRow:
    order_id: str
    order_url: str
    counted: bool
    bad: bool
    verdict: str
    reasons: list[str]
    cells: list[Cell]


def order_url(store: Store, amazon_order_id: str) -> str:
    if not amazon_order_id:
        return ""
    return links.order_url(amazon_order_id, store.code)


def drill_row(view: RowView, row, *, store: Store, as_of: datetime, definition: MetricDefinition,
              labels: dict[str, str], pending: bool = False) -> DrillRow:
    """One row as the drill-down shows it; ``labels`` are ``definition``'s reason labels, read once per page.

    A ``pending`` row (its deadline still runs, unanswered) is neither counted nor a defect yet.
    """
    oid = view.order_id(row)
    counted = not pending and bool(row.is_counted)
    values = [column.get(row, as_of) for column in view.columns]
    if pending:
        verdict = pgettext("metric row", "pending")
    else:
        verdict = str(view.counted[0] if counted else view.counted[1]) % {"hours": definition.deadline_hours}
    return DrillRow(
        order_id=oid,
        order_url=order_url(store, oid),
        counted=counted,
        bad=not pending and (counted if definition.direction is Direction.CEILING else not counted),
        verdict=verdict,
        reasons=[] if pending else [labels[reason.key] for reason in definition.reasons if getattr(row, reason.key)],
        cells=[Cell(value, column.mono, isinstance(value, datetime)) for column, value in zip(view.columns, values,
                                                                                            strict=True)],
    )


def drilldown_csv(rows, *, view: RowView, store: Store, as_of: datetime, definition: MetricDefinition,
                  filename: str, pending: bool = False) -> StreamingHttpResponse:
    """Stream the rows as CSV, a chunk of the database at a time, in the language of the request.

    Cells go through ``core.exports``: a subject, reason or carrier typed by a buyer or a colleague is
    defused before it reaches a spreadsheet.
    """
    language = translation.get_language()
    header = [_("Order"), _("Verdict"), _("Reasons"), *[str(c.label) for c in view.columns]]

    def lines() -> Iterator[str]:
        with translation.override(language):
            labels = definition.reason_labels()
            yield csv_line(header)
            for row in rows.iterator(chunk_size=1000):
                line = drill_row(view, row, store=store, as_of=as_of, definition=definition, labels=labels,
                                 pending=pending)
                yield csv_line([line.order_id, line.verdict, "; ".join(line.reasons),
                                *[cell.value for cell in line.cells]], tz=store.tz)

    response = StreamingHttpResponse(started(lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _definition_or_404(metric: str, channel: str, window_days: int) -> MetricDefinition:
    try:
        definition = DEFINITIONS[MetricKey(metric)]
    except ValueError:
        raise Http404(_("No such metric.")) from None
    if channel not in definition.channels or window_days not in definition.window_days:
        raise Http404(_("No such metric."))
    return definition


@login_required
@require_GET
def drilldown_view(request: HttpRequest, store_code: str, metric: str, channel: str,
                   window_days: int) -> HttpResponse | StreamingHttpResponse:
    store = get_object_or_404(store_list(user=request.user), code=store_code)
    definition = _definition_or_404(metric, channel, window_days)
    form = DrilldownForm(request.GET)
    day = form.day()
    part = form.value("part", "numerator")
    if (part == "missed" and definition.direction is Direction.CEILING) or (
            part == "pending" and definition.deadline is None):
        part = "denominator"
    as_of = resolve_as_of(day, store.tz, timezone.now())
    view = ROW_VIEWS[definition.key]
    rows = metric_drilldown_rows(store=store, metric=metric, channel=channel, window_days=window_days,
                                 as_of=as_of, part=part)
    if form.value("format") == "csv":
        if refused := refused_filters(form):
            return refused_filters_response(refused)
        filename = f"{store.code}-{metric}-{channel}-{window_days}d-{part}-{as_of.astimezone(store.tz):%Y%m%d}.csv"
        return drilldown_csv(rows, view=view, store=store, as_of=as_of, definition=definition, filename=filename,
                             pending=part == "pending")

    result = next(r for r in compute(store, metric, as_of) if r.channel == channel and r.window_days == window_days)
    totals = {"numerator": result.numerator, "denominator": result.denominator,
              "missed": result.denominator - result.numerator, "pending": result.pending or 0}
    total = totals[part]
    page = min(form.value("page", 1), max(1, -(-total // PAGE_SIZE)))
    offset = (page - 1) * PAGE_SIZE
    labels = definition.reason_labels()
    page_rows = [drill_row(view, row, store=store, as_of=as_of, definition=definition, labels=labels,
                           pending=part == "pending")
                 for row in rows[offset:offset + PAGE_SIZE]]
    since = as_of - timedelta(days=HISTORY_DAYS)
    history = [(s.as_of.timestamp(), float(s.rate * 100) if s.rate is not None else None)
               for s in snapshot_history(store=store, metric=metric, channel=channel, window_days=window_days,
                                         since=since).filter(as_of__lte=as_of)]
    if history and result.rate is not None:
        history.append((as_of.timestamp(), float(result.rate * 100)))
    key = result.key
    part_labels = {"numerator": _("Counted"), "denominator": _("All in window"), "missed": _("Not counted"),
                   "pending": pgettext("metric rows", "Pending")}
    if definition.direction is Direction.CEILING:
        part_labels["numerator"] = _("Defects")
    parts = ["numerator", "denominator"] + (["missed"] if definition.direction is Direction.FLOOR else [])
    if definition.deadline is not None:
        parts.append("pending")
    tabs = [{"key": p, "label": part_labels[p], "count": totals[p], "active": p == part,
             "url": drilldown_url(store, key, part=p, day=day)} for p in parts]
    context = {
        "store": store,
        "definition": definition,
        "result": result,
        "name": str(definition.name),
        "channel_label": str(CHANNEL_LABELS[channel]),
        "window_label": window_label(window_days),
        "value": percent(result.rate) if result.rate is not None else None,
        "target_label": target_label(definition),
        "status_label": str(Status(result.status).label),
        "consequence": consequence_text(result),
        "empty_text": no_rows_text(definition),
        "as_of": as_of,
        "day": day,
        "window_start": result.window.start,
        "window_last": result.window.end - timedelta(seconds=1),
        "form": form,
        "part": part,
        "tabs": tabs,
        "columns": view.columns,
        "rows": page_rows,
        "total": total,
        "first_row": offset + 1 if page_rows else 0,
        "last_row": offset + len(page_rows),
        "prev_url": drilldown_url(store, key, part=part, day=day, page=page - 1) if page > 1 else None,
        "next_url": drilldown_url(store, key, part=part, day=day, page=page + 1)
        if offset + PAGE_SIZE < total else None,
        "csv_url": drilldown_url(store, key, part=part, day=day, format="csv"),
        "back_url": health_url(store=store.code, day=day),
        "trend_url": reverse("metrics:trend", kwargs={"store_code": store.code, "metric": metric,
                                                      "channel": channel, "window_days": window_days}),
        "trend": sparkline(history, target=float(definition.target * 100), status=result.status,
                           box=Box(width=560, height=90, pad=6),
                           label=_("%(name)s over the last %(days)d days") % {"name": str(definition.name),
                                                                               "days": HISTORY_DAYS}),
    }
    return render_page(request, "metrics/drilldown.html", "drill-table", context)
