"""What an import must remember about every line of a file, kept on disk so its memory stays flat.

A 200 MB report has about 1.5 million lines. An import needs, across all of them, the first line of each key
(to name a repeated line), the checked rows grouped by order (an order's items may lie far apart), the errors
and warnings, and in a dry run what each line will do. Held in Python that is gigabytes; here it is a private
SQLite file in the temporary directory with a small page cache, written in batches and read back in order.
The file is created for one run, readable by this process's user only, and removed when the run ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from typing import Any

from .parsers import Problem

#: Rows buffered before one ``executemany``; pages of the SQLite file kept in memory (KiB, as a negative).
_BATCH = 2000
_CACHE_KIB = 8 * 1024
_SCHEMA = """
CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE groups (grp TEXT PRIMARY KEY, first_line INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE records (grp TEXT NOT NULL, line INTEGER NOT NULL, payload BLOB NOT NULL);
CREATE TABLE problems (id INTEGER PRIMARY KEY, warning INTEGER NOT NULL, line INTEGER, col TEXT NOT NULL,
                       message TEXT NOT NULL, code TEXT);
CREATE TABLE plan (line INTEGER NOT NULL, order_id TEXT NOT NULL, outcome TEXT NOT NULL, message TEXT NOT NULL,
                   warnings TEXT NOT NULL);
CREATE TABLE lines (line INTEGER PRIMARY KEY, vals TEXT NOT NULL);
"""
_TABLES = ("seen", "groups", "records", "problems", "plan", "lines")


class Scratch:
    """One run's scratch file. Use as a context manager; every method flushes what it needs first."""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="sellerops-import-", suffix=".sqlite3")
        os.close(handle)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE",
                       f"cache_size = -{_CACHE_KIB}", "locking_mode = EXCLUSIVE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self._records: list[tuple[str, int, bytes]] = []
        self._problems: list[tuple[int, int | None, str, str, str | None]] = []
        self._plan: list[tuple[int, str, str, str, str]] = []
        self._lines: list[tuple[int, str]] = []
        self._indexed = False

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def reset(self) -> None:
        """Forget everything: the file is read again from its start (in another encoding)."""
        self._records.clear()
        self._problems.clear()
        self._plan.clear()
        self._lines.clear()
        for table in _TABLES:
            self.db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)

    def _flush(self) -> None:
        if self._records:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR IGNORE INTO groups VALUES (?, ?)", [(g, line) for g, line, _ in
                                                                               self._records])
            self.db.executemany("INSERT INTO records VALUES (?, ?, ?)", self._records)
            self.db.execute("COMMIT")
            self._records.clear()
        # Written while groups() reads: SQLite allows writing other tables during a read on one connection.
        for sql, rows in (("INSERT INTO problems (warning, line, col, message, code) VALUES (?, ?, ?, ?, ?)",
                           self._problems),
                          ("INSERT INTO plan VALUES (?, ?, ?, ?, ?)", self._plan),
                          ("INSERT INTO lines VALUES (?, ?)", self._lines)):
            if rows:
                self.db.executemany(sql, rows)
                rows.clear()

    # --- Keys seen, for "repeats line N" ---

    def first_line(self, key: str, line: int) -> int | None:
        """The line ``key`` was first seen on, or None (and ``line`` is now that line)."""
        if self.db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (key, line)).rowcount:
            return None
        return self.db.execute("SELECT line FROM seen WHERE key = ?", (key,)).fetchone()[0]

    # --- Checked rows, by group ---

    def spool(self, group: str, line: int, record: Any) -> None:
        # Our own objects, read back only by this process from its own private file.
        self._records.append((group, line, pickle.dumps(record, pickle.HIGHEST_PROTOCOL)))
        if len(self._records) >= _BATCH:
            self._flush()

    def groups(self, rows: int) -> Iterator[list[list[Any]]]:
        """The spooled records, a group at a time in the order its first line came, in chunks of about
        ``rows`` records; a group is never split between chunks."""
        self._flush()
        if not self._indexed:
            self.db.execute("CREATE INDEX records_grp ON records (grp, line)")
            self.db.execute("CREATE INDEX groups_first ON groups (first_line)")
            self._indexed = True
        cursor = self.db.execute("SELECT r.grp, r.payload FROM groups g JOIN records r ON r.grp = g.grp "
                                 "ORDER BY g.first_line, r.line")
        chunk: list[list[Any]] = []
        size = 0
        current: str | None = None
        for group, payload in cursor:
            if group != current:
                if size >= rows:
                    yield chunk
                    chunk, size = [], 0
                chunk.append([])
                current = group
            chunk[-1].append(pickle.loads(payload))  # noqa: S301 (written by spool() above)
            size += 1
        if chunk:
            yield chunk

    # --- Errors and warnings ---

    def add_problem(self, problem: Problem, *, warning: bool) -> None:
        self._problems.append((int(warning), problem["line"], problem["column"], problem["message"],
                               problem.get("code")))
        if len(self._problems) >= _BATCH:
            self._flush()

    def problems(self, *, warning: bool, limit: int | None = None, file_only: bool = False) -> list[Problem]:
        """The problems by line and column (in the order found within one); ``file_only``: those on no data
        line (a missing column, the header)."""
        self._flush()
        where = "warning = ?"
        if file_only:
            where += " AND (line IS NULL OR line NOT IN (SELECT line FROM lines))"
        sql = f"SELECT line, col, message, code FROM problems WHERE {where} ORDER BY COALESCE(line, 0), col, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_problem(*row) for row in self.db.execute(sql, (int(warning),))]

    # --- A dry run: every line's cells and what the kind planned for it ---

    def add_line(self, line: int, values: dict[str, str]) -> None:
        self._lines.append((line, json.dumps(values)))
        if len(self._lines) >= _BATCH:
            self._flush()

    def add_plan(self, line: int, order_id: str, outcome: str, message: str, warnings: list[str]) -> None:
        self._plan.append((line, order_id, outcome, message, json.dumps(warnings)))
        if len(self._plan) >= _BATCH:
            self._flush()

    def plan(self) -> Iterator[dict[str, Any]]:
        self._flush()
        for line, order_id, outcome, message, warnings in self.db.execute(
                "SELECT line, order_id, outcome, message, warnings FROM plan ORDER BY line, rowid"):
            yield {"line": line, "order_id": order_id, "outcome": outcome, "message": message,
                   "warnings": json.loads(warnings)}

    def lines(self) -> Iterator[tuple[int, dict[str, str], dict[str, Any] | None, list[Problem]]]:
        """Every data line in order: its cells, its plan entry if any, and its errors."""
        self._flush()
        errors = self.db.cursor().execute(
            "SELECT line, col, message, code FROM problems WHERE warning = 0 AND line IS NOT NULL "
            "ORDER BY line, col, id")
        pending = errors.fetchone()
        rows = self.db.cursor().execute(
            "SELECT l.line, l.vals, p.outcome, p.message, p.warnings, p.order_id FROM lines l "
            "LEFT JOIN plan p ON p.line = l.line ORDER BY l.line")
        previous = None
        for line, values, outcome, message, warnings, order_id in rows:
            if line == previous:  # a second plan entry for one line: the first one stands
                continue
            previous = line
            found = []
            while pending is not None and pending[0] <= line:
                if pending[0] == line:
                    found.append(_problem(*pending))
                pending = errors.fetchone()
            entry = None if outcome is None else {"outcome": outcome, "message": message, "order_id": order_id,
                                                  "warnings": json.loads(warnings)}
            yield line, json.loads(values), entry, found


def _problem(line: int | None, column: str, message: str, code: str | None) -> Problem:
    problem = Problem(line=line, column=column, message=message)
    if code:
        problem["code"] = code
    return problem
