"""The orders that can account for a difference between Amazon's figure and ours.

Amazon's report names no order. What it does give is its window, its counts and, for the order defect rate, the
count of each kind of defect; what we have is every order, shipment and defect Amazon told us about. Each cause
below names the orders that, moved from one side to the other, would change our figure, and says whether moving
them makes our figures equal Amazon's exactly (``accounts_for_all``) or only goes some way (a likely cause):

- ``tz_edge``: Amazon writes its window in UTC dates. Read as the store's local days, the window starts and ends
  some hours apart: the orders in those hours are counted on one reading and not on the other.
- ``deadline``: Amazon's window runs past the moment of the report. Rows whose ship-by or deliver-by time was
  still to come are in neither of our numbers (they are not late yet); Amazon may count them.
- ``defect_counted`` / ``defect_uncounted`` (order defect rate): Amazon counts fewer claims, chargebacks or negative
  feedback than we do (one of ours it does not count), or more (a defect we do not count at the report's instant:
  a claim decided for the seller or withdrawn, a chargeback reversed, feedback removed, or one dated after it).
- ``sync_behind``: our order sync had not reached the end of Amazon's window; orders Amazon counts may not be
  here yet. It names no order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Value

from core.models import Store
from metrics.definitions import DEFINITIONS, MetricDefinition, MetricKey
from metrics.engine import Result, defect_order_ids, rows_between
from metrics.windows import local_midnight
from support.models import Claim, Feedback

from .figures import AmazonFigure

#: Rows kept per cause and side: enough to read, bounded however large the store.
MAX_ROWS = 500

TZ_EDGE = "tz_edge"
DEADLINE = "deadline"
DEFECT_COUNTED = "defect_counted"
DEFECT_UNCOUNTED = "defect_uncounted"
SYNC_BEHIND = "sync_behind"
#: Which side counts the rows: ``ours`` (we do, Amazon likely not), ``amazon`` (Amazon likely does, we not).
OURS = "ours"
AMAZON = "amazon"


@dataclass(frozen=True)
class ExplainedRow:
    order_id: int
    cause: str
    side: str
    #: In the numerator (a defect, a late shipment; for a floor metric a good row).
    counted: bool
    #: The instant that puts the row in a window, or the defect's (the one that matters for the cause).
    at: datetime | None
    reason: str = ""


@dataclass
class Cause:
    cause: str
    ours_rows: int = 0
    amazon_rows: int = 0
    ours_counted: int = 0
    amazon_counted: int = 0
    #: Moved, these rows make our numerator and denominator equal Amazon's.
    accounts_for_all: bool = False
    reason: str = ""
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"cause": self.cause, "ours_rows": self.ours_rows, "amazon_rows": self.amazon_rows,
                "ours_counted": self.ours_counted, "amazon_counted": self.amazon_counted,
                "accounts_for_all": self.accounts_for_all, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class Explanation:
    causes: list[Cause]
    rows: list[ExplainedRow]
    #: Our reason flag → {"amazon": Amazon's count, "ours": ours} (ODR only).
    components: dict[str, dict[str, int | None]]


def _order_field(definition: MetricDefinition) -> str:
    return "pk" if definition.scope == "orders" else "order_id"


def _rows(*, store: Store, figure: AmazonFigure, as_of: datetime, start: datetime, end: datetime, cause: str,
          side: str) -> list[ExplainedRow]:
    """The rows of the metric's table in ``[start, end)`` (clipped at ``as_of``), each with its counted flag."""
    end = min(end, as_of)
    if end <= start:
        return []
    definition = DEFINITIONS[MetricKey(figure.metric)]
    rows = rows_between(store=store, metric=figure.metric, channel=figure.channel, as_of=as_of, start=start,
                        end=end, definition=definition).annotated()
    values = rows.order_by(definition.window_field).values_list(_order_field(definition), definition.window_field,
                                                                 "is_counted")[:MAX_ROWS]
    return [ExplainedRow(order_id=oid, cause=cause, side=side, counted=bool(counted), at=at)
            for oid, at, counted in values]


def _spans(first: tuple[datetime, datetime], second: tuple[datetime, datetime]) -> list[tuple[datetime, datetime]]:
    """The parts of the half-open interval ``first`` outside ``second``."""
    (a, b), (c, d) = first, second
    spans = []
    if a < min(b, c):
        spans.append((a, min(b, c)))
    if max(a, d) < b:
        spans.append((max(a, d), b))
    return spans


def local_window(figure: AmazonFigure, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Amazon's dates read as the store's local days: from the first date's midnight to the one after the last."""
    first: date = figure.date_from.date()
    last: date = (figure.end - timedelta(microseconds=1)).date()
    return local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz)


def _settle(cause: Cause, rows: Iterable[ExplainedRow], *, ours: Result, figure: AmazonFigure,
            moves_denominator: bool = True) -> Cause:
    rows = list(rows)
    cause.ours_rows = sum(1 for r in rows if r.side == OURS)
    cause.amazon_rows = sum(1 for r in rows if r.side == AMAZON)
    cause.ours_counted = sum(1 for r in rows if r.side == OURS and r.counted)
    cause.amazon_counted = sum(1 for r in rows if r.side == AMAZON and r.counted)
    numerator = ours.numerator - cause.ours_counted + cause.amazon_counted
    denominator = ours.denominator + ((cause.amazon_rows - cause.ours_rows) if moves_denominator else 0)
    cause.accounts_for_all = bool(rows) and (numerator, denominator) == (figure.numerator, figure.denominator)
    return cause


