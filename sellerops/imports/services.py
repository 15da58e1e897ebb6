"""Importing a report file: decode, map columns, check every row, then write all of it or nothing.

A file with any error writes nothing and reports each error by line and column. A clean file is applied
in one transaction; rows that change nothing (the same file imported again) count as skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.services import metrics_inputs_changed
from sellerops.background import IMPORT_RUN_TASK, deferred_task_done, task_enqueue_or_defer
from sellerops.errors import ApplicationError
from sellerops.models import ImportJob, Role, Store
from sellerops.selectors import user_roles

from .base import Context, ImportResult
from .kinds import all_orders, feedback, returns, ship_confirm, unshipped_orders
from .parsers import FileError, Problem, decode, normalize_encoding, read_table

logger = logging.getLogger(__name__)

KINDS: dict[str, ModuleType] = {
    ImportJob.Kind.ALL_ORDERS: all_orders,
    ImportJob.Kind.UNSHIPPED_ORDERS: unshipped_orders,
    ImportJob.Kind.SHIP_CONFIRM: ship_confirm,
    ImportJob.Kind.FEEDBACK: feedback,
    ImportJob.Kind.RETURNS: returns,
}
#: Roles that may import files into a store.
IMPORT_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
#: Uploads larger than this are refused (a year of All Orders lines for a busy store fits easily).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: How many stored errors a run keeps; the count says how many there were in all.
MAX_REPORTED_ERRORS = 500


#: The first key of the PostgreSQL advisory lock taken while a file is imported into a store (the second: its id).
IMPORT_LOCK_KEY = 0x534F_494D  # "SOIM"


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
    """Raised inside the transaction when a row failed, so that nothing of the file is kept."""


def import_file(*, store: Store, kind: str, data: bytes, encoding: str = "", actor: AbstractBaseUser | None = None,
                progress: Callable[[int], None] | None = None,
                on_rows: Callable[[int], None] | None = None, dry_run: bool = False) -> ImportResult:
    """Import one report file into ``store``: every row, or, if any row is wrong, none.

    ``on_rows`` learns how many data rows the file holds once it is read; ``progress`` is told how many have
    been checked as the check goes on. A ``dry_run`` applies the rows that parse inside a transaction that is
    always rolled back, and returns what would happen: the counts, every error, and the kind's plan per line.
    """
    if kind not in KINDS:
        raise ApplicationError(_("Unknown report kind %(kind)s.") % {"kind": kind})
    module = KINDS[kind]
    result = ImportResult(kind=kind)
    ctx = Context(store=store, actor=actor, now=timezone.now(), progress=progress or (lambda processed: None),
                  dry_run=dry_run)
    try:
        text, result.encoding = decode(data, encoding=encoding, marketplace=store.marketplace)
        table = read_table(text, module.COLUMNS)
    except FileError as error:
        result.errors = [error.problem]
        return result
    result.total_rows = len(table.rows)
    result.ignored_columns = table.ignored
    if dry_run:
        result.lines = [(row.line, dict(row.values)) for row in table.rows]
    ctx.headers = table.headers
    if on_rows is not None:
        on_rows(result.total_rows)
    with _one_import_per_store(store):
        parsed = module.parse(table, ctx)
        if not ctx.problems or dry_run:
            try:
                with transaction.atomic():
                    counts = module.apply(parsed, ctx)
                    if ctx.problems or dry_run:
                        raise _Rollback
                    if counts.created or counts.updated:
                        metrics_inputs_changed(store_id=store.pk)
            except _Rollback:
                pass
            if not ctx.problems:
                result.created, result.updated, result.skipped = counts.created, counts.updated, counts.skipped
    result.errors = sorted(ctx.problems, key=lambda p: (p["line"] or 0, p["column"]))
    result.warnings = ctx.warnings
    result.plan = ctx.plan
    return result


# --- Import jobs: an uploaded file, imported in the background ---


def import_check_role(*, user: AbstractBaseUser, store: Store) -> None:
    if not user_roles(user=user, store=store) & IMPORT_ROLES:
        raise ApplicationError(_("Only an operator or an admin of %(store)s can import files into it.")
                               % {"store": store.code})


@transaction.atomic
def import_job_create(*, store: Store, kind: str, upload: UploadedFile, actor: AbstractBaseUser,
                      encoding: str = "", preview: bool = False) -> ImportJob:
    """Store the uploaded file and queue its import once the job is committed.

    With ``preview`` the job waits in the Preview status until ``import_job_confirm`` queues it.
    """
    import_check_role(user=actor, store=store)
    if kind not in KINDS:
        raise ApplicationError(_("Unknown report kind %(kind)s.") % {"kind": kind})
    if encoding:
        encoding = normalize_encoding(encoding)
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ApplicationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024})
    job = ImportJob(store=store, kind=kind, encoding=encoding, created_by=actor,
                    file_name=(upload.name or "")[-255:],
                    status=ImportJob.Status.PREVIEW if preview else ImportJob.Status.QUEUED)
    job.file.save(upload.name or "report.txt", upload, save=False)
    job.save()
    if not preview:
        _enqueue_on_commit(job)
    return job


def _enqueue_on_commit(job: ImportJob) -> None:
    def enqueue() -> None:
        from sellerops.tasks import import_run_task

        # Redis away: the job stays queued with its file, and is queued again once Redis is back.
        task_enqueue_or_defer(task=import_run_task, store_id=job.store_id, object_id=job.pk)

    transaction.on_commit(enqueue)


def import_job_dry_run(*, job: ImportJob) -> ImportResult:
    """What importing ``job``'s file would do now; nothing is written."""
    with job.file.open("rb") as handle:
        data = handle.read()
    return import_file(store=job.store, kind=job.kind, data=data, encoding=job.encoding, actor=job.created_by,
                       dry_run=True)


