"""The preview of an import: what each line of the file will do, found by a worker's dry run.

Shipping confirmation files are previewed before anything ships; the catalogue reports (All Listings, FBA
Manage Inventory) plan their lines too, each known by its SKU, as writing or skipped.

The dry run runs once, in the worker, after the upload (``services.import_job_preview``); it stores one row per
line of the file and a summary on the job. The page reads them a hundred lines at a time, by outcome, and asks
again every second while the worker has not finished.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from core.bulk import insert_rows, reserve_ids
from imports.models import ImportJob, ImportPreviewLine

from .base import ImportResult
from .parsers import Problem

PAGE_LINES = 100
OUTCOMES = tuple(ImportPreviewLine.Outcome.values)
#: File-level errors kept on the summary; lines written to the database at a time.
MAX_FILE_ERRORS = 50
_BATCH = 5000
_FIELDS = {name: ImportPreviewLine._meta.get_field(name).max_length  # type: ignore[union-attr]  # char fields
           for name in ("order_id", "carrier", "tracking_number", "ship_date")}


def preview_save(*, job: ImportJob, lines: Iterable[tuple[int, dict[str, str], dict | None, list[Problem]]],
                 result: ImportResult, file_errors: list[Problem]) -> dict[str, Any]:
    """Store what each line of ``job``'s file will do and return the summary; inside the caller's transaction.

    Errors win over the plan, and every data line of the file appears once.
    """
    ImportPreviewLine.objects.filter(job=job).delete()
    counts = dict.fromkeys(OUTCOMES, 0)
    warnings = 0
    batch: list[dict[str, Any]] = []
    for number, values, entry, errors in lines:
        carrier = values.get("carrier_code", "")
        if values.get("carrier_name"):
            carrier = f"{carrier} · {values['carrier_name']}" if carrier else values["carrier_name"]
        outcome = entry["outcome"] if entry else ImportPreviewLine.Outcome.ERROR
        message = entry["message"] if entry else ""
        line_warnings = list(entry["warnings"]) if entry else []
        if errors:
            outcome = ImportPreviewLine.Outcome.ERROR
        elif outcome == ImportPreviewLine.Outcome.ERROR and not message:
            message = _("This line was not checked.")
        counts[outcome] += 1
        warnings += len(line_warnings)
        # A catalogue report's lines are known by their SKU, an order file's by the order.
        shown = {"order_id": values.get("order_id") or values.get("sku", ""), "carrier": carrier,
                 "tracking_number": values.get("tracking_number", ""), "ship_date": values.get("ship_date", "")}
        batch.append({"job_id": job.pk, "line": number, "outcome": str(outcome), "message": message,
                      "errors": [{"column": p["column"], "message": p["message"]} for p in errors],
                      "warnings": line_warnings,
                      **{name: value[:_FIELDS[name]] for name, value in shown.items()}})
        if len(batch) >= _BATCH:
            _insert(batch)
            batch = []
    _insert(batch)
    shipping = (ImportPreviewLine.objects.filter(job=job, outcome=ImportPreviewLine.Outcome.SHIP)
                .values("order_id").distinct().count())
    return {"lines": sum(counts.values()), **counts, "orders_to_ship": shipping, "error_count": result.error_count,
            "warning_count": warnings, "file_errors": file_errors[:MAX_FILE_ERRORS]}


def _insert(rows: list[dict[str, Any]]) -> None:
    for row, pk in zip(rows, reserve_ids(ImportPreviewLine, len(rows)), strict=True):
        row["id"] = pk
    insert_rows(ImportPreviewLine, rows)


@dataclass
class ShipConfirmPreview:
    """A page of a preview: its lines (of one outcome, or all), and the whole file's counts."""

    summary: dict[str, Any]
    page: Page
    outcome: str

    @property
    def lines(self) -> list[ImportPreviewLine]:
        return list(self.page.object_list)

    @property
    def file_errors(self) -> list[Problem]:
        return self.summary.get("file_errors", [])

    @property
    def orders_to_ship(self) -> int:
        return self.summary["orders_to_ship"]

    @property
    def skipped(self) -> int:
        return self.summary["skip"]

    @property
    def error_count(self) -> int:
        return self.summary["error_count"]

    @property
    def warning_count(self) -> int:
        return self.summary["warning_count"]

    @property
    def can_confirm(self) -> bool:
        return not self.error_count and self.summary["ship"] > 0


def ship_confirm_preview(*, job: ImportJob, page: int | str = 1, outcome: str = "") -> ShipConfirmPreview | None:
    """One page of what confirming ``job`` would do, as its dry run found; None while the worker prepares it."""
    if job.preview is None:
        return None
    lines = ImportPreviewLine.objects.filter(job=job).order_by("line")
    if outcome in OUTCOMES:
        lines = lines.filter(outcome=outcome)
    else:
        outcome = ""
    return ShipConfirmPreview(summary=job.preview, page=Paginator(lines, PAGE_LINES).get_page(page),
                              outcome=outcome)
