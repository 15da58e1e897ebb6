"""Time the import of a generated All Orders report: 100,000 lines by default.

    .venv/bin/python benchmarks/imports.py                   # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/imports.py
    .venv/bin/python benchmarks/imports.py --lines 20000

The file has the columns Seller Central writes, one row per item (about 1.3 items per order), a mix of
statuses as a month of a busy store shows them, and the store holds listings for its SKUs, so that open
seller-fulfilled orders reserve stock. The import runs twice: the first creates every order, the second
finds them all unchanged. The target is 100,000 lines in under 30 seconds on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
          "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name",
          "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
          "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
          "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
          "promotion-ids", "is-business-order", "purchase-order-number", "price-designation"]
STATUSES = [("Shipped", 78), ("Unshipped", 8), ("Pending", 4), ("Shipping", 3), ("Cancelled", 7)]
CITIES = [("Austin", "TX", "78701"), ("Seattle", "WA", "98101"), ("Boston", "MA", "02108"),
          ("Denver", "CO", "80202"), ("Miami", "FL", "33101")]


def generate(lines: int, *, skus: int, now: datetime, seed: int, first_order: int = 0) -> bytes:
    rng = random.Random(seed)
    words = [w for w, _ in STATUSES]
    weights = [n for _, n in STATUSES]
    out = ["\t".join(HEADER)]
    written, order_no = 0, first_order
    while written < lines:
        order_no += 1
        order_id = f"113-{order_no // 10_000_000:07d}-{order_no % 10_000_000:07d}"
        purchased = now - timedelta(minutes=rng.randint(60, 30 * 24 * 60))
        status = rng.choices(words, weights)[0]
        channel = "Amazon" if rng.random() < 0.3 else "Merchant"
        city, state, postal = rng.choice(CITIES)
        count = min(lines - written, 1 if rng.random() < 0.75 else rng.randint(2, 3))
        for sku_no in rng.sample(range(skus), count):
            quantity = 0 if status == "Cancelled" else rng.choice([1, 1, 1, 2, 3])
            item_status = {"Shipping": "Shipped"}.get(status, status)
            row = {
                "amazon-order-id": order_id, "purchase-date": purchased.isoformat(timespec="seconds"),
                "last-updated-date": (purchased + timedelta(minutes=30)).isoformat(timespec="seconds"),
                "order-status": status, "fulfillment-channel": channel, "sales-channel": "Amazon.com",
                "ship-service-level": "Standard", "product-name": f"Product number {sku_no} – blue",
                "sku": f"SKU-{sku_no:05d}", "asin": f"B0{sku_no:08d}", "item-status": item_status,
                "quantity": str(quantity), "currency": "USD", "item-price": f"{quantity * 19.99:.2f}",
                "ship-city": city, "ship-state": state, "ship-postal-code": postal, "ship-country": "US",
                "is-business-order": "false",
            }
            out.append("\t".join(row.get(h, "") for h in HEADER))
            written += 1
    return ("\n".join(out) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.TemporaryDirectory(prefix="sellerops-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from core.models import Store
    from imports.services import import_file
    from listings.models import Listing

    call_command("migrate", verbosity=0)
    Store.objects.filter(code="BENCH-IMPORT").delete()
    store = Store.objects.create(code="BENCH-IMPORT", name="Import benchmark", marketplace="US")
    Listing.objects.bulk_create(
        Listing(store=store, sku=f"SKU-{n:05d}", asin=f"B0{n:08d}", title=f"Product number {n}", price=19.99,
                currency="USD", quantity_available=1_000) for n in range(args.skus))
    data = generate(args.lines, skus=args.skus, now=datetime.now(UTC), seed=args.seed)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"file: {args.lines:,} lines, {len(data) / 1024 / 1024:.1f} MiB")
    for label in ("first import", "same file again"):
        started, cpu = time.perf_counter(), time.process_time()
        result = import_file(store=store, kind="all_orders", data=data)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert result.ok, result.errors[:5]
        print(f"{label}: {elapsed:.1f} s ({result.total_rows / elapsed:,.0f} lines/s; {cpu:.1f} s of CPU in this "
              f"process) — created {result.created:,}, updated {result.updated:,}, skipped {result.skipped:,}, "
              f"warnings {len(result.warnings):,}")
    print(f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    Store.objects.filter(pk=store.pk).delete()
    if scratch is not None:
        scratch.cleanup()


if __name__ == "__main__":
    main()
