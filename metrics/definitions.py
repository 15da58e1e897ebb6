"""The metric definitions of Amazon's Account Health, as one table of configuration.

Each entry says which rows a metric counts (model, the date that puts a row in a window, the channel field),
its windows, lag, channels, target, the deadline its rows are answered against and the reasons it gives for a
defect. The engine, the drill-down, the root cause and the alerts all read the entry; none keeps a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from fulfillment.models import AMAZON_KNOWN_SHIPMENTS, Shipment
from orders.models import Order
from returns.deadlines import RESPONSE_DEADLINE as RETURN_RESPONSE_DEADLINE
from returns.models import ReturnRequest
from support.deadlines import RESPONSE_DEADLINE as MESSAGE_RESPONSE_DEADLINE
from support.models import Message

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class MetricKey(StrEnum):
    ODR = "odr"
    LSR = "lsr"
    CANCEL = "cancel"
    VTR = "vtr"
    OTDR = "otdr"
    RESPONSE = "response"
    RDR = "rdr"


class Direction(StrEnum):
    """``CEILING``: the rate counts bad rows and must stay below the target; ``FLOOR``: good rows, at or above."""

    CEILING = "ceiling"
    FLOOR = "floor"


@dataclass(frozen=True)
class Reason:
    """Why a row is a defect. ``key`` names the flag the engine sets on each row; ``label`` may name the
    metric's deadline as ``%(hours)s``."""

    key: str
    label: StrOrPromise


