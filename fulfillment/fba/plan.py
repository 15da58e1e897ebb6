"""A restock plan turned into an FBA inbound shipment plan (``fulfillment.inbound.inbound_create``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from listings.models import Channel, Listing

from ..inbound import InboundLine, inbound_create
from ..models import InboundShipment
from .restock import RestockSuggestion


def restock_inbound_lines(suggestions: Iterable[RestockSuggestion], listings: Mapping[str, Listing]
                          ) -> list[InboundLine]:
    """One inbound line per suggestion with units to send, its listing found by SKU in ``listings``."""
    lines = []
    for suggestion in suggestions:
        if suggestion.quantity <= 0:
            continue
        listing = listings.get(suggestion.sku)
        if listing is None:
            raise ApplicationError(_("%(sku)s is not an FBA listing of this store.") % {"sku": suggestion.sku})
        lines.append(InboundLine(listing=listing, quantity=suggestion.quantity))
    return lines


@transaction.atomic
def restock_inbound_create(*, store: Store, suggestions: Iterable[RestockSuggestion], name: str = "",
                           actor: User | None = None, at: datetime | None = None) -> InboundShipment:
    """Plan an FBA shipment of the suggested units of ``store``'s FBA listings."""
    suggestions = list(suggestions)
    skus = {s.sku for s in suggestions if s.quantity > 0}
    listings = {listing.sku: listing for listing in
                Listing.objects.filter(store=store, fulfillment_channel=Channel.AFN, sku__in=skus)}
    return inbound_create(store=store, lines=restock_inbound_lines(suggestions, listings),
                          name=name or _("Restock"), actor=actor, at=at)
