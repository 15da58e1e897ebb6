"""List the stored orders whose id is not an Amazon order id (3-7-7 ASCII digits); change nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from orders.selectors import orders_with_malformed_ids


class Command(BaseCommand):
    help = ("List every stored order whose Amazon order id is not 3-7-7 ASCII digits (e.g. full-width digits), "
            "one per line: store, database id, the id as stored, status. Exits with status 1 if there is any. "
            "Nothing is changed: correct or remove each order by hand.")

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="Database alias; default: default.")

    def handle(self, *args, database: str = "default", **options):
        count = 0
        for order in orders_with_malformed_ids(using=database).iterator(chunk_size=500):
            count += 1
            self.stdout.write(f"{order.store.code}\t{order.pk}\t{order.amazon_order_id!r}\t{order.status}")
        if count:
            raise CommandError(f"{count} order(s) with an id that is not 3-7-7 ASCII digits.")
        self.stdout.write("Every stored order id is 3-7-7 ASCII digits.")
