"""The order facts the database keeps by triggers: where they can be kept, and whether they still agree.

The facts (``fulfillment`` migration 0005): ``orders_order.first_shipped_at``, the earliest ``shipped_at`` of the
order's shipments, and ``fulfillment_shipment.order_fulfillment_channel`` / ``order_latest_delivery_date``,
copies of the order's. The metrics read them beside each row. A write through the triggers cannot make them
wrong; rows written while the triggers were absent or disabled can (a SQLite table rebuilt by a migration that
forgot to install them again, ``pg_restore --disable-triggers``, ``session_replication_role = replica``, a
write that raced the trigger installation). ``order_facts_drift`` recomputes every fact from its source rows
and counts those that differ; ``order_facts_repair`` rewrites them; ``order_facts_check`` is the daily check.

Why hand-written triggers and not django-pgtrigger: pgtrigger declares triggers on the models and installs
them through migrations, but only on PostgreSQL: its operations skip every other database without a word.
SQLite is the default database here (``make run``, the test suite), so its triggers would still be written by
hand beside it, in a second mechanism, and a SQLite database would be left without facts exactly as this
module exists to prevent. The triggers stay in migration 0005, one place for both databases.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import NotSupportedError, connections, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from orders.models import Order

from .models import Shipment
from .signals import order_facts_drifted, order_facts_repaired

logger = logging.getLogger(__name__)

#: The databases the triggers of migration 0005 are written for.
SUPPORTED_VENDORS = ("postgresql", "sqlite")

#: The triggers that keep the facts, per database and table, as migration 0005 installs them.
TRIGGERS = {
    "postgresql": {
        "orders_order": ("order_copy_to_shipments", "order_keep_first_shipped"),
        "fulfillment_shipment": ("shipment_copy_order_fields", "shipments_inserted", "shipments_updated",
                                 "shipments_deleted"),
    },
    "sqlite": {
        "orders_order": ("order_updated",),
        "fulfillment_shipment": ("shipment_inserted", "shipment_updated", "shipment_deleted"),
    },
}

#: How many of the offending orders a check names.
SHOWN = 20


def order_facts_vendor_check(vendor: str) -> None:
    """Refuse a database the triggers are not written for: its order facts would never be kept.

    Migrations 0005 and 0007 call it before they change anything.
    """
    if vendor not in SUPPORTED_VENDORS:
        raise NotSupportedError(
            f"SellerOps keeps its order facts (an order's first ship confirmation, a shipment's copy of its "
            f"order's channel and deliver-by date) by database triggers written for PostgreSQL and SQLite only, "
            f"and this database is {vendor!r}: without them the account-health metrics would be silently wrong. "
            f"Migrate a PostgreSQL or SQLite database instead.")


# --- Recomputing the facts ----------------------------------------------------------------------------------


def _differs(stored: str, expected: str) -> Q:
    """``stored IS DISTINCT FROM expected``: a NULL on one side only is a difference, NULL on both is not."""
    return (Q(**{f"{stored}__isnull": True, f"{expected}__isnull": False})
            | Q(**{f"{stored}__isnull": False, f"{expected}__isnull": True})
            | Q(**{f"{stored}__lt": F(expected)}) | Q(**{f"{stored}__gt": F(expected)}))


def _first_shipped() -> Subquery:
    """The earliest ship confirmation of the outer order's shipments (the index on order, shipped_at answers)."""
    return Subquery(Shipment.objects.filter(order=OuterRef("pk")).order_by("shipped_at").values("shipped_at")[:1])


def orders_with_drifted_facts(*, using: str = "default") -> QuerySet[Order]:
    """Orders whose stored first ship confirmation is not the earliest of their shipments'."""
    return (Order.objects.using(using).annotate(expected_first_shipped_at=_first_shipped())
            .filter(_differs("first_shipped_at", "expected_first_shipped_at")))


def shipments_with_drifted_facts(*, using: str = "default") -> QuerySet[Shipment]:
    """Shipments whose copy of their order's channel or deliver-by date is not the order's."""
    return (Shipment.objects.using(using)
            .annotate(expected_channel=F("order__fulfillment_channel"),
                      expected_deliver_by=F("order__latest_delivery_date"))
            .filter(_differs("order_fulfillment_channel", "expected_channel")
                    | _differs("order_latest_delivery_date", "expected_deliver_by")))


def order_facts_triggers_missing(*, using: str = "default") -> tuple[str, ...]:
    """The triggers of migration 0005 that the database lacks (or, on PostgreSQL, has disabled), as table.name."""
    connection = connections[using]
    order_facts_vendor_check(connection.vendor)
    expected = TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND c.oid = ANY(ARRAY[%s, %s]::regclass[])",
                list(expected))
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        present = set(cursor.fetchall())
    return tuple(f"{table}.{name}" for table, names in expected.items() for name in names
                 if (table, name) not in present)


# --- What a check found -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftedOrder:
    id: int
    store: str
    amazon_order_id: str


