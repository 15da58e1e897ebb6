"""Risk flags an operator must see before shipping; pure functions of an order and its items."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import RiskFlag

PO_BOX = re.compile(
    r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|postfach|boîte\s+postale|apartado\s+de\s+correos|casella\s+postale)\b"
    r"|私書箱",
    re.IGNORECASE,
)
#: Carriers that refuse to deliver to a PO box.
PO_BOX_REFUSING_CARRIERS = frozenset({"UPS", "FedEx", "DHL", "OnTrac"})
UNUSUAL_QUANTITY = 10


def is_po_box(*lines: str) -> bool:
    return any(PO_BOX.search(line or "") for line in lines)


def risk_flags(*, channel: str, line1: str, line2: str, city: str, postal_code: str, country: str,
               items: Iterable[tuple[int, int, bool]]) -> list[str]:
    """Flags for a seller-fulfilled order; ``items`` are (quantity, quantity reserved, has a listing)."""
    if channel != "MFN":
        return []
    flags = []
    if not (line1 and city and country) or (country in {"US", "GB", "DE", "FR", "JP", "CA"} and not postal_code):
        flags.append(RiskFlag.ADDRESS_INCOMPLETE)
    if is_po_box(line1, line2):
        flags.append(RiskFlag.PO_BOX)
    items = list(items)
    if any(has_listing and reserved < quantity for quantity, reserved, has_listing in items):
        flags.append(RiskFlag.STOCK_SHORT)
    if any(quantity >= UNUSUAL_QUANTITY for quantity, _, _ in items):
        flags.append(RiskFlag.QUANTITY_UNUSUAL)
    return [str(f) for f in flags]
