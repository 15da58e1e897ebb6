"""The metrics engine: Amazon's account-health metrics as conditional aggregates in the database.

Each metric is a function of ``(store, as_of, definition)``: one query per metric whatever the number of
orders, no writes, no clock. The row sets behind each number come from the same ``*_rows`` querysets, so
the dashboard's drill-down lists exactly what was counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from fulfillment.models import Shipment
from orders.models import CancelInitiator, Order
from returns.models import ReturnRequest
from sellerops.models import Store
from support.models import Claim, Feedback, Message

from .definitions import DEFINITIONS, Direction, MetricDefinition, MetricKey
from .models import Status
from .windows import Window, window

RESPONSE_DEADLINE = timedelta(hours=24)
RETURN_RESPONSE_DEADLINE = timedelta(hours=48)
RATE_PLACES = Decimal("0.000001")
#: Cancellations that count against the seller: by the seller, or by Amazon for want of a confirmation.
COUNTED_CANCEL_INITIATORS = (CancelInitiator.SELLER, CancelInitiator.SYSTEM)


@dataclass(frozen=True)
class Result:
    metric: str
    channel: str
    window_days: int
    as_of: datetime
    window: Window
    numerator: int
    denominator: int
    target: Decimal
    direction: Direction
    definition: MetricDefinition = field(repr=False)

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(RATE_PLACES, ROUND_HALF_EVEN)

    @property
    def status(self) -> str:
        return status_of(self.numerator, self.denominator, self.definition)

    @property
    def defects_until_breach(self) -> int | None:
        return defects_until_breach(self.numerator, self.denominator, self.definition)

    @property
    def to_recover(self) -> int | None:
        return good_rows_to_recover(self.numerator, self.denominator, self.definition)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.metric, self.channel, self.window_days)


# --- Status arithmetic: exact, on integers and decimals, never on rounded rates -------------------------


def amber_threshold(definition: MetricDefinition) -> Decimal:
    """Where the warning band starts: the last quarter of the way from a perfect rate to the target."""
    if definition.direction is Direction.CEILING:
        return definition.target * definition.warning_fraction
    return 1 - (1 - definition.target) * definition.warning_fraction


def status_of(numerator: int, denominator: int, definition: MetricDefinition) -> str:
    if not denominator:
        return Status.NONE
    num, den = Decimal(numerator), Decimal(denominator)
    target, amber = definition.target, amber_threshold(definition)
    if definition.direction is Direction.CEILING:
        if num >= target * den:
            return Status.RED
        return Status.AMBER if num >= amber * den else Status.GREEN
    if num < target * den:
        return Status.RED
    return Status.AMBER if num < amber * den else Status.GREEN


def defects_until_breach(numerator: int, denominator: int, definition: MetricDefinition) -> int | None:
    """How many more bad rows, with today's denominator, turn the metric red (0 when it already is)."""
    if not denominator:
        return None
    limit = definition.target * denominator
    if definition.direction is Direction.CEILING:
        # red once numerator + k >= target * denominator
        return max(0, math.ceil(limit - numerator))
    # red once (numerator - k) < target * denominator, numerator counting good rows
    slack = numerator - limit
    return 0 if slack < 0 else math.floor(slack) + 1


def good_rows_to_recover(numerator: int, denominator: int, definition: MetricDefinition) -> int | None:
    """How many more good rows, with no new bad one, bring a red metric back inside its target."""
    if not denominator or status_of(numerator, denominator, definition) != Status.RED:
        return None if not denominator else 0
    t = definition.target
    if definition.direction is Direction.CEILING:
        # numerator / (denominator + g) < t  <=>  denominator + g > numerator / t
        return max(0, math.floor(Decimal(numerator) / t) + 1 - denominator)
    # (numerator + g) / (denominator + g) >= t  <=>  g >= (t * denominator - numerator) / (1 - t)
    return max(0, math.ceil((t * denominator - numerator) / (1 - t)))


# --- Row sets: the denominator rows of each metric, annotated with ``is_counted`` (the numerator) ---------


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _before(field_name: str, as_of: datetime) -> Q:
    """``field_name`` happened at or before ``as_of`` (a NULL never did)."""
    return Q(**{f"{field_name}__isnull": False, f"{field_name}__lte": as_of})


