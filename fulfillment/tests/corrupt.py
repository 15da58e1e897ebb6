"""Writing order facts behind the triggers' back, as a restore with triggers disabled or a rebuilt table would."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

migration_0005 = importlib.import_module("fulfillment.migrations.0005_order_copies_and_triggers")


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@contextmanager
def triggers_off() -> Iterator[None]:
    """Within the block the triggers do not fire.

    PostgreSQL: as a replica (what ``pg_restore --disable-triggers`` and logical replication do); SQLite: dropped
    and installed again.
    """
    if connection.vendor == "postgresql":
        raw("SET LOCAL session_replication_role = replica")
        yield
        raw("SET LOCAL session_replication_role = DEFAULT")
    else:
        for sql in migration_0005.SQLITE_REVERSE:
            raw(sql)
        yield
        for sql in migration_0005.SQLITE:
            raw(sql)
