"""Reads of returns for the returns queue, always scoped to the viewer's stores, and for an order's page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import Store
from core.selectors import scoped
from listings.models import Channel
from orders.models import Order, OrderEvent

from .deadlines import RESPONSE_DEADLINE
from .models import RETURN_TRANSITIONS, SELLER_FAULT_REASONS, Refund, ReturnReason, ReturnRequest, ReturnStatus

R = ReturnStatus
#: The queue counts time left from the deadline the Return Dissatisfaction Rate counts against.
RESPONSE_WINDOW = RESPONSE_DEADLINE
#: The "return reasons by SKU" panel looks back this far.
REASONS_WINDOW = timedelta(days=60)
REASONS_TOP = 10


class Tab:
    NEEDS_RESPONSE = "needs_response"
    AUTHORIZED = "authorized"
    TO_REFUND = "to_refund"
    CLOSED = "closed"
    FBA = "fba"
    ALL = "all"

    ORDER = (NEEDS_RESPONSE, AUTHORIZED, TO_REFUND, CLOSED, FBA, ALL)
    #: The seller's own returns (MFN) by status; Amazon handles the returns of the orders it fulfils, already
    #: received when we learn of them, so they wait in none of these queues and have a tab of their own.
    STATUSES: dict[str, frozenset[str]] = {
        NEEDS_RESPONSE: frozenset({R.REQUESTED}),
        AUTHORIZED: frozenset({R.AUTHORIZED}),
        TO_REFUND: frozenset({R.RECEIVED}),
        CLOSED: frozenset({R.REJECTED, R.REFUNDED, R.CLOSED}),
    }

    @classmethod
    def q(cls, tab: str) -> Q | None:
        """The returns ``tab`` holds; None for all of them."""
        if tab == cls.FBA:
            return Q(fulfillment_channel=Channel.AFN)
        statuses = cls.STATUSES.get(tab)
        if statuses is None:
            return None
        return Q(status__in=statuses) & ~Q(fulfillment_channel=Channel.AFN)


class Action:
    AUTHORIZE = "authorize"
    REJECT = "reject"
    RECEIVE = "receive"
    REFUND = "refund"
    REPLACE = "replace"
    CLOSE = "close"

    ALL = (AUTHORIZE, REJECT, RECEIVE, REFUND, REPLACE, CLOSE)


def return_actions(return_request: ReturnRequest) -> tuple[str, ...]:
    """The actions the status table allows on ``return_request`` now, in the order the queue shows them.

    None on a return of an order Amazon fulfils: Amazon received, refunded and disposed of it itself.
    """
    if return_request.fulfillment_channel == Channel.AFN:
        return ()
    allowed = RETURN_TRANSITIONS.get(return_request.status, set())
    actions = {
        Action.AUTHORIZE: R.AUTHORIZED in allowed,
        Action.REJECT: R.REJECTED in allowed,
        Action.RECEIVE: R.RECEIVED in allowed,
        Action.REFUND: R.REFUNDED in allowed and return_request.order_item_id is not None,
        # A replacement answers an open request instead of a refund; a refunded or rejected one gets none.
        Action.REPLACE: R.CLOSED in allowed and return_request.status in {R.REQUESTED, R.AUTHORIZED, R.RECEIVED},
        Action.CLOSE: R.CLOSED in allowed,
    }
    return tuple(action for action in Action.ALL if actions[action])


def response_deadline(return_request: ReturnRequest) -> datetime | None:
    """When the seller's answer is due; None once answered."""
    if return_request.status != R.REQUESTED or return_request.responded_at is not None:
        return None
    return return_request.requested_at + RESPONSE_WINDOW


@dataclass(frozen=True)
class ReturnFilters:
    tab: str = Tab.NEEDS_RESPONSE
    store: Store | None = None
    q: str = ""


