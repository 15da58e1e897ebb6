"""Fill and inspect the database of a site under test, from a process of its own (``DATABASE_URL`` names it).

``python -m tests.faults.site_state prepare N`` migrates, creates a store with one listing in stock, an operator
and N seller-fulfilled orders waiting to ship, and prints JSON: the store, the operator's API token, the order
ids and their state.
``python -m tests.faults.site_state inspect ID…`` prints JSON: each order's shipping state and every listing's
stock with the sums of its stock movements.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from decimal import Decimal
from typing import Any

STORE = "ACME-US"
OPERATOR = "operator"
OPERATOR_PASSWORD = "correct horse battery staple"


def prepare(count: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from core.models import Membership, Role
    from core.services import store_create
    from listings.models import Listing
    from listings.services import stock_adjust
    from orders.services import AddressData, ItemData, OrderData, order_create
    from sellerops.celery import app

    call_command("migrate", interactive=False, verbosity=0)
    # Each new order would recompute the store's metrics in this process; the site recomputes them later.
    app.conf.task_always_eager = False
    store = store_create(code=STORE, name="ACME Outdoor & Home (US)", marketplace="US")
    operator = get_user_model().objects.create_user(OPERATOR, password=OPERATOR_PASSWORD)
    Membership.objects.create(user=operator, store=store, role=Role.OPERATOR)
    listing = Listing.objects.create(store=store, sku="TRAIL-BOTTLE-750", asin="B0FAULT001", title="Trail bottle",
                                     price=Decimal("12.50"), currency=store.currency)
    stock_adjust(listing=listing, available=10 * count, reason="receive", note="initial stock")
    now = timezone.now()
    address = AddressData(name="Pat Doe", line1="1 Main St", city="Seattle", state="WA", postal_code="98101",
                          country="US")
    ids = []
    for number in range(count):
        order = order_create(store=store, source="api", data=OrderData(
            amazon_order_id=f"113-9{number:06d}-{number:07d}", purchase_date=now - timedelta(hours=2),
            latest_ship_date=now + timedelta(days=2), items=[ItemData(sku=listing.sku, quantity=2,
                                                                      item_price=Decimal("25.00"))],
            address=address))
        ids.append(order.amazon_order_id)
    token = Token.objects.create(user=operator)
    return {"store": store.code, "token": token.key, "orders": ids, "state": inspect(ids)}


def inspect(ids: list[str]) -> dict[str, Any]:
    from django.db.models import Count, Q, Sum

    from fulfillment.models import ShipmentItem
    from listings.models import Listing, StockMovement
    from orders.models import Order, OrderEvent

    orders = {}
    for order in Order.objects.filter(amazon_order_id__in=ids).annotate(
        ordered=Sum("items__quantity"), shipped=Sum("items__quantity_shipped"),
        reserved=Sum("items__quantity_reserved"),
    ):
        consumed = StockMovement.objects.filter(order=order, reason=StockMovement.Reason.CONSUME).aggregate(
            available=Sum("available_delta", default=0), reserved=Sum("reserved_delta", default=0))
        orders[order.amazon_order_id] = {
            "status": order.status,
            "ordered": order.ordered,
            "shipped": order.shipped,
            "reserved": order.reserved,
            "shipments": order.shipments.count(),
            "shipment_units": ShipmentItem.objects.filter(shipment__order=order).aggregate(
                units=Sum("quantity", default=0))["units"],
            "shipment_events": OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.SHIPMENT).count(),
            "consumed": -(consumed["available"] + consumed["reserved"]),
        }
    listings = {
        listing.sku: {"available": listing.quantity_available, "reserved": listing.quantity_reserved,
                      "moved_available": listing.moved_available, "moved_reserved": listing.moved_reserved,
                      "movements": listing.movement_count}
        for listing in Listing.objects.annotate(
            moved_available=Sum("movements__available_delta", default=0),
            moved_reserved=Sum("movements__reserved_delta", default=0),
            movement_count=Count("movements", filter=Q(movements__isnull=False)),
        )
    }
    return {"orders": orders, "listings": listings}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, *args = argv
    result = prepare(int(args[0])) if command == "prepare" else inspect(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
