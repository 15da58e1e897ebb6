"""What returns shows on an order's page (``orders.sections``): its return requests and refunds."""

from __future__ import annotations

from typing import Any

from django.template import Context

from orders.sections import Section, Slot

from .selectors import order_refunds, order_returns


def returns_context(context: Context) -> dict[str, Any]:
    order = context["order"]
    return {"returns": order_returns(order=order), "refunds": order_refunds(order=order)}


SECTIONS = [
    Section(name="returns.returns", slot=Slot.AFTER_SALE, position=10, template="returns/order_returns.html",
            context=returns_context),
]
