"""Product photos for the demo's listings, drawn here (no network): a product shape of its category in the
variant's colour on pure white, as Amazon wants a main image. A few are drawn with the faults sellers really
upload (a grey studio backdrop, a picture too small to zoom), so the quality checks have something to find."""

from __future__ import annotations

import io
import random
import zlib
from functools import cache

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from listings.models import Listing

SIZE = 1200
#: (red, green, blue) of the product by the variant code's first letter, else by the SKU's hash.
PALETTE = [(32, 56, 100), (170, 40, 50), (40, 120, 80), (60, 60, 60), (200, 150, 40), (90, 60, 140),
           (20, 120, 160), (150, 90, 50)]
GREY_BACKDROP = (228, 228, 226)


def _shape(draw: ImageDraw.ImageDraw, category: str, colour: tuple[int, int, int], size: int) -> None:
    """The category's silhouette, spanning about 90 % of the frame."""
    m = int(size * 0.05)  # margin: the product fills 90 % of the longest side
    lo, hi, mid = m, size - m, size // 2
    if category == "apparel":  # a shirt
        draw.polygon([(lo + size * .25, lo), (lo + size * .38, lo + size * .06), (hi - size * .38, lo + size * .06),
                      (hi - size * .25, lo), (hi, lo + size * .22), (hi - size * .12, lo + size * .34),
                      (hi - size * .2, lo + size * .28), (hi - size * .2, hi), (lo + size * .2, hi),
                      (lo + size * .2, lo + size * .28), (lo + size * .12, lo + size * .34), (lo, lo + size * .22)],
                     fill=colour)
    elif category == "electronics":  # a device with a screen
        draw.rounded_rectangle([lo + size * .18, lo, hi - size * .18, hi], radius=size // 14, fill=colour)
        draw.rounded_rectangle([lo + size * .24, lo + size * .08, hi - size * .24, hi - size * .16],
                               radius=size // 40, fill=(235, 240, 245))
    elif category == "kitchen":  # a pan with its handle
        draw.ellipse([lo, mid - size * .3, lo + size * .6, mid + size * .3], fill=colour)
        draw.rounded_rectangle([lo + size * .55, mid - size * .04, hi, mid + size * .04], radius=size // 60,
                               fill=(40, 40, 40))
    elif category == "beauty":  # a bottle
        draw.rounded_rectangle([mid - size * .2, lo + size * .25, mid + size * .2, hi], radius=size // 16,
                               fill=colour)
        draw.rectangle([mid - size * .08, lo, mid + size * .08, lo + size * .26], fill=(50, 50, 50))
    elif category == "toys":  # stacked blocks
        side = (hi - lo) // 3
        for row in range(3):
            for col in range(3 - row):
                x = lo + col * side + row * side // 2
                y = hi - (row + 1) * side
                draw.rectangle([x + 4, y + 4, x + side - 4, y + side - 4], fill=PALETTE[(row * 3 + col) % 8])
    else:  # sports, home: a rolled mat, a cushion
        draw.rounded_rectangle([lo, lo + size * .2, hi, hi - size * .2], radius=size // 6, fill=colour)
        draw.ellipse([hi - size * .3, lo + size * .2, hi, hi - size * .2], fill=tuple(max(0, c - 30) for c in colour))


def product_photo(*, sku: str, category: str, fault: str = "") -> bytes:
    """A PNG of the product: ``fault`` "" (good), "grey" (grey backdrop) or "small" (600 px)."""
    return _photo(category, zlib.crc32(sku.encode()) % len(PALETTE), fault)


@cache
def _photo(category: str, colour: int, fault: str) -> bytes:
    """Drawn once per category, colour and fault: a store's variants share their pictures' bytes."""
    size = 600 if fault == "small" else SIZE
    image = Image.new("RGB", (size, size), GREY_BACKDROP if fault == "grey" else (255, 255, 255))
    _shape(ImageDraw.Draw(image), category, PALETTE[colour], size)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def demo_listing_photos(listings: list[Listing], categories: dict[str, str], *, rng: random.Random,
                        faulty: int = 0) -> None:
    """Give each listing a main image; ``faulty`` of them (chosen by ``rng``) one with a real fault."""
    faults = dict(zip(rng.sample([listing.pk for listing in listings], min(faulty, len(listings))),
                      ["grey", "small"] * faulty, strict=False))
    for listing in listings:
        photo = product_photo(sku=listing.sku, category=categories.get(listing.sku, "home"),
                              fault=faults.get(listing.pk, ""))
        name = f"demo/{listing.sku.lower()}.png"
        # A demo seeded again replaces its photos rather than piling up new copies beside them.
        listing.main_image.storage.delete(listing.main_image.field.generate_filename(listing, name))
        listing.main_image.save(name, ContentFile(photo), save=False)
    Listing.objects.bulk_update(listings, ["main_image"])
