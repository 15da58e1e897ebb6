"""Celery tasks of the report imports: run an uploaded file's import or preview, and the watchdog."""

from __future__ import annotations

import logging

from celery import shared_task

from core.database import DATABASE_ERRORS

from .models import ImportJob
from .services import import_job_give_up, import_job_process, import_jobs_watchdog

logger = logging.getLogger(__name__)
#: An import that loses the database is tried again this many times, 5 s, 10 s, 20 s… apart.
IMPORT_RETRIES = 5
IMPORT_RETRY_SECONDS = 5


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=IMPORT_RETRIES)
def import_run_task(self, job_id: int) -> str:
    """Do what one uploaded report waits for: its preview's dry run, or its import. A job already done (or
    previewed) is left alone, so a redelivery is harmless; any other failure fails the job with a message.

    Losing the database rolls the file back whole; the task then runs again (the running job is taken up
    where it stands, from the first row), and after ``IMPORT_RETRIES`` tries the job fails, saying why.
    """
    try:
        job = ImportJob.objects.select_related("store", "created_by").filter(pk=job_id).first()
        if job is None:
            return "missing"
        return import_job_process(job=job).status
    except DATABASE_ERRORS as error:
        if self.request.retries >= self.max_retries:
            logger.error("import job %s gave up after %s tries without the database: %s", job_id,
                         self.request.retries + 1, error)
            import_job_give_up(job_id=job_id)
            return ImportJob.Status.FAILED
        raise self.retry(exc=error, countdown=IMPORT_RETRY_SECONDS * 2 ** self.request.retries) from error


@shared_task(ignore_result=True)
def import_jobs_watchdog_task() -> int:
    """Fail the imports whose worker was lost (see ``imports.services``); every minute, from beat."""
    return import_jobs_watchdog()
