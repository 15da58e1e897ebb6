"""Celery tasks of the tenant app: a diagnostic ping, and the Amazon SP-API order sync and performance report."""

from __future__ import annotations

import logging
import os
from typing import Any, TypedDict

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection

from .database import DATABASE_ERRORS
from .errors import ApplicationError
from .models import SellerCredentials, Store

logger = logging.getLogger(__name__)
#: An import that loses the database is tried again this many times, 5 s, 10 s, 20 s… apart.
IMPORT_RETRIES = 5
IMPORT_RETRY_SECONDS = 5


class PingResult(TypedDict):
    pong: str
    pid: int
    database: str
    store_name: str | None


@shared_task(acks_late=True)
def ping(token: str = "pong", store_id: int | None = None, store_name: str | None = None) -> PingResult:
    """Echo a token; given a store id and a name, rename that store so the round trip shows in the DB."""
    name: str | None = None
    if store_id is not None:
        if store_name:
            Store.objects.filter(pk=store_id).update(name=store_name)
        name = Store.objects.filter(pk=store_id).values_list("name", flat=True).first()
    return {
        "pong": token,
        "pid": os.getpid(),
        "database": str(connection.settings_dict["NAME"]),
        "store_name": name,
    }


def _stores_to_sync() -> list[int]:
    return list(SellerCredentials.objects.filter(is_active=True, store__is_active=True)
                .values_list("store_id", flat=True).order_by("store_id"))


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def spapi_sync_orders_task(store_id: int | None = None) -> dict[str, Any]:
    """Pull one store's changed orders from Amazon; without a store id, enqueue one task per synced store."""
    from .spapi.sync import spapi_sync_orders

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
    from .spapi.performance import spapi_fetch_performance

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


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=IMPORT_RETRIES)
def import_run_task(self, job_id: int) -> str:
    """Do what one uploaded report waits for: its preview's dry run, or its import. A job already done (or
    previewed) is left alone, so a redelivery is harmless; any other failure fails the job with a message.

    Losing the database rolls the file back whole; the task then runs again (the running job is taken up
    where it stands, from the first row), and after ``IMPORT_RETRIES`` tries the job fails, saying why.
    """
    from .imports.services import import_job_give_up, import_job_process
    from .models import ImportJob

    try:
        job = ImportJob.objects.select_related("store", "created_by").filter(pk=job_id).first()
        if job is None:
            return "missing"
        return import_job_process(job=job).status
    except DATABASE_ERRORS as error:
        if self.request.retries >= self.max_retries:
            logger.error("import job %s gave up after %s tries without the database: %s", job_id,
                         self.request.retries + 1, error)
            import_job_give_up(job_id=job_id)
            return ImportJob.Status.FAILED
        raise self.retry(exc=error, countdown=IMPORT_RETRY_SECONDS * 2 ** self.request.retries) from error


@shared_task(ignore_result=True)
def import_jobs_watchdog_task() -> int:
    """Fail the imports whose worker was lost (see ``sellerops.imports.services``); every minute, from beat."""
    from .imports.services import import_jobs_watchdog

    return import_jobs_watchdog()


@shared_task(ignore_result=True)
def deferred_tasks_requeue_task() -> int:
    """Queue again the tasks the broker refused while it was away (``sellerops.background``)."""
    from .background import deferred_tasks_requeue

    return deferred_tasks_requeue()
