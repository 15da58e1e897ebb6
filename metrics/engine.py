"""The metrics engine: Amazon's account-health metrics as conditional aggregates in the database.

Each metric is a function of ``(store, as_of, definition)``: one query per metric whatever the number of
orders, no writes, no clock. Everything a metric is configured by (table, window, lag, channels, deadline,
reasons) is read from its definition (``definitions.DEFINITIONS``). The row sets behind each number come from
the same ``*_rows`` querysets, so the dashboard's drill-down and the root cause list exactly what was counted.
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

from core.models import Store
from listings.models import Channel
from orders.models import CancelInitiator
from support.models import Claim, Feedback, Message

from .definitions import DEFINITIONS, Direction, MetricDefinition, MetricKey
from .models import Status
from .windows import Window, window

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
    #: Rows of the window still pending at ``as_of``, in neither number; None for a metric without a deadline
    #: (and for a result read back from a snapshot, which does not keep it).
    pending: int | None = None

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


# --- Row sets: the rows of each metric's window, the pending ones, and what puts a row in the numerator ------


@dataclass(frozen=True)
class RowSet:
    """The rows of a metric's widest window: which are settled, which of those are in the numerator, and why.

    ``settled`` (None: every row) holds the rows whose outcome is known at ``as_of``: the denominator. The
    others are pending: unanswered while their deadline still runs, they are in neither number yet.
    ``counted`` is evaluated by the database. When it is a subquery that the database answers best from the
    smaller side (the few defective orders, say), ``count_apart`` has the numerator counted by a query of
    its own, rows filtered by ``counted``, rather than by testing every denominator row. ``reasons`` holds one
    condition per reason of the definition, each true of a defect for that reason: a flag on each row.
    """

    rows: QuerySet
    counted: Q
    reasons: dict[str, Q]
    settled: Q | None = None
    count_apart: bool = False

    def denominator(self) -> QuerySet:
        return self.rows if self.settled is None else self.rows.filter(self.settled)

    def pending(self) -> QuerySet:
        return self.rows.none() if self.settled is None else self.rows.filter(~self.settled)

    def annotated(self) -> QuerySet:
        """The denominator rows, each with ``is_counted`` and a flag per reason."""
        return self.denominator().annotate(**{name: _flag(condition) for name, condition in self.reasons.items()},
                                           is_counted=_flag(self.counted))


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _before(field_name: str, as_of: datetime) -> Q:
    """``field_name`` happened at or before ``as_of`` (a NULL never did)."""
    return Q(**{f"{field_name}__isnull": False, f"{field_name}__lte": as_of})


def _not_before(field_name: str, as_of: datetime) -> Q:
    return Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__gt": as_of})


def _in_window(definition: MetricDefinition, store: Store, win: Window, channel: str) -> QuerySet:
    """The rows of ``definition``'s table (those it reads at all) whose window date falls in ``win``, of
    ``channel`` ("ALL": any)."""
    date_field = definition.window_field
    rows = definition.model._default_manager.filter(store=store, **{f"{date_field}__gte": win.start,
                                                                    f"{date_field}__lt": win.end})
    if definition.rows is not None:
        rows = rows.filter(definition.rows)
    if channel != "ALL":
        assert definition.channel_field is not None  # a metric computed per channel has one
        rows = rows.filter(**{definition.channel_field: channel})
    return rows


def defect_order_ids(store: Store, as_of: datetime) -> dict[str, QuerySet]:
    """The ids of the orders with each of the three ODR defects as of ``as_of``.

    The defect tables are small beside the orders: the database reads each set once and reaches the few
    orders in it by their keys, instead of probing the defect tables once per order.
    """
    negative_feedback = Feedback.objects.filter(
        _before("received_at", as_of), _not_before("removed_at", as_of), store=store, rating__lte=2,
    )
    # An A-to-z claim counts while pending or granted, or withdrawn after it was granted; not once denied,
    # nor withdrawn before a decision.
    a_to_z = Claim.objects.filter(
        _before("filed_at", as_of), _not_before("denied_at", as_of),
        _not_before("withdrawn_at", as_of) | _before("granted_at", as_of),
        store=store, kind=Claim.Kind.A_TO_Z,
    )
    chargeback = Claim.objects.filter(
        _before("filed_at", as_of), _not_before("reversed_at", as_of), store=store, kind=Claim.Kind.CHARGEBACK,
    )
    sets = {"negative_feedback": negative_feedback, "a_to_z_claim": a_to_z, "chargeback": chargeback}
    return {name: rows.order_by().values("order_id") for name, rows in sets.items()}


def odr_rows(store: Store, as_of: datetime, win: Window, channel: str,
             definition: MetricDefinition | None = None) -> RowSet:
    definition = definition or DEFINITIONS[MetricKey.ODR]
    defects = defect_order_ids(store, as_of)
    first, *others = defects.values()
    return RowSet(rows=_in_window(definition, store, win, channel), counted=Q(pk__in=first.union(*others, all=True)),
                  count_apart=True, reasons={f"has_{name}": Q(pk__in=ids) for name, ids in defects.items()})


def _shipped_after(field_name: str) -> Q:
    """No ship confirmation at or before the order's ``field_name``: none at all, or the first one later."""
    return Q(first_shipped_at__isnull=True) | Q(first_shipped_at__gt=F(field_name))


