"""Redis down: the site serves every page and keeps every write, the work it could not queue waits in PostgreSQL,
the pages say so, and once Redis is back the work is queued again and done.

A private redis-server (``services.redis_start_private``) is the site's cache and Celery broker; the test kills
it, uses the site through the Django test client as an operator (order queue, account health, order page,
shipping an order, uploading a report), starts Redis again on the same port, lets beat's requeue task run
through a real worker, and checks the recompute and the import happened and the banner is gone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from core.background import IMPORT_RUN_TASK, METRICS_RECOMPUTE_TASK
from core.models import DeferredTask
from core.tasks import deferred_tasks_requeue_task
from imports.models import ImportJob
from metrics.models import MetricSnapshot
from orders.models import Order, OrderStatus
from tests.conftest import LiveWorker, celery_sends_to, start_celery_worker
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory, StoreFactory, UserFactory
from tests.imports.conftest import sample

from .services import PrivateRedis, private_redis_for_test, redis_missing

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="a worker process cannot see the SQLite test database; set DATABASE_URL to PostgreSQL"),
    pytest.mark.skipif(redis_missing() is not None, reason=f"a private Redis is needed: {redis_missing()}"),
]

UPS = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
PAUSED_EN = "Background work is paused since"
PAUSED_ZH = "后台任务自"
METRICS_EN = "Account-health metrics may be out of date; they will be recomputed when it resumes."
METRICS_ZH = "账户健康指标可能不是最新的；后台任务恢复后将重新计算。"
IMPORT_EN = "1 uploaded file is waiting to be imported; it will start when background work resumes."
IMPORT_ZH = "1 个已上传的文件正在等待导入；后台任务恢复后将开始导入。"
#: Every wait for the worker ends by then, or the test fails with the worker's log.
WORK_TIMEOUT = 60.0


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    with private_redis_for_test() as server:
        yield server


@pytest.fixture
def site_on_private_redis(private_redis: PrivateRedis, settings, tmp_path: Path) -> Iterator[PrivateRedis]:
    """This process caches in and sends tasks to the private Redis, as the site does with REDIS_URL set."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": private_redis.url(), "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    settings.MEDIA_ROOT = tmp_path / "media"
    with celery_sends_to(private_redis.url()):
        yield private_redis


def paused_since(html: str) -> datetime | None:
    found = re.search(r'data-paused-since="([^"]+)"', html)
    return datetime.fromisoformat(found.group(1)) if found else None


def ship(client, order: Order):
    return client.post(f"/orders/{order.amazon_order_id}/ship/", UPS)


def test_pages_and_writes_work_while_redis_is_down_and_the_work_is_done_when_it_returns(
        site_on_private_redis: PrivateRedis, client, tmp_path: Path):
    redis = site_on_private_redis
    store = StoreFactory(code="ACME-US", marketplace="US")
    operator = UserFactory(username="op")
    MembershipFactory(user=operator, store=store, role="operator")
    elsewhere = UserFactory(username="elsewhere")
    MembershipFactory(user=elsewhere, store=StoreFactory(code="OTHER-DE", marketplace="DE"), role="operator")
    listing = ListingFactory(store=store, quantity_available=10)
    orders = [OrderFactory(store=store) for _ in range(2)]
    for order in orders:
        OrderItemFactory(order=order, sku=listing.sku, quantity=1)
    client.force_login(operator)

    # Redis up: shipping queues the store's recompute in Redis, and nothing is owed.
    assert ship(client, orders[0]).status_code == 302
    with redis.client() as broker:
        assert broker.llen("celery") == 1
    assert not DeferredTask.objects.exists()

    redis.kill()

    for url in ("/orders/", "/health/", f"/orders/{orders[1].amazon_order_id}/"):
        assert client.get(url).status_code == 200, url
    response = ship(client, orders[1])
    assert response.status_code == 302
    assert response["Location"].startswith(f"/orders/{orders[1].amazon_order_id}/")
    orders[1].refresh_from_db()
    assert orders[1].status == OrderStatus.SHIPPED
    owed = DeferredTask.objects.get()
    assert (owed.task, owed.object_id, owed.store_id, owed.marks) == (METRICS_RECOMPUTE_TASK, store.pk, store.pk, 1)

    # An uploaded report is kept, queued, and owed: nothing of it is written yet, nothing is lost.
    upload = SimpleUploadedFile("all_orders_us.txt", sample("all_orders_us.txt"))
    response = client.post("/imports/", {"store": store.code, "kind": "all_orders", "file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and Path(job.file.path).read_bytes() == sample("all_orders_us.txt")
    assert set(DeferredTask.objects.values_list("task", "object_id")) == {
        (METRICS_RECOMPUTE_TASK, store.pk), (IMPORT_RUN_TASK, job.pk)}
    assert Order.objects.filter(store=store).count() == 2

    # Every page of the store's users says so, in their language, from when; other stores' users see nothing.
    for url in ("/orders/", "/health/", f"/orders/{orders[1].amazon_order_id}/", f"/imports/{job.pk}/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert PAUSED_EN in html and METRICS_EN in html and IMPORT_EN in html, url
        assert paused_since(html) == owed.since, url
    html = client.get("/orders/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert PAUSED_ZH in html and METRICS_ZH in html and IMPORT_ZH in html
    client.force_login(elsewhere)
    assert PAUSED_EN not in client.get("/orders/").content.decode()
    client.force_login(operator)

    # Redis is back, empty (it kept nothing on disk). Beat's every-minute requeue runs on a worker and queues
    # the owed recompute and import again; the worker runs them and each clears what it owed.
    redis.start()
    log_path = tmp_path / "celery-worker.log"
    process = start_celery_worker(redis_url=redis.url(), log_path=log_path, hostname=f"faults-{redis.port}@%h",
                                  env={"MEDIA_ROOT": str(tmp_path / "media")})
    with redis.client() as broker:
        worker = LiveWorker(process=process, log_path=log_path, redis=broker, redis_url=redis.url())
        try:
            deferred_tasks_requeue_task.delay()
            worker.wait_until(lambda: not DeferredTask.objects.exists(), "the owed work is done", WORK_TIMEOUT)
            worker.wait_until(lambda: ImportJob.objects.get().is_finished, "the import has finished", WORK_TIMEOUT)
        finally:
            worker.stop()
    assert "core.tasks.deferred_tasks_requeue_task" in worker.log()
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 4)
    assert Order.objects.filter(store=store).count() == 6
    live = MetricSnapshot.objects.filter(store=store, kind=MetricSnapshot.Kind.LIVE)
    assert live.count() >= 11
    assert live.order_by("as_of").first().as_of > owed.since
    html = client.get("/orders/").content.decode()
    assert PAUSED_EN not in html and METRICS_EN not in html


def test_every_write_refused_by_redis_counts_on_the_one_row_its_store_owes(
        site_on_private_redis: PrivateRedis, op_client, store):
    """Each ship answers as usual (the publisher gives up at once, no endless kombu retry); one row, five marks."""
    listing = ListingFactory(store=store, quantity_available=10)
    orders = [OrderFactory(store=store) for _ in range(5)]
    for order in orders:
        OrderItemFactory(order=order, sku=listing.sku, quantity=1)
    site_on_private_redis.kill()
    started = time.monotonic()
    for order in orders:
        assert ship(op_client, order).status_code == 302
    elapsed = time.monotonic() - started
    assert Order.objects.filter(store=store, status=OrderStatus.SHIPPED).count() == 5
    owed = DeferredTask.objects.get()
    assert (owed.marks, owed.requeued_at) == (5, None)
    print(f"5 ships with Redis down: {elapsed:.2f} s")
