"""Fill reply templates with the facts of the order: only the known placeholders, never attribute lookups.

``str.format`` would let a template reach ``{order_id.__class__}``; here a placeholder is a plain name from a
fixed list, replaced by text, and anything else in braces is left as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from fulfillment.models import Carrier, Shipment
from orders.models import Order

from .models import MessageThread

PLACEHOLDERS = ("buyer_name", "order_id", "tracking_url")
PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

#: The carrier's public tracking page for a tracking number.
TRACKING_URLS: dict[str, str] = {
    Carrier.USPS: "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    Carrier.UPS: "https://www.ups.com/track?tracknum={number}",
    Carrier.FEDEX: "https://www.fedex.com/fedextrack/?trknbr={number}",
    Carrier.DHL: "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    Carrier.DEUTSCHE_POST: "https://www.deutschepost.de/de/s/sendungsverfolgung.html?piececode={number}",
    Carrier.AMAZON: "https://track.amazon.com/tracking/{number}",
    Carrier.ROYAL_MAIL: "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    Carrier.EVRI: "https://www.evri.com/track/parcel/{number}",
    Carrier.DPD: "https://tracking.dpd.de/status/en_US/parcel/{number}",
    Carrier.GLS: "https://gls-group.com/track/{number}",
    Carrier.LA_POSTE: "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    Carrier.POSTE_ITALIANE: "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}",
    Carrier.CORREOS: "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number={number}",
    Carrier.CANADA_POST: "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{number}",
    Carrier.JAPAN_POST: "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}",
    Carrier.YAMATO: "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number01={number}",
    Carrier.SAGAWA: "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={number}",
    Carrier.ONTRAC: "https://www.ontrac.com/tracking/?number={number}",
}


@dataclass(frozen=True)
class Filled:
    text: str
    missing: tuple[str, ...]  # placeholders the order could not fill (no order, no tracking yet)


def tracking_url(shipment: Shipment | None) -> str:
    if shipment is None or not shipment.tracking_number:
        return ""
    pattern = TRACKING_URLS.get(shipment.carrier)
    return pattern.format(number=quote(shipment.tracking_number, safe="")) if pattern else ""


def _latest_shipment(order: Order | None) -> Shipment | None:
    if order is None:
        return None
    shipments = sorted(order.shipments.all(), key=lambda s: (s.shipped_at, s.pk))
    return shipments[-1] if shipments else None


def template_values(*, thread: MessageThread, order: Order | None) -> dict[str, str]:
    buyer = (order.buyer_name if order is not None and order.buyer_name else thread.buyer_name) or ""
    return {
        "buyer_name": buyer.strip(),
        "order_id": order.amazon_order_id if order is not None else "",
        "tracking_url": tracking_url(_latest_shipment(order)),
    }


def fill(body: str, values: dict[str, str]) -> Filled:
    """Replace each known placeholder with its value; a placeholder without a value stays visible."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        if not value:
            if match.group(1) not in missing:
                missing.append(match.group(1))
            return match.group(0)
        return value

    return Filled(PLACEHOLDER_RE.sub(replace, body), tuple(missing))


def template_fill(body: str, *, thread: MessageThread, order: Order | None) -> Filled:
    return fill(body, template_values(thread=thread, order=order))
