"""The metric definitions of Amazon's Account Health, as one table of configuration."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

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
class MetricDefinition:
    key: MetricKey
    name: StrOrPromise
    scope: str
    channels: tuple[str, ...]
    windowed_by: str
    window_days: tuple[int, ...]
    lag_days: int
    target: Decimal
    direction: Direction
    #: Amber starts this fraction of the way from a perfect rate to the target (0.75: the last quarter).
    warning_fraction: Decimal = Decimal("0.75")

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(key=str(self.key), name=str(self.name), direction=str(self.direction),
                    target=str(self.target), warning_fraction=str(self.warning_fraction))
        return data


DEFINITIONS: dict[MetricKey, MetricDefinition] = {
    d.key: d
    for d in [
        MetricDefinition(MetricKey.ODR, _("Order Defect Rate"), "orders", ("MFN", "AFN", "ALL"),
                         "purchase_date", (60,), 14, Decimal("0.01"), Direction.CEILING),
        MetricDefinition(MetricKey.LSR, _("Late Shipment Rate"), "orders", ("MFN",),
                         "latest_ship_date", (10, 30), 0, Decimal("0.04"), Direction.CEILING),
        MetricDefinition(MetricKey.CANCEL, _("Pre-fulfilment Cancel Rate"), "orders", ("MFN",),
                         "purchase_date", (7,), 0, Decimal("0.025"), Direction.CEILING),
        MetricDefinition(MetricKey.VTR, _("Valid Tracking Rate"), "shipments", ("MFN",),
                         "shipped_at", (30,), 0, Decimal("0.95"), Direction.FLOOR),
        MetricDefinition(MetricKey.OTDR, _("On-Time Delivery Rate"), "shipments", ("MFN",),
                         "latest_delivery_date", (14,), 0, Decimal("0.97"), Direction.FLOOR),
        MetricDefinition(MetricKey.RESPONSE, _("Contact Response Rate"), "messages", ("ALL",),
                         "sent_at", (7, 30), 0, Decimal("0.90"), Direction.FLOOR),
        MetricDefinition(MetricKey.RDR, _("Return Dissatisfaction Rate"), "returns", ("ALL",),
                         "requested_at", (60,), 0, Decimal("0.10"), Direction.CEILING),
    ]
}

METRIC_CHOICES = [(d.key.value, d.name) for d in DEFINITIONS.values()]
