"""The preview of a shipping confirmation file: what each line will do, read from a dry run of the import."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sellerops.models import ImportJob

from .base import ImportResult
from .parsers import Problem
from .services import import_job_dry_run


@dataclass
class PreviewLine:
    """One data line of the file: its cells, its planned outcome (ship, skip, error) and what was found."""

    line: int
    order_id: str
    tracking_number: str
    carrier: str
    ship_date: str
    outcome: str
    message: str = ""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ShipConfirmPreview:
    lines: list[PreviewLine]
    #: Problems of the whole file (a missing column, an unreadable encoding): no line to show them on.
    file_errors: list[Problem]
    orders_to_ship: int
    skipped: int
    error_count: int
    warning_count: int

    @property
    def can_confirm(self) -> bool:
        return not self.error_count and any(line.outcome == "ship" for line in self.lines)


def preview_from_result(result: ImportResult) -> ShipConfirmPreview:
    """Line by line: errors win over the plan, and every data line of the file appears once."""
    plan = {entry["line"]: entry for entry in result.plan}
    errors: dict[int, list[Problem]] = {}
    for problem in result.errors:
        if problem["line"] is not None:
            errors.setdefault(problem["line"], []).append(problem)
    lines = []
    for number, values in result.lines:
        entry = plan.get(number)
        carrier = values.get("carrier_code", "")
        if values.get("carrier_name"):
            carrier = f"{carrier} · {values['carrier_name']}" if carrier else values["carrier_name"]
        line = PreviewLine(line=number, order_id=values.get("order_id", ""),
                           tracking_number=values.get("tracking_number", ""), carrier=carrier,
                           ship_date=values.get("ship_date", ""), outcome=entry["outcome"] if entry else "error",
                           message=entry["message"] if entry else "", errors=errors.get(number, []),
                           warnings=list(entry["warnings"]) if entry else [])
        if line.errors:
            line.outcome = "error"
        elif line.outcome == "error" and not line.message:
            line.message = _("This line was not checked.")
        lines.append(line)
    known = {number for number, _values in result.lines}
    shipping = {line.order_id for line in lines if line.outcome == "ship"}
    return ShipConfirmPreview(
        lines=lines,
        file_errors=[p for p in result.errors if p["line"] not in known],
        orders_to_ship=len(shipping),
        skipped=sum(1 for line in lines if line.outcome == "skip"),
        error_count=len(result.errors),
        warning_count=sum(len(line.warnings) for line in lines),
    )


def ship_confirm_preview(*, job: ImportJob) -> ShipConfirmPreview:
    """What confirming ``job`` would do if it ran now; nothing is written."""
    return preview_from_result(import_job_dry_run(job=job))
