"""Time the preview of a 100,000-line shipping confirmation file: preparing it, then reading its page.

    .venv/bin/python benchmarks/ship_confirm_preview.py                  # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_bench .venv/bin/python benchmarks/ship_confirm_preview.py
    .venv/bin/python benchmarks/ship_confirm_preview.py --lines 20000 --root /path/to/another/checkout

A store receives the orders of a generated All Orders report (``benchmarks/imports.py``), then a shipping
confirmation file naming each of them (and unknown orders up to ``--lines``): the unshipped seller-fulfilled
ones ship, the others are errors. The upload is timed (with Celery eager, as without Redis, it includes the
worker's dry run), then two views of the preview page as its operator sees it: seconds and size of each.
``--root`` runs another checkout of the project (an older commit, to compare) on a database of its own.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--root", type=Path, default=HERE.parent)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="sellerops-bench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(args.root.resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")
    import django

    from imports import generate

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from core.models import Membership, Store
    from imports.services import import_file, import_job_create
    from listings.models import Listing
    from orders.models import Order
    from sellerops.celery import app
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    settings.MEDIA_ROOT = scratch.name
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    Store.objects.filter(code="BENCH-PREVIEW").delete()
    store = Store.objects.create(code="BENCH-PREVIEW", name="Preview benchmark", marketplace="US")
    Listing.objects.bulk_create(
        Listing(store=store, sku=f"SKU-{n:05d}", asin=f"B0{n:08d}", title=f"Product number {n}", price=19.99,
                currency="USD", quantity_available=1_000) for n in range(args.skus))
    app.conf.task_always_eager = False  # the metrics recompute after the orders' import: not measured here
    result = import_file(store=store, kind="all_orders", data=generate(args.lines, skus=args.skus,
                                                                        now=datetime.now(UTC), seed=1))
    app.conf.task_always_eager = True
    assert result.ok, result.errors[:3]
    user = UserFactory(username=f"bench-preview-{store.pk}")
    Membership.objects.create(user=user, store=store, role="operator")

    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    lines = ["order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method"]
    ids = Order.objects.filter(store=store).order_by("purchase_date").values_list("amazon_order_id", flat=True)
    for n, order_id in enumerate(ids.iterator()):
        if len(lines) > args.lines:
            break
        lines.append(f"{order_id}\t\t\t{day}\tUPS\t\t1Z999AA1{n:010d}\tGround")
    while len(lines) <= args.lines:
        lines.append(f"113-9999999-{len(lines):07d}\t\t\t{day}\tUPS\t\t1Z999AA2{len(lines):010d}\tGround")
    data = ("\n".join(lines) + "\n").encode()

    print(f"code: {args.root.resolve()}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    orders = Order.objects.filter(store=store).count()
    print(f"file: {args.lines:,} lines, {len(data) / 1024 / 1024:.1f} MiB, against {orders:,} orders")
    started = time.perf_counter()
    job = import_job_create(store=store, kind="ship_confirm", actor=user, preview=True,
                            upload=SimpleUploadedFile("ship-confirm.txt", data))
    print(f"upload (with the worker's dry run, Celery eager): {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    url = reverse("imports:ship_confirm_preview", args=[job.pk])
    for view in ("first", "second"):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        elapsed = time.perf_counter() - started
        print(f"{view} view of the preview page: {elapsed:.2f} s, {len(response.content) / 1024:,.0f} KiB, "
              f"status {response.status_code}")
    Store.objects.filter(pk=store.pk).delete()
    user.delete()
    scratch.cleanup()


if __name__ == "__main__":
    main()
