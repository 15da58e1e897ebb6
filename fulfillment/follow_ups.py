"""What the seller did about a delivery at risk: told the buyer, filed a carrier trace, sent a replacement.

The latest follow-up is kept on the shipment (the at-risk queue shows it, and ranks the parcel after those nobody
has looked at yet); every one goes on the order's timeline.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.state import actor_or_none, locked, not_future
from orders.models import OrderEvent
from orders.services import order_event_record

from .models import FollowUp, Shipment


def shipment_follow_up_mark(*, shipment: Shipment, action: str, actor: User | None, at: datetime) -> None:
    """Keep ``action`` as the shipment's latest follow-up, without a timeline entry: for the services whose own
    entry already tells it (a carrier trace filed, a replacement sent). The caller holds the shipment's lock."""
    if action not in FollowUp.values:
        raise ApplicationError(_("Unknown follow-up %(action)s.") % {"action": action})
    shipment.follow_up, shipment.follow_up_at, shipment.follow_up_by = action, at, actor_or_none(actor)
    shipment.save(update_fields=["follow_up", "follow_up_at", "follow_up_by"])


@transaction.atomic
def shipment_follow_up_record(*, shipment: Shipment, action: str, actor: User | None, at: datetime | None = None,
                              note: str = "", source: str = "ui") -> Shipment:
    """Record that ``action`` (a ``FollowUp``) was taken for the shipment's delivery, on it and on the order."""
    at = not_future(at or timezone.now(), what=_("The follow-up time"))
    shipment = locked(shipment, "order")
    shipment_follow_up_mark(shipment=shipment, action=action, actor=actor, at=at)
    text = _("Delivery at risk (%(carrier)s %(number)s): %(action)s.") % {
        "carrier": shipment.carrier_label, "number": shipment.tracking_number,
        "action": FollowUp(action).label}
    order_event_record(order=shipment.order, kind=OrderEvent.Kind.NOTE, actor=actor, source=source, at=at,
                       note=f"{text} {note}".strip())
    return shipment
