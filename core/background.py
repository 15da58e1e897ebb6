"""Background work when the broker is away: PostgreSQL keeps what could not be queued, and queues it again.

A write that must be followed by a task (a metrics recompute, an import) commits first and queues the task
after. When Redis refuses or does not answer, queuing raises; the write stands, the request answers as usual,
and a ``DeferredTask`` row says what is owed. ``deferred_tasks_requeue`` (every minute, from beat) queues the
rows again once the broker is back, and the task that runs clears its row. The pages tell the users of the
stores concerned that background work is paused, and since when.

Without a broker (the embedded defaults) Celery runs tasks eagerly, in the process that queues them. A long one
(``AFTER_RESPONSE_TASKS``: an uploaded file's import) queued by a web request then runs after the response has
been sent, in this process's own worker thread, one task at a time, so that the page the request leads to can
show its progress. A process that accepts such a task says so (``background_runner_id``, ``background_holds``),
so that a page can tell a task still running from one whose process was stopped (``background_runner_lost``).
Outside a request (a management command, beat, a test's captured on-commit callbacks) it runs where it is queued.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
from collections.abc import Callable
from contextvars import ContextVar, Token
from datetime import datetime, timedelta

import kombu.exceptions
import redis.exceptions
from celery import Task, current_app
from django.db import IntegrityError, connection, transaction
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
#: The tasks a web request hands to the process's worker thread when there is no broker (see the module's text).
AFTER_RESPONSE_TASKS = frozenset({IMPORT_RUN_TASK})


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
    if task_name in AFTER_RESPONSE_TASKS and countdown is None and current_app.conf.task_always_eager:
        background_run(task_name=task_name, object_id=object_id)
        return True
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


# --- Without a broker: long tasks after the response, in this process's worker thread ---

Work = tuple[str, int]
_after_response: ContextVar[list[Work] | None] = ContextVar("after_response", default=None)


class _LocalWorker:
    """One thread that runs the tasks handed to it, one after another (as a Celery worker of concurrency 1), each
    with a database connection the thread closes after it; started on first use, a daemon."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Work] = queue.Queue()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self.held: dict[Work, int] = {}

    def hold(self, work: Work) -> None:
        with self._lock:
            self.held[work] = self.held.get(work, 0) + 1

    def release(self, work: Work) -> None:
        with self._lock:
            left = self.held.get(work, 0) - 1
            if left > 0:
                self.held[work] = left
            else:
                self.held.pop(work, None)
            if not self.held:
                self._idle.notify_all()

    def submit(self, work: Work) -> None:
        """Run ``work``, already held, in the thread."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sellerops-background", daemon=True)
                self._thread.start()
        self._queue.put(work)

    def wait(self, timeout: float) -> bool:
        """Wait until nothing is held (every task handed over has finished); False if ``timeout`` passed first."""
        with self._lock:
            return self._idle.wait_for(lambda: not self.held, timeout=timeout)

    def _run(self) -> None:
        while True:
            work = self._queue.get()
            try:
                _run_now(*work)
            finally:
                connection.close()  # this thread's own
                self.release(work)


_worker = _LocalWorker()


def _run_now(task_name: str, object_id: int) -> None:
    try:
        task_named(task_name).apply(args=[object_id], throw=True)  # type: ignore[arg-type]  # a list: fine for Celery
    except Exception:
        # The task records its own failures (an import fails its job); this is a bug's last stop, logged whole.
        logger.exception("%s(%s) stopped on an unexpected error", task_name, object_id)


def background_run(*, task_name: str, object_id: int) -> None:
    """Run ``task_name(object_id)`` in this process: after the response when a web request queued it (and its
    transaction has committed), else here and now."""
    work = (task_name, object_id)
    pending = _after_response.get()
    _worker.hold(work)
    if pending is not None and not connection.in_atomic_block:
        pending.append(work)
        return
    try:
        task_named(task_name).apply(args=[object_id], throw=True)  # type: ignore[arg-type]  # a list: fine for Celery
    finally:
        _worker.release(work)


def background_collect() -> Token:
    """Start a web request: the long tasks it queues are kept for ``background_after_response``."""
    return _after_response.set([])


def background_after_response(token: Token) -> Callable[[], None] | None:
    """End a request started by ``background_collect``: what to call once its response has been sent (or None)."""
    pending = _after_response.get() or []
    _after_response.reset(token)
    if not pending:
        return None

    def start() -> None:
        for work in pending:
            _worker.submit(work)

    return start


def background_wait(timeout: float = 60) -> bool:
    """Wait for the tasks this process runs after responses; False if some still run after ``timeout`` s."""
    return _worker.wait(timeout)


def background_runner_id() -> str:
    """This process, as ``host:pid``: who holds a task it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def background_holds(*, task_name: str, object_id: int) -> bool:
    """Whether this process has accepted ``task_name(object_id)`` and not finished it."""
    return (task_name, object_id) in _worker.held


def background_runner_lost(*, runner: str, task_name: str, object_id: int) -> bool:
    """Whether the process ``runner`` (a ``background_runner_id``) that held ``task_name(object_id)`` is known to be
    gone: it was this host's, and it no longer exists, or it is this very process and no longer holds the task
    (the process was restarted under the same pid). Another host's process cannot be seen from here: False."""
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return not background_holds(task_name=task_name, object_id=object_id)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
