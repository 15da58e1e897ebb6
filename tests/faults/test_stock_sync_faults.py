"""Stock owed to Amazon survives Redis: changes made while it is down, and pushes queued in it when it dies, reach
the local Amazon once it is back (the owed versions are in PostgreSQL; beat's requeue and the stock sweep send
them through a real worker)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import DeferredTask
from core.tasks import deferred_tasks_requeue_task
from listings.models import Listing
from listings.services import stock_adjust
from orders.services import ItemData, OrderData, order_create
from spapi.stock import STOCK_PUSH_TASK
from spapi.tasks import spapi_push_stock_sweep_task
from tests.conftest import LiveWorker, celery_sends_to, start_celery_worker
from tests.factories import ListingFactory
from tests.spapi.conftest import amazon, credentials  # noqa: F401  (fixtures)
from tests.spapi.server import FakeAmazon

from .services import PrivateRedis, private_redis_for_test, redis_missing

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="a worker process cannot see the SQLite test database; set DATABASE_URL to PostgreSQL"),
    pytest.mark.skipif(redis_missing() is not None, reason=f"a private Redis is needed: {redis_missing()}"),
]

WORK_TIMEOUT = 60.0
SKU = "MUG-450"


@pytest.fixture
def site_on_private_redis(settings) -> Iterator[PrivateRedis]:
    """This process caches in and sends tasks to a private Redis, as the site does with REDIS_URL set."""
    with private_redis_for_test() as server:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": server.url(), "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
        settings.SPAPI_STOCK_DEBOUNCE_SECONDS = 1
        with celery_sends_to(server.url()):
            yield server


@pytest.fixture
def listing(store, amazon: FakeAmazon, credentials) -> Listing:  # noqa: F811
    amazon.listing_items[SKU] = {"productType": "DRINKING_CUP", "submissions": [], "attributes": {
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}]}}
    return ListingFactory(store=store, sku=SKU, quantity_available=5)


def worker_on(redis: PrivateRedis, amazon: FakeAmazon, tmp_path: Path) -> LiveWorker:  # noqa: F811
    log_path = tmp_path / "celery-worker.log"
    process = start_celery_worker(redis_url=redis.url(), log_path=log_path, hostname=f"stock-{redis.port}@%h", env={
        "SPAPI_ENDPOINT": amazon.url, "SPAPI_LWA_TOKEN_URL": f"{amazon.url}/auth/o2/token",
        "SPAPI_STOCK_DEBOUNCE_SECONDS": "1"})
    return LiveWorker(process=process, log_path=log_path, redis=redis.client(), redis_url=redis.url())


def order(store, n: int, quantity: int = 1) -> None:
    order_create(store=store, data=OrderData(
        amazon_order_id=f"113-0000000-{n:07d}", purchase_date=timezone.now(),
        items=[ItemData(sku=SKU, quantity=quantity, order_item_id=f"{n:014d}", item_price=Decimal("9.99"))]))


def test_stock_changed_while_redis_is_down_is_pushed_once_it_is_back(site_on_private_redis, amazon,  # noqa: F811
                                                                      store, listing, tmp_path):
    redis = site_on_private_redis
    redis.kill()

    order(store, 1)
    order(store, 2, quantity=2)
    stock_adjust(listing=listing, available=-1, note="Counted")
    listing.refresh_from_db()
    # Every write stands; what Amazon is owed is in PostgreSQL, twice over: the listing's version, and the
    # outbox row that makes the pages say background work is paused.
    assert (listing.quantity_available, listing.stock_version, listing.stock_sent_version) == (1, 3, 0)
    owed = DeferredTask.objects.get(task=STOCK_PUSH_TASK)
    assert (owed.object_id, owed.store_id, owed.marks) == (listing.pk, store.pk, 3)
    assert amazon.calls("patchListingsItem") == []

    redis.start()
    worker = worker_on(redis, amazon, tmp_path)
    try:
        deferred_tasks_requeue_task.delay()
        worker.wait_until(lambda: amazon.listed_quantity(SKU) == 1, "Amazon shows 1", WORK_TIMEOUT)
        worker.wait_until(lambda: not DeferredTask.objects.filter(task=STOCK_PUSH_TASK).exists(),
                          "the owed push is done", WORK_TIMEOUT)
    finally:
        worker.stop()
    listing.refresh_from_db()
    assert (listing.stock_sent_version, listing.stock_accepted_quantity) == (3, 1)
    assert len(amazon.calls("patchListingsItem")) == 1


def test_a_push_lost_with_redis_is_sent_by_the_sweep(site_on_private_redis, amazon, store, listing,  # noqa: F811
                                                     tmp_path):
    redis = site_on_private_redis
    order(store, 1, quantity=5)
    with redis.client() as broker:
        assert broker.llen("celery") + broker.zcard("unacked") + len(broker.keys("*")) > 0
    # Redis dies with the queued push (and the debounce key) in it; it comes back empty.
    redis.kill()
    redis.start()
    assert not DeferredTask.objects.filter(task=STOCK_PUSH_TASK).exists()
    worker = worker_on(redis, amazon, tmp_path)
    try:
        spapi_push_stock_sweep_task.delay()
        worker.wait_until(lambda: amazon.listed_quantity(SKU) == 0, "Amazon shows 0", WORK_TIMEOUT)
    finally:
        worker.stop()
    assert "spapi.tasks.spapi_push_stock_sweep_task" in worker.log()
    listing.refresh_from_db()
    assert (listing.stock_version, listing.stock_sent_version, listing.stock_accepted_quantity) == (1, 1, 0)
