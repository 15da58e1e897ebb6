"""Order facts that drifted behind the triggers' back are found, named, repaired and reported daily; a database the
triggers are not written for is refused before anything is migrated."""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import NotSupportedError, connection

from fulfillment.models import Shipment
from fulfillment.order_facts import (
    SUPPORTED_VENDORS,
    TRIGGERS,
    OrderFactsDrift,
    first_ids,
    order_facts_drift,
    order_facts_repair,
    order_facts_triggers_missing,
    order_facts_vendor_check,
)
from fulfillment.signals import order_facts_drifted, order_facts_repaired
from fulfillment.tasks import order_facts_check_task
from fulfillment.tests.corrupt import migration_0005, raw, triggers_off
from orders.models import Order
from tests.factories import OrderFactory, ShipmentFactory

pytestmark = pytest.mark.django_db

migration_0007 = importlib.import_module("fulfillment.migrations.0007_order_facts_backfill_after_triggers")

AT = datetime(2026, 11, 30, 4, 50, tzinfo=UTC)


def _corrupt(*, order: Order, shipment: Shipment) -> None:
    """One order's first confirmation forgotten, one shipment's copies wrong: what a restore without triggers leaves."""
    with triggers_off():
        raw("UPDATE orders_order SET first_shipped_at = NULL WHERE id = %s", [order.pk])
        raw("UPDATE fulfillment_shipment SET order_fulfillment_channel = 'AFN', order_latest_delivery_date = NULL"
            " WHERE id = %s", [shipment.pk])


@pytest.fixture
def drifted(store):
    """An order and another order's shipment with wrong facts, and a third order whose facts are right."""
    order = ShipmentFactory(order__store=store).order
    shipment = ShipmentFactory(order__store=store, order__fulfillment_channel="MFN")
    ShipmentFactory(order__store=store)
    _corrupt(order=order, shipment=shipment)
    return order, shipment


@pytest.fixture
def signals():
    """Every order-facts signal sent, as (name, keyword arguments)."""
    sent: list[tuple[str, dict]] = []

    def drifted_receiver(sender, **kwargs):
        sent.append(("drifted", kwargs))

    def repaired_receiver(sender, **kwargs):
        sent.append(("repaired", kwargs))

    order_facts_drifted.connect(drifted_receiver)
    order_facts_repaired.connect(repaired_receiver)
    yield sent
    order_facts_drifted.disconnect(drifted_receiver)
    order_facts_repaired.disconnect(repaired_receiver)


# --- Pure parts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["mysql", "oracle", "microsoft", ""])
def test_a_database_the_triggers_are_not_written_for_is_refused(vendor):
    with pytest.raises(NotSupportedError, match=f"this database is {vendor!r}.*PostgreSQL or SQLite"):
        order_facts_vendor_check(vendor)


@pytest.mark.parametrize("vendor", SUPPORTED_VENDORS)
def test_postgresql_and_sqlite_are_accepted(vendor):
    order_facts_vendor_check(vendor)
    assert set(TRIGGERS[vendor]) == {"orders_order", "fulfillment_shipment"}


@pytest.mark.parametrize("migration", [migration_0005.refuse_unsupported_database, migration_0007.backfill_drifted])
def test_the_migrations_refuse_another_database_before_changing_anything(migration):
    # The fake connection has no cursor: a migration that went on would fail otherwise than with the refusal.
    schema_editor = SimpleNamespace(connection=SimpleNamespace(vendor="mysql"))
    with pytest.raises(NotSupportedError, match="'mysql'"):
        migration(None, schema_editor)


def test_migration_0005_refuses_first_and_installs_the_triggers_before_the_backfill():
    assert migration_0005.Migration.operations[0].code is migration_0005.refuse_unsupported_database
    for vendor in SUPPORTED_VENDORS:
        statements = migration_0005._install(vendor)
        backfill_at = statements.index(migration_0005.BACKFILL[0])
        assert statements[backfill_at:] == migration_0005.BACKFILL
        assert sum("CREATE TRIGGER" in sql for sql in statements[:backfill_at]) == sum(
            len(names) for names in TRIGGERS[vendor].values())


