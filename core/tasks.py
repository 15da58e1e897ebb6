"""Celery tasks of the core: a diagnostic ping, and the outbox's sweep of tasks the broker refused."""

from __future__ import annotations

import os
from typing import TypedDict

from celery import shared_task
from django.db import connection

from .background import deferred_tasks_requeue
from .models import Store


class PingResult(TypedDict):
    pong: str
    pid: int
    database: str
    store_name: str | None


@shared_task(acks_late=True)
def ping(token: str = "pong", store_id: int | None = None, store_name: str | None = None) -> PingResult:
    """Echo a token; given a store id and a name, rename that store so the round trip shows in the DB."""
    name: str | None = None
    if store_id is not None:
        if store_name:
            Store.objects.filter(pk=store_id).update(name=store_name)
        name = Store.objects.filter(pk=store_id).values_list("name", flat=True).first()
    return {
        "pong": token,
        "pid": os.getpid(),
        "database": str(connection.settings_dict["NAME"]),
        "store_name": name,
    }


@shared_task(ignore_result=True)
def deferred_tasks_requeue_task() -> int:
    """Queue again the tasks the broker refused while it was away (``core.background``)."""
    return deferred_tasks_requeue()