def _tz_edge(store: Store, figure: AmazonFigure, as_of: datetime, ours: Result) -> tuple[Cause, list[ExplainedRow]]:
    utc = (figure.start, min(figure.end, as_of))
    local = local_window(figure, store.tz)
    local = (local[0], min(local[1], as_of))
    rows = [row for start, end in _spans(utc, local)
            for row in _rows(store=store, figure=figure, as_of=as_of, start=start, end=end, cause=TZ_EDGE, side=OURS)]
    rows += [row for start, end in _spans(local, utc)
             for row in _rows(store=store, figure=figure, as_of=as_of, start=start, end=end, cause=TZ_EDGE,
                              side=AMAZON)]
    cause = Cause(TZ_EDGE, detail={"local_start": local[0].isoformat(), "local_end": local_window(
        figure, store.tz)[1].isoformat()})
    return _settle(cause, rows, ours=ours, figure=figure), rows


def _deadline(store: Store, figure: AmazonFigure, as_of: datetime, ours: Result) -> tuple[Cause, list[ExplainedRow]]:
    if figure.end <= as_of:
        return Cause(DEADLINE), []
    definition = DEFINITIONS[MetricKey(figure.metric)]
    start = max(figure.start, as_of)
    # Judged at the window's end only to find its rows (which rows the window holds, not what became of them).
    rows = rows_between(store=store, metric=figure.metric, channel=figure.channel, as_of=figure.end, start=start,
                        end=figure.end, definition=definition).rows
    values = rows.order_by(definition.window_field).values_list(_order_field(definition),
                                                                definition.window_field)[:MAX_ROWS]
    explained = [ExplainedRow(order_id=oid, cause=DEADLINE, side=AMAZON, counted=False, at=at) for oid, at in values]
    return _settle(Cause(DEADLINE), explained, ours=ours, figure=figure), explained


def _uncounted(store: Store, reason: str) -> QuerySet:
    """Orders with a defect row of the kind ``reason`` names, whatever became of it."""
    if reason == "has_a_to_z_claim":
        return Claim.objects.filter(store=store, kind=Claim.Kind.A_TO_Z).order_by().values("order_id")
    if reason == "has_chargeback":
        return Claim.objects.filter(store=store, kind=Claim.Kind.CHARGEBACK).order_by().values("order_id")
    return Feedback.objects.filter(store=store, rating__lte=2).order_by().values("order_id")


def _components(store: Store, figure: AmazonFigure, as_of: datetime, ours: Result,
                end: datetime) -> tuple[dict, list[Cause], list[ExplainedRow]]:
    if not figure.components or end <= figure.start:
        return {}, [], []
    row_set = rows_between(store=store, metric=figure.metric, channel=figure.channel, as_of=as_of,
                           start=figure.start, end=end)
    counts = row_set.denominator().aggregate(**{reason: Count(Value(1), filter=condition)
                                                for reason, condition in row_set.reasons.items()
                                                if reason in figure.components})
    counted_sets = {f"has_{name}": ids for name, ids in defect_order_ids(store, as_of).items()}
    components = {reason: {"amazon": amazon, "ours": counts.get(reason, 0)}
                  for reason, amazon in figure.components.items()}
    definition = DEFINITIONS[MetricKey(figure.metric)]
    causes, rows = [], []
    for reason, pair in components.items():
        amazon, mine = pair["amazon"], pair["ours"] or 0
        if amazon is None or amazon == mine:
            continue
        if mine > amazon:
            found = row_set.denominator().filter(row_set.reasons[reason])
            cause, side = DEFECT_COUNTED, OURS
        else:
            found = row_set.denominator().filter(Q(pk__in=_uncounted(store, reason))).exclude(
                pk__in=counted_sets[reason])
            cause, side = DEFECT_UNCOUNTED, AMAZON
        values = found.order_by(definition.window_field).values_list("pk", definition.window_field)[:MAX_ROWS]
        explained = [ExplainedRow(order_id=oid, cause=cause, side=side, counted=True, at=at, reason=reason)
                     for oid, at in values]
        rows += explained
        summary = Cause(cause, reason=reason, detail={"amazon": amazon, "ours": mine})
        _settle(summary, explained, ours=ours, figure=figure, moves_denominator=False)
        # Moving one of them changes the count of this defect by one: the difference is covered exactly when
        # there are exactly as many as the counts differ by, and the other counts agree.
        summary.accounts_for_all = len(explained) == abs(mine - amazon) and summary.accounts_for_all
        causes.append(summary)
    return components, causes, rows


def explain(*, store: Store, figure: AmazonFigure, as_of: datetime, ours: Result,
            last_synced_at: datetime | None) -> Explanation:
    """Every cause that can account for a difference between ``figure`` and ``ours`` (computed at ``as_of`` over
    ``figure``'s window), with the orders it names. Causes that name no order and move nothing are left out."""
    causes: list[Cause] = []
    rows: list[ExplainedRow] = []
    for finder in (_tz_edge, _deadline):
        cause, found = finder(store, figure, as_of, ours)
        if found:
            causes.append(cause)
            rows += found
    components, defect_causes, defect_rows = _components(store, figure, as_of, ours, min(figure.end, as_of))
    causes += defect_causes
    rows += defect_rows
    end = min(figure.end, as_of)
    behind = last_synced_at is not None and last_synced_at < end
    if behind and figure.denominator is not None and figure.denominator > ours.denominator:
        causes.append(Cause(SYNC_BEHIND, detail={"last_synced_at": last_synced_at.isoformat()
                                                 if last_synced_at else None}))
    return Explanation(causes=causes, rows=rows, components=components)