def _filtered(*, user: User | AnonymousUser, filters: ReturnFilters) -> QuerySet[ReturnRequest]:
    qs = scoped(ReturnRequest.objects.all(), user=user)
    if filters.store is not None:
        qs = qs.filter(store=filters.store)
    text = filters.q.strip()
    if text:
        qs = qs.filter(Q(order__amazon_order_id__icontains=text) | Q(sku__icontains=text)
                       | Q(amazon_rma_id__iexact=text) | Q(merchant_rma_id__iexact=text)
                       | Q(order__buyer_name__icontains=text))
    return qs


def return_list(*, user: User | AnonymousUser, filters: ReturnFilters) -> QuerySet[ReturnRequest]:
    """The returns of ``filters.tab``: unanswered ones by time left (overdue first), the rest newest first."""
    qs = _filtered(user=user, filters=filters)
    wanted = Tab.q(filters.tab)
    if wanted is not None:
        qs = qs.filter(wanted)
    waiting = Case(When(status=R.REQUESTED, then=Value(0)), default=Value(1), output_field=IntegerField())
    due = Case(When(status=R.REQUESTED, then=F("requested_at")), default=None)
    qs = qs.annotate(waiting=waiting, due=due).order_by("waiting", F("due").asc(nulls_last=True),
                                                         "-requested_at", "-id")
    return qs.select_related("store", "order", "order_item").prefetch_related(
        Prefetch("refunds", queryset=Refund.objects.order_by("refunded_at", "id")))


def return_tab_counts(*, user: User | AnonymousUser, filters: ReturnFilters,
                      now: datetime | None = None) -> dict[str, int]:
    """How many returns each tab holds (and how many unanswered ones are overdue), in one query."""
    now = now or timezone.now()
    counts = {tab: Count("pk", filter=Tab.q(tab)) for tab in Tab.ORDER if tab != Tab.ALL}
    counts[Tab.ALL] = Count("pk")
    needs_response = Tab.q(Tab.NEEDS_RESPONSE)
    assert needs_response is not None  # a tab of statuses
    counts["overdue"] = Count("pk", filter=needs_response & Q(requested_at__lt=now - RESPONSE_WINDOW))
    return _filtered(user=user, filters=filters).aggregate(**counts)


@dataclass
class SkuReasons:
    sku: str
    store_code: str
    total: int = 0
    units: int = 0
    seller_fault: int = 0
    #: Of ``total``, the returns Amazon received for orders it fulfils (FBA).
    fba: int = 0
    reasons: list[tuple[str, str, int, bool]] = field(default_factory=list)  # (code, label, count, fault)


def return_reasons_by_sku(*, user: User | AnonymousUser, store: Store | None = None,
                          now: datetime | None = None, window: timedelta = REASONS_WINDOW,
                          top: int = REASONS_TOP) -> list[SkuReasons]:
    """Return requests per reason per SKU over ``window``, the SKUs with most returns first; the seller's own
    returns and those Amazon received (FBA) alike, the latter counted apart too."""
    now = now or timezone.now()
    qs = scoped(ReturnRequest.objects.all(), user=user).filter(requested_at__gte=now - window,
                                                               requested_at__lte=now)
    if store is not None:
        qs = qs.filter(store=store)
    top_skus = list(qs.values("store_id", "sku").annotate(n=Count("pk")).order_by("-n", "sku")[:top])
    if not top_skus:
        return []
    wanted = Q()
    for row in top_skus:
        wanted |= Q(store_id=row["store_id"], sku=row["sku"])
    rows = (qs.filter(wanted).values("store_id", "store__code", "sku", "reason")
            .annotate(n=Count("pk"), units=Sum("quantity"),
                      fba=Count("pk", filter=Q(fulfillment_channel=Channel.AFN))).order_by())
    labels = dict(ReturnReason.choices)
    by_sku: dict[tuple[int, str], SkuReasons] = {}
    reasons: dict[tuple[int, str], list[tuple[str, str, int, bool]]] = defaultdict(list)
    for row in rows:
        key = (row["store_id"], row["sku"])
        entry = by_sku.setdefault(key, SkuReasons(sku=row["sku"], store_code=row["store__code"]))
        fault = row["reason"] in SELLER_FAULT_REASONS
        entry.total += row["n"]
        entry.units += row["units"] or 0
        entry.seller_fault += row["n"] if fault else 0
        entry.fba += row["fba"]
        reasons[key].append((row["reason"], str(labels.get(row["reason"], row["reason"])), row["n"], fault))
    result = []
    for row in top_skus:
        key = (row["store_id"], row["sku"])
        entry = by_sku[key]
        entry.reasons = sorted(reasons[key], key=lambda r: (-r[2], r[1]))
        result.append(entry)
    return result


