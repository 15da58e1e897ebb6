"""Listings as an Amazon category template ("Inventory File") flat file, for sellers who upload in Seller Central.

The layout is the fptcustom template's: tab-separated, three header rows (the ``TemplateType=fptcustom``
version line with the section names above their first column, the labels row, the attribute-names row), then
one row per listing. The columns and their labels are those of Amazon's template (see
``tests/spapi/fixtures/listings/Flat.File.BLANKET.header.txt``), keeping the template's order; the price is the
marketplace's "Your Price" column, as the 2021 templates name it.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterable
from typing import Any

from core.marketplaces import Marketplace
from listings.models import Listing

from .attributes import language_tag, media_url

TEMPLATE_VERSION = "2021.0625"
FEED_TYPE_SETTING = "610841"
INSTRUCTIONS = ("Use ENGLISH to fill this template.The top 3 rows are for Amazon.com use only. Do not modify or "
                "delete the top 3 rows.")
#: Amazon's flat-file words for the Listings Items API condition values we use most.
CONDITIONS = {"new_new": "New", "new_open_box": "New - Open Box", "used_like_new": "Used - Like New",
              "used_very_good": "Used - Very Good", "used_good": "Used - Good", "used_acceptable": "Used - Acceptable",
              "refurbished_refurbished": "Refurbished"}


def columns(marketplace: Marketplace) -> list[tuple[str, str, str]]:
    """(section, label, attribute name) of each column we fill, in the template's order."""
    images = [("Images" if n == 1 else "", f"Other Image URL{n}", f"other_image_url{n}") for n in range(1, 9)]
    bullets = [("Discovery" if n == 1 else "", "Key Product Features", f"bullet_point{n}") for n in range(1, 6)]
    price = (f"purchasable_offer[marketplace_id={marketplace.marketplace_id}]#1.our_price#1.schedule#1."
             "value_with_tax")
    return [
        ("", "Product Type", "feed_product_type"), ("", "Seller SKU", "item_sku"), ("", "Brand Name", "brand_name"),
        ("", "Product Name", "item_name"), ("", "Product ID", "external_product_id"),
        ("", "Product ID Type", "external_product_id_type"), ("", "Quantity", "quantity"),
        ("", "Main Image URL", "main_image_url"), *images,
        ("Basic", "Update Delete", "update_delete"), ("", "Product Description", "product_description"), *bullets,
        ("Offer", "Item Condition", "condition_type"), ("", "Handling Time", "fulfillment_latency"),
        (f"Offer ({marketplace.code})", f"Your Price {marketplace.currency} ({marketplace.code})", price),
    ]


def header_rows(marketplace: Marketplace, product_types: Iterable[str]) -> list[list[str]]:
    """The template's three header rows for the listings' product types in ``marketplace``."""
    cols = columns(marketplace)
    signature = base64.b64encode(",".join(sorted({t for t in product_types if t}) or ["PRODUCT"]).encode()).decode()
    settings = (f"settings=contentLanguageTag={language_tag(marketplace)}&feedType={FEED_TYPE_SETTING}"
                f"&headerLanguageTag=en_US&primaryMarketplaceId=amzn1.mp.o.{marketplace.marketplace_id}")
    first = [section for section, _label, _name in cols]
    first[:5] = ["TemplateType=fptcustom", f"Version={TEMPLATE_VERSION}", f"TemplateSignature={signature}",
                 settings, INSTRUCTIONS]
    return [first, [label for _s, label, _n in cols], [name for _s, _l, name in cols]]


def _price(listing: Listing) -> str:
    return "" if listing.price is None else f"{listing.price:f}"


def listing_row(listing: Listing, marketplace: Marketplace, media_base: str) -> list[str]:
    others = {image.position: media_url(media_base, image.image.name or "") for image in listing.images.all()}
    bullets = [str(b).strip() for b in listing.bullets or [] if str(b).strip()][:5]
    values: dict[str, Any] = {
        "feed_product_type": listing.product_type.lower(), "item_sku": listing.sku, "brand_name": listing.brand,
        "item_name": listing.title, "external_product_id": listing.asin,
        "external_product_id_type": "ASIN" if listing.asin else "",
        "quantity": listing.sellable_quantity if listing.fulfillment_channel == "MFN" else "",
        "main_image_url": media_url(media_base, listing.main_image.name or "") if listing.main_image else "",
        "update_delete": "Update", "product_description": listing.description,
        "condition_type": CONDITIONS.get(listing.condition, listing.condition),
        "fulfillment_latency": "" if listing.handling_time_days is None else listing.handling_time_days,
    }
    values.update({f"other_image_url{n}": others.get(n, "") for n in range(1, 9)})
    values.update({f"bullet_point{n}": bullets[n - 1] if n <= len(bullets) else "" for n in range(1, 6)})
    row = []
    for _section, _label, name in columns(marketplace):
        value = _price(listing) if name.startswith("purchasable_offer[") else values.get(name, "")
        # A tab or line break inside a value would shift the columns: the template has no quoting.
        row.append(" ".join(str(value).split()) if value != "" else "")
    return row


def flat_file(listings: Iterable[Listing], *, marketplace: Marketplace, media_base: str) -> str:
    """The whole file (CRLF line ends, as Amazon's templates come)."""
    listings = list(listings)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n", quoting=csv.QUOTE_NONE, escapechar=None,
                        quotechar=None)
    writer.writerows(header_rows(marketplace, (listing.product_type for listing in listings)))
    writer.writerows(listing_row(listing, marketplace, media_base) for listing in listings)
    return buffer.getvalue()
