"""Amazon's daily account-health report for the demo stores, in Amazon's own document shape, and its
reconciliation with our figures.

Amazon's figures are computed as Amazon states them: each window as UTC dates, over the same orders, so they agree
with ours. Except on the newest report of the store with a problem to show: there Amazon reads its seller-fulfilled
order defect rate window in the store's own days, and a few seller-fulfilled orders bought in the evening before
the window's first day (store time, the window's first hours in UTC) have negative feedback. We count them, Amazon
does not: the reconciliation page shows the difference, accounted for by those orders.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Value

from core.models import Store
from metrics.engine import Result, compute_between, rows_between
from metrics.windows import local_midnight
from orders.models import Order
from spapi.models import SellerPerformanceReport
from spapi.reconciliation.services import reconciliation_run
from support.models import Feedback

REPORT_DAYS = 14
#: Orders at the window's edge given negative feedback: a difference beyond any sensible tolerance.
EDGE_DEFECTS = 3

#: (Amazon's entry, our metric, channel, days, days before the report's date the window ends, numerator, denominator).
ENTRIES: list[tuple[str, str, str, int, int, str, str]] = [
    ("orderDefectRate.mfn", "odr", "MFN", 60, 15, "orderWithDefects", "orderCount"),
    ("orderDefectRate.afn", "odr", "AFN", 60, 15, "orderWithDefects", "orderCount"),
    ("lateShipmentRate", "lsr", "MFN", 30, 1, "lateShipmentCount", "orderCount"),
    ("lateShipmentRateList", "lsr", "MFN", 10, 1, "lateShipmentCount", "orderCount"),
    ("preFulfillmentCancellationRate", "cancel", "MFN", 7, 1, "cancellationCount", "orderCount"),
    ("validTrackingRate", "vtr", "MFN", 30, 1, "validTrackingCount", "shipmentCount"),
    ("onTimeDeliveryRate", "otdr", "MFN", 14, 1, "onTimeDeliveryCount", "shipmentCountWithValidTracking"),
]
TARGETS = {"odr": (0.01, "LESS_THAN"), "lsr": (0.04, "LESS_THAN"), "cancel": (0.025, "LESS_THAN"),
           "vtr": (0.95, "GREATER_THAN"), "otdr": (0.97, "GREATER_THAN")}


def _midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _entry(first: date, last: date, result: Result, numerator: str, denominator: str) -> dict[str, Any]:
    target, condition = TARGETS[result.metric]
    rate = result.numerator / result.denominator if result.denominator else 0.0
    good = rate < target if condition == "LESS_THAN" else rate >= target
    status = "GOOD" if good else "BAD"
    entry: dict[str, Any] = {
        "reportingDateRange": {"reportingDateFrom": f"{first.isoformat()}T00:00Z",
                               "reportingDateTo": f"{last.isoformat()}T23:59Z"},
        denominator: result.denominator, "status": status, "rate": round(rate, 8), "targetValue": target,
        "targetCondition": condition}
    if result.metric == "odr":
        entry[numerator] = {"count": result.numerator, "status": status}
        entry["fulfillmentType"] = result.channel.lower()
    else:
        entry[numerator] = result.numerator
    return entry


def _defects_by_kind(store: Store, as_of: datetime, start: datetime, end: datetime, channel: str) -> dict[str, Any]:
    rows = rows_between(store=store, metric="odr", channel=channel, as_of=as_of, start=start, end=end)
    counts = rows.denominator().aggregate(**{name: Count(Value(1), filter=condition)
                                             for name, condition in rows.reasons.items()})
    return {"claims": {"count": counts["has_a_to_z_claim"], "status": "NONE"},
            "chargebacks": {"count": counts["has_chargeback"], "status": "NONE"},
            "negativeFeedback": {"count": counts["has_negative_feedback"], "status": "NONE"}}


def performance_document(*, store: Store, as_of: datetime, local_odr: bool = False) -> dict[str, Any]:
    """The report Amazon would give at ``as_of``; ``local_odr``: its seller-fulfilled ODR over store days."""
    metrics: dict[str, Any] = {"marketplaceId": store.marketplace_info.marketplace_id}
    today = as_of.astimezone(UTC).date()
    for source, metric, channel, days, lag, numerator, denominator in ENTRIES:
        last = today - timedelta(days=lag)
        first = last - timedelta(days=days - 1)
        start, end = _midnight_utc(first), _midnight_utc(last + timedelta(days=1))
        if local_odr and source == "orderDefectRate.mfn":
            start, end = local_midnight(first, store.tz), local_midnight(last + timedelta(days=1), store.tz)
        result = compute_between(store=store, metric=metric, channel=channel, as_of=as_of, start=start,
                                 end=min(end, as_of))
        entry = _entry(first, last, result, numerator, denominator)
        if metric == "odr":
            entry |= _defects_by_kind(store, as_of, start, min(end, as_of), channel)
            metrics.setdefault("orderDefectRate", {})[channel.lower()] = entry
        elif source == "lateShipmentRateList":
            metrics.setdefault(source, []).append(entry)
        else:
            metrics[source] = entry
    return {"accountStatuses": [{"marketplaceId": metrics["marketplaceId"], "status": "NORMAL"}],
            "performanceMetrics": [metrics]}


def _edge_defects(*, store: Store, as_of: datetime, rng: random.Random) -> list[Order]:
    """Negative feedback on a few seller-fulfilled orders bought in the first UTC hours of the newest report's ODR
    window, the store's evening before it starts (west of UTC; east of it, the last hours)."""
    last = as_of.astimezone(UTC).date() - timedelta(days=15)
    first = last - timedelta(days=59)
    utc_start, utc_end = _midnight_utc(first), _midnight_utc(last + timedelta(days=1))
    local_start, local_end = local_midnight(first, store.tz), local_midnight(last + timedelta(days=1), store.tz)
    span = (utc_start, local_start) if local_start > utc_start else (local_end, utc_end)
    if span[0] >= span[1]:
        return []
    candidates = list(Order.objects.filter(store=store, fulfillment_channel="MFN", feedback__isnull=True,
                                           purchase_date__gte=span[0],
                                           purchase_date__lt=span[1]).order_by("purchase_date", "pk")[:20])
    chosen = rng.sample(candidates, min(EDGE_DEFECTS, len(candidates)))
    Feedback.objects.bulk_create([
        Feedback(store=store, order=order, rating=1, received_at=order.purchase_date + timedelta(days=4),
                 comment="Arrived damaged, nobody answered.") for order in chosen])
    return chosen


def demo_performance_reports(*, store: Store, now: datetime, with_difference: bool, seed: int) -> list[
        SellerPerformanceReport]:
    """A report for each of the last ``REPORT_DAYS`` days (fetched at ``now``'s time of day), each reconciled."""
    if with_difference:
        _edge_defects(store=store, as_of=now, rng=random.Random(f"{seed}-edge-{store.code}"))
    reports = []
    for back in range(REPORT_DAYS - 1, -1, -1):
        as_of = now - timedelta(days=back)
        document = performance_document(store=store, as_of=as_of, local_odr=with_difference and back == 0)
        report = SellerPerformanceReport.objects.create(
            store=store, report_id=f"DEMO-{store.code}-{as_of:%Y%m%d}", report_document_id="", fetched_at=as_of,
            marketplace_id=store.marketplace_info.marketplace_id, account_status="NORMAL", raw=document)
        reconciliation_run(report_id=report.pk, now=as_of)
        reports.append(report)
    return reports
