"""Celery adapters for the metrics engine: load by id, call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.models import Store

from .alerts import claim_deadline_alerts
from .fba_alerts import fba_alerts_check
from .services import metrics_prune_live, metrics_recompute_store, metrics_snapshot_daily


# Nobody reads its result: not subscribing to one keeps a page that queues it independent of the result store.
@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5,
             ignore_result=True)
def metrics_recompute_store_task(self, store_id: int, as_of: str | None = None) -> int:
    """Recompute one store's metrics; returns how many results were computed."""
    return len(metrics_recompute_store(store_id=store_id, as_of=parse_datetime(as_of) if as_of else None))


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def metrics_snapshot_store_task(self, store_id: int) -> int:
    """Snapshot one store's day and prune its old live recomputes; returns how many results were snapshot."""
    store = Store.objects.get(pk=store_id)
    results = metrics_snapshot_daily(store=store)
    metrics_prune_live(store=store)
    return len(results)


@shared_task
def metrics_recompute_all_task() -> None:
    for store_id in Store.objects.filter(is_active=True).values_list("id", flat=True):
        metrics_recompute_store_task.delay(store_id)


@shared_task
def metrics_snapshot_all_task() -> None:
    for store_id in Store.objects.filter(is_active=True).values_list("id", flat=True):
        metrics_snapshot_store_task.delay(store_id)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def claim_deadline_alerts_task(self) -> int:
    """Alert the people of every A-to-z claim with less than 24 hours left (once per claim); returns how many."""
    return len(claim_deadline_alerts(now=timezone.now()))


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def fba_alerts_check_task(self, store_id: int) -> int:
    """Check one store's FBA inventory against its targets; returns how many notifications were made."""
    return len(fba_alerts_check(store=Store.objects.get(pk=store_id), at=timezone.now()))


@shared_task
def fba_alerts_check_all_task() -> None:
    for store_id in Store.objects.filter(is_active=True).values_list("id", flat=True):
        fba_alerts_check_task.delay(store_id)
