"""Build a year of FBA inventory snapshots for a large catalogue, in PostgreSQL, and time it and its reads.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/fba_history.py
    ... benchmarks/fba_history.py --skus 10000 --days 365 --keep

The database must exist; it is migrated first. One store (``BENCH-FBA``) is (re)built with ``--skus`` FBA
listings and ``--days`` days of snapshots each (10,000 × 365 = 3.65 million rows by default), streamed through
``COPY``, then analysed. Prints the build time, the table's size, and the time of the reads the FBA health pages
make (``fulfillment.fba_selectors``), each run a few times. Without ``--keep`` the store is deleted at the end;
with it, the pages' speed benchmark can run against it.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORE_CODE = "BENCH-FBA"
COLUMNS = ("store_id", "listing_id", "day", "fulfillable", "reserved", "inbound_working", "inbound_shipped",
           "inbound_receiving", "unfulfillable", "researching", "age_0_90", "age_91_180", "age_181_270",
           "age_271_365", "age_365_plus", "units_shipped_t7", "units_shipped_t30", "units_shipped_t60",
           "units_shipped_t90", "sell_through", "currency", "estimated_storage_cost_next_month",
           "estimated_ltsf_next_charge", "storage_volume", "volume_unit", "size_tier", "recommended_action",
           "stranded_units", "stranded_reason", "source", "updated_at")


def _rows(store_id: int, listing_ids: list[int], start: date, days: int, rng: random.Random, out: io.StringIO,
          stamp: str) -> None:
    """One year of each SKU: stock drawn down daily, restocked when low, aging in five buckets."""
    for listing_id in listing_ids:
        rate = rng.uniform(0.1, 12)
        volume = rng.uniform(0.02, 0.8)
        buckets = [round(rate * 40), round(rate * rng.uniform(0, 30)), round(rate * rng.uniform(0, 20)), 0, 0]
        shipped: list[int] = []
        stranded = rng.random() < 0.03
        for n in range(days):
            day = start + timedelta(days=n)
            sold = min(sum(buckets), int(rng.expovariate(1 / rate)) if rate else 0)
            shipped.append(sold)
            for index in (4, 3, 2, 1, 0):  # oldest first
                take = min(buckets[index], sold)
                buckets[index] -= take
                sold -= take
            if n % 30 == 29:  # a month older
                buckets = [round(buckets[0] * 2 / 3), buckets[1] + round(buckets[0] / 3), buckets[2] + buckets[1] // 3,
                           buckets[3] + buckets[2] // 3, buckets[4] + buckets[3] // 4]
            if sum(buckets) < rate * 14:
                buckets[0] += round(rate * 45)
            units = sum(buckets)
            t = [sum(shipped[-k:]) for k in (7, 30, 60, 90)]
            out.write("\t".join(str(value) for value in (
                store_id, listing_id, day.isoformat(), units, rng.randint(0, 2), 0, 0, 0, rng.randint(0, 1), 0,
                *buckets, *t, f"{t[3] / max(units, 1):.2f}", "USD", f"{units * volume * 0.78:.2f}",
                f"{(buckets[2] * 0.5 + buckets[3] * 1.5 + buckets[4] * 6.9) * volume:.2f}", f"{units * volume:.4f}",
                "cubic feet", "Standard", "No action required", min(units, 5) if stranded else 0,
                "Listing closed" if stranded else "", "planning", stamp)) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--batch", type=int, default=500, help="SKUs streamed per COPY")
    parser.add_argument("--keep", action="store_true", help="leave the store and its rows for the pages' benchmark")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the build uses COPY.")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.backends.postgresql.psycopg_any import is_psycopg3
    from django.utils import timezone

    from core.models import Store
    from fulfillment.fba_selectors import fba_daily_totals, fba_latest_snapshots, fba_listing_history
    from fulfillment.models import FbaInventorySnapshot
    from listings.models import Channel, Listing

    def drop() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FbaInventorySnapshot._meta.db_table} WHERE store_id IN "
                           "(SELECT id FROM sellerops_store WHERE code = %s)", [STORE_CODE])
        Store.objects.filter(code=STORE_CODE).delete()

    call_command("migrate", verbosity=0)
    drop()
    store = Store.objects.create(code=STORE_CODE, name="FBA history benchmark", marketplace="US")
    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench-fba", password=None)
    end = timezone.now().astimezone(store.tz).date()
    start = end - timedelta(days=args.days - 1)
    rng = random.Random(1)
    print(f"database: {connection.settings_dict['NAME']}; {args.skus:,} SKUs × {args.days} days")

    began = time.perf_counter()
    with transaction.atomic():
        listings = Listing.objects.bulk_create(
            [Listing(store=store, sku=f"FBA-{n:06d}", title=f"Benchmark product {n}", currency="USD",
                     fulfillment_channel=Channel.AFN) for n in range(args.skus)], batch_size=2000)
        ids = [listing.pk for listing in listings]
        stamp = timezone.now().isoformat()
        sql = (f"COPY {FbaInventorySnapshot._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN "
               "WITH (FORMAT text)")
        with connection.cursor() as cursor:
            for offset in range(0, len(ids), args.batch):
                out = io.StringIO()
                _rows(store.pk, ids[offset:offset + args.batch], start, args.days, rng, out, stamp)
                if is_psycopg3:
                    with cursor.cursor.copy(sql) as copy:
                        copy.write(out.getvalue())
                else:
                    out.seek(0)
                    cursor.cursor.copy_expert(sql, out)
    built = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {FbaInventorySnapshot._meta.db_table}")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [FbaInventorySnapshot._meta.db_table])
        size = cursor.fetchone()[0]
    rows = FbaInventorySnapshot.objects.filter(store=store).count()
    print(f"built {rows:,} rows in {built:.1f} s ({rows / built:,.0f} rows/s); table with indexes: {size}")

    def timed(label: str, read) -> None:
        times = []
        for _ in range(3):
            began = time.perf_counter()
            read()
            times.append(time.perf_counter() - began)
        print(f"{label}: median {statistics.median(times) * 1000:.0f} ms (runs: "
              + ", ".join(f"{t * 1000:.0f}" for t in times) + ")")

    timed("latest snapshot of every SKU", lambda: list(fba_latest_snapshots(user=user, store=store)))
    timed("daily totals, 90 days", lambda: fba_daily_totals(user=user, store=store, end=end, days=90))
    timed("daily totals, 365 days", lambda: fba_daily_totals(user=user, store=store, end=end, days=365))
    timed("one SKU's year", lambda: list(fba_listing_history(user=user, listing=listings[len(listings) // 2],
                                                             start=start, end=end)))
    if not args.keep:
        began = time.perf_counter()
        drop()
        print(f"deleted in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
