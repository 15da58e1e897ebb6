"""Rows built in memory with their primary keys given up front, and inserted table by table in batches.

A row is a plain namespace holding every column (defaults filled in), not a model instance: at 100,000
orders the per-value work of ``bulk_create`` would cost more than generating the data. Values still go
through Django's own adapters for the column types that need one (date-times, JSON), so the rows stored
are the ones ``bulk_create`` would store.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.db.models import Max

from fulfillment.models import (
    CarrierEvent,
    FbaAccountSnapshot,
    FbaInventorySnapshot,
    InboundShipment,
    InboundShipmentItem,
    Shipment,
    ShipmentItem,
)
from listings.models import Listing, StockMovement
from orders.models import Order, OrderEvent, OrderItem
from returns.models import Refund, ReturnRequest
from support.models import Claim, Feedback, Message, MessageThread

#: Parents before children, so every foreign key points at a row already written.
WRITE_ORDER: tuple[type[models.Model], ...] = (
    Listing,
    InboundShipment,
    InboundShipmentItem,
    Order,
    OrderItem,
    Shipment,
    ShipmentItem,
    CarrierEvent,
    OrderEvent,
    StockMovement,
    ReturnRequest,
    Refund,
    Feedback,
    Claim,
    MessageThread,
    Message,
    FbaInventorySnapshot,
    FbaAccountSnapshot,
)


#: How ``COPY`` is told a value is NULL (an empty string stays an empty string).
NULL = "\\N"


class Row(SimpleNamespace):
    """One row to insert; attributes are the model's ``attname``s (``order_id``, not ``order``)."""


class _Table:
    def __init__(self, model: type[models.Model], stamp: datetime) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.constants: dict[str, Any] = {}
        self.factories: list[tuple[str, Callable[[], Any]]] = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.constants[f.attname] = stamp
            elif f.has_default() and callable(f.default):
                self.factories.append((f.attname, f.default))
            else:
                self.constants[f.attname] = f.get_default()
        ops = connection.ops
        self.adapters: list[tuple[int, Callable[[Any], Any]]] = []
        for index, f in enumerate(self.fields):
            internal = f.get_internal_type()
            if internal == "DateTimeField":
                self.adapters.append((index, ops.adapt_datetimefield_value))
            elif internal == "JSONField":
                self.adapters.append((index, functools.partial(f.get_db_prep_save, connection=connection)))
        columns = ", ".join(ops.quote_name(f.column) for f in self.fields)  # type: ignore[arg-type]  # concrete: a column each
        self.table = ops.quote_name(model._meta.db_table)
        self.columns = columns
        self.rows: list[Row] = []
        self.last_id = model.objects.aggregate(m=Max("pk"))["m"] or 0  # type: ignore[attr-defined]  # each model's manager

    def values(self) -> list[tuple]:
        attnames = [f.attname for f in self.fields]
        adapters = self.adapters
        result = []
        for row in self.rows:
            data = row.__dict__
            values = [data[name] for name in attnames]
            for index, adapt in adapters:
                if values[index] is not None:
                    values[index] = adapt(values[index])
            result.append(tuple(values))
        return result


class Writer:
    """Collect rows and insert them table by table once ``flush_every`` orders have piled up."""

    def __init__(self, *, stamp: datetime, batch_size: int = 2000, flush_every: int = 2000) -> None:
        self.batch_size = batch_size
        self.flush_every = flush_every
        self.tables = {model: _Table(model, stamp) for model in WRITE_ORDER}
        self.counts: Counter[str] = Counter()

    def add(self, model: type[models.Model], **fields: Any) -> Row:
        table = self.tables[model]
        table.last_id += 1
        data = dict(table.constants)
        for name, factory in table.factories:
            data[name] = factory()
        data.update(fields)
        data["id"] = table.last_id
        row = Row(**data)
        table.rows.append(row)
        return row

    def maybe_flush(self) -> None:
        if len(self.tables[Order].rows) >= self.flush_every:
            self.flush()

    def flush(self, model: type[models.Model] | None = None) -> None:
        for each in [model] if model else WRITE_ORDER:
            self._insert(self.tables[each])

    def _insert(self, table: _Table) -> None:
        if not table.rows:
            return
        if connection.vendor == "postgresql":
            count = self._copy(table)
        else:
            values = table.values()
            marks = ", ".join(["%s"] * len(table.fields))
            sql = f"INSERT INTO {table.table} ({table.columns}) VALUES ({marks})"
            with connection.cursor() as cursor:
                for start in range(0, len(values), self.batch_size):
                    cursor.executemany(sql, values[start : start + self.batch_size])
            count = len(values)
        self.counts[table.model._meta.label] += count
        table.rows.clear()

    def _copy(self, table: _Table) -> int:
        """PostgreSQL: stream the rows through ``COPY … FROM STDIN`` as CSV, much faster than INSERT."""
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        attnames = [f.attname for f in table.fields]
        json_columns = {i for i, f in enumerate(table.fields) if f.get_internal_type() == "JSONField"}
        for row in table.rows:
            data = row.__dict__
            values = [data[name] for name in attnames]
            for index, value in enumerate(values):
                if value is None:
                    values[index] = NULL
                elif index in json_columns:
                    values[index] = json.dumps(value)
            out.writerow(values)
        buffer.seek(0)
        sql = f"COPY {table.table} ({table.columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
        with connection.cursor() as cursor:
            if is_psycopg3:
                with cursor.cursor.copy(sql) as copy:
                    copy.write(buffer.getvalue())
            else:
                cursor.cursor.copy_expert(sql, buffer)
        return len(table.rows)

    def finish(self) -> None:
        """Insert what is left and move the database's id sequences past the ids given here."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), list(WRITE_ORDER))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