def lsr_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN",
             definition: MetricDefinition | None = None) -> RowSet:
    definition = definition or DEFINITIONS[MetricKey.LSR]
    # The window ends no later than as_of, so a confirmation by the ship-by time is also one by as_of.
    rows = _in_window(definition, store, win, channel).filter(_not_before("canceled_at", as_of))
    late = _shipped_after(definition.window_field)
    return RowSet(rows=rows, counted=late, reasons={"not_confirmed": late & _not_before("first_shipped_at", as_of),
                                                    "confirmed_late": late & _before("first_shipped_at", as_of)})


def cancel_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN",
                definition: MetricDefinition | None = None) -> RowSet:
    definition = definition or DEFINITIONS[MetricKey.CANCEL]
    counted = (_before("canceled_at", as_of) & Q(cancel_initiator__in=COUNTED_CANCEL_INITIATORS)
               & _shipped_after("canceled_at"))
    return RowSet(rows=_in_window(definition, store, win, channel), counted=counted, reasons={
        "cancelled_by_seller": counted & Q(cancel_initiator=CancelInitiator.SELLER),
        "cancelled_by_amazon": counted & Q(cancel_initiator=CancelInitiator.SYSTEM),
    })


def vtr_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN",
             definition: MetricDefinition | None = None) -> RowSet:
    definition = definition or DEFINITIONS[MetricKey.VTR]
    return RowSet(rows=_in_window(definition, store, win, channel), counted=_before("first_scan_at", as_of),
                  reasons={"no_carrier_scan": _not_before("first_scan_at", as_of)})


def otdr_rows(store: Store, as_of: datetime, win: Window, channel: str = "MFN",
              definition: MetricDefinition | None = None) -> RowSet:
    definition = definition or DEFINITIONS[MetricKey.OTDR]
    rows = _in_window(definition, store, win, channel).filter(_before("first_scan_at", as_of))
    delivered = _before("delivered_at", as_of)
    on_time = delivered & Q(delivered_at__lte=F(definition.window_field))
    return RowSet(rows=rows, counted=on_time, reasons={"delivered_late": delivered & ~on_time,
                                                       "not_delivered": _not_before("delivered_at", as_of)})


def response_rows(store: Store, as_of: datetime, win: Window, channel: str = "ALL",
                  definition: MetricDefinition | None = None) -> RowSet:
    definition = definition or DEFINITIONS[MetricKey.RESPONSE]
    assert definition.deadline is not None  # answers are counted against a deadline
    replies = Message.objects.filter(
        thread=OuterRef("thread"), direction=Message.Direction.OUTBOUND, is_internal_note=False,
        sent_at__gte=OuterRef("sent_at"), sent_at__lte=as_of,
    )
    answered = Q(Exists(replies))
    on_time = Q(Exists(replies.filter(sent_at__lte=OuterRef("sent_at") + definition.deadline)))
    rows = _in_window(definition, store, win, channel).filter(
        direction=Message.Direction.INBOUND, needs_reply=True, is_internal_note=False)
    # Settled once its deadline has passed, or once answered (then in time, since the deadline still ran).
    settled = Q(sent_at__lte=as_of - definition.deadline) | answered
    return RowSet(rows=rows, counted=on_time, settled=settled, count_apart=True,
                  reasons={"answered_late": answered & ~on_time, "not_answered": ~answered})


