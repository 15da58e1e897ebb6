"""Listings ready to publish, for the publishing tests (unit, security and browser)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from core.models import Store
from listings.models import Listing, ListingImage
from tests.factories import ListingFactory

BULLETS = ["Double-wall stainless steel keeps drinks hot for 6 hours",
           "Leak-proof lid with one-hand button",
           "Fits standard car cup holders"]


def product_png(size: int = 1200) -> bytes:
    """A product on a pure white background that fills the frame: passes the image checks."""
    image = Image.new("RGB", (size, size), (255, 255, 255))
    ImageDraw.Draw(image).rectangle([30, 30, size - 31, size - 31], fill=(40, 60, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def clean_listing(store: Store, *, sku: str = "MUG-450", warnings: bool = False, others: int = 1,
                  **fields) -> Listing:
    """A listing our checks pass (``warnings``: with only warnings, two bullet points and no description)."""
    values = {
        "store": store, "sku": sku, "asin": "", "title": "Acme Travel Mug 450 ml, Stainless Steel",
        "brand": "Acme", "product_type": "DRINKING_CUP", "bullets": BULLETS[:2] if warnings else BULLETS,
        "description": "" if warnings else "A travel mug for the commute.", "price": Decimal("19.99"),
        "currency": "USD", "handling_time_days": 2, "quantity_available": 12, "safety_stock": 2,
        "attributes": {"color": [{"value": "Blue", "language_tag": "en_US", "marketplace_id": "ATVPDKIKX0DER"}]},
    }
    values.update(fields)
    listing = ListingFactory(**values)
    listing.main_image.save(f"{sku.lower()}.png", ContentFile(product_png()), save=True)
    for position in range(1, others + 1):
        other = ListingImage(listing=listing, position=position)
        other.image.save(f"{sku.lower()}-{position}.png", ContentFile(product_png(400)), save=True)
    return listing
