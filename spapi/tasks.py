"""Celery tasks of the SP-API integration: the order sync, the seller-performance report and the catalogue reports,
per store; the stock of each listing pushed to Amazon, and the sweep that pushes whatever is still owed; publishing
listings, one by one or in a feed."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError

from core.background import deferred_task_done, deferred_task_seen
from core.errors import ApplicationError
from core.models import Store

from .catalogue import catalogue_fetch
from .feeds import FEED_TASK, listing_feed_run
from .models import Reconciliation, SellerPerformanceReport
from .performance import spapi_fetch_performance
from .publish import PUBLISH_TASK, listing_publish_run
from .reconciliation.services import RECONCILE_TASK, reconciliation_run
from .services import credentials_active_store_ids
from .stock import stock_push, stock_push_sweep
from .sync import spapi_sync_orders

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def spapi_sync_orders_task(store_id: int | None = None) -> dict[str, Any]:
    """Pull one store's changed orders from Amazon; without a store id, enqueue one task per synced store."""
    if store_id is None:
        store_ids = credentials_active_store_ids()
        for sid in store_ids:
            spapi_sync_orders_task.delay(store_id=sid)
        return {"enqueued": store_ids}
    store = Store.objects.get(pk=store_id)
    lock = f"spapi-sync-orders:{store_id}"
    # A long first sync may still run when beat fires again: the second one leaves it alone.
    if not cache.add(lock, 1, timeout=settings.CELERY_TASK_TIME_LIMIT):
        return {"store": store.code, "skipped": "already running"}
    try:
        return spapi_sync_orders(store=store).as_dict()
    except ApplicationError as exc:
        # Already recorded on the credentials; the next run repeats the same window.
        logger.warning("SP-API order sync of %s did not finish: %s", store.code, exc.message)
        return {"store": store.code, "error": exc.message}
    finally:
        cache.delete(lock)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def spapi_fetch_performance_task(store_id: int | None = None) -> dict[str, Any]:
    """Fetch and keep one store's seller-performance report; without a store id, enqueue one per synced store."""
    if store_id is None:
        store_ids = credentials_active_store_ids()
        for sid in store_ids:
            spapi_fetch_performance_task.delay(store_id=sid)
        return {"enqueued": store_ids}
    store = Store.objects.get(pk=store_id)
    try:
        report = spapi_fetch_performance(store=store)
    except ApplicationError as exc:
        logger.warning("SP-API performance report of %s not kept: %s", store.code, exc.message)
        return {"store": store.code, "error": exc.message}
    return {"store": store.code, "report": report.pk, "report_id": report.report_id}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reconciliation_run_task(report_id: int) -> dict[str, Any]:
    """Set one kept seller-performance report's figures beside ours (after each fetch, and on demand)."""
    seen = deferred_task_seen(task_name=RECONCILE_TASK, object_id=report_id)
    try:
        kept = reconciliation_run(report_id=report_id)
    except SellerPerformanceReport.DoesNotExist:
        kept = None
    deferred_task_done(task_name=RECONCILE_TASK, object_id=report_id, seen=seen)
    if kept is None:
        return {"report": report_id, "skipped": "no such report"}
    return {"report": report_id, "figures": len(kept),
            "differ": sum(1 for r in kept if r.verdict == Reconciliation.Verdict.DIFFERS)}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def listing_publish_task(publication_id: int) -> dict[str, Any]:
    """Publish (or patch) one listing on Amazon: a queued ``ListingPublication``."""
    seen = deferred_task_seen(task_name=PUBLISH_TASK, object_id=publication_id)
    publication = listing_publish_run(publication_id=publication_id)
    deferred_task_done(task_name=PUBLISH_TASK, object_id=publication_id, seen=seen)
    if publication is None:
        return {"publication": publication_id, "skipped": "not queued"}
    return {"publication": publication_id, "status": publication.status}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def listing_feed_task(feed_id: int) -> dict[str, Any]:
    """Send one queued JSON listings feed, wait for Amazon's processing report and record each listing's outcome."""
    seen = deferred_task_seen(task_name=FEED_TASK, object_id=feed_id)
    feed = listing_feed_run(feed_id=feed_id)
    deferred_task_done(task_name=FEED_TASK, object_id=feed_id, seen=seen)
    if feed is None:
        return {"feed": feed_id, "skipped": "not queued"}
    return {"feed": feed_id, "status": feed.status, "summary": feed.summary}


# Acknowledged once done: a push lost with its worker is delivered again (and the sweep finds it owed anyway).
@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True)
def spapi_push_stock_task(listing_id: int) -> str:
    """Send one listing's current sellable quantity to Amazon if it is owed (``spapi.stock``)."""
    return str(stock_push(listing_id=listing_id))


@shared_task(ignore_result=True)
def spapi_push_stock_sweep_task() -> int:
    """Queue a push of every listing whose stock Amazon is still owed (from beat, every minute)."""
    return stock_push_sweep()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def catalogue_fetch_task(store_id: int | None = None) -> dict[str, Any]:
    """Fetch one store's catalogue reports and queue their imports; without a store id, one task per store
    with SP-API credentials (daily, from beat)."""
    if store_id is None:
        store_ids = credentials_active_store_ids()
        for sid in store_ids:
            catalogue_fetch_task.delay(store_id=sid)
        return {"enqueued": store_ids}
    return asdict(catalogue_fetch(store=Store.objects.get(pk=store_id)))