def rdr_rows(store: Store, as_of: datetime, win: Window, channel: str = "ALL",
             definition: MetricDefinition | None = None) -> RowSet:
    definition = definition or DEFINITIONS[MetricKey.RDR]
    assert definition.deadline is not None  # responses are counted against a deadline
    responded = _before("responded_at", as_of)
    responded_in_time = responded & Q(
        responded_at__lte=F(definition.window_field) + definition.deadline)
    reasons = {
        "has_negative_feedback": _before("negative_feedback_at", as_of),
        "responded_late": ~responded_in_time,
        "rejected_in_policy": _before("rejected_at", as_of) & Q(in_policy=True),
    }
    # Amazon handles FBA returns: only the seller's own (MFN) return requests are theirs to answer.
    rows = _in_window(definition, store, win, channel).filter(fulfillment_channel=Channel.MFN)
    # Settled once its deadline has passed, or once responded to (then in time, since the deadline still ran).
    settled = Q(requested_at__lte=as_of - definition.deadline) | responded
    return RowSet(rows=rows, counted=reasons["has_negative_feedback"] | reasons["responded_late"]
                  | reasons["rejected_in_policy"], settled=settled, reasons=reasons)


ROWS = {
    MetricKey.ODR: odr_rows,
    MetricKey.LSR: lsr_rows,
    MetricKey.CANCEL: cancel_rows,
    MetricKey.VTR: vtr_rows,
    MetricKey.OTDR: otdr_rows,
    MetricKey.RESPONSE: response_rows,
    MetricKey.RDR: rdr_rows,
}


def row_set(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
            definition: MetricDefinition | None = None) -> RowSet:
    """The rows of one result, settled and pending, with what counts them."""
    definition = definition or DEFINITIONS[MetricKey(metric)]
    win = window(as_of=as_of, tz=store.tz, days=window_days, lag=definition.lag_days)
    return ROWS[definition.key](store, as_of, win, channel, definition=definition)


def metric_rows(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
                definition: MetricDefinition | None = None) -> QuerySet:
    """The denominator rows of one result, each with ``is_counted`` and its reason flags."""
    return row_set(store=store, metric=metric, channel=channel, window_days=window_days, as_of=as_of,
                   definition=definition).annotated()


def metric_pending_rows(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
                        definition: MetricDefinition | None = None) -> QuerySet:
    """The rows of one result's window still pending at ``as_of``: in neither number yet."""
    return row_set(store=store, metric=metric, channel=channel, window_days=window_days, as_of=as_of,
                   definition=definition).pending()


def rows_between(*, store: Store, metric: str, channel: str, as_of: datetime, start: datetime, end: datetime,
                 definition: MetricDefinition | None = None) -> RowSet:
    """The rows of one metric over any half-open window ``[start, end)`` (another party's, say), judged at ``as_of``.

    The same row sets as ``compute``; only the window is given instead of derived from ``as_of``. A row is judged
    by what had happened at ``as_of``, so the window may not end after it: a ship-by or deliver-by date still to
    come would read as missed.
    """
    if end > as_of:
        raise ValueError("the window must end at or before as_of")
    definition = definition or DEFINITIONS[MetricKey(metric)]
    days = max(1, round((end - start) / timedelta(days=1)))
    return ROWS[definition.key](store, as_of, Window(start=start, end=end, days=days, lag=0), channel,
                                definition=definition)


# --- Computation: conditional aggregates, every window and channel at once ------------------------------


def _both(first: Q, second: Q | None) -> Q:
    return first if second is None else first & second


