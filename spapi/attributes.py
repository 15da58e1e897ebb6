"""A listing as the Listings Items API 2021-08-01 wants it: the ``attributes`` body, and patches of what changed.

Pure functions: a listing (any object with the fields of ``listings.models.Listing``) and where it is sold in,
a dict out. Every value carries the ``marketplace_id`` and, where text, the ``language_tag`` of the marketplace,
as in Amazon's examples (``schemas/feeds/listings-feed-schema-v2.example.json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from core.marketplaces import Marketplace

#: Each listing field, and the Amazon attributes written from it (``attributes`` carries Amazon's own names).
FIELD_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "title": ("item_name",),
    "brand": ("brand",),
    "bullets": ("bullet_point",),
    "description": ("product_description",),
    "condition": ("condition_type",),
    "price": ("purchasable_offer",),
    "currency": ("purchasable_offer",),
    "main_image": ("main_product_image_locator",),
    "images": tuple(f"other_product_image_locator_{n}" for n in range(1, 9)),
}
#: Fields whose change says nothing of the listed attributes by name (any attribute may have changed).
ATTRIBUTE_FIELDS = frozenset({"attributes", "product_type"})
#: Written only when the listing is created: afterwards the stock sync owns the quantity and the handling time.
CREATE_ONLY = frozenset({"fulfillment_availability"})
#: Amazon's country code in a language tag where it differs from the marketplace code.
_COUNTRY = {"UK": "GB"}


@dataclass(frozen=True)
class Destination:
    """Where the attributes are for: the marketplace, its language tag, and the public base URL of images."""

    marketplace_id: str
    language_tag: str
    media_base_url: str


def language_tag(marketplace: Marketplace) -> str:
    """``en_US``, ``de_DE``, ``ja_JP``, ``en_GB``…: the marketplace's language and country."""
    return f"{marketplace.language}_{_COUNTRY.get(marketplace.code, marketplace.code)}"


def destination(marketplace: Marketplace, media_base_url: str) -> Destination:
    return Destination(marketplace_id=marketplace.marketplace_id, language_tag=language_tag(marketplace),
                       media_base_url=media_base_url)


def media_url(base: str, name: str) -> str:
    """The absolute public URL of a stored file name (``listings/mug.png``) under ``base``."""
    return f"{base.rstrip('/')}/{quote(name)}"


def _price(value: Decimal) -> float | int:
    """A JSON number Amazon reads as the price: 19.99, or 1980 (yen have no decimals)."""
    return int(value) if value == value.to_integral_value() else float(value)


def listing_attributes(listing: Any, where: Destination, *, create: bool,
                       images: Iterable[tuple[int, str]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The Listings Items API ``attributes`` of ``listing``.

    ``images`` are the other images as (position, stored file name); without it they are read from
    ``listing.images``. ``create`` adds what only the first submission sets (the MFN handling time).
    """
    mid, lang = where.marketplace_id, where.language_tag

    def text(value: str) -> list[dict[str, Any]]:
        return [{"value": value, "language_tag": lang, "marketplace_id": mid}]

    attributes: dict[str, list[dict[str, Any]]] = {}
    # The listing's own attributes first: the named fields below win where both say the same thing.
    for name, value in (listing.attributes or {}).items():
        attributes[name] = value if isinstance(value, list) else [{"value": value, "marketplace_id": mid}]
    if (listing.title or "").strip():
        attributes["item_name"] = text(listing.title.strip())
    if (listing.brand or "").strip():
        attributes["brand"] = text(listing.brand.strip())
    bullets = [str(b).strip() for b in (listing.bullets or []) if str(b).strip()]
    if bullets:
        attributes["bullet_point"] = [{"value": b, "language_tag": lang, "marketplace_id": mid} for b in bullets]
    if (listing.description or "").strip():
        attributes["product_description"] = text(listing.description.strip())
    if listing.condition:
        attributes["condition_type"] = [{"value": listing.condition, "marketplace_id": mid}]
    if listing.price is not None and listing.currency:
        attributes["purchasable_offer"] = [{
            "currency": listing.currency, "marketplace_id": mid,
            "our_price": [{"schedule": [{"value_with_tax": _price(Decimal(listing.price))}]}],
        }]
    if create and listing.fulfillment_channel == "MFN" and listing.handling_time_days is not None:
        attributes["fulfillment_availability"] = [{
            "fulfillment_channel_code": "DEFAULT", "quantity": listing.sellable_quantity,
            "lead_time_to_ship_max_days": listing.handling_time_days,
        }]
    if listing.main_image:
        attributes["main_product_image_locator"] = [
            {"media_location": media_url(where.media_base_url, listing.main_image.name), "marketplace_id": mid}]
    others = images if images is not None else [(i.position, i.image.name) for i in listing.images.all()]
    for position, name in sorted(others):
        attributes[f"other_product_image_locator_{position}"] = [
            {"media_location": media_url(where.media_base_url, name), "marketplace_id": mid}]
    return attributes


def attribute_names_for(fields: Iterable[str], attributes: Mapping[str, Any]) -> set[str] | None:
    """The attribute names a change of these model fields touches; None when any may have changed."""
    fields = set(fields)
    if not fields or fields & ATTRIBUTE_FIELDS:
        return None
    names: set[str] = set()
    for field in fields:
        names.update(FIELD_ATTRIBUTES.get(field, ()))
    return names


def attribute_patches(*, sent: Mapping[str, Any], current: Mapping[str, Any],
                      only: set[str] | None = None) -> list[dict[str, Any]]:
    """JSON Patch operations (``replace``/``delete``) turning what Amazon holds (``sent``) into ``current``.

    The quantity is never patched here (the stock sync sends it); ``only`` narrows to some attribute names.
    Without a record of what was sent, every current attribute is replaced.
    """
    names = (set(sent) | set(current)) - CREATE_ONLY
    if only is not None:
        names &= only
    patches: list[dict[str, Any]] = []
    for name in sorted(names):
        if name in current and current[name] != sent.get(name):
            patches.append({"op": "replace", "path": f"/attributes/{name}", "value": current[name]})
        elif name not in current and name in sent:
            patches.append({"op": "delete", "path": f"/attributes/{name}", "value": sent[name]})
    return patches