@transaction.atomic
def import_job_confirm(*, job: ImportJob, actor: AbstractBaseUser) -> ImportJob:
    """Queue a previewed job, once, if a fresh dry run of its file still finds no error."""
    import_check_role(user=actor, store=job.store)
    job = ImportJob.objects.select_for_update(of=("self",)).select_related("store", "created_by").get(pk=job.pk)
    if job.status != ImportJob.Status.PREVIEW:
        raise ApplicationError(_("This file has already been confirmed."))
    try:
        result = import_job_dry_run(job=job)
    except OSError as error:
        logger.warning("import job %s could not be read: %s", job.pk, error)
        raise ApplicationError(_("The uploaded file could not be read.")) from error
    if result.errors:
        raise ApplicationError(_("The file has errors; correct them and upload it again."))
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status"])
    _enqueue_on_commit(job)
    return job


def _save_progress(job: ImportJob, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def import_job_give_up(*, job_id: int) -> None:
    """Fail a job whose import kept losing the database: it saved nothing (``import_file`` is one transaction)."""
    message = _("The database was unavailable while this file was imported; nothing from it was saved. "
                "Upload it again.")
    ImportJob.objects.filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(),
        errors=[Problem(line=None, column="", message=str(message))])


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run a queued job's import and record its outcome; a finished job is left as it is."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING)
    if claimed:
        deferred_task_done(task_name=IMPORT_RUN_TASK, object_id=job.pk)
    job.refresh_from_db()
    if not claimed and job.status != ImportJob.Status.RUNNING:
        return job
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        result = import_file(
            store=job.store, kind=job.kind, data=data, encoding=job.encoding, actor=job.created_by,
            on_rows=lambda total: _save_progress(job, total_rows=total, processed_rows=0),
            progress=lambda processed: _save_progress(job, processed_rows=processed),
        )
    except (OSError, ApplicationError) as error:
        message = error.message if isinstance(error, ApplicationError) else _("The uploaded file could not be read.")
        logger.warning("import job %s failed: %s", job.pk, error)
        _save_progress(job, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                       errors=[Problem(line=None, column="", message=message)])
        return job
    _save_progress(
        job, status=ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED, finished_at=timezone.now(),
        processed_rows=result.total_rows, total_rows=result.total_rows, created_count=result.created,
        updated_count=result.updated, skipped_count=result.skipped,
        errors=result.errors[:MAX_REPORTED_ERRORS], warnings=result.warnings[:MAX_REPORTED_ERRORS],
    )
    return job
