"""Time the deliveries-at-risk queue on a large account: the rule's query, its count and the operator's tab.

    createdb -h 127.0.0.1 -U postgres sellerops_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/deliveries_at_risk.py
    ... benchmarks/deliveries_at_risk.py --skip-seed        # reuse the data of a previous run (or of metrics.py)

Seeds ``--orders`` orders (1,000,000) across ``--stores`` stores the way ``benchmarks/metrics.py`` does (the demo
generator, rows streamed through ``COPY``; recent parcels carry carrier events and each store a handful of showcased
deliveries at risk), then ``VACUUM ANALYZE`` and, best of ``--repeat`` runs, prints:

- how many shipments there are, how many the partial index ``shipment_undelivered`` holds, how many are at risk;
- ``fulfillment.delivery_risk.at_risk_shipments``: the count (the queue tab's) and the first page of ids, across
  every store and for the largest one, with PostgreSQL's plan of the count;
- the pages as the test client gets them: the at-risk tab (all stores, one store, htmx partial, a reason filter)
  and the order queue (which now counts the tab), each with its queries.

Target: the at-risk tab under 300 ms at 1,000,000 orders on PostgreSQL, with queries that do not grow with rows.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=10)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--skip-seed", action="store_true", help="Measure the data already in the database.")
    parser.add_argument("--repeat", type=int, default=7, help="Runs of each measurement; best and median shown.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.models import Store
    from fulfillment.delivery_risk import UNDELIVERED, at_risk_shipments
    from fulfillment.models import CarrierEvent, Shipment
    from orders.models import Order

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not args.skip_seed:
        # The seeding of benchmarks/metrics.py (a module of that name would shadow the metrics app).
        spec = importlib.util.spec_from_file_location("metrics_benchmark", ROOT / "benchmarks" / "metrics.py")
        assert spec is not None and spec.loader is not None
        metrics_benchmark = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(metrics_benchmark)
        seed = metrics_benchmark.seed
        print(f"seeding {args.orders:,} orders in {args.stores} stores …", flush=True)
        started = time.perf_counter()
        seed(orders=args.orders, stores=args.stores, days=args.days, now=now)
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    now = timezone.now()
    stores = list(Store.objects.all())
    biggest = Store.objects.annotate(n=Count("shipments")).order_by("-n").first()
    print(f"{len(stores)} stores, {Order.objects.count():,} orders, {Shipment.objects.count():,} shipments, "
          f"{CarrierEvent.objects.count():,} carrier events")
    print(f"undelivered seller parcels with tracking (the partial index): "
          f"{Shipment.objects.filter(UNDELIVERED).count():,}")

    def timed(label: str, fn) -> None:
        fn()  # warm
        spent = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                value = fn()
                spent.append(time.perf_counter() - started)
        print(f"{label:<52} best {min(spent) * 1000:7.1f} ms  median {statistics.median(spent) * 1000:7.1f} ms  "
              f"{len(queries):2d} queries  {value}")

    everywhere = Shipment.objects.all()
    one = Shipment.objects.filter(store=biggest)
    timed("at risk, every store: count", lambda: at_risk_shipments(everywhere, now=now).order_by().count())
    timed("at risk, every store: first 51 ids by risk",
          lambda: len(list(at_risk_shipments(everywhere, now=now).values_list("pk", flat=True)[:51])))
    timed(f"at risk, {biggest.code}: count", lambda: at_risk_shipments(one, now=now).order_by().count())
    if connection.vendor == "postgresql":
        sql, params = at_risk_shipments(everywhere, now=now).order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) AS risky", params)
            print("plan of the count, every store:")
            for (line,) in cursor.fetchall():
                print("   ", line)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = get_user_model().objects
    for username in ("admin", "operator"):
        user = users.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)

        def page(url: str, htmx: bool = False, client=client) -> str:
            response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
            assert response.status_code == 200, (url, response.status_code)
            return f"{len(response.content) // 1024} KiB"

        print(f"as {username}:")
        timed("  /orders/at-risk/ (every store)", lambda page=page: page("/orders/at-risk/?store="))
        timed(f"  /orders/at-risk/?store={biggest.code}",
              lambda page=page: page(f"/orders/at-risk/?store={biggest.code}"))
        timed("  the same, htmx partial", lambda page=page: page(f"/orders/at-risk/?store={biggest.code}", True))
        timed("  /orders/at-risk/?reason=exception (every store)",
              lambda page=page: page("/orders/at-risk/?store=&reason=exception"))
        timed("  /orders/at-risk/?page=2 (every store)", lambda page=page: page("/orders/at-risk/?store=&page=2"))
        timed("  /orders/ (the queue, counting the tab)", lambda page=page: page("/orders/?store="))


if __name__ == "__main__":
    main()
