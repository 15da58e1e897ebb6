"""Import jobs: an uploaded file, previewed or imported by a worker, and watched until it finishes.

A job is never left "Running" without a live worker. The worker that claims a job leases it (``alive_until``)
and renews the lease while it works; a job whose lease has run out is failed by the watchdog, which beat runs
every minute and the import pages run too when they show a job. A job also names the process that holds it
(``runner``): a page that finds that process gone (a web process restarted while its own thread imported a file,
the embedded defaults' way) fails the job at once, without waiting for the lease. The import is one transaction
that also marks the job done, so a job the watchdog failed cannot also have been imported: nothing of it was
written.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import (
    IMPORT_RUN_TASK,
    background_holds,
    background_runner_id,
    background_runner_lost,
    deferred_task_done,
    task_enqueue_or_defer,
)
from core.database import DATABASE_ERRORS
from core.errors import ApplicationError
from core.models import Store
from core.permissions import user_can
from imports.models import ImportJob, ImportPreviewLine

from .base import ImportResult
from .detect import detect_kind, seller_central_name
from .engine import KINDS, import_file
from .parsers import Problem, head_lines, normalize_encoding
from .preview import preview_save
from .progress import progress_apply, progress_forget, progress_record

__all__ = ["KINDS", "import_file"]  # import_file is looked up here at call time, so tests may replace it
logger = logging.getLogger(__name__)

#: Uploads larger than this are refused (a year of All Orders lines for a busy store fits easily).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: How many stored errors a run keeps; the count says how many there were in all.
MAX_REPORTED_ERRORS = 500
#: The code of the problem the watchdog records; the pages say it in their own words.
WORKER_LOST = "worker_lost"
_WATCHED = (ImportJob.Status.RUNNING, ImportJob.Status.PREVIEW)
#: The jobs some process may hold: queued or running, or previewed and waiting for their dry run.
_held = Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]) | Q(status=ImportJob.Status.PREVIEW,
                                                                               preview__isnull=True)


# --- Creating, confirming ---


def import_check_role(*, user: User, store: Store, permission: str) -> None:
    """Refuse unless ``user``'s role in ``store`` allows ``permission`` (``import.upload`` or ``import.confirm``)."""
    if not user_can(user=user, store=store, permission=permission):
        raise ApplicationError(_("Only an operator or an admin of %(store)s can import files into it.")
                               % {"store": store.code})


def import_kind_choices() -> list[tuple[str, str]]:
    """Every report kind with the name Seller Central shows it under, in ``KINDS``' order."""
    return [(kind, seller_central_name(kind, KINDS)) for kind in KINDS]


def import_kind_detect(*, data: IO[bytes], store: Store, encoding: str = "") -> str:
    """The kind of report ``data`` is, from its header; ``ReportNotRecognised`` says why when it cannot tell."""
    return detect_kind(head_lines(data, encoding=encoding, marketplace=store.marketplace), KINDS)


@transaction.atomic
def import_job_create(*, store: Store, kind: str, upload: UploadedFile, actor: User,
                      encoding: str = "", preview: bool = False) -> ImportJob:
    """Store the uploaded file and queue its import (or, with ``preview``, its dry run) once committed.

    An empty ``kind`` is detected from the file's header. A previewed job waits in the Preview status, its dry
    run done by a worker, until ``import_job_confirm`` queues it.
    """
    import_check_role(user=actor, store=store, permission="import.upload")
    if kind and kind not in KINDS:
        raise ApplicationError(_("Unknown report kind %(kind)s.") % {"kind": kind})
    if encoding:
        encoding = normalize_encoding(encoding)
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ApplicationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024})
    if not kind:
        kind = import_kind_detect(data=upload, store=store, encoding=encoding)
    job = ImportJob(store=store, kind=kind, encoding=encoding, created_by=actor,
                    file_name=(upload.name or "")[-255:],
                    status=ImportJob.Status.PREVIEW if preview else ImportJob.Status.QUEUED)
    job.file.save(upload.name or "report.txt", upload, save=False)
    job.save()
    _enqueue_on_commit(job)
    return job


def import_kind_of_report_type(report_type: str) -> str:
    """The kind that reads the Reports API's ``report_type`` (``GET_MERCHANT_LISTINGS_ALL_DATA``…)."""
    for kind, module in KINDS.items():
        if report_type in getattr(module, "REPORT_TYPES", (getattr(module, "REPORT_TYPE", None),)):
            return kind
    raise ApplicationError(_("No report kind reads %(type)s.") % {"type": report_type})


