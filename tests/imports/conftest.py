"""Fixtures for the import tests: the sample report files and a snapshot of what the database holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from fulfillment.models import Shipment
from listings.models import StockMovement
from orders.models import Order, OrderEvent, OrderItem
from returns.models import ReturnRequest
from support.models import Feedback
from tests.factories import ListingFactory

FILES = Path(__file__).parent / "files"


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()


def db_state() -> dict[str, list]:
    """Every row an import may write, as comparable tuples."""
    return {
        "orders": sorted(Order.objects.values_list("amazon_order_id", "status", "risk_flags", "canceled_at")),
        "items": sorted(OrderItem.objects.values_list("order__amazon_order_id", "sku", "quantity",
                                                      "quantity_shipped", "quantity_reserved")),
        "events": OrderEvent.objects.count(),
        "movements": StockMovement.objects.count(),
        "shipments": sorted(Shipment.objects.values_list("order__amazon_order_id", "tracking_number")),
        "feedback": sorted(Feedback.objects.values_list("order__amazon_order_id", "rating", "comment")),
        "returns": sorted(ReturnRequest.objects.values_list("order__amazon_order_id", "sku", "quantity")),
    }


@pytest.fixture
def listings(store):
    return {
        "BOTTLE-750": ListingFactory(store=store, sku="BOTTLE-750", asin="B0BOTTLE01", quantity_available=10),
        "LID-BAMBOO": ListingFactory(store=store, sku="LID-BAMBOO", asin="B0LIDBAMB1", quantity_available=1),
    }
