"""Every write to an FBA inbound shipment: the plan, shipping it, receiving units at Amazon, closing it.

A plan's units count as the listing's inbound stock from the start (so a replenishment suggestion does not
order them twice); each unit Amazon receives moves from inbound to available; closing or cancelling a
shipment takes whatever never arrived out of inbound. Every stock change goes through ``stock_adjust`` and
so leaves a stock movement behind.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from core.state import actor_or_none, locked
from listings.models import Channel, Listing, StockMovement
from listings.services import stock_adjust

from .models import INBOUND_STATES, InboundShipment, InboundShipmentItem, InboundStatus

I = InboundStatus  # noqa: E741
#: Statuses in which Amazon may still report units received.
RECEIVABLE = frozenset({I.SHIPPED, I.RECEIVING})
MAX_UNITS = 100_000


@dataclass(frozen=True)
class InboundLine:
    listing: Listing
    quantity: int


def _what(inbound: InboundShipment) -> str:
    return _("FBA shipment %(id)s") % {"id": inbound.shipment_id}


def _new_shipment_id(store: Store) -> str:
    """An id shaped like Amazon's ("FBA" and nine letters or digits), unique in the store."""
    alphabet = string.ascii_uppercase + string.digits
    while True:
        candidate = "FBA" + "".join(secrets.choice(alphabet) for _ in range(9))
        if not InboundShipment.objects.filter(store=store, shipment_id=candidate).exists():
            return candidate


def _locked_items(inbound: InboundShipment) -> list[InboundShipmentItem]:
    return list(InboundShipmentItem.objects.select_for_update(of=("self",)).select_related("listing")
                .filter(inbound_shipment=inbound).order_by("id"))