def test_first_ids_are_the_lowest_of_either_kind_once_each():
    assert first_ids([3, 8, 9], [1, 3, 12], limit=3) == [1, 3, 8]
    assert first_ids([], [5], limit=3) == [5]
    assert first_ids([], [], limit=3) == []


def test_a_drift_summary_names_what_differs():
    assert not OrderFactsDrift().found
    summary = OrderFactsDrift(orders=2, shipments=1, missing_triggers=("orders_order.order_updated",)).summary
    assert summary.startswith("3 row(s) whose stored order facts differ: 2 order(s)")
    assert "1 shipment(s)" in summary and "missing trigger(s): orders_order.order_updated" in summary
    assert OrderFactsDrift(missing_triggers=("x.y",)).found


# --- Finding drift ------------------------------------------------------------------------------------------

def test_facts_kept_by_the_triggers_show_no_drift(store):
    OrderFactory(store=store, latest_delivery_date=None)  # no shipment, no deliver-by date: NULL is no drift
    ShipmentFactory(order__store=store, order__latest_delivery_date=None)
    ShipmentFactory.create_batch(2, order=OrderFactory(store=store))
    assert order_facts_drift() == OrderFactsDrift()


def test_facts_corrupted_by_a_raw_update_behind_the_triggers_are_found_and_named(store, drifted):
    order, shipment = drifted
    drift = order_facts_drift()
    assert (drift.orders, drift.shipments, drift.rows) == (1, 1, 2)
    assert [(o.id, o.store, o.amazon_order_id) for o in drift.shown] == sorted(
        (o.pk, store.code, o.amazon_order_id) for o in (order, shipment.order))
    assert drift.store_ids == (store.pk,)
    assert drift.missing_triggers == ()


@pytest.mark.parametrize("corruption", [
    "UPDATE orders_order SET first_shipped_at = '2001-01-01 00:00:00' WHERE id = {order}",  # NULL → a date
    "UPDATE orders_order SET first_shipped_at = NULL WHERE id = {shipped}",  # a date → NULL
    "UPDATE fulfillment_shipment SET order_latest_delivery_date = NULL WHERE id = {shipment}",
    "UPDATE fulfillment_shipment SET order_fulfillment_channel = 'AFN' WHERE id = {shipment}",
])
def test_each_kind_of_difference_counts_once(store, corruption):
    unshipped = OrderFactory(store=store)
    shipment = ShipmentFactory(order__store=store, order__fulfillment_channel="MFN")
    with triggers_off():
        raw(corruption.format(order=unshipped.pk, shipped=shipment.order_id, shipment=shipment.pk))
    assert order_facts_drift().rows == 1


def test_only_the_first_orders_are_named(store):
    shipments = ShipmentFactory.create_batch(4, order__store=store)
    with triggers_off():
        raw("UPDATE orders_order SET first_shipped_at = NULL")
    drift = order_facts_drift(limit=2)
    assert drift.orders == 4
    assert [o.id for o in drift.shown] == sorted(s.order_id for s in shipments)[:2]


def test_a_missing_trigger_is_named(store):
    table, names = next(iter(TRIGGERS[connection.vendor].items()))
    raw(f"DROP TRIGGER {names[0]}" + (f" ON {table}" if connection.vendor == "postgresql" else ""))
    assert order_facts_triggers_missing() == (f"{table}.{names[0]}",)
    assert order_facts_drift().found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite triggers cannot be disabled, only dropped")
def test_a_disabled_trigger_is_named_as_missing(store):
    raw("ALTER TABLE fulfillment_shipment DISABLE TRIGGER shipments_inserted")
    assert order_facts_triggers_missing() == ("fulfillment_shipment.shipments_inserted",)


# --- Repairing it -------------------------------------------------------------------------------------------


