"""``manage.py spapi_sync``: pull changed orders (and optionally the performance report) from Amazon now."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from spapi.models import SellerCredentials
from spapi.performance import spapi_fetch_performance
from spapi.sync import spapi_sync_orders


def _instant(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(_("%(value)s is not an ISO 8601 instant, e.g. 2025-06-01T12:00:00Z.") % {"value": value})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


class Command(BaseCommand):
    help = _("Pull the orders Amazon changed since the last sync through the Selling Partner API, for one store "
             "or every store with active credentials.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", action="append", dest="stores", metavar="CODE",
                            help=_("Store code; repeat for several. Default: every store with active credentials."))
        parser.add_argument("--since", type=_instant,
                            help=_("Pull orders updated after this instant instead of after the last sync."))
        parser.add_argument("--performance", action="store_true",
                            help=_("Also fetch and keep the seller-performance report."))
        parser.add_argument("--performance-only", action="store_true",
                            help=_("Fetch only the seller-performance report, no orders."))

    def handle(self, *args, stores: list[str] | None, since: datetime | None, performance: bool,
               performance_only: bool, **options) -> None:
        if stores:
            found = {s.code: s for s in Store.objects.filter(code__in=stores)}
            unknown = [code for code in stores if code not in found]
            if unknown:
                raise CommandError(_("Unknown store: %(codes)s.") % {"codes": ", ".join(unknown)})
            targets = [found[code] for code in stores]
        else:
            targets = list(Store.objects.filter(spapi_credentials__is_active=True, is_active=True).order_by("code"))
            if not targets and not SellerCredentials.objects.exists():
                raise CommandError(_("No store has SP-API credentials; add them in the back office."))
        failures = 0
        for store in targets:
            try:
                if not performance_only:
                    result = spapi_sync_orders(store=store, since=since)
                    self.stdout.write(
                        _("%(store)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                          "%(skipped)d skipped, %(pages)d pages.")
                        % {"store": store.code, "created": result.created, "updated": result.updated,
                           "unchanged": result.unchanged, "skipped": len(result.skipped), "pages": result.pages})
                    for line in result.skipped:
                        self.stdout.write("  " + _("skipped %(order)s") % {"order": line})
                if performance or performance_only:
                    report = spapi_fetch_performance(store=store)
                    self.stdout.write(_("%(store)s: seller-performance report %(id)s kept.")
                                      % {"store": store.code, "id": report.report_id})
            except ApplicationError as exc:
                failures += 1
                self.stderr.write(f"{store.code}: {exc.message}")
        if failures:
            raise CommandError(_("%(n)d of %(total)d stores failed.") % {"n": failures, "total": len(targets)})
