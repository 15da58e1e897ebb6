"""Reads for the account-health pages and the API: results, the rows behind them, history and breaches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F, Max, OuterRef, QuerySet, Subquery

from core.background import METRICS_RECOMPUTE_TASK
from core.models import DeferredTask, Store
from core.selectors import scoped
from fulfillment.models import Shipment
from support.models import Message

from .definitions import DEFINITIONS, Direction, MetricKey
from .engine import Result, compute_all, metric_pending_rows, metric_rows
from .models import Breach, MetricSnapshot
from .windows import Window, window


def metric_drilldown(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
                     part: str = "denominator") -> QuerySet:
    """The rows behind one result: all of its denominator, only those counted (``part="numerator"``), or the
    rows of its window still pending (``part="pending"``), in neither number."""
    if part == "pending":
        return metric_pending_rows(store=store, metric=metric, channel=channel, window_days=window_days,
                                   as_of=as_of)
    rows = metric_rows(store=store, metric=metric, channel=channel, window_days=window_days, as_of=as_of)
    if part == "numerator":
        rows = rows.filter(is_counted=True)
    elif part != "denominator":
        raise ValueError(f"part must be numerator, denominator or pending, not {part!r}")
    return rows


def snapshot_history(*, store: Store, metric: str, channel: str, window_days: int, since: datetime,
                     kind: str = MetricSnapshot.Kind.DAILY) -> QuerySet[MetricSnapshot]:
    return MetricSnapshot.objects.filter(store=store, kind=kind, metric=metric, channel=channel,
                                         window_days=window_days, as_of__gte=since).order_by("as_of")


def breach_list(*, user: User, open_only: bool = False) -> QuerySet[Breach]:
    breaches = scoped(Breach.objects.select_related("store"), user=user)
    return breaches.filter(resolved_at__isnull=True) if open_only else breaches


def snapshot_series(*, store: Store, since: datetime, until: datetime,
                    kind: str = MetricSnapshot.Kind.DAILY) -> QuerySet[MetricSnapshot]:
    """Every metric's snapshots of ``store`` from ``since`` to ``until``, oldest first, in one query."""
    return (MetricSnapshot.objects.filter(store=store, kind=kind, as_of__gte=since, as_of__lte=until)
            .only("metric", "channel", "window_days", "as_of", "numerator", "denominator", "rate", "status")
            .order_by("as_of", "id"))


#: The rows the drill-down lists: all of the denominator, the numerator, the rest ("missed"), or the rows
#: still pending (metrics with a deadline), in neither number.
DRILLDOWN_PARTS = ("numerator", "denominator", "missed", "pending")


def metric_drilldown_rows(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
                          part: str = "denominator") -> QuerySet:
    """The rows behind one result, with the related rows and times the drill-down shows, worst first."""
    definition = DEFINITIONS[MetricKey(metric)]
    if part == "missed":
        rows = metric_drilldown(store=store, metric=metric, channel=channel, window_days=window_days,
                                as_of=as_of).filter(is_counted=False)
    else:
        rows = metric_drilldown(store=store, metric=metric, channel=channel, window_days=window_days,
                                as_of=as_of, part=part)
    if definition.scope == "orders":
        first_confirmation = (Shipment.objects.filter(order=OuterRef("pk"), shipped_at__lte=as_of)
                              .order_by("shipped_at").values("shipped_at")[:1])
        rows = rows.annotate(first_confirmed_at=Subquery(first_confirmation))
    elif definition.scope == "shipments":
        rows = rows.select_related("order")
    elif definition.scope == "messages":
        answer = (Message.objects.filter(thread=OuterRef("thread"), direction=Message.Direction.OUTBOUND,
                                         is_internal_note=False, sent_at__gte=OuterRef("sent_at"),
                                         sent_at__lte=as_of)
                  .order_by("sent_at").values("sent_at")[:1])
        rows = rows.annotate(answered_at=Subquery(answer)).select_related("thread__order")
    elif definition.scope == "returns":
        rows = rows.select_related("order")
    if part == "pending":
        # The one whose deadline ends first, first.
        return rows.order_by(definition.window_field, "pk")
    # Bad rows first: the counted ones for a ceiling metric, the uncounted ones for a floor metric.
    counted = F("is_counted").desc() if definition.direction is Direction.CEILING else F("is_counted").asc()
    return rows.order_by(counted, F(definition.window_field).desc(nulls_last=True), "-pk")