@transaction.atomic
def import_job_create_fetched(*, store: Store, report_type: str, data: bytes, file_name: str) -> ImportJob:
    """Keep a report document fetched from Amazon as a job and queue its import once committed: the same path
    as an uploaded file (the same checks, all or nothing, shown among the store's imports)."""
    kind = import_kind_of_report_type(report_type)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApplicationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024})
    job = ImportJob(store=store, kind=kind, created_by=None, file_name=file_name[-255:],
                    status=ImportJob.Status.QUEUED)
    job.file.save(file_name, ContentFile(data), save=False)
    job.save()
    _enqueue_on_commit(job)
    return job


def _enqueue_on_commit(job: ImportJob) -> None:
    def enqueue() -> None:
        # Redis away: the job stays queued with its file, and is queued again once Redis is back.
        task_enqueue_or_defer(task_name=IMPORT_RUN_TASK, store_id=job.store_id, object_id=job.pk)
        if background_holds(task_name=IMPORT_RUN_TASK, object_id=job.pk):
            # This process runs it once the response is sent: until then, the job is this process's.
            ImportJob.objects.filter(_held, pk=job.pk, runner="").update(runner=background_runner_id())

    transaction.on_commit(enqueue)


@transaction.atomic
def import_job_confirm(*, job: ImportJob, actor: User) -> ImportJob:
    """Queue a previewed job, once, if the worker's dry run of its file found no error.

    The import itself checks every line again and writes nothing if an order changed since the preview.
    """
    import_check_role(user=actor, store=job.store, permission="import.confirm")
    job = ImportJob.objects.select_for_update(of=("self",)).select_related("store", "created_by").get(pk=job.pk)
    if job.status != ImportJob.Status.PREVIEW:
        raise ApplicationError(_("This file has already been confirmed."))
    if job.preview is None:
        raise ApplicationError(_("The preview is still being prepared; confirm once it is shown."))
    if job.preview.get("error_count"):
        raise ApplicationError(_("The file has errors; correct them and upload it again."))
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status"])
    _enqueue_on_commit(job)
    return job


# --- Running: the worker's side ---


def _lease() -> datetime:
    """Until when a worker that has just shown a sign of life is taken to be alive.

    On PostgreSQL the pulse renews it every few seconds. SQLite lets only one connection write at a time, so
    nothing can renew it while the file's transaction is open: there it covers the longest a task may run.
    """
    seconds = settings.IMPORT_STALE_AFTER_SECONDS if connection.vendor == "postgresql" \
        else settings.CELERY_TASK_TIME_LIMIT
    return timezone.now() + timedelta(seconds=seconds)


class _Pulse:
    """A running job's signs of life and progress, written where the pages see them although the file's own
    transaction is still open.

    On PostgreSQL a thread with a connection of its own renews the lease and writes the progress every
    ``IMPORT_HEARTBEAT_SECONDS`` while the run lasts (a thread, so a long database statement or a wait for
    the store's import lock is no silence). When the worker dies (killed, out of memory, the host gone) the
    thread dies with it, the lease runs out and the watchdog fails the job. On SQLite progress is written only
    between transactions, and the lease set at the claim covers the run.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.threaded = connection.vendor == "postgresql"
        self.fields: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._written = 0.0

    def set(self, **fields: int) -> None:
        with self._lock:
            self.fields.update(fields)
            kept = dict(self.fields)
        progress_record(job_id=self.job_id, total_rows=kept.get("total_rows", 0),
                        processed_rows=kept.get("processed_rows", 0))
        if not self.threaded and not connection.in_atomic_block and time.monotonic() - self._written >= 1:
            self._written = time.monotonic()
            self._write()

    def __enter__(self) -> _Pulse:
        if self.threaded:
            self._thread = threading.Thread(target=self._run, name=f"import-pulse-{self.job_id}", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.IMPORT_HEARTBEAT_SECONDS):
                self._write(renew=True)
        finally:
            connection.close()  # this thread's own connection

    def _write(self, *, renew: bool = False) -> None:
        with self._lock:
            fields: dict = dict(self.fields)
        if renew:
            fields["alive_until"] = _lease()
        try:
            # Only while the run holds the job: once it finished (alive_until cleared) a late beat changes nothing.
            ImportJob.objects.filter(pk=self.job_id, status__in=_WATCHED, alive_until__isnull=False).update(**fields)
        except DatabaseError as error:
            logger.warning("import job %s: progress not recorded (%s); trying again", self.job_id, error)


class _JobLost(Exception):
    """The watchdog failed the job while the run went on: the run's writes are rolled back."""


