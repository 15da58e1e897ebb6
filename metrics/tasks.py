"""Celery adapters for the metrics engine: load by id, call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def metrics_recompute_store_task(self, store_id: int, as_of: str | None = None) -> None:
    from .services import metrics_recompute_store

    metrics_recompute_store(store_id=store_id, as_of=as_of)


@shared_task
def metrics_recompute_all_task() -> None:
    from sellerops.models import Store

    for store_id in Store.objects.filter(is_active=True).values_list("id", flat=True):
        metrics_recompute_store_task.delay(store_id)


@shared_task
def metrics_snapshot_all_task() -> None:
    from sellerops.models import Store

    for store_id in Store.objects.filter(is_active=True).values_list("id", flat=True):
        metrics_recompute_store_task.delay(store_id)