def latest_live_snapshots(stores: Iterable[Store]) -> QuerySet[MetricSnapshot]:
    """The snapshots of each store's latest live recompute (every metric shares its ``as_of``), in one query."""
    latest = (MetricSnapshot.objects.filter(store=OuterRef("store"), kind=MetricSnapshot.Kind.LIVE)
              .order_by("-as_of").values("as_of")[:1])
    return MetricSnapshot.objects.filter(store__in=list(stores), kind=MetricSnapshot.Kind.LIVE,
                                         as_of=Subquery(latest))


def latest_live_computed_at(stores: Iterable[Store]) -> datetime | None:
    """The newest live recompute of any of ``stores``: what the dashboard polls for."""
    return latest_live_snapshots(stores).aggregate(last=Max("computed_at"))["last"]


def snapshot_result(snapshot: MetricSnapshot) -> Result:
    """A stored result read back, judged by the definition in force (as ``compute`` would judge it now)."""
    definition = DEFINITIONS[MetricKey(snapshot.metric)]
    return Result(
        metric=snapshot.metric, channel=snapshot.channel, window_days=snapshot.window_days, as_of=snapshot.as_of,
        window=Window(start=snapshot.window_start, end=snapshot.window_end, days=snapshot.window_days,
                      lag=definition.lag_days),
        numerator=snapshot.numerator, denominator=snapshot.denominator, target=definition.target,
        direction=definition.direction, definition=definition,
    )


def is_stale(computed_at: datetime | None, now: datetime) -> bool:
    """Whether a live number is older than two recompute periods (``METRICS_STALE_AFTER_SECONDS``)."""
    return computed_at is None or (now - computed_at).total_seconds() > settings.METRICS_STALE_AFTER_SECONDS


@dataclass(frozen=True)
class LiveResults:
    """A store's results now: its latest live recompute when that still stands, else computed on the spot."""

    results: dict[tuple[str, str, int], Result]
    #: When the latest live recompute ran (None: never), and whether it is too old to be trusted.
    computed_at: datetime | None
    stale: bool


def live_results(stores: Iterable[Store], *, now: datetime) -> dict[int, LiveResults]:
    """Each store's current results, read from its latest live recompute where that one still stands.

    A recompute stands while it is not stale, no recompute of the store is owed (one the broker refused,
    ``core.background``) and every window it counted is the window of ``now`` (a local midnight in
    between moves them); otherwise the store is computed for this request. Either way the numbers are exact
    for their own instant, and ``computed_at`` says when the workers last recomputed.
    """
    stores = list(stores)
    stored: dict[int, list[MetricSnapshot]] = {}
    for snapshot in latest_live_snapshots(stores):
        stored.setdefault(snapshot.store_id, []).append(snapshot)
    owed = set(DeferredTask.objects.filter(task=METRICS_RECOMPUTE_TASK, store__in=stores)
               .values_list("store_id", flat=True))
    found = {}
    for store in stores:
        snapshots = stored.get(store.pk, [])
        computed_at = max((s.computed_at for s in snapshots), default=None)
        stale = is_stale(computed_at, now)
        results = {result.key: result for result in map(snapshot_result, snapshots)}
        stands = not stale and store.pk not in owed and _covers_every_result(results, store=store, now=now)
        if not stands:
            results = {result.key: result for result in compute_all(store, now)}
        found[store.pk] = LiveResults(results=results, computed_at=computed_at, stale=stale)
    return found


def _covers_every_result(results: dict[tuple[str, str, int], Result], *, store: Store, now: datetime) -> bool:
    for definition in DEFINITIONS.values():
        for channel in definition.channels:
            for days in definition.window_days:
                result = results.get((definition.key.value, channel, days))
                if result is None or result.window != window(as_of=now, tz=store.tz, days=days,
                                                             lag=definition.lag_days):
                    return False
    return True
