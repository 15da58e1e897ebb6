"""Deploy-time check of stored data: orders whose id no page or API URL can name.

A ``database`` check: ``manage.py check --database default`` and ``manage.py migrate`` run it; plain
``manage.py check`` does not touch the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError, connections

#: How many of the bad ids the check names; ``manage.py order_ids_check`` lists them all.
SHOWN = 5


@register(Tags.database)
def malformed_order_ids_check(app_configs: Iterable[Any] | None = None, databases: Iterable[str] | None = None,
                              **kwargs: Any) -> list[CheckMessage]:
    from .models import Order
    from .selectors import orders_with_malformed_ids

    messages: list[CheckMessage] = []
    for alias in databases or ():
        try:
            if Order._meta.db_table not in connections[alias].introspection.table_names():
                continue  # Not migrated yet (``migrate`` runs its checks first).
            bad = list(orders_with_malformed_ids(using=alias)[:SHOWN + 1])
        except DatabaseError:
            continue
        if not bad:
            continue
        named = ", ".join(f"{order.store.code} {order.amazon_order_id!r} (id {order.pk})" for order in bad[:SHOWN])
        more = " …" if len(bad) > SHOWN else ""
        messages.append(CheckWarning(
            f"Database {alias!r} holds orders whose Amazon order id is not 3-7-7 ASCII digits: {named}{more}.",
            hint="They cannot be opened or linked to through the pages or the API. List them all with "
                 "`manage.py order_ids_check` and correct or remove each one; nothing is changed automatically.",
            obj=Order, id="orders.W001"))
    return messages
