"""Amazon's flat-file reports through the Reports API (2021-06-30): request one, wait for it, download it.

Flow: createReport → getReport until DONE → getReportDocument (its URL) → the document's bytes, ungzipped but
not decoded: the importer reads the encoding itself (Shift-JIS in Japan, Windows-1252 in parts of Europe),
exactly as for a file the seller uploads. A report Amazon ends as CANCELLED holds no data (an FBA report of a
seller without FBA stock): that is no document, not a failure.
"""

from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass
from datetime import datetime

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store

from .client import Sleep, SpApiClients, SpApiError, call, clients_for, resolve_sleep
from .services import credentials_of, credentials_record_failure

logger = logging.getLogger(__name__)

POLL_SECONDS = 15.0
MAX_POLLS = 40
#: The largest document downloaded (what an upload may be).
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class FetchedReport:
    report_type: str
    report_id: str
    document_id: str
    data: bytes


def report_wait(clients: SpApiClients, *, report_type: str, sleep: Sleep, poll_seconds: float,
                       max_polls: int) -> tuple[str, str]:
    """createReport, then getReport until DONE: the report id and its document id ("" when CANCELLED)."""
    reports = clients.reports
    created = call(reports.create_report, what="createReport", sleep=sleep, reportType=report_type,
                   marketplaceIds=[clients.marketplace_id])
    report_id = str(created.payload.get("reportId") or "")
    if not report_id:
        raise SpApiError(_("createReport answered without a report id."))
    for poll in range(1, max_polls + 1):
        report = call(reports.get_report, report_id, what="getReport", sleep=sleep).payload
        status = report.get("processingStatus")
        if status == "DONE":
            return report_id, str(report.get("reportDocumentId") or "")
        if status == "CANCELLED":
            return report_id, ""
        if status == "FATAL":
            raise SpApiError(_("Amazon ended report %(id)s as %(status)s.") % {"id": report_id, "status": status})
        if poll < max_polls:
            sleep(poll_seconds * min(poll, 4))
    raise SpApiError(_("Report %(id)s was not ready after %(n)d checks.") % {"id": report_id, "n": max_polls})


def report_document_bytes(clients: SpApiClients, document_id: str, *, sleep: Sleep) -> bytes:
    """The document's bytes as Amazon stored them, ungzipped."""
    meta = call(clients.reports.get_report_document, document_id, what="getReportDocument", sleep=sleep).payload
    url = meta.get("url") or ""
    if not url:
        raise SpApiError(_("Report document %(id)s has no address.") % {"id": document_id})
    try:
        answer = httpx.get(url, timeout=getattr(settings, "SPAPI_TIMEOUT_SECONDS", 30))
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise SpApiError(_("Report document %(id)s could not be downloaded: %(error)s")
                         % {"id": document_id, "error": type(exc).__name__}) from None
    data = answer.content
    if (meta.get("compressionAlgorithm") or "").upper() == "GZIP":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            raise SpApiError(_("Report document %(id)s is not the gzip file Amazon announced.")
                             % {"id": document_id}) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SpApiError(_("Report document %(id)s is larger than %(mb)d MB.")
                         % {"id": document_id, "mb": MAX_DOCUMENT_BYTES // 1024 // 1024})
    return data


def spapi_fetch_report(*, store: Store, report_type: str, sleep: Sleep | None = None, now: datetime | None = None,
                       poll_seconds: float = POLL_SECONDS, max_polls: int = MAX_POLLS) -> FetchedReport | None:
    """Request ``report_type`` for ``store``'s marketplace, wait for it and download it; None when Amazon
    cancelled it for want of data. A failure is recorded on the credentials and raised as ``ApplicationError``."""
    credentials = credentials_of(store)
    now = now or timezone.now()
    wait = resolve_sleep(sleep)
    try:
        clients = clients_for(credentials)
        try:
            report_id, document_id = report_wait(clients, report_type=report_type, sleep=wait,
                                                        poll_seconds=poll_seconds, max_polls=max_polls)
            data = report_document_bytes(clients, document_id, sleep=wait) if document_id else None
        finally:
            clients.close()
    except ApplicationError as exc:
        credentials_record_failure(credentials, exc.message, now)
        logger.warning("SP-API report %s of %s failed: %s", report_type, store.code, exc.message)
        raise
    if data is None:
        logger.info("SP-API report %s of %s: cancelled by Amazon (no data)", report_type, store.code)
        return None
    logger.info("SP-API report %s of %s fetched (report %s, %d bytes)", report_type, store.code, report_id,
                len(data))
    return FetchedReport(report_type=report_type, report_id=report_id, document_id=document_id, data=data)