def order_returns(*, order: Order) -> QuerySet[ReturnRequest]:
    """The order's return requests, newest first."""
    return (ReturnRequest.objects.filter(store_id=order.store_id, order=order)
            .select_related("order_item").order_by("-requested_at", "-id"))


def order_refunds(*, order: Order) -> QuerySet[Refund]:
    return Refund.objects.filter(store_id=order.store_id, order=order).order_by("refunded_at", "id")


def return_detail(*, user: User | AnonymousUser, pk: int) -> ReturnRequest | None:
    """One return of the viewer's stores, with what its page shows; None if there is none."""
    return (scoped(ReturnRequest.objects.all(), user=user).filter(pk=pk)
            .select_related("store", "order", "order__store", "order_item", "order_item__listing",
                            "replacement_order", "replacement_order__store")
            .prefetch_related(Prefetch("refunds", queryset=Refund.objects.select_related("actor")
                                       .order_by("refunded_at", "id")))
            .first())


@dataclass(frozen=True)
class Step:
    """One moment of a return's life: a time its status machine stamped, a refund, or an entry of the order's
    timeline about it."""

    at: datetime
    label: str | Promise
    note: str | Promise = ""
    actor: str = ""
    kind: str = "stamp"  # "stamp", "refund" or "event"


def return_history(return_request: ReturnRequest) -> list[Step]:
    """The return's history, oldest first: the times its status machine stamped (``RETURN_STATES``), its refunds,
    and the return entries of its order's timeline that name its SKU (the services write one on every move)."""
    r = return_request
    rejected = r.rejected_at is not None
    steps = [Step(r.requested_at, _("Returned to Amazon") if r.fulfillment_channel == Channel.AFN
                  else _("Requested"), r.get_reason_display())]
    if r.responded_at is not None and not (rejected and r.responded_at == r.rejected_at):
        # Authorising is the one answer that leaves the return open for the parcel; others close or refund it.
        authorised = r.status == R.AUTHORIZED or r.received_at is not None
        steps.append(Step(r.responded_at, _("Authorised") if authorised else _("Answered"),
                          _("prepaid label") if r.label_provided else ""))
    if r.rejected_at is not None:
        steps.append(Step(r.rejected_at, _("Rejected"), r.rejected_reason))
    if r.received_at is not None:
        steps.append(Step(r.received_at, _("Received"), r.get_disposition_display() if r.disposition else ""))
    for refund in r.refunds.all():
        steps.append(Step(refund.refunded_at, _("Refunded"),
                          f"{refund.get_kind_display()} {refund.amount} {refund.currency}"
                          + (f" · {refund.reason}" if refund.reason else ""),
                          refund.actor.get_username() if refund.actor else "", "refund"))
    if r.negative_feedback_at is not None:
        steps.append(Step(r.negative_feedback_at, _("Negative return feedback")))
    if r.closed_at is not None:
        steps.append(Step(r.closed_at, _("Closed")))
    events = (OrderEvent.objects.filter(store_id=r.store_id, order_id=r.order_id, kind=OrderEvent.Kind.RETURN,
                                        at__gte=r.requested_at, note__contains=r.sku)
              .select_related("actor").order_by("at", "id"))
    steps += [Step(e.at, _("Order timeline"), e.note, e.actor.get_username() if e.actor else e.source, "event")
              for e in events]
    kinds = {"stamp": 0, "refund": 1, "event": 2}
    return sorted(steps, key=lambda step: (step.at, kinds[step.kind]))