@dataclass(frozen=True, kw_only=True)
class MetricDefinition:
    key: MetricKey
    name: StrOrPromise
    #: What the rows are (the drill-down's wording) and the table they are read from.
    scope: str
    model: type[models.Model]
    #: The instant that puts a row in a window: a field of ``model``.
    window_field: str
    window_days: tuple[int, ...]
    lag_days: int
    #: The channels computed ("ALL": every row) and, of those, the ones reported (ODR: per channel only).
    channels: tuple[str, ...]
    reported_channels: tuple[str, ...]
    #: The field of ``model`` that holds a row's channel; None when the metric has only "ALL".
    channel_field: str | None
    target: Decimal
    direction: Direction
    reasons: tuple[Reason, ...]
    #: Which rows of ``model`` the metric reads at all; None: every one. (The shipment metrics leave out the
    #: replacements a seller sends on their own: Amazon never hears of them.)
    rows: models.Q | None = None
    #: How long after ``window_field`` a row may wait for its answer; until then, unanswered, it is pending
    #: and counted in neither number. None: the metric has no such deadline.
    deadline: timedelta | None = None
    #: Amber starts this fraction of the way from a perfect rate to the target (0.75: the last quarter).
    warning_fraction: Decimal = Decimal("0.75")

    def __post_init__(self) -> None:
        if not set(self.reported_channels) <= set(self.channels):
            raise ValueError(f"{self.key}: reported channels must be computed channels")
        if self.channel_field is None and self.channels != ("ALL",):
            raise ValueError(f"{self.key}: a metric computed per channel needs a channel field")

    @property
    def deadline_hours(self) -> int | None:
        return None if self.deadline is None else int(self.deadline.total_seconds() // 3600)

    def reason_labels(self) -> dict[str, str]:
        """Each reason's label in the active language, the deadline filled in."""
        return {reason.key: str(reason.label) % {"hours": self.deadline_hours} for reason in self.reasons}

    def as_dict(self) -> dict:
        """The definition as a snapshot records it: plain JSON values."""
        return {
            "key": str(self.key), "name": str(self.name), "scope": self.scope, "model": self.model._meta.label,
            "window_field": self.window_field, "window_days": list(self.window_days), "lag_days": self.lag_days,
            "channels": list(self.channels), "reported_channels": list(self.reported_channels),
            "channel_field": self.channel_field, "target": str(self.target), "direction": str(self.direction),
            "reasons": [reason.key for reason in self.reasons],
            "deadline_seconds": None if self.deadline is None else int(self.deadline.total_seconds()),
            "warning_fraction": str(self.warning_fraction),
        }


DEFINITIONS: dict[MetricKey, MetricDefinition] = {
    d.key: d
    for d in [
        MetricDefinition(
            key=MetricKey.ODR, name=_("Order Defect Rate"), scope="orders", model=Order,
            window_field="purchase_date", window_days=(60,), lag_days=14,
            channels=("MFN", "AFN", "ALL"), reported_channels=("MFN", "AFN"), channel_field="fulfillment_channel",
            target=Decimal("0.01"), direction=Direction.CEILING,
            reasons=(Reason("has_negative_feedback", _("negative feedback")),
                     Reason("has_a_to_z_claim", _("A-to-z claim")),
                     Reason("has_chargeback", _("chargeback"))),
        ),
        MetricDefinition(
            key=MetricKey.LSR, name=_("Late Shipment Rate"), scope="orders", model=Order,
            window_field="latest_ship_date", window_days=(10, 30), lag_days=0,
            channels=("MFN",), reported_channels=("MFN",), channel_field="fulfillment_channel",
            target=Decimal("0.04"), direction=Direction.CEILING,
            reasons=(Reason("not_confirmed", _("not confirmed")),
                     Reason("confirmed_late", _("confirmed after ship-by"))),
        ),
        MetricDefinition(
            key=MetricKey.CANCEL, name=_("Pre-fulfilment Cancel Rate"), scope="orders", model=Order,
            window_field="purchase_date", window_days=(7,), lag_days=0,
            channels=("MFN",), reported_channels=("MFN",), channel_field="fulfillment_channel",
            target=Decimal("0.025"), direction=Direction.CEILING,
            reasons=(Reason("cancelled_by_seller", _("cancelled by the seller")),
                     Reason("cancelled_by_amazon", _("cancelled by Amazon (no confirmation)"))),
        ),
        MetricDefinition(
            key=MetricKey.VTR, name=_("Valid Tracking Rate"), scope="shipments", model=Shipment,
            window_field="shipped_at", window_days=(30,), lag_days=0,
            channels=("MFN",), reported_channels=("MFN",), channel_field="order_fulfillment_channel",
            rows=AMAZON_KNOWN_SHIPMENTS, target=Decimal("0.95"), direction=Direction.FLOOR,
            reasons=(Reason("no_carrier_scan", _("no carrier scan")),),
        ),
        MetricDefinition(
            # A shipment carries its order's deliver-by date as a copy of its own.
            key=MetricKey.OTDR, name=_("On-Time Delivery Rate"), scope="shipments", model=Shipment,
            window_field="order_latest_delivery_date", window_days=(14,), lag_days=0,
            channels=("MFN",), reported_channels=("MFN",), channel_field="order_fulfillment_channel",
            rows=AMAZON_KNOWN_SHIPMENTS, target=Decimal("0.97"), direction=Direction.FLOOR,
            reasons=(Reason("delivered_late", _("delivered late")), Reason("not_delivered", _("not delivered"))),
        ),
        MetricDefinition(
            key=MetricKey.RESPONSE, name=_("Contact Response Rate"), scope="messages", model=Message,
            window_field="sent_at", window_days=(7, 30), lag_days=0,
            channels=("ALL",), reported_channels=("ALL",), channel_field=None,
            target=Decimal("0.90"), direction=Direction.FLOOR, deadline=MESSAGE_RESPONSE_DEADLINE,
            reasons=(Reason("answered_late", _("answered after %(hours)s hours")),
                     Reason("not_answered", _("not answered"))),
        ),
        MetricDefinition(
            # Reported for every order, though only the seller's own (MFN) returns are theirs to answer.
            key=MetricKey.RDR, name=_("Return Dissatisfaction Rate"), scope="returns", model=ReturnRequest,
            window_field="requested_at", window_days=(60,), lag_days=0,
            channels=("ALL",), reported_channels=("ALL",), channel_field="fulfillment_channel",
            target=Decimal("0.10"), direction=Direction.CEILING, deadline=RETURN_RESPONSE_DEADLINE,
            reasons=(Reason("has_negative_feedback", _("negative return feedback")),
                     Reason("responded_late", _("no response within %(hours)s hours")),
                     Reason("rejected_in_policy", _("rejected though in policy"))),
        ),
    ]
}

METRIC_CHOICES = [(d.key.value, d.name) for d in DEFINITIONS.values()]
