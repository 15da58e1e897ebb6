"""Reconcile a kept seller-performance report: each of Amazon's figures beside ours, its differences and their
causes kept as ``Reconciliation`` rows, and the people who watch a metric told when it differs."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import task_enqueue_or_defer
from core.errors import ApplicationError
from core.models import Store
from core.permissions import user_can
from metrics.engine import compute_between

from ..models import Reconciliation, ReconciliationOrder, SellerCredentials, SellerPerformanceReport
from .alerts import reconciliation_alerts_check
from .compare import Tolerance, Verdict, compare
from .explain import Explanation, explain
from .figures import amazon_figures

logger = logging.getLogger(__name__)

RECONCILE_TASK = "spapi.tasks.reconciliation_run_task"
#: Who may have a report reconciled again (``core.permissions``): the people who answer for account health.
RECONCILE_PERMISSION = "reconciliation.run"


def reconciliation_tolerance() -> Tolerance:
    """The tolerance of ``settings.SPAPI_RECONCILIATION_TOLERANCE`` (percentage points, rows of the numerator)."""
    conf = settings.SPAPI_RECONCILIATION_TOLERANCE
    return Tolerance(points=Decimal(str(conf["points"])), rows=int(conf["rows"]))


def _marketplace_id(report: SellerPerformanceReport) -> str:
    return report.marketplace_id or report.store.marketplace_info.marketplace_id


@transaction.atomic
def reconciliation_run(*, report_id: int, now: datetime | None = None) -> list[Reconciliation]:
    """Set every figure of one kept report beside ours and keep the comparisons, replacing the report's earlier ones.

    Ours is computed by the metrics engine over Amazon's window, in the same channel, as of the report's fetch;
    the part of Amazon's window after that instant is left out of our numbers (its rows' deadlines were still
    running) and named as a cause. When the report is its store's newest, a difference beyond tolerance notifies
    (``reconciliation.alerts``). Safe to run again: the same report gives the same rows.
    """
    now = now or timezone.now()
    report = SellerPerformanceReport.objects.select_for_update().select_related("store").get(pk=report_id)
    store = report.store
    as_of = report.fetched_at
    tolerance = reconciliation_tolerance()
    last_synced_at = (SellerCredentials.objects.filter(store=store).values_list("last_synced_at", flat=True)
                      .first())
    report.reconciliations.all().delete()
    kept: list[Reconciliation] = []
    orders: list[ReconciliationOrder] = []
    for figure in amazon_figures(report.raw, marketplace_id=_marketplace_id(report)):
        start = min(figure.start, as_of)
        ours = compute_between(store=store, metric=figure.metric, channel=figure.channel, as_of=as_of,
                               start=start, end=max(start, min(figure.end, as_of)))
        comparison = compare(amazon_numerator=figure.numerator, amazon_denominator=figure.denominator,
                             amazon_rate=figure.rate, our_numerator=ours.numerator,
                             our_denominator=ours.denominator, tolerance=tolerance)
        explanation = (explain(store=store, figure=figure, as_of=as_of, ours=ours, last_synced_at=last_synced_at)
                       if comparison.verdict in (Verdict.WITHIN, Verdict.DIFFERS)
                       else Explanation(causes=[], rows=[], components={}))
        components = explanation.components or (
            {reason: {"amazon": amazon, "ours": None} for reason, amazon in figure.components.items()})
        reconciliation = Reconciliation.objects.create(
            store=store, report=report, metric=figure.metric, channel=figure.channel,
            window_days=figure.window_days, source=figure.source, window_start=figure.start,
            window_end=figure.end, as_of=as_of, amazon_numerator=figure.numerator,
            amazon_denominator=figure.denominator, amazon_rate=comparison.amazon_rate, amazon_target=figure.target,
            amazon_status=figure.status[:16], our_numerator=ours.numerator, our_denominator=ours.denominator,
            our_rate=comparison.our_rate, our_pending=ours.pending, points=comparison.points,
            numerator_rows=comparison.numerator_rows, denominator_rows=comparison.denominator_rows,
            verdict=comparison.verdict, components=components,
            causes=[cause.as_dict() for cause in explanation.causes], computed_at=now)
        kept.append(reconciliation)
        orders += [ReconciliationOrder(reconciliation=reconciliation, order_id=row.order_id, cause=row.cause,
                                       side=row.side, counted=row.counted, at=row.at, reason=row.reason)
                   for row in explanation.rows]
    ReconciliationOrder.objects.bulk_create(orders)
    newest = (SellerPerformanceReport.objects.filter(store=store).order_by("-fetched_at", "-id")
              .values_list("pk", flat=True).first())
    if newest == report.pk:
        reconciliation_alerts_check(store=store, reconciliations=kept, at=now)
    logger.info("Seller-performance report %s of %s reconciled: %s figures, %s differ", report.report_id,
                store.code, len(kept), sum(1 for r in kept if r.verdict == Verdict.DIFFERS))
    return kept


def reconciliation_enqueue(*, report: SellerPerformanceReport) -> None:
    """Queue the reconciliation of ``report`` once the transaction that kept it commits."""
    transaction.on_commit(lambda: task_enqueue_or_defer(task_name=RECONCILE_TASK, store_id=report.store_id,
                                                        object_id=report.pk), robust=True)


def reconciliation_request(*, store: Store, actor, report: SellerPerformanceReport | None = None) -> (
        SellerPerformanceReport):
    """Have ``store``'s newest kept report (or ``report``) reconciled again, in the background; for the people who
    answer for account health."""
    if not user_can(user=actor, store=store, permission=RECONCILE_PERMISSION):
        raise ApplicationError(_("Only managers and admins have reports reconciled again."))
    report = report or SellerPerformanceReport.objects.filter(store=store).order_by("-fetched_at", "-id").first()
    if report is None or report.store_id != store.pk:
        raise ApplicationError(_("Store %(store)s has no seller-performance report yet.") % {"store": store.code})
    reconciliation_enqueue(report=report)
    return report
