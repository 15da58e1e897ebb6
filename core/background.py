"""Background work when the broker is away: PostgreSQL keeps what could not be queued, and queues it again.

A write that must be followed by a task (a metrics recompute, an import) commits first and queues the task
after. When Redis refuses or does not answer, queuing raises; the write stands, the request answers as usual,
and a ``DeferredTask`` row says what is owed. ``deferred_tasks_requeue`` (every minute, from beat) queues the
rows again once the broker is back, and the task that runs clears its row. The pages tell the users of the
stores concerned that background work is paused, and since when.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import kombu.exceptions
import redis.exceptions
from celery import Task, current_app
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import DeferredTask

logger = logging.getLogger(__name__)

#: What the Redis cache client and Celery's publisher raise when Redis is down, unreachable or hung.
BROKER_ERRORS: tuple[type[BaseException], ...] = (kombu.exceptions.OperationalError, redis.exceptions.RedisError,
                                                   OSError)
#: The tasks that are owed this way, by name: a store's metrics recompute, an uploaded file's import.
METRICS_RECOMPUTE_TASK = "metrics.tasks.metrics_recompute_store_task"
IMPORT_RUN_TASK = "imports.tasks.import_run_task"
#: A row queued again is left alone this long before it is queued once more (its task may be in a backlog).
REQUEUE_AFTER = timedelta(minutes=10)


def deferred_task_mark(*, task_name: str, store_id: int, object_id: int) -> None:
    """Record that ``task_name(object_id)`` is owed; a row already there keeps its ``since`` and counts one more."""
    now = timezone.now()
    owed = DeferredTask.objects.filter(task=task_name, object_id=object_id)
    if owed.update(marks=F("marks") + 1, requeued_at=None):
        return
    try:
        with transaction.atomic():
            DeferredTask.objects.create(task=task_name, object_id=object_id, store_id=store_id, since=now)
    except IntegrityError:
        # Another process recorded it between the update and the insert: count this attempt on its row.
        owed.update(marks=F("marks") + 1, requeued_at=None)


def deferred_task_seen(*, task_name: str, object_id: int) -> int | None:
    """The failed attempts recorded for ``task_name(object_id)`` so far, or None: pass it to ``deferred_task_done``."""
    return DeferredTask.objects.filter(task=task_name, object_id=object_id).values_list("marks", flat=True).first()


def deferred_task_done(*, task_name: str, object_id: int, seen: int | None = None) -> None:
    """Clear what is owed once the task has run; with ``seen``, only if no attempt failed since it was read."""
    owed = DeferredTask.objects.filter(task=task_name, object_id=object_id)
    if seen is not None:
        owed = owed.filter(marks=seen)
    owed.delete()


def task_named(task_name: str) -> Task:
    """The registered Celery task called ``task_name``: how a lower layer queues a higher layer's task, by name
    (each app's ``AppConfig.ready`` imports its ``tasks`` module, so the web process knows them all)."""
    return current_app.tasks[task_name]


def task_enqueue_or_defer(*, task_name: str, store_id: int, object_id: int, countdown: int | None = None) -> bool:
    """Queue ``task_name(object_id)``; when the broker cannot take it, record it to be queued later. True if
    queued."""
    try:
        task_named(task_name).apply_async(args=[object_id], countdown=countdown)  # type: ignore[arg-type]  # list, None: fine for Celery, not its stubs
    except BROKER_ERRORS as error:
        task_defer(task_name=task_name, store_id=store_id, object_id=object_id, error=error)
        return False
    return True


def task_defer(*, task_name: str, store_id: int, object_id: int, error: BaseException) -> None:
    """Log and record a task the broker refused (see ``task_enqueue_or_defer``)."""
    logger.warning("Could not queue %s(%s) for store %s (%s: %s); recorded in the database, to be queued when "
                   "the broker is back", task_name, object_id, store_id, type(error).__name__, error)
    deferred_task_mark(task_name=task_name, store_id=store_id, object_id=object_id)


def deferred_tasks_requeue(*, now: datetime | None = None) -> int:
    """Queue again every owed task not queued in the last ``REQUEUE_AFTER``; return how many were queued.

    The rows stay until their task has run; a row whose task fails again to be queued stops the sweep (the
    broker is still away) and waits for the next one.
    """
    now = now or timezone.now()
    due = (DeferredTask.objects.filter(Q(requeued_at__isnull=True) | Q(requeued_at__lt=now - REQUEUE_AFTER))
           .order_by("since", "pk").values_list("pk", "task", "object_id", "marks"))
    queued = 0
    for pk, task_name, object_id, marks in due:
        task = current_app.tasks.get(task_name)
        if task is None:
            logger.error("Deferred task %s(%s) is not a known task; left in place.", task_name, object_id)
            continue
        try:
            task.apply_async(args=[object_id])  # type: ignore[arg-type]  # Celery takes a list; the stubs say tuple
        except BROKER_ERRORS as error:
            logger.warning("Broker still unreachable (%s: %s); %s(%s) stays deferred.", type(error).__name__,
                           error, task_name, object_id)
            break
        # A new failed attempt since the row was read leaves requeued_at empty, so the next sweep takes it.
        DeferredTask.objects.filter(pk=pk, marks=marks).update(requeued_at=now)
        queued += 1
    return queued
