"""What every report kind shares: the run's context, its counts and its result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from django.contrib.auth.models import AbstractBaseUser

from sellerops.models import Store

from .parsers import Cells, Problem, Row, Table

#: Marketplaces whose reports write dates month first (11/20/26); the others write them day first.
MONTH_FIRST_MARKETPLACES = frozenset({"US", "CA"})
SOURCE = "import"


class PlanLine(TypedDict):
    """What a dry run found one line of a file would do: ``outcome`` is ship, skip or error."""

    line: int
    order_id: str
    outcome: str
    message: str
    warnings: list[str]


@dataclass
class Context:
    store: Store
    actor: AbstractBaseUser | None
    now: datetime
    progress: Callable[[int], None] = lambda processed: None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    #: A dry run is always rolled back; kinds that plan per line record what each line would do in ``plan``.
    dry_run: bool = False
    plan: list[PlanLine] = field(default_factory=list)

    def cells(self, row: Row, table: Table) -> Cells:
        return Cells(row, table, self.problems, tz=self.store.tz,
                     day_first=self.store.marketplace not in MONTH_FIRST_MARKETPLACES)

    def error(self, line: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(line=line, column=column, message=message))

    def warn(self, line: int | None, column: str, message: str) -> None:
        self.warnings.append(Problem(line=line, column=column, message=message))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class ImportResult:
    kind: str
    encoding: str = ""
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: Filled by a dry run: each data line's number and cells, and what the kind planned for it.
    lines: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    plan: list[PlanLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
