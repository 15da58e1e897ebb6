"""Fixtures for the cross-app tests: a real Celery worker process fed through Redis."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection

from sellerops.celery import app as celery_app

WORKER_START_TIMEOUT = 60.0
WORKER_STOP_TIMEOUT = 20.0


def dedicated_redis_url(redis_url: str, worker_id: str) -> str:
    """Point REDIS_URL at a database of its own per xdist worker (15, 14, …) so flushing it harms nobody."""
    index = int(worker_id[2:]) if worker_id.startswith("gw") and worker_id[2:].isdigit() else 0
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{15 - index % 8}", parts.query, parts.fragment))


def database_url_for(settings_dict: dict[str, Any]) -> str:
    """Build a DATABASE_URL that reaches the database the tests run on (the test database, once created)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def _reset_celery_connections() -> None:
    """Forget the broker pools and result backend built from the previous configuration."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@dataclass
class LiveWorker:
    process: subprocess.Popen[bytes]
    log_path: Path
    redis: redis.Redis
    redis_url: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def wait(self, result: AsyncResult, timeout: float = WORKER_START_TIMEOUT) -> Any:
        """Wait for a result from the worker; fail early, with the worker's log, if it died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Celery worker exited with {self.process.returncode}:\n{self.log()}")
            if result.ready():
                # The result is ready: get() does not block. (Another test in this process may have run
                # task code in-process, which leaves Celery's "inside a task" guard set.)
                return result.get(timeout=5, disable_sync_subtasks=False)
            time.sleep(0.2)
        pytest.fail(f"No result from the Celery worker within {timeout:.0f} s:\n{self.log()}")

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = WORKER_START_TIMEOUT) -> None:
        """Poll ``condition`` until it holds; fail early, with the worker's log, if the worker died."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"Celery worker exited with {self.process.returncode} before {what}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"Not within {timeout:.0f} s: {what}. Worker log:\n{self.log()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the worker's whole process group, as a crash or the OOM killer would, and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WORKER_STOP_TIMEOUT)

    def stop(self) -> None:
        _stop(self.process)


def _die_with_parent() -> None:
    """In the child: receive SIGTERM if the test process dies without its finalizers (Linux only)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=WORKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=WORKER_STOP_TIMEOUT)


def start_celery_worker(*, redis_url: str, log_path: Path, hostname: str,
                        env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `celery -A sellerops worker` (one process, in a process group of its own) on ``redis_url`` and the
    test database. Stop it with ``_stop`` or ``LiveWorker.stop``/``kill``."""
    # The worker sees only what this test commits, so keep its connections short-lived.
    worker_env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "sellerops",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname={hostname}",
            ],
            cwd=settings.BASE_DIR,
            env=worker_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


@contextlib.contextmanager
def celery_sends_to(redis_url: str) -> Iterator[None]:
    """Send this process's tasks to ``redis_url`` (broker and results) instead of running them eagerly."""
    overrides = {"task_always_eager": False, "broker_url": redis_url, "result_backend": redis_url}
    saved = {key: celery_app.conf[key] for key in overrides}
    try:
        celery_app.conf.update(overrides)
        _reset_celery_connections()
        yield
    finally:
        celery_app.conf.update(saved)
        _reset_celery_connections()


@pytest.fixture
def live_celery_worker(transactional_db, tmp_path: Path, worker_id: str) -> Iterator[LiveWorker]:
    """Run `celery -A sellerops worker` as a child process on Redis and the test database; eager mode off."""
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: a real Celery worker needs Redis as its broker.")
    if connection.vendor != "postgresql":
        pytest.skip(
            "A worker process cannot see the test database on SQLite (it lives in this process's memory); "
            "set DATABASE_URL to a PostgreSQL database."
        )
    url = dedicated_redis_url(redis_url, worker_id)
    client = redis.Redis.from_url(url, socket_timeout=10)
    client.flushdb()
    log_path = tmp_path / "celery-worker.log"
    process = start_celery_worker(redis_url=url, log_path=log_path, hostname=f"test-{worker_id}@%h")
    try:
        with celery_sends_to(url):
            yield LiveWorker(process=process, log_path=log_path, redis=client, redis_url=url)
    finally:
        _stop(process)
        client.flushdb()
        client.close()
