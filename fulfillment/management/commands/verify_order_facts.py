"""Recompute the order facts kept by triggers from their rows, count those that differ; --fix rewrites them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fulfillment.order_facts import SHOWN, OrderFactsDrift, order_facts_drift, order_facts_repair


class Command(BaseCommand):
    help = ("Recompute the order facts the database keeps by triggers (an order's first ship confirmation, a "
            "shipment's copy of its order's channel and deliver-by date) from the orders and shipments, count the "
            "rows whose stored facts differ and name the first orders concerned (store, database id, Amazon order "
            "id). Exits with status 1 on any drift or missing trigger. With --fix, rewrites the drifted facts and "
            "exits with status 0 once they agree (a missing trigger still fails: the facts would drift again).")

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rewrite the drifted facts from their rows.")
        parser.add_argument("--limit", type=int, default=SHOWN, help=f"Orders to name; default: {SHOWN}.")
        parser.add_argument("--database", default="default", help="Database alias; default: default.")

    def handle(self, *args, fix: bool = False, limit: int = SHOWN, database: str = "default", **options):
        check = order_facts_repair if fix else order_facts_drift
        drift = check(limit=limit, using=database)
        self._describe(drift)
        if fix and drift.rows:
            self.stdout.write(f"Rewrote the facts of {drift.orders} order(s) and {drift.shipments} shipment(s).")
            drift = order_facts_drift(limit=limit, using=database)
            self._describe(drift)
        if drift.found:
            raise CommandError(drift.summary)

    def _describe(self, drift: OrderFactsDrift) -> None:
        self.stdout.write(drift.summary)
        for order in drift.shown:
            self.stdout.write(f"{order.store}\t{order.id}\t{order.amazon_order_id}")
