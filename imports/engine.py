"""Importing a report file: read it as a stream, check every row, then write all of it or nothing.

Two passes, so that memory stays flat whatever the file's size:

1. The file is read a block at a time. Each row is checked on its own (no database); what a row must be
   compared with (a repeated line) and what is kept of it (grouped by order) go to a scratch file on disk.
2. Inside one transaction, the groups are read back a chunk at a time (an order's items are never split),
   checked as wholes, and written. Any error, or a dry run, rolls the transaction back: nothing of the file
   stays. Rows that change nothing (the same file imported again) count as skipped.

A file with any error writes nothing and reports each error by line and column.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import IO, cast

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from core.signals import store_data_changed_send
from imports.models import ImportJob

from .base import Context, Counts, ImportResult, PlanLine
from .kinds import (
    afn_shipments,
    all_listings,
    all_orders,
    fba_inventory,
    fba_planning,
    fba_reserved,
    fba_returns,
    fba_stranded,
    feedback,
    returns,
    ship_confirm,
    tracking_events,
    unshipped_orders,
)
from .parsers import (
    SNIFF_BYTES,
    FileError,
    Problem,
    ReportReader,
    Undecodable,
    encoding_candidates,
    undecodable_error,
)
from .scratch import Scratch

KINDS: dict[str, ModuleType] = {
    ImportJob.Kind.ALL_ORDERS: all_orders,
    ImportJob.Kind.UNSHIPPED_ORDERS: unshipped_orders,
    ImportJob.Kind.SHIP_CONFIRM: ship_confirm,
    ImportJob.Kind.FEEDBACK: feedback,
    ImportJob.Kind.RETURNS: returns,
    ImportJob.Kind.FBA_RETURNS: fba_returns,
    ImportJob.Kind.AFN_SHIPMENTS: afn_shipments,
    ImportJob.Kind.ALL_LISTINGS: all_listings,
    ImportJob.Kind.FBA_INVENTORY: fba_inventory,
    ImportJob.Kind.FBA_PLANNING: fba_planning,
    ImportJob.Kind.FBA_STRANDED: fba_stranded,
    ImportJob.Kind.FBA_RESERVED: fba_reserved,
    ImportJob.Kind.TRACKING_EVENTS: tracking_events,
}
#: Rows checked and written at a time in the second pass (whole groups), and how often the first pass reports.
CHUNK_ROWS = 5000
PROGRESS_EVERY = 2000
#: How many errors and warnings a result carries; ``error_count`` and ``warning_count`` say how many in all.
MAX_RESULT_PROBLEMS = 1000
#: The first key of the PostgreSQL advisory lock taken while a file is imported into a store (the second: its id).
IMPORT_LOCK_KEY = 0x534F_494D  # "SOIM"

#: What a preview consumer is given for each data line of a dry run: number, cells, plan entry, errors.
PreviewLines = Iterator[tuple[int, dict[str, str], dict | None, list[Problem]]]
#: A preview consumer: every data line, the result, and the errors of the file as a whole (on no data line).
PreviewConsumer = Callable[[PreviewLines, ImportResult, list[Problem]], None]


@contextmanager
def _one_import_per_store(store: Store) -> Iterator[None]:
    """Imports into one store run one after another, so a file sent twice at once is read against the rows the
    first run wrote and creates nothing twice. A session lock, not a transaction: progress stays visible."""
    if connection.vendor != "postgresql":
        yield
        return
    key = [IMPORT_LOCK_KEY, store.pk % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


class _Rollback(Exception):
    """Raised inside the transaction when a row failed (or in a dry run), so that nothing of the file is kept."""


def import_file(*, store: Store, kind: str, data: bytes | IO[bytes], encoding: str = "",
                actor: User | None = None, progress: Callable[[int], None] | None = None,
                on_rows: Callable[[int], None] | None = None, dry_run: bool = False,
                preview: PreviewConsumer | None = None,
                before_commit: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import one report file into ``store``: every row, or, if any row is wrong, none.

    ``data`` is the file's bytes or a binary file object, read from its start as a stream. ``progress`` is
    told how many rows have been read as the first pass goes, then, once ``on_rows`` has learnt how many data
    rows the file holds, how many have been checked and written. ``before_commit`` is called inside the
    transaction, with the result filled in, just before a clean file is committed; raising there rolls it back.

    A ``dry_run`` applies the rows that parse inside a transaction that is always rolled back, and returns
    what would happen: the counts, the errors, and the kind's plan per line (``result.plan``) or, with
    ``preview``, every data line with its plan and errors, streamed to ``preview`` after the rollback.
    """
    if kind not in KINDS:
        raise ApplicationError(_("Unknown report kind %(kind)s.") % {"kind": kind})
    module = KINDS[kind]
    stream = io.BytesIO(bytes(data)) if isinstance(data, bytes | bytearray | memoryview) else data
    result = ImportResult(kind=kind)
    report_progress = progress or (lambda processed: None)
    with Scratch() as scratch:
        ctx = Context(store=store, actor=actor, now=timezone.now(), scratch=scratch, progress=report_progress,
                      dry_run=dry_run, kind=kind)
        try:
            _read(stream, module, ctx, result, encoding=encoding)
        except FileError as error:
            result.errors, result.error_count = [error.problem], 1
            if dry_run and preview is not None:
                preview(iter(()), result, [error.problem])
            return result
        if on_rows is not None:
            on_rows(result.total_rows)
        counts = Counts()
        with _one_import_per_store(store):
            try:
                with transaction.atomic():
                    counts = _apply(module, ctx)
                    if ctx.problems or dry_run:
                        raise _Rollback
                    if counts.created or counts.updated:
                        store_data_changed_send(store_id=store.pk)
                    _fill(result, ctx, counts)
                    if before_commit is not None:
                        before_commit(result)
            except _Rollback:
                pass
        _fill(result, ctx, counts)
        if dry_run:
            if preview is not None:
                preview(scratch.lines(), result, scratch.problems(warning=False, file_only=True,
                                                                  limit=MAX_RESULT_PROBLEMS))
            else:
                result.plan = cast("list[PlanLine]", list(scratch.plan()))  # the scratch file's plan rows
    return result


