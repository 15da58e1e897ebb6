"""A real Celery worker takes tasks from Redis, writes to the database and reports through Redis."""

from __future__ import annotations

import json
import os

import pytest
from celery.backends.redis import RedisBackend
from celery.result import EagerResult
from django.conf import settings

from core.models import Store
from core.tasks import ping
from tests.factories import StoreFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_delayed_task_against_the_test_database(live_celery_worker):
    store = StoreFactory(code="PING-US", name="Before the worker")

    result = ping.delay("round-trip", store_id=store.pk, store_name="Renamed by the worker")

    assert not isinstance(result, EagerResult)
    payload = live_celery_worker.wait(result)
    assert payload["pong"] == "round-trip"
    assert payload["pid"] not in (os.getpid(), None)
    assert payload["pid"] == live_celery_worker.process.pid
    assert payload["database"] == settings.DATABASES["default"]["NAME"]
    assert payload["store_name"] == "Renamed by the worker"
    assert Store.objects.get(pk=store.pk).name == "Renamed by the worker"

    assert isinstance(result.backend, RedisBackend)
    stored = json.loads(live_celery_worker.redis.get(f"celery-task-meta-{result.id}"))
    assert stored["status"] == "SUCCESS"
    assert stored["result"]["pong"] == "round-trip"


def test_worker_answers_apply_async_without_touching_stores(live_celery_worker):
    StoreFactory(code="QUIET-DE", name="Untouched", marketplace="DE")

    result = ping.apply_async(kwargs={"token": "no-store"})

    payload = live_celery_worker.wait(result)
    assert payload == {
        "pong": "no-store",
        "pid": live_celery_worker.process.pid,
        "database": settings.DATABASES["default"]["NAME"],
        "store_name": None,
    }
    assert list(Store.objects.values_list("name", flat=True)) == ["Untouched"]


def test_worker_recomputes_metrics_after_a_service_call(live_celery_worker, settings):
    """Shipping an order enqueues a debounced recompute after commit; the worker runs it and snapshots."""
    import time

    from django.core.cache import cache

    from fulfillment.services import order_ship
    from metrics.models import MetricSnapshot
    from tests.factories import OrderFactory, OrderItemFactory

    settings.METRICS_RECOMPUTE_DEBOUNCE_SECONDS = 1
    cache.clear()
    store = StoreFactory(code="WORK-US")
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, store=store)

    order_ship(order=order, carrier="UPS", tracking_number="1Z999AA10123456784")
    # Nothing ran in this process: the recompute went to the worker, a second later.
    assert not MetricSnapshot.objects.filter(store=store).exists()

    deadline = time.monotonic() + 60
    while not MetricSnapshot.objects.filter(store=store).exists():
        if live_celery_worker.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"No metrics recompute from the worker:\n{live_celery_worker.log()}")
        time.sleep(0.2)
    assert MetricSnapshot.objects.filter(store=store).count() == 11
    assert "metrics.tasks.metrics_recompute_store_task" in live_celery_worker.log()