def _not_before(field_name: str, as_of: datetime) -> Q:
    return Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__gt": as_of})


def defect_subqueries(store: Store, as_of: datetime) -> dict[str, Exists]:
    """The three ODR defects of an order, as of ``as_of``, as correlated EXISTS expressions."""
    negative_feedback = Feedback.objects.filter(
        _before("received_at", as_of), _not_before("removed_at", as_of), store=store, order=OuterRef("pk"),
        rating__lte=2,
    )
    # An A-to-z claim counts while pending or granted, or withdrawn after it was granted; not once denied,
    # nor withdrawn before a decision.
    a_to_z = Claim.objects.filter(
        _before("filed_at", as_of), _not_before("denied_at", as_of),
        _not_before("withdrawn_at", as_of) | _before("granted_at", as_of),
        store=store, order=OuterRef("pk"), kind=Claim.Kind.A_TO_Z,
    )
    chargeback = Claim.objects.filter(
        _before("filed_at", as_of), _not_before("reversed_at", as_of), store=store, order=OuterRef("pk"),
        kind=Claim.Kind.CHARGEBACK,
    )
    return {"negative_feedback": Exists(negative_feedback), "a_to_z_claim": Exists(a_to_z),
            "chargeback": Exists(chargeback)}


def odr_rows(store: Store, as_of: datetime, win: Window, channel: str) -> QuerySet[Order]:
    defects = defect_subqueries(store, as_of)
    rows = Order.objects.filter(store=store, purchase_date__gte=win.start, purchase_date__lt=win.end)
    if channel != "ALL":
        rows = rows.filter(fulfillment_channel=channel)
    return rows.annotate(**{f"has_{name}": expr for name, expr in defects.items()}).annotate(
        is_counted=_flag(Q(has_negative_feedback=True) | Q(has_a_to_z_claim=True) | Q(has_chargeback=True))
    )


def lsr_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN") -> QuerySet[Order]:
    on_time = Shipment.objects.filter(order=OuterRef("pk"), shipped_at__lte=OuterRef("latest_ship_date"))
    # The window ends no later than as_of, so a confirmation by the ship-by time is also one by as_of.
    return (
        Order.objects.filter(store=store, fulfillment_channel=channel, latest_ship_date__gte=win.start,
                             latest_ship_date__lt=win.end)
        .filter(_not_before("canceled_at", as_of))
        .annotate(shipped_on_time=Exists(on_time))
        .annotate(is_counted=_flag(Q(shipped_on_time=False)))
    )


def cancel_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN") -> QuerySet[Order]:
    shipped_first = Shipment.objects.filter(order=OuterRef("pk"), shipped_at__lte=OuterRef("canceled_at"))
    return (
        Order.objects.filter(store=store, fulfillment_channel=channel, purchase_date__gte=win.start,
                             purchase_date__lt=win.end)
        .annotate(shipped_before_cancel=Exists(shipped_first))
        .annotate(is_counted=_flag(_before("canceled_at", as_of)
                                   & Q(cancel_initiator__in=COUNTED_CANCEL_INITIATORS, shipped_before_cancel=False)))
    )


def vtr_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN") -> QuerySet[Shipment]:
    # order__store repeats store: it lets the database reach orders through their (store, …) indexes.
    return Shipment.objects.filter(
        store=store, order__store=store, order__fulfillment_channel=channel, shipped_at__gte=win.start,
        shipped_at__lt=win.end,
    ).annotate(is_counted=_flag(_before("first_scan_at", as_of)))


def otdr_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN") -> QuerySet[Shipment]:
    return Shipment.objects.filter(
        _before("first_scan_at", as_of), store=store, order__store=store, order__fulfillment_channel=channel,
        order__latest_delivery_date__gte=win.start, order__latest_delivery_date__lt=win.end,
    ).annotate(is_counted=_flag(_before("delivered_at", as_of)
                                & Q(delivered_at__lte=F("order__latest_delivery_date"))))


def response_rows(store: Store, as_of: datetime, win: Window, channel: str = "ALL") -> QuerySet[Message]:
    answer = Message.objects.filter(
        thread=OuterRef("thread"), direction=Message.Direction.OUTBOUND, is_internal_note=False,
        sent_at__gte=OuterRef("sent_at"), sent_at__lte=OuterRef("sent_at") + RESPONSE_DEADLINE,
    ).filter(sent_at__lte=as_of)
    return Message.objects.filter(
        store=store, direction=Message.Direction.INBOUND, needs_reply=True, is_internal_note=False,
        sent_at__gte=win.start, sent_at__lt=win.end,
    ).annotate(is_counted=Exists(answer))