@dataclass(frozen=True)
class OrderFactsDrift:
    """What a check found: rows whose stored facts differ, the first orders concerned, missing triggers."""

    orders: int = 0  # orders whose first ship confirmation differs from their shipments'
    shipments: int = 0  # shipments whose copy of their order's channel or deliver-by date differs
    shown: tuple[DriftedOrder, ...] = ()  # the first orders concerned (lowest ids), of either kind
    store_ids: tuple[int, ...] = ()  # every store concerned
    missing_triggers: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return self.orders + self.shipments

    @property
    def found(self) -> bool:
        return bool(self.rows or self.missing_triggers)

    @property
    def summary(self) -> str:
        """One line for the log and the command: the counts, the first orders, the missing triggers."""
        if not self.found:
            return "The stored order facts agree with their orders and shipments."
        parts = []
        if self.rows:
            parts.append(f"{self.rows} row(s) whose stored order facts differ: {self.orders} order(s) whose first "
                         f"ship confirmation differs from their shipments', {self.shipments} shipment(s) whose copy "
                         f"of their order's channel or deliver-by date differs")
        if self.shown:
            parts.append("first orders (database id): " + ", ".join(str(order.id) for order in self.shown))
        if self.missing_triggers:
            parts.append("missing trigger(s): " + ", ".join(self.missing_triggers))
        return "; ".join(parts) + "."


def first_ids(*ids: list[int], limit: int) -> list[int]:
    """The ``limit`` lowest ids of several lists, each once: each list need only hold its own ``limit`` lowest."""
    return sorted(set().union(*ids))[:limit]


def order_facts_drift(*, limit: int = SHOWN, using: str = "default") -> OrderFactsDrift:
    """Recompute every order fact from its source rows and say which stored ones differ; change nothing.

    Two scans when nothing differs (one of the orders, one of the shipments), whatever the number of rows.
    """
    orders, shipments = orders_with_drifted_facts(using=using), shipments_with_drifted_facts(using=using)
    order_count, shipment_count = orders.count(), shipments.count()
    missing = order_facts_triggers_missing(using=using)
    if not (order_count or shipment_count):
        return OrderFactsDrift(missing_triggers=missing)
    ids = first_ids(list(orders.order_by("pk").values_list("pk", flat=True)[:limit]),
                    list(shipments.order_by("order_id").values_list("order_id", flat=True).distinct()[:limit]),
                    limit=limit)
    shown = tuple(DriftedOrder(id=pk, store=code, amazon_order_id=amazon_id) for pk, code, amazon_id in
                  Order.objects.using(using).filter(pk__in=ids).order_by("pk")
                  .values_list("pk", "store__code", "amazon_order_id"))
    store_ids = (set(orders.order_by().values_list("store_id", flat=True).distinct())
                 | set(shipments.order_by().values_list("store_id", flat=True).distinct()))
    return OrderFactsDrift(orders=order_count, shipments=shipment_count, shown=shown,
                           store_ids=tuple(sorted(store_ids)), missing_triggers=missing)


# --- Acting on it -------------------------------------------------------------------------------------------


def order_facts_repair(*, limit: int = SHOWN, using: str = "default") -> OrderFactsDrift:
    """Rewrite every drifted fact from its source rows; return what was found before.

    Only drifted rows are written. Shipments first (their copies of the order), then orders (their first ship
    confirmation). The triggers, where present, compute the same values. Missing triggers are not installed
    again: the facts would drift anew, which the returned drift's ``missing_triggers`` says.
    """
    with transaction.atomic(using=using):
        drift = order_facts_drift(limit=limit, using=using)
        if drift.rows:
            order_of = Order.objects.filter(pk=OuterRef("order_id"))
            (Shipment.objects.using(using).filter(pk__in=shipments_with_drifted_facts(using=using).values("pk"))
             .update(order_fulfillment_channel=Subquery(order_of.values("fulfillment_channel")[:1]),
                     order_latest_delivery_date=Subquery(order_of.values("latest_delivery_date")[:1])))
            (Order.objects.using(using).filter(pk__in=orders_with_drifted_facts(using=using).values("pk"))
             .update(first_shipped_at=_first_shipped()))
            # The stores' metrics were computed from the wrong facts: metrics recomputes them after the commit.
            transaction.on_commit(
                lambda: order_facts_repaired.send(sender=OrderFactsDrift, store_ids=drift.store_ids),
                using=using, robust=True)
    return drift


def order_facts_check(*, at: datetime, using: str = "default") -> OrderFactsDrift:
    """The daily check: on any drift or missing trigger, log an error and send ``order_facts_drifted``."""
    drift = order_facts_drift(using=using)
    if drift.found:
        logger.error("Order facts check at %s: %s Run `manage.py verify_order_facts --fix` to repair them.",
                     at.isoformat(), drift.summary)
        order_facts_drifted.send(sender=OrderFactsDrift, drift=drift, at=at)
    return drift
