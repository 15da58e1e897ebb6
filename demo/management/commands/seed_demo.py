"""``manage.py seed_demo``: fill the database with realistic demo stores, operations and users."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from demo.seed import DEMO_MARKETPLACES, seed_demo


def _instant(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(
            _("%(value)s is not an ISO 8601 instant, e.g. 2025-06-01T12:00:00Z.") % {"value": value}
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


class Command(BaseCommand):
    help = _(
        "Create demo stores with realistic orders, shipments, returns, messages, feedback and claims, "
        "and demo users. The same --seed and --now always give the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stores",
            type=int,
            default=3,
            help=_("Number of demo stores, 1 to %(max)d (US, DE, JP, UK, FR, IT, ES, CA).")
            % {"max": len(DEMO_MARKETPLACES)},
        )
        parser.add_argument("--orders", type=int, default=6000, help=_("Orders across all demo stores."))
        parser.add_argument("--days", type=int, default=120, help=_("Days of history, ending now."))
        parser.add_argument("--seed", type=int, default=1, help=_("Random seed."))
        parser.add_argument(
            "--now",
            type=_instant,
            default=None,
            help=_("The instant the history ends at (ISO 8601); default: the current time."),
        )
        parser.add_argument(
            "--reset", action="store_true", help=_("Delete the demo stores' existing data first.")
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=90,
            help=_("Days of daily account-health snapshots to compute, for the trend lines (0: none)."),
        )
        parser.add_argument("--batch-size", type=int, default=2000, help=_("Rows per INSERT."))

    def handle(self, *args, **options) -> None:
        if not 1 <= options["stores"] <= len(DEMO_MARKETPLACES):
            raise CommandError(_("--stores must be between 1 and %(max)d.") % {"max": len(DEMO_MARKETPLACES)})
        if options["orders"] < 0 or options["days"] < 1:
            raise CommandError(_("--orders must be at least 0 and --days at least 1."))
        now = options["now"] or timezone.now()
        started = time.monotonic()
        verbose = options["verbosity"] > 1
        result = seed_demo(
            now=now,
            stores=options["stores"],
            orders=options["orders"],
            days=options["days"],
            seed=options["seed"],
            reset=options["reset"],
            batch_size=options["batch_size"],
            progress=(lambda line: self.stdout.write(line)) if verbose else None,
            history_days=options["history_days"],
        )
        codes = ", ".join(store.code for store in result.stores)
        if result.skipped:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The demo stores (%(stores)s) already hold data; left as they are. Use --reset to "
                        "regenerate them."
                    )
                    % {"stores": codes}
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Seeded %(stores)s in %(seconds).1f s.")
                    % {"stores": codes, "seconds": time.monotonic() - started}
                )
            )
            for label, count in sorted(result.counts.items()):
                self.stdout.write(f"  {label:<32} {count:>9,}")
        self.stdout.write(
            _("Demo users: %(users)s — password: %(password)s")
            % {"users": ", ".join(result.users), "password": result.password}
        )
