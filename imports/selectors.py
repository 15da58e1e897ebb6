"""Reads of the import pages: what a finished import created or changed, as links to each object's page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from listings.models import Listing
from orders.links import order_url
from returns.models import ReturnRequest

from .models import ImportJob

#: The objects an import names, in the order its page lists them, with the heading of each group.
GROUPS: dict[tuple[str, str], Promise] = {
    ("order", "created"): _("Orders created"),
    ("order", "updated"): _("Orders updated"),
    ("shipment", "created"): _("Shipments confirmed (by order)"),
    ("return", "created"): _("Returns recorded"),
    ("feedback", "created"): _("Feedback recorded (by order)"),
    ("feedback", "updated"): _("Feedback updated (by order)"),
    ("listing", "created"): _("Listings created"),
    ("listing", "updated"): _("Listings updated"),
}


@dataclass(frozen=True)
class Link:
    text: str
    url: str
    mono: bool = True


@dataclass(frozen=True)
class TouchedGroup:
    key: str
    title: Promise
    count: int
    links: list[Link]

    @property
    def more(self) -> int:
        return self.count - len(self.links)


def import_touched(job: ImportJob) -> list[TouchedGroup]:
    """What ``job`` created or changed, group by group, each object a link to its page (the first ones kept)."""
    touched = job.touched or {}
    store = job.store
    return_pks = [k for entry in touched.get("return", {}).values() for k in entry["keys"]]
    listing_pks = [k for entry in touched.get("listing", {}).values() for k in entry["keys"]]
    returns = {pk: (sku, order_id) for pk, sku, order_id in ReturnRequest.objects.filter(
        store=store, pk__in=return_pks).values_list("pk", "sku", "order__amazon_order_id")}
    listings = dict(Listing.objects.filter(store=store, pk__in=listing_pks).values_list("pk", "sku"))
    groups = []
    for (what, outcome), title in GROUPS.items():
        entry = touched.get(what, {}).get(outcome)
        if not entry:
            continue
        links = []
        for key in entry["keys"]:
            if what in {"order", "shipment", "feedback"}:
                links.append(Link(str(key), order_url(str(key), store.code)))
            elif what == "return" and key in returns:
                sku, order_id = returns[key]
                links.append(Link(f"{sku} · {order_id}", reverse("returns:detail", args=[key])))
            elif what == "listing" and key in listings:
                links.append(Link(listings[key], reverse("listings:detail", args=[key])))
        groups.append(TouchedGroup(f"{what}-{outcome}", title, entry["count"], links))
    return groups
