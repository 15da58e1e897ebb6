"""A real Celery worker is killed in the middle of an import: the job is failed, the page says so, and nothing
of the file was written. Needs PostgreSQL and Redis (REDIS_URL: its database is flushed, so give it one of
its own, e.g. redis://127.0.0.1:6379/14)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportJob
from imports.services import import_job_create
from orders.models import Order
from tests.conftest import LiveWorker, celery_sends_to, start_celery_worker
from tests.factories import ListingFactory

from .test_watchdog import ORDERS, HeldListing, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_lease_worker(tmp_path, settings):
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: a real Celery worker needs Redis as its broker.")
    if connection.vendor != "postgresql":
        pytest.skip("A worker process cannot see the test database on SQLite; set DATABASE_URL to PostgreSQL.")
    settings.MEDIA_ROOT = tmp_path / "media"
    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    client.flushdb()
    log_path = tmp_path / "celery-worker.log"
    process = start_celery_worker(redis_url=redis_url, log_path=log_path, hostname="imports-lost@%h",
                                  env={"IMPORT_HEARTBEAT_SECONDS": "0.2", "IMPORT_STALE_AFTER_SECONDS": "3",
                                       "MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    worker = LiveWorker(process=process, log_path=log_path, redis=client, redis_url=redis_url)
    try:
        with celery_sends_to(redis_url):
            yield worker
    finally:
        worker.stop()
        client.flushdb()
        client.close()


def test_a_worker_killed_mid_import_leaves_a_failed_job_and_nothing_written(short_lease_worker, client, store,
                                                                           operator):
    worker = short_lease_worker
    listing = ListingFactory(store=store, sku="BOTTLE-750", quantity_available=100)
    # The worker will wait on this row lock inside the file's transaction: killed there, mid-import.
    lock = HeldListing(listing.pk)
    try:
        job = import_job_create(store=store, kind="all_orders", actor=operator,
                                upload=SimpleUploadedFile("orders.txt", ORDERS.encode()))
        worker.wait_until(lambda: ImportJob.objects.filter(pk=job.pk, status="running", total_rows=30).exists(),
                          "the worker to read the file and start writing it")
        renewed = ImportJob.objects.get(pk=job.pk).alive_until
        worker.wait_until(lambda: ImportJob.objects.get(pk=job.pk).alive_until > renewed, "a heartbeat")
        worker.kill()
    finally:
        lock.release()

    # No beat runs here: reading the page is what notices the lost worker, once its lease has run out.
    lease = ImportJob.objects.get(pk=job.pk).alive_until
    assert lease - timezone.now() <= timedelta(seconds=4)
    wait_for(lambda: timezone.now() > ImportJob.objects.get(pk=job.pk).alive_until, "the lease to run out", 10)
    time.sleep(0.1)
    client.force_login(operator)
    html = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "The import stopped without finishing (the worker was lost); nothing was imported." in html
    assert 'hx-trigger="every 1s"' not in html
    job.refresh_from_db()
    assert job.status == "failed" and job.worker_lost and job.alive_until is None
    assert Order.objects.count() == 0
