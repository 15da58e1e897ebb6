"""Reads for the account-health pages and the API: results, the rows behind them, history and breaches."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from sellerops.models import Store
from sellerops.selectors import scoped

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
