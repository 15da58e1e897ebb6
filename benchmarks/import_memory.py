"""Peak memory of a worker importing a generated All Orders report: 10 MB and 100 MB by default.

    .venv/bin/python benchmarks/import_memory.py                      # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/import_memory.py
    .venv/bin/python benchmarks/import_memory.py --sizes 10 50 200 --root /path/to/another/checkout

Each size runs in a fresh Python process, as a Celery worker's child would: the file is stored as an uploaded
report's is, an import job is created for it and ``import_job_run`` runs it (the task's own code path, without
the metrics recompute it queues). The process then prints its peak resident memory (``ru_maxrss``), what it
held before the import, and how long the import took. ``--root`` measures another checkout of the project (an
older commit, to compare); it must use a database migrated by its own code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def write_report(path: Path, megabytes: int, *, skus: int, seed: int) -> int:
    """Write an All Orders report of about ``megabytes`` MiB to ``path``; return its number of data lines."""
    sys.path.insert(0, str(HERE))
    from imports import generate  # benchmarks/imports.py: the same rows as the timing benchmark

    chunk = 5_000
    lines = 0
    with path.open("wb") as out:
        header = True
        seed_no = seed
        while out.tell() < megabytes * 1024 * 1024:
            data = generate(chunk, skus=skus, now=datetime.now(UTC), seed=seed_no, first_order=lines)
            if not header:
                data = data.split(b"\n", 1)[1]
            out.write(data)
            header, seed_no, lines = False, seed_no + 1, lines + chunk
    return lines


def child(path: Path, skus: int) -> None:
    """Run one import job in this process and print what it cost, as JSON."""
    sys.path.insert(0, os.environ["BENCH_ROOT"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files import File
    from django.core.management import call_command

    from core.models import Store
    from imports.models import ImportJob
    from imports.services import import_job_run
    from listings.models import Listing
    from sellerops.celery import app

    # The import's own cost: the metrics recompute it queues runs in another task, not here.
    app.conf.task_always_eager = False
    call_command("migrate", verbosity=0)
    media = tempfile.TemporaryDirectory(prefix="sellerops-bench-media-")
    settings.MEDIA_ROOT = media.name
    Store.objects.filter(code="BENCH-MEMORY").delete()
    store = Store.objects.create(code="BENCH-MEMORY", name="Memory benchmark", marketplace="US")
    Listing.objects.bulk_create(
        Listing(store=store, sku=f"SKU-{n:05d}", asin=f"B0{n:08d}", title=f"Product number {n}", price=19.99,
                currency="USD", quantity_available=1_000) for n in range(skus))
    job = ImportJob(store=store, kind="all_orders", file_name=path.name)
    with path.open("rb") as handle:
        job.file.save(path.name, File(handle), save=True)
    before = _rss_mib()
    started = time.perf_counter()
    job = import_job_run(job=job)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"status": job.status, "rows": job.total_rows, "created": job.created_count,
                      "errors": job.errors[:3], "before_mib": round(before), "peak_mib": round(peak),
                      "seconds": round(elapsed, 1)}))
    Store.objects.filter(pk=store.pk).delete()
    media.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100], help="file sizes in MiB")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code imports the files")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.skus)
        return

    env = dict(os.environ, BENCH_ROOT=str(args.root.resolve()))
    with tempfile.TemporaryDirectory(prefix="sellerops-bench-") as scratch:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
        print(f"code: {env['BENCH_ROOT']}")
        print(f"database: {env['DATABASE_URL'].split('@')[-1]}")
        for megabytes in args.sizes:
            path = Path(scratch) / f"all-orders-{megabytes}mb.txt"
            lines = write_report(path, megabytes, skus=args.skus, seed=args.seed)
            size = path.stat().st_size / 1024 / 1024
            run = subprocess.run([sys.executable, __file__, "--child", str(path), "--skus", str(args.skus)],
                                 env=env, capture_output=True, text=True, check=False)
            if run.returncode != 0:
                print(f"{size:.1f} MiB: the import process failed ({run.returncode}):\n{run.stderr[-3000:]}")
                continue
            found = json.loads(run.stdout.strip().splitlines()[-1])
            print(f"{size:6.1f} MiB, {lines:,} lines: peak {found['peak_mib']:,} MiB resident "
                  f"({found['before_mib']} MiB before the import), {found['seconds']} s, job {found['status']} "
                  f"(created {found['created']:,}){' ' + str(found['errors']) if found['errors'] else ''}")
            path.unlink()


if __name__ == "__main__":
    main()
