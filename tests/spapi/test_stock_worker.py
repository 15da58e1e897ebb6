"""Stock pushed to the local Amazon by a real Celery worker fed through Redis: the last sellable unit sold shows
0 on Amazon within a minute, and a burst of orders makes a handful of pushes, the last one right.

The worker reaches the local Amazon through ``SPAPI_ENDPOINT`` and ``SPAPI_LWA_TOKEN_URL`` in its environment,
and shares this process's Redis (broker and cache, where the debounce keys live) on ``REDIS_URL`` as given.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from orders.services import ItemData, OrderData, order_create
from tests.conftest import LiveWorker, _stop, celery_sends_to, start_celery_worker
from tests.factories import ListingFactory

from .server import FakeAmazon

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

#: The done-when: Amazon shows the new figure within this many seconds.
WITHIN_SECONDS = 60.0
DEBOUNCE_SECONDS = "1"


@pytest.fixture
def stock_worker(transactional_db, amazon: FakeAmazon, settings, tmp_path: Path) -> Iterator[LiveWorker]:
    """A worker and this process on the Redis of ``REDIS_URL`` (broker and cache), aimed at the local Amazon."""
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: a real Celery worker needs Redis as its broker.")
    if connection.vendor != "postgresql":
        pytest.skip("A worker process cannot see the SQLite test database; set DATABASE_URL to PostgreSQL.")
    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    client.flushdb()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis_url, "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    settings.SPAPI_STOCK_DEBOUNCE_SECONDS = float(DEBOUNCE_SECONDS)
    log_path = tmp_path / "celery-worker.log"
    process = start_celery_worker(redis_url=redis_url, log_path=log_path, hostname=f"stock-{os.getpid()}@%h", env={
        "SPAPI_ENDPOINT": amazon.url, "SPAPI_LWA_TOKEN_URL": f"{amazon.url}/auth/o2/token",
        "SPAPI_STOCK_DEBOUNCE_SECONDS": DEBOUNCE_SECONDS})
    try:
        with celery_sends_to(redis_url):
            yield LiveWorker(process=process, log_path=log_path, redis=client, redis_url=redis_url)
    finally:
        _stop(process)
        client.flushdb()
        client.close()


def on_amazon(amazon: FakeAmazon, sku: str, quantity: int) -> None:
    amazon.listing_items[sku] = {"productType": "DRINKING_CUP", "submissions": [], "attributes": {
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]}}


def order(store, sku: str, n: int, quantity: int = 1):
    return order_create(store=store, data=OrderData(
        amazon_order_id=f"114-{n // 10_000_000:07d}-{n % 10_000_000:07d}", purchase_date=timezone.now(),
        items=[ItemData(sku=sku, quantity=quantity, order_item_id=f"{n:014d}", item_price=Decimal("9.99"))]))


def sent(amazon: FakeAmazon, sku: str) -> list[int]:
    return [json.loads(call.body)["patches"][0]["value"][0]["quantity"]
            for call in amazon.calls("patchListingsItem") if call.path.endswith(f"/{sku}")]


def test_an_order_for_the_last_sellable_unit_sends_quantity_0_to_amazon_within_60_s(stock_worker, amazon, store,
                                                                                    credentials):
    on_amazon(amazon, "MUG-450", 1)
    listing = ListingFactory(store=store, sku="MUG-450", quantity_available=3, safety_stock=2)
    assert listing.sellable_quantity == 1

    order(store, "MUG-450", 1)
    stock_worker.wait_until(lambda: amazon.listed_quantity("MUG-450") == 0, "Amazon shows 0", WITHIN_SECONDS)
    listing.refresh_from_db()
    stock_worker.wait_until(lambda: type(listing).objects.get(pk=listing.pk).stock_accepted_quantity == 0,
                            "the accepted figure is recorded", WITHIN_SECONDS)
    assert sent(amazon, "MUG-450") == [0]
    assert "spapi.tasks.spapi_push_stock_task" in stock_worker.log()


def test_a_burst_of_1000_orders_for_one_sku_sends_a_handful_of_updates_the_last_one_right(stock_worker, amazon,
                                                                                       store, credentials):
    on_amazon(amazon, "MUG-450", 1200)
    listing = ListingFactory(store=store, sku="MUG-450", quantity_available=1200)
    started = time.monotonic()
    for n in range(1000):
        order(store, "MUG-450", n)
    placed = time.monotonic() - started
    stock_worker.wait_until(lambda: amazon.listed_quantity("MUG-450") == 200, "Amazon shows 200", WITHIN_SECONDS)
    stock_worker.wait_until(lambda: not type(listing).objects.filter(pk=listing.pk, stock_sent_version__lt=1000)
                            .exists(), "the last version is recorded", WITHIN_SECONDS)
    quantities = sent(amazon, "MUG-450")
    # A handful: about one push per debounce period while the orders arrive, never one per order.
    assert 1 <= len(quantities) <= max(10, int(placed / float(DEBOUNCE_SECONDS)) + 5), (placed, quantities)
    # Orders only take stock away: a figure sent after another is never higher (no older figure after a newer).
    assert quantities == sorted(quantities, reverse=True) and quantities[-1] == 200
    listing.refresh_from_db()
    assert (listing.stock_version, listing.stock_sent_version, listing.stock_accepted_quantity) == (1000, 1000, 200)
