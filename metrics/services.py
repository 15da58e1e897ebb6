"""Metric recomputation: snapshots, breaches, and the debounced trigger that other apps' services call."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.background import (
    BROKER_ERRORS,
    METRICS_RECOMPUTE_TASK,
    deferred_task_done,
    deferred_task_seen,
    task_defer,
    task_named,
)
from core.models import Store

from .alerts import alerts_evaluate
from .definitions import Direction
from .engine import Result, compute_all
from .models import Breach, MetricSnapshot, Status
from .windows import local_midnight

logger = logging.getLogger(__name__)

def _pending_key(store_id: int) -> str:
    return f"metrics:recompute-pending:{store_id}"


def metrics_inputs_changed(*, store_id: int) -> None:
    """Schedule one recompute of ``store_id``'s metrics after this transaction commits, debounced.

    The first change in a quiet store sets a pending flag and enqueues a recompute that runs
    ``METRICS_RECOMPUTE_DEBOUNCE_SECONDS`` later; changes while the flag is set enqueue nothing, since that
    recompute, which clears the flag as it starts, will see them.
    """

    def enqueue() -> None:
        delay = settings.METRICS_RECOMPUTE_DEBOUNCE_SECONDS
        try:
            # The flag outlives the delay so that a recompute stuck in a queue still absorbs the burst; if it
            # is lost altogether, the flag expires and the next change schedules again.
            if cache.add(_pending_key(store_id), 1, timeout=max(delay * 10, 60)):
                task_named(METRICS_RECOMPUTE_TASK).apply_async(args=[store_id], countdown=delay)  # type: ignore[arg-type]  # a list: fine for Celery, not its stubs
        except BROKER_ERRORS as error:
            # Redis is away: the change is committed; PostgreSQL keeps the recompute owed until it has run.
            task_defer(task_name=METRICS_RECOMPUTE_TASK, store_id=store_id, object_id=store_id, error=error)

    # Robust: the change has committed, so a recompute that cannot start (tasks running in-process while the
    # database goes away) is logged, not turned into an error answer for a write that succeeded.
    transaction.on_commit(enqueue, robust=True)


def order_facts_repaired_recompute(sender: object, *, store_ids: tuple[int, ...], **kwargs: object) -> None:
    """Recompute the stores whose order facts were repaired (``fulfillment.signals.order_facts_repaired``)."""
    for store_id in store_ids:
        metrics_inputs_changed(store_id=store_id)


def _is_worse(rate, than, direction: Direction) -> bool:
    return rate > than if direction is Direction.CEILING else rate < than


def _last_tracked(breach: Breach) -> datetime:
    """The latest instant ``breach`` records: its resolution, or (open) its opening or its worst rate."""
    return breach.resolved_at or max(breach.opened_at, breach.peak_at)


def breach_update(*, store: Store, result: Result, at: datetime) -> Breach | None:
    """Open a breach when ``result`` is red, track its worst rate, resolve it once back inside the target.

    ``at`` is the instant ``result`` was computed for, and the instant the breach records. Tracking moves
    forward in time: a result for an instant before the latest one the store's breaches of that metric
    record changes nothing (it could otherwise resolve a breach before it opened).
    """
    # The newest breach of the result, open or not (at most one is open, and it is the newest).
    latest = (
        Breach.objects.select_for_update()
        .filter(store=store, metric=result.metric, channel=result.channel, window_days=result.window_days)
        .order_by("-opened_at", "-pk")
        .first()
    )
    open_breach = latest if latest is not None and latest.is_open else None
    if latest is not None and at < _last_tracked(latest):
        return open_breach
    if result.status == Status.RED:
        assert result.rate is not None  # a red result has a rate
        if open_breach is None:
            return Breach.objects.create(
                store=store, metric=result.metric, channel=result.channel, window_days=result.window_days,
                opened_at=at, opening_rate=result.rate, peak_rate=result.rate, peak_at=at,
            )
        if _is_worse(result.rate, open_breach.peak_rate, result.direction):
            open_breach.peak_rate, open_breach.peak_at = result.rate, at
            open_breach.save(update_fields=["peak_rate", "peak_at"])
        return open_breach
    if open_breach is not None and result.status in {Status.GREEN, Status.AMBER}:
        open_breach.resolved_at = at
        open_breach.save(update_fields=["resolved_at"])
    return open_breach


def _snapshot(*, store: Store, result: Result, kind: str) -> MetricSnapshot:
    snapshot, _ = MetricSnapshot.objects.update_or_create(
        store=store, kind=kind, metric=result.metric, channel=result.channel, window_days=result.window_days,
        as_of=result.as_of,
        defaults={
            "window_start": result.window.start, "window_end": result.window.end, "numerator": result.numerator,
            "denominator": result.denominator, "rate": result.rate, "status": result.status,
            "definition": result.definition.as_dict(),
        },
    )
    return snapshot


@transaction.atomic
def metrics_recompute(*, store: Store, as_of: datetime | None = None, kind: str = MetricSnapshot.Kind.LIVE,
                      track_breaches: bool | None = None) -> list[Result]:
    """Compute every metric of ``store`` at ``as_of`` (default now), snapshot it, and update breaches.

    Breaches and alerts are tracked at ``as_of`` when ``track_breaches`` says so; by default only by a live
    recompute of now, so that recomputing a past instant never opens or closes one. Tracked at explicit
    instants, they follow them as they would the clock (in time order: see ``breach_update``). Runs for one
    store at a time (the store row is locked), so concurrent runs cannot duplicate anything. A live
    recompute of now also settles the recompute its store owed after Redis refused one
    (``core.background``), unless another change was refused after it started.
    """
    store = Store.objects.select_for_update().get(pk=store.pk)
    live_now = as_of is None and kind == MetricSnapshot.Kind.LIVE
    tracked = live_now if track_breaches is None else track_breaches
    # Read before computing: a recompute owed from a change committed before this point sees that change.
    owed = deferred_task_seen(task_name=METRICS_RECOMPUTE_TASK, object_id=store.pk) if live_now else None
    as_of = as_of or timezone.now()
    results = compute_all(store, as_of)
    open_breaches: dict[tuple[str, str, int], Breach] = {}
    for result in results:
        _snapshot(store=store, result=result, kind=kind)
        if tracked:
            breach = breach_update(store=store, result=result, at=as_of)
            if breach is not None and breach.is_open:
                open_breaches[result.key] = breach
    if tracked:
        alerts_evaluate(store=store, results=results, at=as_of, breaches=open_breaches)
    if owed is not None:
        deferred_task_done(task_name=METRICS_RECOMPUTE_TASK, object_id=store.pk, seen=owed)
    return results


def metrics_recompute_store(*, store_id: int, as_of: datetime | None = None) -> list[Result]:
    """The debounced recompute: clear the pending flag first, so changes from now on schedule another."""
    cache.delete(_pending_key(store_id))
    return metrics_recompute(store=Store.objects.get(pk=store_id), as_of=as_of)


def metrics_backfill_daily(*, store: Store, days: int, now: datetime | None = None) -> int:
    """Compute the DAILY snapshots of the last ``days`` local midnights (replacing any there); return how many.

    History for a store whose data arrived at once (an import, the demo): the trend lines start full.
    """
    now = now or timezone.now()
    today = now.astimezone(store.tz).date()
    snapshots = []
    for back in range(days, -1, -1):
        as_of = local_midnight(today - timedelta(days=back), store.tz)
        snapshots += [
            MetricSnapshot(
                store=store, kind=MetricSnapshot.Kind.DAILY, metric=r.metric, channel=r.channel,
                window_days=r.window_days, as_of=as_of, window_start=r.window.start, window_end=r.window.end,
                numerator=r.numerator, denominator=r.denominator, rate=r.rate, status=r.status,
                definition=r.definition.as_dict(),
            )
            for r in compute_all(store, as_of)
        ]
    MetricSnapshot.objects.bulk_create(
        snapshots, batch_size=1000, update_conflicts=True,
        unique_fields=["store", "kind", "metric", "channel", "window_days", "as_of"],
        update_fields=["window_start", "window_end", "numerator", "denominator", "rate", "status", "definition"],
    )
    return len(snapshots)


def metrics_prune_live(*, store: Store, now: datetime | None = None) -> int:
    """Delete ``store``'s live snapshots older than ``METRICS_LIVE_KEEP_DAYS`` but its latest; return how many.

    Every recompute writes a live set (hourly, and after each burst of changes), and only the latest is read.
    """
    now = now or timezone.now()
    live = MetricSnapshot.objects.filter(store=store, kind=MetricSnapshot.Kind.LIVE)
    latest = live.order_by("-as_of").values_list("as_of", flat=True).first()
    deleted, _ = (live.filter(as_of__lt=now - timedelta(days=settings.METRICS_LIVE_KEEP_DAYS))
                  .exclude(as_of=latest).delete())  # type: ignore[misc]  # None: no live set, nothing deleted
    return deleted


def metrics_snapshot_daily(*, store: Store, now: datetime | None = None) -> list[Result]:
    """Snapshot ``store``'s metrics at the start of its current local day (idempotent for the day)."""
    now = now or timezone.now()
    midnight = local_midnight(now.astimezone(store.tz).date(), store.tz)
    return metrics_recompute(store=store, as_of=midnight, kind=MetricSnapshot.Kind.DAILY)