def _read(stream: IO[bytes], module: ModuleType, ctx: Context, result: ImportResult, *, encoding: str) -> None:
    """The first pass, in the first encoding that reads the whole file."""
    stream.seek(0)
    prefix = stream.read(SNIFF_BYTES)
    for codec in encoding_candidates(prefix, encoding=encoding, marketplace=ctx.store.marketplace):
        try:
            _read_rows(stream, codec, module, ctx, result)
        except Undecodable as error:
            if encoding:
                raise undecodable_error(codec, error.line) from None
            ctx.scratch.reset()
            ctx.reset()
            continue
        result.encoding = codec
        return
    raise FileError(_("The file's encoding could not be recognised; choose it explicitly."))


def _read_rows(stream: IO[bytes], codec: str, module: ModuleType, ctx: Context, result: ImportResult) -> None:
    reader = ReportReader(stream, codec=codec, columns=module.COLUMNS,
                          delimiters=getattr(module, "DELIMITERS", ("\t",)))
    header = reader.header
    ctx.headers = header.headers
    result.ignored_columns = header.ignored
    total = 0
    for row in reader.rows():
        total += 1
        if total % PROGRESS_EVERY == 0:
            ctx.progress(total)
        if ctx.dry_run:
            ctx.scratch.add_line(row.line, {key: value[:200] for key, value in row.values.items()})
        if row.flaws:
            for column, message in row.flaws:
                ctx.error(row.line, column, message)
            continue
        cells = ctx.cells(row, header)
        found = module.parse_row(row, cells, ctx)
        if found is not None:
            ctx.scratch.spool(found[0], row.line, found[1])
    result.total_rows = total
    ctx.progress(total)


def _apply(module: ModuleType, ctx: Context) -> Counts:
    """The second pass: whole groups, a chunk at a time. Once a row or a group failed its checks, a real run
    only checks the rest (the transaction will be rolled back); a dry run applies what it can, to plan it."""
    counts = Counts()
    checks_failed = bool(ctx.problems)
    done = 0
    ctx.progress(0)
    for groups in ctx.scratch.groups(CHUNK_ROWS):
        before = len(ctx.problems)
        parsed = module.build(groups, ctx)
        checks_failed = checks_failed or len(ctx.problems) > before
        if ctx.dry_run or not checks_failed:
            counts += module.apply(parsed, ctx)
        done += sum(len(group) for group in groups)
        ctx.progress(done)
    finish = getattr(module, "finish", None)
    if finish is not None and (ctx.dry_run or not checks_failed):
        counts += finish(ctx)
    return counts


def _fill(result: ImportResult, ctx: Context, counts: Counts) -> None:
    result.error_count, result.warning_count = len(ctx.problems), len(ctx.warnings)
    result.errors = ctx.problems.first(MAX_RESULT_PROBLEMS)
    result.warnings = ctx.warnings.first(MAX_RESULT_PROBLEMS)
    if not ctx.problems:
        result.created, result.updated, result.skipped = counts.created, counts.updated, counts.skipped
        result.touched = ctx.touched.data