def import_job_process(*, job: ImportJob) -> ImportJob:
    """Do what the job waits for: the dry run of a previewed file, or the import of a queued one."""
    if job.status == ImportJob.Status.PREVIEW:
        return import_job_preview(job=job)
    return import_job_run(job=job)


def _fail(job: ImportJob, message: str, **fields) -> None:
    fields.setdefault("errors", [Problem(line=None, column="", message=message)])
    ImportJob.objects.filter(pk=job.pk, status__in=_WATCHED).exclude(
        status=ImportJob.Status.PREVIEW, preview__isnull=False).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(), alive_until=None, runner="", **fields)


def _run_guarded(job: ImportJob, run) -> ImportResult | None:
    """Run ``run(pulse)`` (an import or a dry run); any failure fails the job with a message and returns None.

    Losing the database is raised to the task, which tries again; anything else is the job's end: the file's
    transaction has rolled back, so the message can say that nothing was imported.
    """
    try:
        with _Pulse(job.pk) as pulse:
            return run(pulse)
    except _JobLost:
        logger.warning("import job %s was failed by the watchdog while its worker still ran; rolled back", job.pk)
    except DATABASE_ERRORS:
        raise
    except OSError as error:
        logger.warning("import job %s: the file could not be read: %s", job.pk, error)
        _fail(job, _("The uploaded file could not be read."))
    except ApplicationError as error:
        logger.warning("import job %s failed: %s", job.pk, error.message)
        _fail(job, error.message)
    except SoftTimeLimitExceeded:
        logger.warning("import job %s ran past the task's time limit; stopped and rolled back", job.pk)
        _fail(job, _("The import took longer than %(minutes)d minutes and was stopped; nothing was imported. "
                     "Split the file and upload the parts.")
              % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60})
    except Exception:
        # A bug or a value the checks let through: say so, keep the details in the log, never leave it running.
        logger.exception("import job %s stopped on an unexpected error; nothing of it was written", job.pk)
        _fail(job, _("The import stopped on an unexpected error; nothing was imported. The error has been "
                     "recorded for the site's administrators."))
    return None


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run a queued job's import and record its outcome; a finished job is left as it is."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, alive_until=_lease(), total_rows=0, processed_rows=0,
        runner=background_runner_id())
    if claimed:
        deferred_task_done(task_name=IMPORT_RUN_TASK, object_id=job.pk)
    else:
        # Taken up again where it stands (the task is tried again after losing the database).
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            alive_until=_lease(), runner=background_runner_id())
    job.refresh_from_db()
    if job.status != ImportJob.Status.RUNNING:
        return job

    def mark_done(result: ImportResult) -> None:
        # Inside the file's transaction: the rows and the job's Done commit together, or neither does.
        done = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.DONE, finished_at=timezone.now(), alive_until=None, runner="",
            processed_rows=result.total_rows, total_rows=result.total_rows, created_count=result.created,
            updated_count=result.updated, skipped_count=result.skipped, errors=[], touched=result.touched,
            warnings=result.warnings[:MAX_REPORTED_ERRORS])
        if not done:
            raise _JobLost

    def run(pulse: _Pulse) -> ImportResult:
        with job.file.open("rb") as handle:
            return import_file(
                store=job.store, kind=job.kind, data=handle, encoding=job.encoding, actor=job.created_by,
                on_rows=lambda total: pulse.set(total_rows=total, processed_rows=0),
                progress=lambda processed: pulse.set(processed_rows=processed), before_commit=mark_done)

    result = _run_guarded(job, run)
    if result is not None and not result.ok:
        _fail(job, "", processed_rows=result.total_rows, total_rows=result.total_rows, created_count=0,
              updated_count=0, skipped_count=0, errors=result.errors[:MAX_REPORTED_ERRORS],
              warnings=result.warnings[:MAX_REPORTED_ERRORS])
    if job.preview is not None:
        # A confirmed preview's lines are not shown again (its page now leads to the import); its summary stays.
        ImportPreviewLine.objects.filter(job=job).delete()
    progress_forget(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_preview(*, job: ImportJob) -> ImportJob:
    """Dry-run a previewed job's file and store what each line will do; nothing of the file is written."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW, preview__isnull=True).update(
        alive_until=_lease(), total_rows=0, processed_rows=0, runner=background_runner_id())
    job.refresh_from_db()
    if not claimed:
        return job
    deferred_task_done(task_name=IMPORT_RUN_TASK, object_id=job.pk)

    def store(lines, result: ImportResult, file_errors: list[Problem]) -> None:
        with transaction.atomic():
            held = ImportJob.objects.select_for_update().filter(
                pk=job.pk, status=ImportJob.Status.PREVIEW, preview__isnull=True).exists()
            if not held:
                raise _JobLost
            summary = preview_save(job=job, lines=lines, result=result, file_errors=file_errors)
            ImportJob.objects.filter(pk=job.pk).update(preview=summary, alive_until=None, runner="",
                                                       total_rows=result.total_rows,
                                                       processed_rows=result.total_rows)

    def run(pulse: _Pulse) -> ImportResult:
        with job.file.open("rb") as handle:
            return import_file(
                store=job.store, kind=job.kind, data=handle, encoding=job.encoding, actor=job.created_by,
                dry_run=True, preview=store, on_rows=lambda total: pulse.set(total_rows=total, processed_rows=0),
                progress=lambda processed: pulse.set(processed_rows=processed))

    _run_guarded(job, run)
    progress_forget(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_give_up(*, job_id: int) -> None:
    """Fail a job whose import kept losing the database: it saved nothing (``import_file`` is one transaction)."""
    message = _("The database was unavailable while this file was imported; nothing from it was saved. "
                "Upload it again.")
    ImportJob.objects.filter(Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
                             | Q(status=ImportJob.Status.PREVIEW, preview__isnull=True), pk=job_id).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(), alive_until=None, runner="",
        errors=[Problem(line=None, column="", message=str(message))])


# --- The watchdog ---


def import_job_is_stalled(job: ImportJob, *, now: datetime | None = None) -> bool:
    """Whether ``job`` is held by a worker whose lease has run out (read from the row already loaded)."""
    return job.status in _WATCHED and job.alive_until is not None and job.alive_until < (now or timezone.now())


def import_jobs_watchdog(*, now: datetime | None = None, job_ids: Iterable[int] | None = None) -> int:
    """Fail every job whose worker stopped renewing its lease; return how many.

    Its import wrote nothing (the file and the job's Done are one transaction), so the job says so. The update
    checks the lease again, so a worker that renewed it meanwhile keeps its job.
    """
    now = now or timezone.now()
    stalled = ImportJob.objects.filter(status__in=_WATCHED, alive_until__lt=now)
    if job_ids is not None:
        stalled = stalled.filter(pk__in=list(job_ids))
    ids = list(stalled.values_list("pk", flat=True))
    if not ids:
        return 0
    failed = stalled.filter(pk__in=ids).update(status=ImportJob.Status.FAILED, finished_at=now, alive_until=None,
                                               runner="", errors=[_worker_lost()])
    if failed:
        logger.warning("import jobs %s lost their worker (no sign of life since their lease ran out); failed", ids)
    return failed


def _worker_lost() -> Problem:
    return Problem(line=None, column="", code=WORKER_LOST,
                   message=_("The import stopped without finishing (the worker was lost); nothing was imported. "
                             "Upload the file again."))


def import_job_runner_lost(job: ImportJob) -> bool:
    """Whether the process that holds ``job`` is known to be gone (read from the row already loaded)."""
    held = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING) or (
        job.status == ImportJob.Status.PREVIEW and job.preview is None)
    return held and bool(job.runner) and background_runner_lost(runner=job.runner, task_name=IMPORT_RUN_TASK,
                                                                 object_id=job.pk)


def _fail_lost_runner(job: ImportJob) -> int:
    failed = ImportJob.objects.filter(_held, pk=job.pk, runner=job.runner).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(), alive_until=None, runner="",
        errors=[_worker_lost()])
    if failed:
        logger.warning("import job %s: its process %s is gone; failed", job.pk, job.runner)
    return failed


def import_jobs_check(jobs: list[ImportJob]) -> list[ImportJob]:
    """``jobs`` as a page should show them: failed where their worker has been lost (no query when none has),
    and the running ones with their latest progress."""
    for job in jobs:
        if not (import_job_is_stalled(job) or import_job_runner_lost(job)):
            continue
        try:
            if import_job_runner_lost(job):
                _fail_lost_runner(job)
            else:
                import_jobs_watchdog(job_ids=[job.pk])
        except DatabaseError as error:  # SQLite busy with the running import: the next look will do
            logger.warning("import job %s: watchdog not run: %s", job.pk, error)
        job.refresh_from_db()
    return [progress_apply(job) for job in jobs]


def import_job_check(job: ImportJob) -> ImportJob:
    """``job`` as a page should show it (see ``import_jobs_check``)."""
    return import_jobs_check([job])[0]
