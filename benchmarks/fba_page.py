"""Time the FBA inventory-health page on a large catalogue, built by ``benchmarks/fba_history.py``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/fba_page.py
    ... benchmarks/fba_page.py --skus 10000 --days 365

Builds the ``BENCH-FBA`` store with ``fba_history.py --keep`` (skipped with ``--reuse``), sums its last 91 days into
the daily summaries (timed: what writing a day's reports adds), then times the manager's page, a part's drill-down
and the restock list through the test client, and prints each page's queries. Target: the page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reuse", action="store_true", help="use the BENCH-FBA store already built")
    parser.add_argument("--summary-days", type=int, default=91,
                        help="days summed into the daily summaries before the pages are timed (the page reads at "
                             "most 91; fewer sums faster and leaves the older days of the trend empty)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    if not args.reuse:
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fba_history.py"), "--skus", str(args.skus),
                        "--days", str(args.days), "--keep"], check=True)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from core.models import Store
    from fulfillment.fba_health import fba_store_day_refresh, fba_store_recent_days

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    store = Store.objects.get(code="BENCH-FBA")
    days = fba_store_recent_days(store=store, days=args.summary_days)
    began = time.perf_counter()
    times = []
    for day in days:
        start = time.perf_counter()
        fba_store_day_refresh(store=store, day=day)
        times.append(time.perf_counter() - start)
    print(f"summed {len(days)} days in {time.perf_counter() - began:.1f} s "
          f"(one day: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms)")

    user = get_user_model().objects.filter(is_superuser=True).first()
    client = Client()
    client.force_login(user)

    def timed(label: str, url: str, runs: int = 5) -> None:
        client.get(url)  # warm
        spent = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                spent.append(time.perf_counter() - start)
        print(f"{label:<28} {response.status_code}  median {statistics.median(spent) * 1000:7.1f} ms  "
              f"min {min(spent) * 1000:7.1f} ms  {len(queries)} queries")

    timed("manager page", f"{reverse('fba:health')}?store={store.code}")
    timed("excess drill-down (page 1)", reverse("fba:part", args=[store.code, "excess"]), runs=3)
    timed("stranded CSV", reverse("fba:part", args=[store.code, "stranded"]) + "?format=csv", runs=3)
    timed("restock list", reverse("fba:restock", args=[store.code]), runs=3)


if __name__ == "__main__":
    main()
