"""Time ``seed_demo`` at scale: elapsed seconds, rows per table and peak memory.

    .venv/bin/python benchmarks/seed.py                      # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/seed.py
    .venv/bin/python benchmarks/seed.py --orders 20000 --stores 5

With ``DATABASE_URL`` set, the database must exist; it is migrated first, and the demo stores in it are
reset. The target is 100,000 orders in under a minute on either database.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=3)
    parser.add_argument("--days", type=int, default=120)
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
    from django.utils import timezone

    from demo.seed import seed_demo

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"seeding {args.orders:,} orders in {args.stores} stores over {args.days} days …", flush=True)
    started = time.perf_counter()
    result = seed_demo(
        now=now, stores=args.stores, orders=args.orders, days=args.days, seed=args.seed, reset=True
    )
    elapsed = time.perf_counter() - started
    rows = sum(result.counts.values())
    print(f"elapsed: {elapsed:.1f} s ({args.orders / elapsed:,.0f} orders/s, {rows / elapsed:,.0f} rows/s)")
    for label, count in sorted(result.counts.items()):
        print(f"  {label:<32} {count:>10,}")
    print(f"  {'total':<32} {rows:>10,}")
    # ru_maxrss is in kilobytes on Linux.
    print(f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if scratch is not None:
        scratch.cleanup()


if __name__ == "__main__":
    main()
