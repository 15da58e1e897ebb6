"""The imports page's history: an All Orders report refused for a line it could not read, then the corrected
file imported, both uploaded through the import services as an operator would (the report detected from its
header, checked and imported whole, or refused whole)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from core.marketplaces import marketplace
from core.models import Store
from imports.models import ImportJob
from imports.services import import_job_create
from listings.models import Listing
from orders.models import Order

from .orders import ORDER_ID_PREFIXES

COLUMNS = ("amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
           "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name", "sku",
           "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax",
           "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city",
           "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
           "purchase-order-number", "price-designation", "signature-confirmation-recommended")
#: Orders in the imported report: Amazon-fulfilled, delivered already, so none waits in the operator's queue.
REPORT_ORDERS = 3


def _order_ids(store: Store, count: int) -> list[str]:
    prefix = ORDER_ID_PREFIXES.get(store.marketplace, ("111",))[0]
    candidates = [f"{prefix}-{9_000_000 + n:07d}-{store.pk * 1000 + n:07d}" for n in range(1, count + 20)]
    taken = set(Order.objects.filter(store=store, amazon_order_id__in=candidates)
                .values_list("amazon_order_id", flat=True))
    return [value for value in candidates if value not in taken][:count]


def _report(store: Store, now: datetime, *, bad_date_line: int | None = None) -> bytes:
    market = marketplace(store.marketplace)
    # Where the store's first buyer lives: an address of the marketplace, written as its reports write them.
    address = ("ship_city", "ship_state", "ship_postal_code", "ship_country")
    first = Order.objects.filter(store=store).exclude(ship_city="").order_by("purchase_date").values_list(
        *address).first()
    where: dict[str, str] = dict(zip(address, first, strict=True)) if first else {}
    listings = list(Listing.objects.filter(store=store).order_by("sku")[:REPORT_ORDERS])
    lines = ["\t".join(COLUMNS)]
    for n, (order_id, listing) in enumerate(zip(_order_ids(store, len(listings)), listings, strict=True)):
        bought = now - timedelta(days=3, hours=5 * n)
        purchase = bought.strftime("%d/%m/%Y 8am") if bad_date_line == n + 2 else bought.isoformat(timespec="seconds")
        price = listing.price if listing.price is not None else "19.99"
        values = {
            "amazon-order-id": order_id, "purchase-date": purchase,
            "last-updated-date": (bought + timedelta(days=2)).isoformat(timespec="seconds"),
            "order-status": "Shipped", "fulfillment-channel": "Amazon",
            "sales-channel": "Amazon" + market.domain[len("amazon"):],
            "ship-service-level": "Standard", "product-name": listing.title[:200], "sku": listing.sku,
            "asin": listing.asin, "item-status": "Shipped", "quantity": "1", "currency": market.currency,
            "item-price": str(price), "item-tax": "0.00", "shipping-price": "0.00",
            "ship-city": where.get("ship_city", ""), "ship-state": where.get("ship_state", ""),
            "ship-postal-code": where.get("ship_postal_code", ""), "ship-country": where.get("ship_country", ""),
            "is-business-order": "false", "signature-confirmation-recommended": "false",
        }
        lines.append("\t".join(values.get(column, "") for column in COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def demo_import_history(*, store: Store, operator_id: int, now: datetime) -> list[ImportJob]:
    """Upload, as the operator, a report with a date Amazon never writes (refused, nothing written), then the
    corrected one (imported): the imports page's history, each with its counts, errors or links."""
    actor = get_user_model().objects.get(pk=operator_id)
    day = now.strftime("%Y-%m-%d")
    jobs = []
    for name, data in ((f"All-Orders-{day}-export.txt", _report(store, now, bad_date_line=3)),
                       (f"All-Orders-{day}.txt", _report(store, now))):
        job = import_job_create(store=store, kind="", upload=SimpleUploadedFile(name, data), actor=actor)
        job.refresh_from_db()
        jobs.append(job)
    return jobs
