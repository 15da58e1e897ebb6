"""``manage.py spapi_publish_listings``: send a store's listings to Amazon in one JSON listings feed."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from listings.models import Listing
from spapi.feeds import listing_feed_request, listing_feed_run


class Command(BaseCommand):
    help = _("Send listings of one store to Amazon in a JSON_LISTINGS_FEED and record each listing's outcome.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, metavar="CODE", help=_("Store code."))
        parser.add_argument("--sku", action="append", dest="skus", metavar="SKU",
                            help=_("A SKU to send; repeat for several. Default: every listing not yet published."))
        parser.add_argument("--confirm-warnings", action="store_true",
                            help=_("Also send listings our checks found only warnings in."))

    def handle(self, *args, store: str, skus: list[str] | None, confirm_warnings: bool, **options) -> None:
        target = Store.objects.filter(code=store).first()
        if target is None:
            raise CommandError(_("No store %(code)s.") % {"code": store})
        listings = Listing.objects.filter(store=target).select_related("store").order_by("sku")
        listings = listings.filter(sku__in=skus) if skus else listings.filter(published_at__isnull=True)
        system = get_user_model()(username="manage.py", is_superuser=True)
        try:
            request = listing_feed_request(store=target, listings=list(listings), user=system,
                                           confirm_warnings=confirm_warnings)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        for sku, why in sorted(request.skipped.items()):
            self.stderr.write(_("%(sku)s not sent: %(why)s") % {"sku": sku, "why": why})
        if request.feed is None:
            self.stdout.write(_("Nothing to send."))
            return
        feed = listing_feed_run(feed_id=request.feed.pk) or request.feed
        feed.refresh_from_db()
        self.stdout.write(_("Feed %(feed)s: %(status)s, %(accepted)s accepted, %(invalid)s refused. %(error)s") % {
            "feed": feed.feed_id or feed.pk, "status": feed.get_status_display(),
            "accepted": feed.summary.get("accepted", 0), "invalid": feed.summary.get("invalid", 0),
            "error": feed.error})
