"""Amazon's account-health report (``GET_V2_SELLER_PERFORMANCE_REPORT``), read into the figures we also compute.

Pure: a JSON document in, a list of ``AmazonFigure`` out. The one table ``AMAZON_FIGURES`` says which of Amazon's
entries is which of our metrics, in which channel, and which of its counts are the numerator and the denominator.
The entries Amazon reports that we do not compute (invoice defect rate, unit on-time delivery, policy
compliance) are left out; we compute contact response and return dissatisfaction, which the report does not hold.

Amazon writes each window as the first and the last minute it covers, in UTC (``2020-09-06T00:00Z`` to
``2020-11-04T23:59Z``); a figure keeps that as the half-open interval ``[start, end)``, ``end`` one minute after
the last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from metrics.definitions import MetricKey

from ..sync import parse_datetime

_RATE_PLACES = Decimal("0.00000001")


@dataclass(frozen=True)
class FigureSpec:
    """One of Amazon's entries: where it sits in ``performanceMetrics[]``, what it is for us, and its counts."""

    #: The entry's key; a later name is tried when the first is absent (Amazon renamed the cancellation rate).
    keys: tuple[str, ...]
    metric: MetricKey
    channel: str
    numerator: str
    denominator: str
    #: Under ``orderDefectRate``: ``afn`` or ``mfn``.
    sub: str = ""
    #: The entry may also come as a list of windows (``lateShipmentRateList``).
    list_key: str = ""
    #: Amazon's parts of the numerator → our defect reason (the engine's flag name).
    components: tuple[tuple[str, str], ...] = ()


ODR_COMPONENTS = (("claims", "has_a_to_z_claim"), ("chargebacks", "has_chargeback"),
                  ("negativeFeedback", "has_negative_feedback"))

AMAZON_FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(keys=("orderDefectRate",), sub="mfn", metric=MetricKey.ODR, channel="MFN",
               numerator="orderWithDefects", denominator="orderCount", components=ODR_COMPONENTS),
    FigureSpec(keys=("orderDefectRate",), sub="afn", metric=MetricKey.ODR, channel="AFN",
               numerator="orderWithDefects", denominator="orderCount", components=ODR_COMPONENTS),
    FigureSpec(keys=("lateShipmentRate",), list_key="lateShipmentRateList", metric=MetricKey.LSR, channel="MFN",
               numerator="lateShipmentCount", denominator="orderCount"),
    FigureSpec(keys=("prefulfillmentCancelRate", "preFulfillmentCancellationRate"), metric=MetricKey.CANCEL,
               channel="MFN", numerator="cancellationCount", denominator="orderCount"),
    FigureSpec(keys=("validTrackingRate",), metric=MetricKey.VTR, channel="MFN", numerator="validTrackingCount",
               denominator="shipmentCount"),
    FigureSpec(keys=("onTimeDeliveryRate",), metric=MetricKey.OTDR, channel="MFN", numerator="onTimeDeliveryCount",
               denominator="shipmentCountWithValidTracking"),
)


@dataclass(frozen=True)
class AmazonFigure:
    """One figure of Amazon's report: its window, counts, rate and target, as Amazon gives them."""

    metric: str
    channel: str
    #: Where it was read: ``orderDefectRate.mfn``, ``lateShipmentRateList[1]``.
    source: str
    date_from: datetime
    date_to: datetime
    start: datetime
    end: datetime
    numerator: int | None
    denominator: int | None
    rate: Decimal | None
    target: Decimal | None
    target_condition: str
    status: str
    #: Our reason flag → Amazon's count of orders with that defect (ODR's claims, chargebacks, negative feedback).
    components: dict[str, int | None] = field(default_factory=dict)

    @property
    def window_days(self) -> int:
        return max(1, round((self.end - self.start) / timedelta(days=1)))

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.metric, self.channel, self.window_days)


def count(value: Any) -> int | None:
    """A count as Amazon writes it: a number, or ``{"count": n, "status": …}``."""
    if isinstance(value, dict):
        value = value.get("count")
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number.quantize(_RATE_PLACES) if number.is_finite() else None


def window_end(date_to: datetime) -> datetime:
    """The instant after the last one Amazon's window covers: a minute after ``23:59``, a second after ``23:59:59``."""
    if date_to.second or date_to.microsecond:
        return date_to.replace(microsecond=0) + timedelta(seconds=1)
    return date_to + timedelta(minutes=1)


def _figure(spec: FigureSpec, entry: Any, source: str) -> AmazonFigure | None:
    if not isinstance(entry, dict):
        return None
    dates = entry.get("reportingDateRange") or {}
    try:
        date_from = parse_datetime(dates.get("reportingDateFrom"))
        date_to = parse_datetime(dates.get("reportingDateTo"))
    except (TypeError, ValueError):
        return None
    if date_from is None or date_to is None or window_end(date_to) <= date_from:
        return None
    return AmazonFigure(
        metric=spec.metric.value, channel=spec.channel, source=source, date_from=date_from, date_to=date_to,
        start=date_from, end=window_end(date_to), numerator=count(entry.get(spec.numerator)),
        denominator=count(entry.get(spec.denominator)), rate=decimal(entry.get("rate")),
        target=decimal(entry.get("targetValue")), target_condition=str(entry.get("targetCondition") or ""),
        status=str(entry.get("status") or ""),
        components={reason: count(entry.get(name)) for name, reason in spec.components},
    )


def _entries(spec: FigureSpec, metrics: dict[str, Any]) -> list[tuple[str, Any]]:
    key = next((k for k in spec.keys if k in metrics), spec.keys[0])
    entry = metrics.get(key)
    if spec.sub:
        return [(f"{key}.{spec.sub}", entry.get(spec.sub) if isinstance(entry, dict) else None)]
    entries = [(key, entry)]
    listed = metrics.get(spec.list_key) if spec.list_key else None
    if isinstance(listed, list):
        entries += [(f"{spec.list_key}[{i}]", item) for i, item in enumerate(listed)]
    return entries


def marketplace_metrics(document: dict[str, Any], marketplace_id: str) -> dict[str, Any] | None:
    """The ``performanceMetrics`` entry of ``marketplace_id``; None when the report holds none for it."""
    for entry in document.get("performanceMetrics") or []:
        if isinstance(entry, dict) and entry.get("marketplaceId") == marketplace_id:
            return entry
    return None


def amazon_figures(document: dict[str, Any], *, marketplace_id: str) -> list[AmazonFigure]:
    """Every figure of ``document`` for ``marketplace_id`` that we also compute, in ``AMAZON_FIGURES``' order.

    The same window of a metric reported twice (``lateShipmentRate`` and again in ``lateShipmentRateList``) is kept
    once; an entry without a readable window is left out (there is nothing to set it beside).
    """
    metrics = marketplace_metrics(document, marketplace_id) if isinstance(document, dict) else None
    if metrics is None:
        return []
    figures: list[AmazonFigure] = []
    seen: set[tuple[str, str, datetime, datetime]] = set()
    for spec in AMAZON_FIGURES:
        for source, entry in _entries(spec, metrics):
            figure = _figure(spec, entry, source)
            if figure is None or (identity := (figure.metric, figure.channel, figure.start, figure.end)) in seen:
                continue
            seen.add(identity)
            figures.append(figure)
    return figures