def compute(store: Store, metric: str, as_of: datetime, definition: MetricDefinition | None = None) -> list[Result]:
    """Compute one metric for ``store`` at ``as_of``: one Result per channel and window of its definition.

    Every window of a metric ends at the same instant, so each is a suffix of the widest; and each channel
    is a part of ALL. So the widest ALL-channel rows are read once and every (channel, window) cell is a
    conditional count over them: one query, or two when the numerator is counted apart; one row back each.
    """
    definition = definition or DEFINITIONS[MetricKey(metric)]
    windows = {days: window(as_of=as_of, tz=store.tz, days=days, lag=definition.lag_days)
               for days in sorted(definition.window_days)}
    widest = max(windows)
    base_channel = "ALL" if "ALL" in definition.channels else definition.channels[0]
    rows = ROWS[definition.key](store, as_of, windows[widest], base_channel, definition=definition)
    cells = {}
    for channel in definition.channels:
        for days, win in windows.items():
            cell = Q()
            if days != widest:
                cell &= Q(**{f"{definition.window_field}__gte": win.start})
            if channel != base_channel:
                assert definition.channel_field is not None  # a metric computed per channel has one
                cell &= Q(**{definition.channel_field: channel})
            cells[(channel, days)] = cell

    def counts(prefix: str, condition: Q | None = None) -> dict:
        conditions = {key: _both(cell, condition) for key, cell in cells.items()}
        return {f"{prefix}{channel}_{days}": Count(Value(1), filter=condition) if condition else Count("*")
                for (channel, days), condition in conditions.items()}

    # Pending rows (unanswered, deadline still running) are counted apart and taken out of the window's rows:
    # they are in neither number. Counting them (few, and recent) is cheaper than testing every row settled.
    pending = counts("pending_", ~rows.settled) if rows.settled is not None else {}
    numerator = _both(rows.counted, rows.settled)
    if rows.count_apart:
        totals = rows.rows.aggregate(**counts("all_"), **pending)
        totals |= rows.rows.filter(numerator).aggregate(**counts("num_"))
    else:
        totals = rows.rows.aggregate(**counts("all_"), **counts("num_", numerator), **pending)
    return [
        Result(
            metric=definition.key.value, channel=channel, window_days=days, as_of=as_of, window=windows[days],
            numerator=totals[f"num_{channel}_{days}"],
            denominator=totals[f"all_{channel}_{days}"] - totals.get(f"pending_{channel}_{days}", 0),
            target=definition.target, direction=definition.direction, definition=definition,
            pending=totals.get(f"pending_{channel}_{days}"),
        )
        for channel, days in cells
    ]


def compute_all(store: Store, as_of: datetime) -> list[Result]:
    """Every metric of ``store`` at ``as_of``, in the order of the definitions table."""
    return [result for key in DEFINITIONS for result in compute(store, key, as_of)]


def compute_between(*, store: Store, metric: str, channel: str, as_of: datetime, start: datetime, end: datetime,
                    definition: MetricDefinition | None = None) -> Result:
    """One metric of ``store`` over the window ``[start, end)``, judged at ``as_of``: numerator, denominator and
    pending rows counted exactly as ``compute`` counts them (two or three queries)."""
    definition = definition or DEFINITIONS[MetricKey(metric)]
    rows = rows_between(store=store, metric=metric, channel=channel, as_of=as_of, start=start, end=end,
                        definition=definition)
    numerator = _both(rows.counted, rows.settled)
    totals = rows.rows.aggregate(all=Count("*"), **(
        {"pending": Count(Value(1), filter=~rows.settled)} if rows.settled is not None else {}))
    if rows.count_apart:
        counted = rows.rows.filter(numerator).count()
    else:
        counted = rows.rows.aggregate(n=Count(Value(1), filter=numerator))["n"]
    pending = totals.get("pending")
    days = max(1, round((end - start) / timedelta(days=1)))
    return Result(metric=definition.key.value, channel=channel, window_days=days, as_of=as_of,
                  window=Window(start=start, end=end, days=days, lag=0), numerator=counted,
                  denominator=totals["all"] - (pending or 0), target=definition.target,
                  direction=definition.direction, definition=definition, pending=pending)