def _check_units(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0 or quantity > MAX_UNITS:
        raise ApplicationError(_("Units must be whole numbers from 0 to %(max)d.") % {"max": MAX_UNITS})
    return quantity


def _release_inbound(item: InboundShipmentItem, *, units: int, actor, at: datetime, note: str) -> None:
    """Take ``units`` that will never arrive out of the listing's inbound stock (never below zero)."""
    current = Listing.objects.select_for_update().get(pk=item.listing_id)
    units = min(units, current.quantity_inbound)
    if units > 0:
        stock_adjust(listing=current, inbound=-units, reason=StockMovement.Reason.ADJUST, actor=actor, at=at,
                     note=note)


@transaction.atomic
def inbound_create(*, store: Store, lines: Iterable[InboundLine], name: str = "", destination_fc: str = "",
                   actor: User | None = None, at: datetime | None = None) -> InboundShipment:
    """Plan a shipment of FBA listings to Amazon; its units count as inbound stock from now on."""
    at = at or timezone.now()
    lines = [line for line in lines if line.quantity]
    if not lines:
        raise ApplicationError(_("A shipment plan needs at least one listing with a quantity."))
    seen: set[int] = set()
    for line in lines:
        _check_units(line.quantity)
        if line.listing.store_id != store.pk:
            raise ApplicationError(_("%(sku)s belongs to another store.") % {"sku": line.listing.sku})
        if line.listing.fulfillment_channel != Channel.AFN:
            raise ApplicationError(_("%(sku)s is seller-fulfilled; only FBA listings can be sent to Amazon.")
                                   % {"sku": line.listing.sku})
        if line.listing.pk in seen:
            raise ApplicationError(_("%(sku)s is in the plan twice.") % {"sku": line.listing.sku})
        seen.add(line.listing.pk)
    inbound = InboundShipment.objects.create(
        store=store, shipment_id=_new_shipment_id(store), name=name.strip()[:200],
        destination_fc=destination_fc.strip().upper()[:10], status=I.WORKING, created_at=at,
    )
    InboundShipmentItem.objects.bulk_create(
        InboundShipmentItem(store=store, inbound_shipment=inbound, listing=line.listing,
                            quantity_expected=line.quantity) for line in lines
    )
    note = _("FBA shipment %(id)s planned") % {"id": inbound.shipment_id}
    for line in lines:
        stock_adjust(listing=line.listing, inbound=line.quantity, reason=StockMovement.Reason.ADJUST,
                     actor=actor_or_none(actor), at=at, note=note)
    return inbound


@transaction.atomic
def inbound_set_status(*, inbound: InboundShipment, status: str, carrier: str = "", tracking_number: str = "",
                       actor: User | None = None, at: datetime | None = None) -> InboundShipment:
    """Move the shipment along ``INBOUND_TRANSITIONS``: ship it (carrier and tracking), receive, close, cancel."""
    at = at or timezone.now()
    inbound = locked(inbound)
    INBOUND_STATES.move(inbound, status, what=_what(inbound), at=at)
    update_fields = ["status"]
    if status in INBOUND_STATES.entered_at:  # shipped_at, receiving_at, closed_at
        update_fields.append(INBOUND_STATES.entered_at[status])
    actor = actor_or_none(actor)
    if status == I.SHIPPED:
        carrier, tracking_number = carrier.strip(), tracking_number.strip().replace(" ", "")
        if not carrier or not tracking_number:
            raise ApplicationError(_("Give the carrier and the tracking number of the shipment."))
        inbound.carrier, inbound.tracking_number = carrier[:80], tracking_number[:64]
        update_fields += ["carrier", "tracking_number"]
    elif status in (I.CLOSED, I.CANCELLED):
        if status == I.CLOSED:
            note = _("FBA shipment %(id)s closed short") % {"id": inbound.shipment_id}
        else:
            note = _("FBA shipment %(id)s cancelled") % {"id": inbound.shipment_id}
        for item in _locked_items(inbound):
            short = item.quantity_expected - item.quantity_received
            if short > 0:
                _release_inbound(item, units=short, actor=actor, at=at, note=note)
    inbound.save(update_fields=update_fields)
    return inbound


@transaction.atomic
def inbound_receive(*, inbound: InboundShipment, quantities: Mapping[int, int],
                    actor: User | None = None, at: datetime | None = None) -> InboundShipment:
    """Record units Amazon received now, per item id; they move from inbound to available."""
    at = at or timezone.now()
    inbound = locked(inbound)
    if inbound.status not in RECEIVABLE:
        raise ApplicationError(
            _("%(what)s is %(status)s; units can only be received on a shipped or receiving shipment.")
            % {"what": _what(inbound), "status": inbound.get_status_display()})
    items = {item.pk: item for item in _locked_items(inbound)}
    unknown = set(quantities) - set(items)
    if unknown:
        raise ApplicationError(_("Those items are not in %(what)s.") % {"what": _what(inbound)})
    received = {pk: _check_units(n) for pk, n in quantities.items()}
    if not any(received.values()):
        raise ApplicationError(_("Enter the units received for at least one item."))
    if inbound.status == I.SHIPPED:
        INBOUND_STATES.move(inbound, I.RECEIVING, what=_what(inbound), at=at)
        inbound.save(update_fields=["status", "receiving_at"])
    note = _("Received at Amazon, FBA shipment %(id)s") % {"id": inbound.shipment_id}
    for pk, units in received.items():
        if not units:
            continue
        item = items[pk]
        outstanding = max(0, item.quantity_expected - item.quantity_received)
        listing = Listing.objects.select_for_update().get(pk=item.listing_id)
        # Units beyond those expected were never counted as inbound: they only add to available.
        from_inbound = min(units, outstanding, listing.quantity_inbound)
        stock_adjust(listing=listing, available=units, inbound=-from_inbound, reason=StockMovement.Reason.RECEIVE,
                     actor=actor_or_none(actor), at=at, note=note)
        item.quantity_received += units
        item.save(update_fields=["quantity_received"])
    return inbound
