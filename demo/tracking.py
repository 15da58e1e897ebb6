"""The carriers' tracking events of the demo's recent seller-fulfilled parcels, and in every store a handful of
deliveries at risk a new user finds at once: cross-border parcels silent for days, one past its deliver-by date,
one returned to sender, one with an address problem, one the operator has already told the buyer about.

Events are written straight into ``CarrierEvent`` with the shipment's ``last_event_at``/``last_event_status``, as
``fulfillment.carrier_events`` keeps them. A random stream of its own keeps the rest of the demo as it was.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fulfillment.models import Carrier, CarrierEvent, FollowUp
from fulfillment.models import CarrierEventStatus as E

from . import locales
from .context import Kind, StoreContext, secs
from .writer import Row

#: Parcels shipped in the last days carry their carriers' events (older ones predate the tracking feed).
EVENT_DAYS = 30
DAY = timedelta(days=1)

#: Tracking numbers of the cross-border carriers the showcase uses (the stores' own are in ``locales``).
CROSS_BORDER_TRACKING: dict[str, Callable[[random.Random], str]] = {
    Carrier.YUNEXPRESS: lambda r: "YT" + "".join(r.choice("0123456789") for _ in range(16)),
    Carrier.FOURPX: lambda r: "4PX" + "".join(r.choice("0123456789") for _ in range(13)) + "CN",
    Carrier.YANWEN: lambda r: "UG" + "".join(r.choice("0123456789") for _ in range(9)) + "YP",
}


@dataclass(frozen=True)
class Showcase:
    key: str
    #: None: the store's own carrier.
    carrier: str | None
    #: How long ago the parcel was shipped, in days (low, high).
    shipped_days: tuple[float, float]
    #: ``(days after shipping, status, the carrier's words, where)``.
    steps: tuple[tuple[float, str, str, str], ...]
    #: Needs an order whose deliver-by date has passed.
    late: bool = False
    #: The buyer has written "where is my order".
    buyer_asks: bool = False
    #: The operator has told the buyer already (a day ago).
    followed_up: bool = False


CREATED = (0.0, E.LABEL_CREATED, "Shipping label created, awaiting item", "")
SHOWCASES = (
    Showcase("silent_yunexpress", Carrier.YUNEXPRESS, (9.5, 10.5), (
        (0.0, E.LABEL_CREATED, "Shipment information received", "Shenzhen, CN"),
        (0.6, E.IN_TRANSIT, "Departed from sorting center", "Shenzhen, CN"),
        (1.4, E.IN_TRANSIT, "Export customs clearance completed", "Shenzhen, CN"),
    ), buyer_asks=True),
    Showcase("silent_4px", Carrier.FOURPX, (11.0, 12.0), (
        (0.0, E.LABEL_CREATED, "Parcel information received", "Dongguan, CN"),
        (0.8, E.IN_TRANSIT, "Parcel left the 4PX warehouse", "Dongguan, CN"),
        (2.0, E.IN_TRANSIT, "Handed over to airline", "Hong Kong, HK"),
    )),
    Showcase("late", None, (9.5, 10.0), (
        CREATED,
        (0.5, E.IN_TRANSIT, "Accepted at origin facility", "{city}"),
        (3.0, E.IN_TRANSIT, "In transit: running late", ""),
        (8.8, E.IN_TRANSIT, "Arrived at regional facility", "{city}"),
    ), late=True, buyer_asks=True),
    Showcase("returned", None, (7.0, 8.0), (
        CREATED,
        (0.5, E.IN_TRANSIT, "Accepted at origin facility", "{city}"),
        (2.5, E.ATTEMPTED, "Delivery attempted: no access to the building", "{city}"),
        (6.5, E.RETURNED, "Returned to sender: addressee unknown", "{city}"),
    )),
    Showcase("address_problem", None, (4.0, 5.0), (
        CREATED,
        (0.6, E.IN_TRANSIT, "Accepted at origin facility", "{city}"),
        (2.6, E.ADDRESS_PROBLEM, "Incorrect or incomplete address: delivery on hold", "{city}"),
    ), buyer_asks=True),
    Showcase("followed_up_yanwen", Carrier.YANWEN, (14.0, 15.0), (
        (0.0, E.LABEL_CREATED, "Shipment information received", "Yiwu, CN"),
        (1.0, E.IN_TRANSIT, "Departed facility", "Yiwu, CN"),
        (2.0, E.IN_TRANSIT, "Flight departed", "Shanghai, CN"),
    ), followed_up=True),
)

#: What the demo's operator wrote to the buyer of the parcel already followed up.
FOLLOW_UP_MESSAGE = {
    "en": "Hello, we noticed your parcel for order {order_id} has not moved for a few days. We have asked the "
          "carrier and will write again as soon as we know more.",
    "de": "Hallo, Ihr Paket zu Bestellung {order_id} hat sich seit einigen Tagen nicht bewegt. Wir haben beim "
          "Versanddienstleister nachgefragt und melden uns, sobald wir mehr wissen.",
    "fr": "Bonjour, votre colis de la commande {order_id} n'a pas bougé depuis quelques jours. Nous avons "
          "interrogé le transporteur et revenons vers vous dès que possible.",
    "it": "Buongiorno, il pacco dell'ordine {order_id} è fermo da alcuni giorni. Abbiamo contattato il corriere "
          "e le scriveremo appena sapremo di più.",
    "es": "Hola, el paquete del pedido {order_id} lleva unos días sin moverse. Hemos consultado al transportista "
          "y le escribiremos en cuanto sepamos más.",
    "ja": "ご注文 {order_id} の荷物がここ数日動いていないため、配送業者に確認しております。"
          "詳細が分かり次第ご連絡いたします。",
}


class Tracking:
    def __init__(self, ctx: StoreContext) -> None:
        self.ctx = ctx
        self.rng = random.Random(f"sellerops-demo-tracking:{ctx.seed}:{ctx.store.code}")
        self.pending = list(SHOWCASES)

    def showcase_for(self, order: Row, ship_at: datetime) -> Showcase | None:
        """The showcase this parcel plays, if one still waits for a parcel shipped when this one was."""
        now = self.ctx.now
        for showcase in self.pending:
            low, high = showcase.shipped_days
            if not now - high * DAY <= ship_at <= now - low * DAY:
                continue
            if showcase.late and not order.latest_delivery_date < now - DAY / 2:
                continue
            self.pending.remove(showcase)
            return showcase
        return None

    def record(self, shipment: Row, order: Row, showcase: Showcase | None) -> None:
        """Write the parcel's events (a showcase's, else its journey to delivery) and keep the latest on it."""
        ctx, now = self.ctx, self.ctx.now
        if shipment.shipped_at < now - EVENT_DAYS * DAY:
            return
        city = self.rng.choice(ctx.locale.cities)[0]
        if showcase is not None:
            steps = [(secs(shipment.shipped_at + days * DAY), status, text, where.format(city=city))
                     for days, status, text, where in showcase.steps]
        else:
            steps = self._journey(shipment, city)
        for at, status, text, where in steps:
            if at > now:
                break
            ctx.writer.add(CarrierEvent, store_id=ctx.store.pk, shipment_id=shipment.id, at=at, status=status,
                           description=text, location=where, source="demo")
            shipment.last_event_at, shipment.last_event_status = at, status
        if showcase is not None and showcase.followed_up:
            at = secs(now - DAY)
            shipment.follow_up, shipment.follow_up_at = FollowUp.BUYER_MESSAGED, at
            shipment.follow_up_by_id = ctx.actors.operator_id
            order.demo_follow_up_at = at
            ctx.event(order, Kind.NOTE, at, actor_id=ctx.actors.operator_id,
                      note=f"Delivery at risk ({shipment.carrier} {shipment.tracking_number}): "
                           f"{FollowUp.BUYER_MESSAGED.label}.")
        if showcase is not None and showcase.buyer_asks:
            order.demo_buyer_asks_at = self.buyer_message_at(shipment.last_event_at)

    def _journey(self, shipment: Row, city: str) -> list[tuple[datetime, str, str, str]]:
        steps: list[tuple[datetime, str, str, str]] = [
            (shipment.shipped_at, E.LABEL_CREATED, "Shipping label created", "")]
        scan, delivered = shipment.first_scan_at, shipment.delivered_at
        if scan is None:
            return steps
        steps.append((scan, E.IN_TRANSIT, "Accepted at origin facility", ""))
        end = delivered or self.ctx.now
        if end - scan > DAY:
            steps.append((secs(scan + (end - scan) * self.rng.uniform(0.3, 0.7)), E.IN_TRANSIT,
                          "Arrived at regional facility", city))
        if delivered is not None:
            out = secs(max(scan, delivered - timedelta(hours=self.rng.uniform(2, 6))))
            steps += [(out, E.OUT_FOR_DELIVERY, "Out for delivery", city),
                      (delivered, E.DELIVERED, "Delivered", city)]
        return sorted(set(steps))

    def buyer_message_at(self, quiet_since: datetime | None) -> datetime:
        """When the showcase's buyer asked: a day or two after the parcel went quiet, hours ago at the latest."""
        now = self.ctx.now
        at = (quiet_since or now - 3 * DAY) + timedelta(hours=self.rng.uniform(24, 60))
        return secs(min(at, now - timedelta(hours=self.rng.uniform(3, 9))))


def follow_up_text(lang: str, order_id: str) -> str:
    return FOLLOW_UP_MESSAGE.get(lang, FOLLOW_UP_MESSAGE["en"]).format(order_id=order_id)


def tracking_for(carrier: str, rng: random.Random) -> str:
    make = CROSS_BORDER_TRACKING.get(carrier) or locales.TRACKING.get(carrier) or locales.TRACKING["UPS"]
    return make(rng)
