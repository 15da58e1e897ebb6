"""Reads for the account-health pages and the API: results, the rows behind them, history and breaches."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, OuterRef, QuerySet, Subquery

from fulfillment.models import Shipment
from sellerops.models import Store
from sellerops.selectors import scoped
from support.models import Message

from .definitions import DEFINITIONS, Direction, MetricKey
from .engine import metric_rows
from .models import Breach, MetricSnapshot


def metric_drilldown(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
                     part: str = "denominator") -> QuerySet:
    """The rows behind one result: all of its denominator, or (``part="numerator"``) only those counted."""
    rows = metric_rows(store=store, metric=metric, channel=channel, window_days=window_days, as_of=as_of)
    if part == "numerator":
        rows = rows.filter(is_counted=True)
    elif part != "denominator":
        raise ValueError(f"part must be numerator or denominator, not {part!r}")
    return rows


def snapshot_history(*, store: Store, metric: str, channel: str, window_days: int, since: datetime,
                     kind: str = MetricSnapshot.Kind.DAILY) -> QuerySet[MetricSnapshot]:
    return MetricSnapshot.objects.filter(store=store, kind=kind, metric=metric, channel=channel,
                                         window_days=window_days, as_of__gte=since).order_by("as_of")


def breach_list(*, user: AbstractBaseUser, open_only: bool = False) -> QuerySet[Breach]:
    breaches = scoped(Breach.objects.select_related("store"), user=user)
    return breaches.filter(resolved_at__isnull=True) if open_only else breaches


def snapshot_series(*, store: Store, since: datetime, until: datetime,
                    kind: str = MetricSnapshot.Kind.DAILY) -> QuerySet[MetricSnapshot]:
    """Every metric's snapshots of ``store`` from ``since`` to ``until``, oldest first, in one query."""
    return (MetricSnapshot.objects.filter(store=store, kind=kind, as_of__gte=since, as_of__lte=until)
            .only("metric", "channel", "window_days", "as_of", "numerator", "denominator", "rate", "status")
            .order_by("as_of", "id"))


#: The rows the drill-down lists: all of the denominator, the numerator, or the rest ("missed").
DRILLDOWN_PARTS = ("numerator", "denominator", "missed")


def metric_drilldown_rows(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime,
                          part: str = "denominator") -> QuerySet:
    """The rows behind one result, with the related rows and times the drill-down shows, worst first."""
    definition = DEFINITIONS[MetricKey(metric)]
    if part == "missed":
        rows = metric_drilldown(store=store, metric=metric, channel=channel, window_days=window_days,
                                as_of=as_of).filter(is_counted=False)
    else:
        rows = metric_drilldown(store=store, metric=metric, channel=channel, window_days=window_days,
                                as_of=as_of, part=part)
    if definition.scope == "orders":
        first_confirmation = (Shipment.objects.filter(order=OuterRef("pk"), shipped_at__lte=as_of)
                              .order_by("shipped_at").values("shipped_at")[:1])
        rows = rows.annotate(first_confirmed_at=Subquery(first_confirmation))
    elif definition.scope == "shipments":
        rows = rows.select_related("order")
    elif definition.scope == "messages":
        answer = (Message.objects.filter(thread=OuterRef("thread"), direction=Message.Direction.OUTBOUND,
                                         is_internal_note=False, sent_at__gte=OuterRef("sent_at"),
                                         sent_at__lte=as_of)
                  .order_by("sent_at").values("sent_at")[:1])
        rows = rows.annotate(answered_at=Subquery(answer)).select_related("thread__order")
    elif definition.scope == "returns":
        rows = rows.select_related("order")
    date_field = {"latest_delivery_date": "order__latest_delivery_date"}.get(definition.windowed_by,
                                                                          definition.windowed_by)
    # Bad rows first: the counted ones for a ceiling metric, the uncounted ones for a floor metric.
    counted = F("is_counted").desc() if definition.direction is Direction.CEILING else F("is_counted").asc()
    return rows.order_by(counted, F(date_field).desc(nulls_last=True), "-pk")
