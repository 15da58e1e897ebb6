"""Time the metrics engine on a large account: every metric of every store, against two yardsticks.

    createdb -h 127.0.0.1 -U postgres sellerops_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/metrics.py
    ... benchmarks/metrics.py --skip-seed          # reuse the data of the previous run

It seeds ``--orders`` orders (with their shipments, feedback, claims, messages and returns) across
``--stores`` stores, then measures in one run:
  (a) ``compute_all`` for every store (the engine the dashboard, API and tasks call), and its query count, one
      store after another, then as the Celery workers run it: one task per store in ``--workers`` processes;
  (b) one ``SELECT count(*)`` over the orders table: the floor any database answer costs;
  (c) a naive engine that loads the same rows into Python and counts there.
Targets: (a) under 5 s for 1,000,000 orders in 10 stores, within 10x of (b), with a query count that does
not depend on the number of orders.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Stores beyond the eight demo marketplaces are second accounts on the biggest ones.
EXTRA_MARKETPLACES = ("US", "DE", "JP", "UK")


def seed(*, orders: int, stores: int, days: int, now) -> list:
    from django.db import transaction

    from core.models import Store
    from demo.seed import (
        DEMO_EMAIL_DOMAIN,
        DEMO_MARKETPLACES,
        HEALTHY,
        STRUGGLING,
        Actors,
        StoreGenerator,
        Writer,
        demo_stores,
        demo_users,
        wipe_demo_data,
    )

    with transaction.atomic():
        store_objs = demo_stores(min(stores, len(DEMO_MARKETPLACES)))
        for index in range(stores - len(store_objs)):
            market = EXTRA_MARKETPLACES[index % len(EXTRA_MARKETPLACES)]
            store, _ = Store.objects.get_or_create(
                code=f"BENCH{index + 2}-{market}", defaults={"name": f"Second account {market}", "marketplace": market})
            store_objs.append(store)
        users = demo_users(store_objs)
        wipe_demo_data(store_objs)
        writer = Writer(stamp=now, batch_size=5000, flush_every=5000)
        actors = Actors(operator_id=users["operator"], agent_id=users["agent"],
                        agent_email=f"agent@{DEMO_EMAIL_DOMAIN}")
        per_store = orders // len(store_objs)
        for index, store in enumerate(store_objs):
            print(f"  {store.code}: {per_store:,} orders", flush=True)
            StoreGenerator(store=store, profile=STRUGGLING if index == 0 else HEALTHY, orders=per_store, days=days,
                           seed=1, now=now, writer=writer, actors=actors).run()
            writer.flush()
        writer.finish()
    return store_objs


def naive(store, as_of) -> dict:
    """Load every row the metrics read into Python, then count with plain loops."""
    from fulfillment.models import Shipment
    from metrics.definitions import DEFINITIONS, MetricKey
    from metrics.windows import window
    from orders.models import Order
    from returns.models import ReturnRequest
    from support.models import Claim, Feedback, Message

    def win(key, days):
        w = window(as_of=as_of, tz=store.tz, days=days, lag=DEFINITIONS[key].lag_days)
        return w.start, w.end

    def inside(t, bounds):
        return t is not None and bounds[0] <= t < bounds[1]

    def by(t):
        return t is not None and t <= as_of

    orders = {o["id"]: o for o in Order.objects.filter(store=store).values(
        "id", "fulfillment_channel", "purchase_date", "latest_ship_date", "latest_delivery_date", "canceled_at",
        "cancel_initiator")}
    shipments = list(Shipment.objects.filter(store=store).values("order_id", "shipped_at", "first_scan_at",
                                                                  "delivered_at"))
    first_ship = {}
    for s in shipments:
        if s["order_id"] not in first_ship or s["shipped_at"] < first_ship[s["order_id"]]:
            first_ship[s["order_id"]] = s["shipped_at"]
    defective = set()
    for f in Feedback.objects.filter(store=store, rating__lte=2).values("order_id", "received_at", "removed_at"):
        if by(f["received_at"]) and not by(f["removed_at"]):
            defective.add(f["order_id"])
    for c in Claim.objects.filter(store=store).values():
        if not by(c["filed_at"]):
            continue
        if c["kind"] == "chargeback":
            if not by(c["reversed_at"]):
                defective.add(c["order_id"])
        elif not by(c["denied_at"]) and (not by(c["withdrawn_at"]) or by(c["granted_at"])):
            defective.add(c["order_id"])
    results = {}
    odr = win(MetricKey.ODR, 60)
    for channel in ("MFN", "AFN", "ALL"):
        rows = [o for o in orders.values() if inside(o["purchase_date"], odr)
                and channel in ("ALL", o["fulfillment_channel"])]
        results[("odr", channel)] = (sum(o["id"] in defective for o in rows), len(rows))
    for days in (10, 30):
        bounds = win(MetricKey.LSR, days)
        rows = [o for o in orders.values() if o["fulfillment_channel"] == "MFN"
                and inside(o["latest_ship_date"], bounds) and not by(o["canceled_at"])]
        late = sum(1 for o in rows if o["id"] not in first_ship or first_ship[o["id"]] > o["latest_ship_date"])
        results[("lsr", days)] = (late, len(rows))
    bounds = win(MetricKey.VTR, 30)
    rows = [s for s in shipments if orders[s["order_id"]]["fulfillment_channel"] == "MFN"
            and inside(s["shipped_at"], bounds)]
    results["vtr"] = (sum(by(s["first_scan_at"]) for s in rows), len(rows))
    messages = list(Message.objects.filter(store=store).values("thread_id", "direction", "sent_at", "needs_reply"))
    replies = defaultdict(list)
    for m in messages:
        if m["direction"] == "outbound" and by(m["sent_at"]):
            replies[m["thread_id"]].append(m["sent_at"])
    bounds = win(MetricKey.RESPONSE, 30)
    rows = [m for m in messages if m["direction"] == "inbound" and m["needs_reply"] and inside(m["sent_at"], bounds)]
    results["response"] = (sum(any(m["sent_at"] <= r <= m["sent_at"] + timedelta(hours=24)
                                   for r in replies[m["thread_id"]]) for m in rows), len(rows))
    bounds = win(MetricKey.RDR, 60)
    returns = [r for r in ReturnRequest.objects.filter(store=store).values() if inside(r["requested_at"], bounds)]
    on_time = [by(r["responded_at"]) and r["responded_at"] <= r["requested_at"] + timedelta(hours=48)
               for r in returns]
    results["rdr"] = (on_time.count(False), len(returns))
    return results


def _compute_store(store_id: int, as_of) -> None:
    """One worker's task: every metric of one store (the body of ``metrics_recompute_store``, without writes)."""
    from core.models import Store
    from metrics.engine import compute_all

    compute_all(Store.objects.get(pk=store_id), as_of)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=10)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--skip-seed", action="store_true", help="Measure the data already in the database.")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="Stores computed at a time in the parallel run (default: the number of cores).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each measurement; the best is reported.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.models import Store
    from metrics.engine import compute_all
    from orders.models import Order

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not args.skip_seed:
        print(f"seeding {args.orders:,} orders in {args.stores} stores …", flush=True)
        started = time.perf_counter()
        seed(orders=args.orders, stores=args.stores, days=args.days, now=now)
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    stores = list(Store.objects.all())
    total_orders = Order.objects.count()
    print(f"{len(stores)} stores, {total_orders:,} orders")

    def best(fn):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            value = fn()
            times.append(time.perf_counter() - started)
        return min(times), value

    def engine():
        with CaptureQueriesContext(connection) as queries:
            for store in stores:
                compute_all(store, now)
        return len(queries)

    def engine_in_parallel(pool):
        """As the Celery workers run it: one store per task, each worker a process of its own (prefork)."""
        list(pool.map(_compute_store, [store.pk for store in stores], [now] * len(stores)))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM orders_order")
            return cursor.fetchone()[0]

    def floor_workers() -> int:
        """How many processes PostgreSQL gives the floor's scan besides its own (its parallel workers)."""
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN SELECT count(*) FROM orders_order")
            plan = "\n".join(line for (line,) in cursor.fetchall())
        planned = re.search(r"Workers Planned: (\d+)", plan)
        return int(planned.group(1)) if planned else 0

    def python():
        return [naive(store, now) for store in stores]

    t_engine, queries = best(engine)
    # Started before timing and warmed with a run, as long-lived workers are; each opens its own connection.
    connections.close_all()
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=multiprocessing.get_context("fork")) as pool:
        engine_in_parallel(pool)
        t_parallel, _ = best(lambda: engine_in_parallel(pool))
    t_floor, _ = best(floor)
    started = time.perf_counter()
    python()
    t_naive = time.perf_counter() - started
    print(f"(a) engine, every metric of every store: {t_engine:8.3f} s  ({queries} queries, "
          f"{queries / len(stores):.0f} per store)")
    print(f"(a) the same, {args.workers} stores at a time:     {t_parallel:8.3f} s  "
          f"(as {args.workers} Celery worker processes)")
    helpers = floor_workers()
    print(f"(b) SELECT count(*) over orders:         {t_floor:8.3f} s  "
          + (f"(PostgreSQL's parallel scan: {helpers} workers and the leader)" if helpers else "(one process)"))
    print(f"(c) naive, rows loaded into Python:      {t_naive:8.3f} s")
    print(f"engine / floor: {t_engine / t_floor:6.1f}x ({t_parallel / t_floor:.1f}x with {args.workers} at a time)    "
          f"naive / engine: {t_naive / t_engine:6.1f}x")


if __name__ == "__main__":
    main()
