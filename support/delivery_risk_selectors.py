"""Reads of the deliveries-at-risk queue: the parcels ``fulfillment.delivery_risk`` finds in the viewer's stores,
each with its order and the buyer's last message; and the draft of the message that tells the buyer first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Window

from core.background import BROKER_ERRORS
from core.models import Store
from core.selectors import scoped
from fulfillment.carriers import tracking_url
from fulfillment.delivery_risk import Reason, at_risk_shipments, days_silent, shipment_reasons
from fulfillment.models import CARRIER_EXCEPTIONS, CarrierEventStatus, Shipment
from orders.models import Order

from .models import Message, ReplyTemplate
from .reply_templates import DEFAULT_TEMPLATES, LANGUAGES
from .templates_fill import Filled, fill

logger = logging.getLogger(__name__)

#: The shared reply template the message to the buyer starts from (a store's own of the same name wins).
TEMPLATE_NAME = "Delivery at risk"
#: How long the queue tab's count is kept: the order queue redraws its tabs on every filter and page.
TAB_COUNT_SECONDS = 60
#: How a carrier status looks (``badge-<tone>``): the exceptions alarm, the last steps before delivery warn.
STATUS_TONES: dict[str, str] = {
    **dict.fromkeys(CARRIER_EXCEPTIONS, "bad"),
    CarrierEventStatus.ATTEMPTED: "warn",
    CarrierEventStatus.PICKUP: "warn",
    CarrierEventStatus.DELIVERED: "ok",
}


@dataclass(frozen=True)
class AtRiskFilters:
    store: Store | None = None
    reason: str = ""
    carrier: str = ""


@dataclass
class AtRiskRow:
    shipment: Shipment
    order: Order
    reasons: tuple[str, ...]
    days_silent: int
    #: The days of silence its carrier is allowed in its store, after which it is at risk.
    allowed_days: int
    tracking_url: str
    status_tone: str
    last_message: Message | None
    #: The message page's address, set by the page for a viewer who may write to the buyer.
    message_url: str = ""

    @property
    def reason_labels(self) -> list[tuple[str, str]]:
        return [(reason, str(Reason.LABELS[reason])) for reason in self.reasons]


def _at_risk(*, user: User | AnonymousUser, filters: AtRiskFilters, now: datetime) -> QuerySet[Shipment]:
    shipments = scoped(Shipment.objects.all(), user=user)
    if filters.store is not None:
        shipments = shipments.filter(store=filters.store)
    if filters.carrier:
        shipments = shipments.filter(carrier=filters.carrier)
    return at_risk_shipments(shipments, now=now, reason=filters.reason)


def at_risk_count(*, user: User | AnonymousUser, store: Store | None, now: datetime, reason: str = "",
                  carrier: str = "") -> int:
    """How many parcels of ``user``'s stores (or ``store``) are at risk: the queue tab's count."""
    filters = AtRiskFilters(store=store, reason=reason, carrier=carrier)
    return _at_risk(user=user, filters=filters, now=now).order_by().count()


def last_buyer_messages(order_ids: list[int]) -> dict[int, Message]:
    """The latest message each order's buyer wrote (not Amazon's notices), by order id, in two queries."""
    if not order_ids:
        return {}
    latest = (Message.objects.filter(thread__order_id=OuterRef("pk"), direction=Message.Direction.INBOUND,
                                     kind=Message.Kind.MESSAGE, is_internal_note=False)
              .order_by("-sent_at", "-id").values("id")[:1])
    ids = dict(Order.objects.filter(pk__in=order_ids).annotate(last=Subquery(latest))
               .filter(last__isnull=False).values_list("last", "pk"))
    return {ids[m.pk]: m for m in Message.objects.filter(pk__in=list(ids)).select_related("thread")}


def at_risk_tab_count(*, user: User | AnonymousUser, store: Store | None, now: datetime) -> int:
    """The queue tab's count, kept a minute (``TAB_COUNT_SECONDS``): the order queue shows it on every swap.
    Without the cache (Redis down) it is counted each time: the queue keeps working."""
    key = f"at-risk-count:{getattr(user, 'pk', None)}:{store.pk if store is not None else 'all'}"
    try:
        return int(cache.get_or_set(key, lambda: at_risk_count(user=user, store=store, now=now),
                                    TAB_COUNT_SECONDS) or 0)
    except BROKER_ERRORS as error:
        logger.warning("deliveries at risk: the tab count is counted without the cache (%s)", error)
        return at_risk_count(user=user, store=store, now=now)


def at_risk_page(*, user: User | AnonymousUser, filters: AtRiskFilters, now: datetime, offset: int,
                 limit: int) -> tuple[list[AtRiskRow], bool, int]:
    """One page of the queue, most urgent first, whether another follows and how many there are in all; a
    constant number of queries.

    The ranking and the total come from one pass over the partial index (ids only); the page's rows, their orders
    and the buyers' messages are then read for those ids.
    """
    ranked = _at_risk(user=user, filters=filters, now=now).annotate(risk_total=Window(Count("pk")))
    # The annotations of ``at_risk_shipments``, which the Django plugin of mypy cannot see.
    columns = ["pk", "risk_heard", "risk_days", "risk_total", *(f"risk_{name}" for name in Reason.ORDER)]
    page = list(ranked.values(*columns)[offset:offset + limit + 1])
    has_next = len(page) > limit
    page = page[:limit]
    if page:
        total = page[0]["risk_total"]
    else:
        total = 0 if offset == 0 else _at_risk(user=user, filters=filters, now=now).order_by().count()
    by_id = Shipment.objects.select_related("order", "order__store", "follow_up_by").in_bulk(
        [row["pk"] for row in page])
    messages = last_buyer_messages([s.order_id for s in by_id.values()])
    rows = []
    for found in page:
        shipment = by_id[found["pk"]]
        for name in Reason.ORDER:
            setattr(shipment, f"risk_{name}", found[f"risk_{name}"])
        rows.append(AtRiskRow(
            shipment=shipment, order=shipment.order, reasons=shipment_reasons(shipment),
            days_silent=days_silent(heard=found["risk_heard"], now=now), allowed_days=found["risk_days"],
            tracking_url=tracking_url(carrier=shipment.carrier, number=shipment.tracking_number),
            status_tone=STATUS_TONES.get(shipment.last_event_status, "info" if shipment.last_event_status else "none"),
            last_message=messages.get(shipment.order_id),
        ))
    return rows, has_next, total


def at_risk_shipment(*, user: User | AnonymousUser, pk: int) -> Shipment | None:
    """One seller-fulfilled shipment of ``user``'s stores, with its order, for the message to its buyer."""
    return (scoped(Shipment.objects.select_related("order", "order__store", "follow_up_by"), user=user)
            .filter(pk=pk, order_fulfillment_channel="MFN").first())


