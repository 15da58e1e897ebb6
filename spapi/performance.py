"""The daily copy of Amazon's account-health report (``GET_V2_SELLER_PERFORMANCE_REPORT``).

Amazon reports only the current windows, so each fetch is kept: the history lets our own order defect rate
be set beside Amazon's, channel by channel. Flow: createReport → poll getReport until DONE →
getReportDocument (downloaded, decompressed) → parse the JSON document.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from spapi.models import SellerPerformanceReport

from .client import Sleep, SpApiClients, SpApiError, clients_for, resolve_sleep
from .reconciliation.services import reconciliation_enqueue
from .reports import MAX_POLLS, POLL_SECONDS, report_document_bytes, report_wait
from .services import credentials_of, credentials_record_failure
from .sync import parse_datetime

logger = logging.getLogger(__name__)

REPORT_TYPE = "GET_V2_SELLER_PERFORMANCE_REPORT"
_RATE_PLACES = Decimal("0.00000001")


@dataclass(frozen=True)
class OdrFigures:
    """One channel's ``orderDefectRate`` entry."""

    date_from: datetime | None
    date_to: datetime | None
    order_count: int | None
    orders_with_defects: int | None
    claims: int | None
    chargebacks: int | None
    negative_feedback: int | None
    rate: Decimal | None
    target_value: Decimal | None


@dataclass(frozen=True)
class PerformanceFigures:
    marketplace_id: str
    account_status: str
    afn: OdrFigures | None
    mfn: OdrFigures | None


def _count(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("count")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(_RATE_PLACES)
    except InvalidOperation:
        return None


def _odr(entry: dict[str, Any] | None) -> OdrFigures | None:
    if not entry:
        return None
    window = entry.get("reportingDateRange") or {}
    return OdrFigures(
        date_from=parse_datetime(window.get("reportingDateFrom")),
        date_to=parse_datetime(window.get("reportingDateTo")),
        order_count=_count(entry.get("orderCount")),
        orders_with_defects=_count(entry.get("orderWithDefects")),
        claims=_count(entry.get("claims")),
        chargebacks=_count(entry.get("chargebacks")),
        negative_feedback=_count(entry.get("negativeFeedback")),
        rate=_decimal(entry.get("rate")),
        target_value=_decimal(entry.get("targetValue")),
    )


def parse_performance_report(document: dict[str, Any], *, marketplace_id: str) -> PerformanceFigures:
    """The ODR figures of ``marketplace_id`` from the report's ``performanceMetrics`` and ``accountStatuses``."""
    metrics = [m for m in document.get("performanceMetrics") or [] if isinstance(m, dict)]
    if not metrics:
        raise ApplicationError(_("The seller-performance report holds no performance metrics."))
    entry = next((m for m in metrics if m.get("marketplaceId") == marketplace_id), None)
    if entry is None:
        raise ApplicationError(_("The seller-performance report has no figures for marketplace %(id)s.")
                               % {"id": marketplace_id})
    status = next((s.get("status") or "" for s in document.get("accountStatuses") or []
                   if s.get("marketplaceId") == marketplace_id), "")
    odr = entry.get("orderDefectRate") or {}
    return PerformanceFigures(marketplace_id=marketplace_id, account_status=status, afn=_odr(odr.get("afn")),
                              mfn=_odr(odr.get("mfn")))


def _figures_fields(figures: PerformanceFigures) -> dict[str, Any]:
    fields: dict[str, Any] = {"marketplace_id": figures.marketplace_id, "account_status": figures.account_status}
    for channel in ("afn", "mfn"):
        odr: OdrFigures | None = getattr(figures, channel)
        for name in OdrFigures.__dataclass_fields__:
            fields[f"{channel}_{name}"] = getattr(odr, name) if odr else None
    return fields


@transaction.atomic
def performance_report_record(*, store: Store, report_id: str, report_document_id: str, document: dict[str, Any],
                              figures: PerformanceFigures, fetched_at: datetime) -> SellerPerformanceReport:
    """Keep one fetched report; fetching the same report again updates its row. Its reconciliation with our own
    figures is queued once the row is committed."""
    report, _created = SellerPerformanceReport.objects.update_or_create(
        store=store, report_id=report_id,
        defaults={"report_document_id": report_document_id, "raw": document, "fetched_at": fetched_at,
                  **_figures_fields(figures)},
    )
    reconciliation_enqueue(report=report)
    return report


def _request_report(clients: SpApiClients, *, sleep: Sleep, poll_seconds: float,
                    max_polls: int) -> tuple[str, str, dict[str, Any]]:
    """The report requested and waited for (``spapi.reports``), its document read as JSON: the report id, the
    document id and the document. A report Amazon cancelled holds nothing to keep: a failure here."""
    report_id, document_id = report_wait(clients, report_type=REPORT_TYPE, sleep=sleep, poll_seconds=poll_seconds,
                                         max_polls=max_polls)
    if not document_id:
        raise SpApiError(_("Amazon ended report %(id)s as %(status)s.") % {"id": report_id, "status": "CANCELLED"})
    data = report_document_bytes(clients, document_id, sleep=sleep)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SpApiError(_("Report document %(id)s is not JSON.") % {"id": document_id}) from None
    if not isinstance(document, dict):
        raise SpApiError(_("Report document %(id)s is not a JSON object.") % {"id": document_id})
    return report_id, document_id, document


def spapi_fetch_performance(*, store: Store, sleep: Sleep | None = None, now: datetime | None = None,
                            poll_seconds: float = POLL_SECONDS, max_polls: int = MAX_POLLS) -> SellerPerformanceReport:
    """Request, wait for, download and keep today's seller-performance report of ``store``.

    Polls every ``poll_seconds`` (growing to four times that) at most ``max_polls`` times. A failure is recorded
    on the credentials and raised as ``ApplicationError``.
    """
    credentials = credentials_of(store)
    now = now or timezone.now()
    try:
        clients = clients_for(credentials)
        try:
            report_id, document_id, document = _request_report(clients, sleep=resolve_sleep(sleep),
                                                               poll_seconds=poll_seconds, max_polls=max_polls)
        finally:
            clients.close()
        figures = parse_performance_report(document, marketplace_id=clients.marketplace_id)
    except ApplicationError as exc:
        credentials_record_failure(credentials, exc.message, now)
        logger.warning("SP-API performance report of %s failed: %s", store.code, exc.message)
        raise
    record = performance_report_record(store=store, report_id=report_id, report_document_id=document_id,
                                       document=document, figures=figures, fetched_at=now)
    logger.info("SP-API performance report of %s kept (report %s)", store.code, report_id)
    return record
