"""Celery adapters of the fulfilment app: call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .order_facts import order_facts_check


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def order_facts_check_task(self) -> int:
    """Check the order facts against their rows (beat, daily); returns how many rows had drifted."""
    return order_facts_check(at=timezone.now()).rows
