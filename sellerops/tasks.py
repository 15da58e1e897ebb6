"""Celery tasks that join two sibling apps (``sellerops.catalogue``); registered by ``sellerops.celery``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.db import OperationalError

from core.models import Store
from spapi.services import credentials_active_store_ids

from .catalogue import catalogue_fetch


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