def rdr_rows(store: Store, as_of: datetime, win: Window, channel: str = "ALL") -> QuerySet[ReturnRequest]:
    responded_in_time = _before("responded_at", as_of) & Q(
        responded_at__lte=F("requested_at") + RETURN_RESPONSE_DEADLINE)
    return (
        ReturnRequest.objects.filter(store=store, requested_at__gte=win.start, requested_at__lt=win.end)
        .annotate(
            has_negative_feedback=_flag(_before("negative_feedback_at", as_of)),
            responded_late=_flag(~responded_in_time),
            rejected_in_policy=_flag(_before("rejected_at", as_of) & Q(in_policy=True)),
        )
        .annotate(is_counted=_flag(Q(has_negative_feedback=True) | Q(responded_late=True)
                                   | Q(rejected_in_policy=True)))
    )


ROWS = {
    MetricKey.ODR: odr_rows,
    MetricKey.LSR: lsr_rows,
    MetricKey.CANCEL: cancel_rows,
    MetricKey.VTR: vtr_rows,
    MetricKey.OTDR: otdr_rows,
    MetricKey.RESPONSE: response_rows,
    MetricKey.RDR: rdr_rows,
}


def metric_rows(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
                definition: MetricDefinition | None = None) -> QuerySet:
    """The denominator rows of one result, each with ``is_counted`` saying whether it is in the numerator."""
    definition = definition or DEFINITIONS[MetricKey(metric)]
    win = window(as_of=as_of, tz=store.tz, days=window_days, lag=definition.lag_days)
    return ROWS[definition.key](store, as_of, win, channel)


# --- Computation: one aggregate query per metric, every window and channel at once ----------------------


def compute(store: Store, metric: str, as_of: datetime, definition: MetricDefinition | None = None) -> list[Result]:
    """Compute one metric for ``store`` at ``as_of``: one Result per channel and window of its definition."""
    definition = definition or DEFINITIONS[MetricKey(metric)]
    windows = {days: window(as_of=as_of, tz=store.tz, days=days, lag=definition.lag_days)
               for days in sorted(definition.window_days)}
    widest = max(windows)
    # Every window of a metric ends at the same instant, so each is a suffix of the widest; and each channel
    # is a part of ALL. One query selects the widest ALL-channel rows and counts them by (channel, the
    # narrowest window a row falls in, counted or not): a handful of groups, whatever the number of rows.
    base_channel = "ALL" if "ALL" in definition.channels else definition.channels[0]
    rows = ROWS[definition.key](store, as_of, windows[widest], base_channel)
    date_field = {"latest_delivery_date": "order__latest_delivery_date"}.get(definition.windowed_by,
                                                                          definition.windowed_by)
    bucket = Case(*[When(**{f"{date_field}__gte": win.start}, then=Value(days)) for days, win in windows.items()],
                  default=Value(widest))
    group_by = ["bucket", "is_counted"]
    by_channel = len(definition.channels) > 1
    if by_channel:
        channel_field = "order__fulfillment_channel" if definition.scope == "shipments" else "fulfillment_channel"
        rows = rows.annotate(row_channel=F(channel_field))
        group_by.append("row_channel")
    groups = list(rows.annotate(bucket=bucket).values(*group_by).annotate(n=Count("pk")).order_by())
    results = []
    for channel in definition.channels:
        for days, win in windows.items():
            cell = [g for g in groups if g["bucket"] <= days
                    and (channel == base_channel or g.get("row_channel") == channel)]
            results.append(Result(
                metric=definition.key.value, channel=channel, window_days=days, as_of=as_of, window=win,
                numerator=sum(g["n"] for g in cell if g["is_counted"]), denominator=sum(g["n"] for g in cell),
                target=definition.target, direction=definition.direction, definition=definition,
            ))
    return results


def compute_all(store: Store, as_of: datetime) -> list[Result]:
    """Every metric of ``store`` at ``as_of``, in the order of the definitions table."""
    return [result for key in DEFINITIONS for result in compute(store, key, as_of)]