def test_repair_rewrites_the_drifted_facts_from_their_rows(store, drifted, signals,
                                                          django_capture_on_commit_callbacks):
    order, shipment = drifted
    with django_capture_on_commit_callbacks(execute=True):
        before = order_facts_repair()
    assert before.rows == 2
    order.refresh_from_db()
    shipment.refresh_from_db()
    assert order.first_shipped_at == order.shipments.get().shipped_at
    assert (shipment.order_fulfillment_channel, shipment.order_latest_delivery_date) == (
        "MFN", shipment.order.latest_delivery_date)
    assert order_facts_drift() == OrderFactsDrift()
    assert signals == [("repaired", {"signal": order_facts_repaired, "store_ids": (store.pk,)})]


def test_repair_without_drift_writes_and_tells_nothing(store, signals, django_capture_on_commit_callbacks):
    ShipmentFactory(order__store=store)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert order_facts_repair() == OrderFactsDrift()
    assert callbacks == [] and signals == []


def test_migration_0007_rewrites_the_drifted_facts(store, drifted):
    migration_0007.backfill_drifted(None, SimpleNamespace(connection=connection))
    assert order_facts_drift() == OrderFactsDrift()
    order, shipment = drifted
    order.refresh_from_db()
    assert order.first_shipped_at == order.shipments.get().shipped_at


# --- The command --------------------------------------------------------------------------------------------


def _command(*args: str) -> tuple[str, str | None]:
    out = StringIO()
    try:
        call_command("verify_order_facts", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_the_command_counts_the_drift_names_the_orders_and_fails(store, drifted):
    order, shipment = drifted
    out, error = _command()
    assert error and error.startswith("2 row(s) whose stored order facts differ: 1 order(s)")
    for drifted_order in (order, shipment.order):
        assert f"{store.code}\t{drifted_order.pk}\t{drifted_order.amazon_order_id}" in out
    assert order_facts_drift().rows == 2  # changed nothing


def test_the_command_with_fix_repairs_and_passes(store, drifted):
    out, error = _command("--fix")
    assert error is None
    assert "Rewrote the facts of 1 order(s) and 1 shipment(s)." in out
    assert out.rstrip().endswith("The stored order facts agree with their orders and shipments.")
    assert _command() == ("The stored order facts agree with their orders and shipments.\n", None)


def test_the_command_fails_on_a_missing_trigger_even_with_fix(store):
    table, names = next(iter(TRIGGERS[connection.vendor].items()))
    raw(f"DROP TRIGGER {names[0]}" + (f" ON {table}" if connection.vendor == "postgresql" else ""))
    out, error = _command("--fix")
    assert error == f"missing trigger(s): {table}.{names[0]}."


# --- The daily check ----------------------------------------------------------------------------------------


def test_the_daily_check_logs_an_error_and_signals_the_drift(store, drifted, signals, caplog, monkeypatch):
    monkeypatch.setattr("fulfillment.tasks.timezone.now", lambda: AT)
    with caplog.at_level(logging.ERROR, logger="fulfillment.order_facts"):
        assert order_facts_check_task.delay().get() == 2
    [record] = [r for r in caplog.records if r.name == "fulfillment.order_facts"]
    assert record.levelno == logging.ERROR and "2 row(s) whose stored order facts differ" in record.getMessage()
    [(name, kwargs)] = signals
    assert (name, kwargs["drift"], kwargs["at"]) == ("drifted", order_facts_drift(), AT)


def test_the_daily_check_is_quiet_when_the_facts_agree(store, signals, caplog):
    ShipmentFactory(order__store=store)
    with caplog.at_level(logging.ERROR, logger="fulfillment.order_facts"):
        assert order_facts_check_task.delay().get() == 0
    assert not [r for r in caplog.records if r.name == "fulfillment.order_facts"]
    assert signals == []


def test_beat_runs_the_check_once_a_day(settings):
    from sellerops.celery import app as celery_app

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "fulfillment.tasks.order_facts_check_task"]
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1
    assert entry["task"] in celery_app.tasks
