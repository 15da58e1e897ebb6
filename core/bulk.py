"""Inserting many rows of a model quickly: ids reserved up front, then ``COPY`` (PostgreSQL) or ``executemany``.

``bulk_create`` builds a model instance per row and prepares every value through its field, which at
100,000 report lines costs more than the database work. Rows here are plain dicts keyed by ``attname``;
missing columns get the field's default, and values pass through Django's own adapters where the column
type needs one, so the stored rows are those ``bulk_create`` would store. Ids come from the table's own
sequence (PostgreSQL) or past its highest id inside the write-locked transaction (SQLite), so concurrent
writers never collide with them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any, cast

from django.db import connection, models
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.utils import timezone

BATCH = 5000
_NULL = "\\N"


def _column(field: models.Field[Any, Any]) -> str:
    """``field``'s column: every concrete field has one (``Field.column`` is ``None`` only for the others)."""
    assert field.column is not None
    return field.column


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``'s table, taken so that no other writer can take them too."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = _column(model._meta.pk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), column, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the database's write lock (transaction_mode IMMEDIATE), so the
        # highest id, or the AUTOINCREMENT counter if it is further on, cannot move under us.
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) "
                       f"FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


class _Columns:
    def __init__(self, model: type[models.Model]) -> None:
        now = timezone.now()
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.defaults: dict[str, Any] = {}
        self.factories: dict[str, Callable[[], Any]] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default() and callable(f.default):
                self.factories[f.attname] = f.default
            elif not f.primary_key:
                self.defaults[f.attname] = f.get_default()
        self.json = {i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"}

    def values(self, row: dict[str, Any]) -> list[Any]:
        out = []
        for name in self.names:
            if name in row:
                out.append(row[name])
            elif name in self.factories:
                out.append(self.factories[name]())
            else:
                out.append(self.defaults[name])
        return out


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with its ``id``) into ``model``'s table."""
    if not rows:
        return
    columns = _Columns(model)
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(_column(f)) for f in columns.fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = [columns.values(row) for row in rows[start:start + BATCH]]
            if connection.vendor == "postgresql":
                _copy(cursor, table, names, columns, chunk)
            else:
                prepared = [[f.get_db_prep_save(v, connection) for f, v in zip(columns.fields, values, strict=True)]
                            for values in chunk]
                marks = ", ".join(["%s"] * len(columns.fields))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)


def _copy(cursor, table: str, names: str, columns: _Columns, chunk: list[list[Any]]) -> None:
    """PostgreSQL: stream the rows through ``COPY … FROM STDIN`` as CSV."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    for values in chunk:
        for index, value in enumerate(values):
            if value is None:
                values[index] = _NULL
            elif index in columns.json:
                values[index] = json.dumps(value)
        out.writerow(values)
    sql = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '{_NULL}')"
    buffer.seek(0)
    if is_psycopg3:
        with cursor.cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
    else:
        cursor.cursor.copy_expert(sql, buffer)


def update_rows(model: type[models.Model], rows: list[dict[str, Any]], fields: list[str]) -> None:
    """Set ``fields`` of many rows of ``model`` at once, each row a dict with its ``id`` and those fields.

    PostgreSQL joins the table to a ``VALUES`` list, one statement a batch (Django's ``bulk_update`` builds a
    ``CASE`` per field that PostgreSQL evaluates for every row: quadratic in the batch). SQLite runs one
    prepared ``UPDATE`` per row, which it does quickly.
    """
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    # ``fields`` name concrete fields (a reverse relation has nothing to set).
    columns = cast("list[models.Field[Any, Any]]", [model._meta.get_field(name) for name in fields])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            values = [[pk.get_db_prep_save(row["id"], connection)]
                      + [f.get_db_prep_save(row[f.name], connection) for f in columns] for row in chunk]
            if connection.vendor == "postgresql":
                casts = ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *columns])
                assignments = ", ".join(f"{ops.quote_name(_column(f))} = v.{ops.quote_name(_column(f))}"
                                        for f in columns)
                names = ", ".join(ops.quote_name(_column(f)) for f in [pk, *columns])
                sql = (f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([f'({casts})'] * len(chunk))}) "
                       f"AS v({names}) WHERE {table}.{ops.quote_name(_column(pk))} = v.{ops.quote_name(_column(pk))}")
                cursor.execute(sql, [value for row in values for value in row])
            else:
                assignments = ", ".join(f"{ops.quote_name(_column(f))} = %s" for f in columns)
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {ops.quote_name(_column(pk))} = %s",
                                   [[*row[1:], row[0]] for row in values])