def shipment_risk(*, shipment: Shipment, now: datetime) -> Shipment | None:
    """The shipment as the at-risk queue sees it (annotated with its reasons), or None if it is not at risk."""
    return at_risk_shipments(Shipment.objects.filter(pk=shipment.pk), now=now).first()


def message_language(store: Store) -> str:
    """The language the buyer is written to: the marketplace's, where we have the template in it, else English."""
    language = store.marketplace_info.language
    return language if language in LANGUAGES else "en"


def risk_template_body(*, store: Store, language: str) -> str:
    """The store's own "Delivery at risk" template in ``language``, else the shared one, else English."""
    rows = {(t.store_id is None, t.language): t.body for t in ReplyTemplate.objects.filter(
        Q(store=store) | Q(store__isnull=True), name=TEMPLATE_NAME, language__in={language, "en"})}
    for key in ((False, language), (True, language), (False, "en"), (True, "en")):
        if key in rows:
            return rows[key]
    return DEFAULT_TEMPLATES[TEMPLATE_NAME].get(language) or DEFAULT_TEMPLATES[TEMPLATE_NAME]["en"]


def risk_message_draft(*, shipment: Shipment, language: str) -> Filled:
    """The message to the buyer of ``shipment``'s order, filled with its facts; the operator edits it.

    Its tracking link is this parcel's (the order may have several); a carrier without a public tracking page is
    named with the tracking number instead.
    """
    order = shipment.order
    link = tracking_url(carrier=shipment.carrier, number=shipment.tracking_number)
    values = {
        "buyer_name": (order.buyer_name or order.ship_name or "").strip(),
        "order_id": order.amazon_order_id,
        "tracking_url": link or f"{shipment.carrier_label} {shipment.tracking_number}".strip(),
    }
    return fill(risk_template_body(store=order.store, language=language), values)
