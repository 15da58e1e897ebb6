"""A running job's progress as the pages read it, kept in the cache as well as on the job's row.

The row cannot always take it while the file's transaction is open: SQLite lets one connection write at a time,
so the import, holding that lock, is the only one that could, and its writes show only at its commit. The cache
(the process's local memory without Redis, where the import runs in the web process's own thread; Redis with
it, shared with the workers) takes every report at once; the pages show whichever of the two is further along.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

from core.background import BROKER_ERRORS
from imports.models import ImportJob

logger = logging.getLogger(__name__)
_WATCHED = (ImportJob.Status.RUNNING, ImportJob.Status.PREVIEW)


def _key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


def progress_record(*, job_id: int, total_rows: int, processed_rows: int) -> None:
    """Keep how far job ``job_id`` has got: ``total_rows`` 0 while its rows are still being read and counted."""
    try:
        cache.set(_key(job_id), (total_rows, processed_rows), timeout=settings.IMPORT_STALE_AFTER_SECONDS * 10)
    except BROKER_ERRORS as error:  # the row still gets it between transactions
        logger.warning("import job %s: progress not kept in the cache (%s)", job_id, error)


def progress_forget(*, job_id: int) -> None:
    try:
        cache.delete(_key(job_id))
    except BROKER_ERRORS as error:
        logger.warning("import job %s: progress not removed from the cache (%s)", job_id, error)


def progress_apply(job: ImportJob) -> ImportJob:
    """``job`` with the cache's progress when it is further along than the row's, while the job runs."""
    if job.status not in _WATCHED or job.alive_until is None:
        return job
    try:
        kept = cache.get(_key(job.pk))
    except BROKER_ERRORS:
        return job
    if not kept:
        return job
    total, processed = kept
    # Counting rows comes before writing them: a known total is further along than none.
    if (total, processed) > (job.total_rows, job.processed_rows) and (not job.total_rows or total == job.total_rows):
        job.total_rows, job.processed_rows = total, processed
    return job
