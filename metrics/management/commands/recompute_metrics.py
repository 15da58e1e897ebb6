"""Recompute account-health metrics now or for any past instant, and print them."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from core.models import Store
from metrics.services import metrics_recompute


class Command(BaseCommand):
    help = "Recompute the account-health metrics of every store (or one) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--store", help="Store code; default: every active store.")
        parser.add_argument("--as-of", help="ISO 8601 instant with an offset; default: now (and update breaches).")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON instead of a table.")

    def handle(self, *args, store=None, as_of=None, as_json=False, **options):
        instant = None
        if as_of:
            instant = parse_datetime(as_of)
            if instant is None or instant.tzinfo is None:
                raise CommandError(f"--as-of {as_of!r} is not an ISO 8601 instant with an offset, "
                                   "e.g. 2026-11-01T00:00:00Z.")
        stores = Store.objects.filter(is_active=True)
        if store:
            stores = Store.objects.filter(code=store)
            if not stores.exists():
                raise CommandError(f"No store with code {store!r}.")
        rows: list[dict[str, Any]] = []
        for each in stores:
            for r in metrics_recompute(store=each, as_of=instant):
                rows.append({"store": each.code, "metric": r.metric, "channel": r.channel,
                             "window_days": r.window_days, "numerator": r.numerator, "denominator": r.denominator,
                             "rate": None if r.rate is None else float(r.rate), "target": float(r.target),
                             "status": r.status, "as_of": r.as_of.isoformat()})
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            rate = "—" if row["rate"] is None else f"{row['rate'] * 100:.2f} %"
            self.stdout.write(f"{row['store']:<12} {row['metric']:<9} {row['channel']:<4} {row['window_days']:>3}d "
                              f"{row['numerator']:>7} / {row['denominator']:<7} {rate:>9}  {row['status']}")

