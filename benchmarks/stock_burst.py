"""A burst of orders for one SKU: how many stock pushes reach Amazon, and how soon Amazon shows the last figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python benchmarks/stock_burst.py [--orders 1000] [--debounce 3] [--pace 0]

A store with SP-API credentials and one seller-fulfilled listing on the local Amazon (``tests/spapi/server.py``)
receives ``--orders`` one-unit orders through ``orders.services.order_create``, as fast as it can or one every
``--pace`` seconds, while a real Celery worker (started here, on ``REDIS_URL``; the database is migrated) pushes
the stock. Printed: the time to place the orders, the pushes Amazon received (``patchListingsItem``) and the
figures they carried, and the time from the last order until Amazon shows the right quantity (converged).
The Redis database given is flushed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--debounce", type=float, default=3.0, help="SPAPI_STOCK_DEBOUNCE_SECONDS")
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between orders")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: a worker process pushes the stock.")
    os.environ["SPAPI_STOCK_DEBOUNCE_SECONDS"] = str(args.debounce)
    sys.path.insert(0, str(HERE.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")

    from tests.spapi.server import FakeAmazon

    secrets = {"refresh_token": "Atzr|bench-refresh", "lwa_client_id": "amzn1.application-oa2-client.bench",
               "lwa_client_secret": "amzn1.oa2-cs.v1.bench"}
    amazon = FakeAmazon(refresh_token=secrets["refresh_token"], client_id=secrets["lwa_client_id"],
                        client_secret=secrets["lwa_client_secret"], seller_id="A2EXAMPLESELLER").start()
    os.environ["SPAPI_ENDPOINT"] = amazon.url
    os.environ["SPAPI_LWA_TOKEN_URL"] = f"{amazon.url}/auth/o2/token"

    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.utils import timezone

    from core.models import Store
    from listings.models import Listing
    from orders.services import ItemData, OrderData, order_create
    from spapi.services import credentials_save
    from tests.conftest import _stop, start_celery_worker

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    code = f"BENCH-{int(time.time())}"
    store = Store.objects.create(code=code, name="Stock burst", marketplace="US", currency="USD")
    credentials_save(store=store, seller_id="A2EXAMPLESELLER", **secrets)
    stock = args.orders + 100
    listing = Listing.objects.create(store=store, sku="BURST-1", asin="B0BURST001", title="Burst",
                                     quantity_available=stock)
    amazon.listing_items["BURST-1"] = {"productType": "PRODUCT", "submissions": [], "attributes": {
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": stock}]}}

    scratch = tempfile.TemporaryDirectory(prefix="sellerops-stock-")
    log_path = Path(scratch.name) / "worker.log"
    worker = start_celery_worker(redis_url=os.environ["REDIS_URL"], log_path=log_path,
                                 hostname=f"bench-{os.getpid()}@%h")
    try:
        time.sleep(3)  # the worker connects
        started = time.monotonic()
        for n in range(args.orders):
            order_create(store=store, data=OrderData(
                amazon_order_id=f"115-{n // 10_000_000:07d}-{n % 10_000_000:07d}",
                purchase_date=timezone.now(),
                items=[ItemData(sku="BURST-1", quantity=1, order_item_id=f"{n:014d}", item_price=Decimal("5"))]))
            if args.pace:
                time.sleep(args.pace)
        placed = time.monotonic()
        expected = stock - args.orders
        while amazon.listed_quantity("BURST-1") != expected:
            if time.monotonic() - placed > args.timeout or worker.poll() is not None:
                sys.exit(f"Amazon shows {amazon.listed_quantity('BURST-1')}, not {expected}:\n"
                         f"{log_path.read_text()[-3000:]}")
            time.sleep(0.05)
        converged = time.monotonic()
    finally:
        _stop(worker)
        amazon.stop()
    sent = [json.loads(call.body)["patches"][0]["value"][0]["quantity"] for call in amazon.calls("patchListingsItem")]
    listing.refresh_from_db()
    rate = args.orders / (placed - started)
    print(f"orders placed:          {args.orders} in {placed - started:.1f} s ({rate:.0f}/s)")
    print(f"debounce:               {args.debounce:g} s")
    print(f"pushes to Amazon:       {len(sent)}")
    print(f"figures sent:           {sent if len(sent) <= 20 else sent[:10] + ['…'] + sent[-5:]}")
    print(f"never up after down:    {sent == sorted(sent, reverse=True)}")
    print(f"converged after:        {converged - placed:.2f} s from the last order "
          f"({converged - started:.1f} s from the first)")
    print(f"recorded:               version {listing.stock_version}, sent {listing.stock_sent_version}, "
          f"accepted {listing.stock_accepted_quantity}")


if __name__ == "__main__":
    main()
