"""What every report kind shares: the run's context, its counts and its result.

A kind is a module with ``COLUMNS``, ``SELLER_CENTRAL_NAME`` (the report as Seller Central names it, shown
wherever a seller chooses a report, and used to tell which report a file is: ``detect.py``) and three
functions, so that a file of any size is checked and written a chunk at a time:

- ``parse_row(row, cells, ctx) -> (group, record) | None``: check one row on its own, no database; return the
  key of the group it belongs to (an order's items go together) and what to keep of it, or None if it failed;
- ``build(groups, ctx)``: check what only a whole group shows (an order's status from all its items), no
  database, and return what ``apply`` takes;
- ``apply(parsed, ctx) -> Counts``: write it, inside the file's one transaction;
- optionally ``finish(ctx) -> Counts``: once every chunk is applied, write what only the whole file shows (a
  report that lists every stranded SKU clears the SKUs it no longer lists).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from django.contrib.auth.models import User

from core.models import Store

from .dates import ISO_ONLY, REPORT_DATES
from .parsers import Cells, Header, Problem, Row
from .scratch import Scratch

SOURCE = "import"


class PlanLine(TypedDict):
    """What a dry run found one line of a file would do: ``outcome`` is ship, skip or error."""

    line: int
    order_id: str
    outcome: str
    message: str
    warnings: list[str]


class ProblemLog:
    """A run's errors (or warnings), kept on disk as they come; counted here."""

    def __init__(self, scratch: Scratch, *, warning: bool = False) -> None:
        self.scratch, self.warning, self.count = scratch, warning, 0

    def append(self, problem: Problem) -> None:
        self.scratch.add_problem(problem, warning=self.warning)
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def first(self, limit: int) -> list[Problem]:
        return self.scratch.problems(warning=self.warning, limit=limit)


class PlanLog:
    """What a dry run plans for each line; a real run plans nothing and keeps nothing."""

    def __init__(self, scratch: Scratch, *, keep: bool) -> None:
        self.scratch, self.keep = scratch, keep

    def append(self, entry: PlanLine) -> None:
        if self.keep:
            self.scratch.add_plan(entry["line"], entry["order_id"], entry["outcome"], entry["message"],
                                  entry["warnings"])


#: How many of the objects an import created or changed it names, per kind of object and per outcome.
TOUCHED_KEEP = 200


class Touched:
    """What a run created or changed, by kind of object (``order``, ``return``, ``listing``, ``shipment``) and
    outcome (``created``, ``updated``): the first ``TOUCHED_KEEP`` keys of each, and how many in all.

    The keys are what the object's page is found by: an order's Amazon id, a return's or a listing's id; a
    shipment is named by its order's Amazon id (it is shown on the order's page).
    """

    def __init__(self) -> None:
        self.data: dict[str, dict[str, dict[str, Any]]] = {}

    def add(self, what: str, key: str | int, *, created: bool) -> None:
        entry = self.data.setdefault(what, {}).setdefault("created" if created else "updated",
                                                           {"count": 0, "keys": []})
        entry["count"] += 1
        if len(entry["keys"]) < TOUCHED_KEEP:
            entry["keys"].append(key)

    def add_many(self, what: str, keys: Iterable[str | int], *, created: bool) -> None:
        for key in keys:
            self.add(what, key, created=created)


@dataclass
class Context:
    store: Store
    actor: User | None
    now: datetime
    scratch: Scratch
    progress: Callable[[int], None] = lambda processed: None
    headers: dict[str, str] = field(default_factory=dict)
    #: A dry run is always rolled back; kinds that plan per line record what each line would do in ``plan``.
    dry_run: bool = False
    #: The report kind (a key of ``KINDS``): which dates its cells may hold (``dates.REPORT_DATES``).
    kind: str = ""
    #: What a kind keeps between its chunks for its ``finish`` (the SKUs a complete list named…).
    state: dict[str, Any] = field(default_factory=dict)
    #: What the run created or changed, for the import's page to link to.
    touched: Touched = field(default_factory=Touched)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.problems = ProblemLog(self.scratch)
        self.warnings = ProblemLog(self.scratch, warning=True)
        self.plan = PlanLog(self.scratch, keep=self.dry_run)
        self.touched = Touched()

    def cells(self, row: Row, header: Header) -> Cells:
        return Cells(row, header, self.problems, tz=self.store.tz, formats=REPORT_DATES.get(self.kind, ISO_ONLY),
                     marketplace=self.store.marketplace)

    def first_line(self, *key: str, line: int) -> int | None:
        """The line that first held ``key`` (an order and SKU…), or None if ``line`` is the first."""
        return self.scratch.first_line("\x1f".join(key), line)

    def error(self, line: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(line=line, column=column, message=message))

    def warn(self, line: int | None, column: str, message: str) -> None:
        self.warnings.append(Problem(line=line, column=column, message=message))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        return self


@dataclass
class ImportResult:
    kind: str
    encoding: str = ""
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    #: The first errors and warnings by line and column; the counts say how many there were in all.
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    #: A dry run's plan per line (when no preview consumer takes the lines instead).
    plan: list[PlanLine] = field(default_factory=list)
    #: What a clean run created or changed (``Touched.data``).
    touched: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error_count
