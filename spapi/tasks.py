"""Celery tasks of the SP-API integration: the order sync and the seller-performance report, per store; the
stock of each listing pushed to Amazon, and the sweep that pushes whatever is still owed."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError

from core.errors import ApplicationError
from core.models import Store

from .models import SellerCredentials
from .performance import spapi_fetch_performance
from .stock import stock_push, stock_push_sweep
from .sync import spapi_sync_orders

logger = logging.getLogger(__name__)


def _stores_to_sync() -> list[int]:
    return list(SellerCredentials.objects.filter(is_active=True, store__is_active=True)
                .values_list("store_id", flat=True).order_by("store_id"))


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def spapi_sync_orders_task(store_id: int | None = None) -> dict[str, Any]:
    """Pull one store's changed orders from Amazon; without a store id, enqueue one task per synced store."""
    if store_id is None:
        store_ids = _stores_to_sync()
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
        store_ids = _stores_to_sync()
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


# Acknowledged once done: a push lost with its worker is delivered again (and the sweep finds it owed anyway).
@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, ignore_result=True)
def spapi_push_stock_task(listing_id: int) -> str:
    """Send one listing's current sellable quantity to Amazon if it is owed (``spapi.stock``)."""
    return str(stock_push(listing_id=listing_id))


@shared_task(ignore_result=True)
def spapi_push_stock_sweep_task() -> int:
    """Queue a push of every listing whose stock Amazon is still owed (from beat, every minute)."""
    return stock_push_sweep()
