"""``manage.py spapi_sync``, the Celery tasks and their beat schedule."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command

from orders.models import Order
from sellerops.celery import app as celery_app
from spapi.client import MAX_ATTEMPTS
from spapi.models import SellerPerformanceReport
from spapi.services import credentials_save
from spapi.tasks import spapi_fetch_performance_task, spapi_sync_orders_task
from tests.factories import StoreFactory

from .samples import amazon_item, amazon_order, performance_document

pytestmark = pytest.mark.django_db

ORDER_ID = "113-0000001-0000001"


@pytest.fixture
def one_order(amazon, now):
    amazon.orders = [amazon_order(ORDER_ID, now=now)]
    amazon.items = {ORDER_ID: [amazon_item("BOTTLE-750", order_item_id="1")]}
    amazon.performance_document = performance_document()
    amazon.report_polls_before_done = 0
    return amazon


def _run(*args: str) -> str:
    out = StringIO()
    call_command("spapi_sync", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_syncs_a_store(one_order, credentials, store):
    output = _run("--store", "ACME-US")

    assert "ACME-US: 1 created, 0 updated, 0 unchanged, 0 skipped, 1 pages." in output
    assert Order.objects.filter(store=store, amazon_order_id=ORDER_ID).exists()
    assert not SellerPerformanceReport.objects.exists()


def test_command_since_sets_the_window_start(one_order, credentials, store, now):
    _run("--store", "ACME-US", "--since", "2025-01-02T03:04:05Z")

    assert one_order.calls("getOrders")[0].query["LastUpdatedAfter"] == ["2025-01-02T03:04:05Z"]


def test_command_lists_skipped_orders(one_order, credentials, store):
    one_order.orders[0]["OrderStatus"] = "Shipped"

    output = _run("--store", "ACME-US")

    assert f"skipped {ORDER_ID}" in output


def test_command_with_performance_keeps_the_report(one_order, credentials, store):
    output = _run("--store", "ACME-US", "--performance")

    assert "seller-performance report 50001 kept" in output
    assert SellerPerformanceReport.objects.filter(store=store).count() == 1
    assert Order.objects.filter(store=store).count() == 1


def test_command_performance_only_pulls_no_orders(one_order, credentials, store):
    _run("--performance-only")

    assert SellerPerformanceReport.objects.filter(store=store).count() == 1
    assert one_order.calls("getOrders") == []


def test_command_refuses_unknown_store_and_bad_since(credentials):
    with pytest.raises(CommandError, match="NOPE"):
        _run("--store", "NOPE")
    with pytest.raises(CommandError, match="ISO 8601"):
        _run("--since", "yesterday")


def test_command_fails_when_a_store_fails(one_order, credentials, store, sleeps, monkeypatch):
    monkeypatch.setattr(time, "sleep", sleeps.append)
    one_order.throttle = {"getOrders": 1000}

    with pytest.raises(CommandError, match="1 of 1 stores failed"):
        _run("--store", "ACME-US")

    assert len(sleeps) == MAX_ATTEMPTS - 1


def test_sync_task_without_a_store_syncs_every_store_with_active_credentials(one_order, credentials, store):
    paused = StoreFactory(code="PAUSED-US", marketplace="US")
    credentials_save(store=paused, refresh_token="Atzr|p", lwa_client_id="id-p", lwa_client_secret="s-p",
                     is_active=False)

    result = spapi_sync_orders_task.delay().get()

    assert result == {"enqueued": [store.pk]}
    assert Order.objects.filter(store=store, amazon_order_id=ORDER_ID).exists()
    assert not Order.objects.filter(store=paused).exists()


def test_sync_task_reports_an_api_failure_without_raising(one_order, credentials, store, sleeps, monkeypatch):
    monkeypatch.setattr(time, "sleep", sleeps.append)
    one_order.throttle = {"getOrders": 1000}

    result = spapi_sync_orders_task.delay(store_id=store.pk).get()

    assert "QuotaExceeded" in result["error"]
    credentials.refresh_from_db()
    assert "QuotaExceeded" in credentials.last_error
    assert credentials.last_synced_at is None


def test_performance_task_keeps_the_report(one_order, credentials, store):
    result = spapi_fetch_performance_task.delay().get()

    assert result == {"enqueued": [store.pk]}
    assert SellerPerformanceReport.objects.filter(store=store).count() == 1


def test_beat_runs_the_sync_every_15_minutes_and_the_report_daily():
    schedule = settings.CELERY_BEAT_SCHEDULE
    orders = next(e for e in schedule.values() if e["task"] == "spapi.tasks.spapi_sync_orders_task")
    report = next(e for e in schedule.values() if e["task"] == "spapi.tasks.spapi_fetch_performance_task")

    assert orders["schedule"] == crontab(minute="*/15")
    assert len(report["schedule"].hour) == 1 and len(report["schedule"].minute) == 1
    assert {"spapi.tasks.spapi_sync_orders_task", "spapi.tasks.spapi_fetch_performance_task"} <= set(
        celery_app.tasks.keys())


def test_sync_task_leaves_a_running_sync_of_the_same_store_alone(one_order, credentials, store):
    from django.core.cache import cache

    cache.add(f"spapi-sync-orders:{store.pk}", 1)
    try:
        result = spapi_sync_orders_task.delay(store_id=store.pk).get()
    finally:
        cache.delete(f"spapi-sync-orders:{store.pk}")

    assert result == {"store": "ACME-US", "skipped": "already running"}
    assert one_order.calls("getOrders") == []
    assert spapi_sync_orders_task.delay(store_id=store.pk).get()["created"] == 1
