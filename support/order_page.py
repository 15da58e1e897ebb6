"""What support shows on an order's page (``orders.sections``): the buyer's messages, feedback and claims."""

from __future__ import annotations

from typing import Any

from django.template import Context

from orders.sections import Section, Slot

from .selectors import claim_deadline, order_claims, order_feedback, order_messages


def messages_context(context: Context) -> dict[str, Any]:
    return {"buyer_messages": order_messages(order=context["order"])}


def feedback_context(context: Context) -> dict[str, Any]:
    order = context["order"]
    claims = list(order_claims(order=order))
    for claim in claims:
        claim.deadline = claim_deadline(claim, context["now"])  # type: ignore[attr-defined]  # set for the row
    return {"feedback": order_feedback(order=order), "claims": claims}


SECTIONS = [
    Section(name="support.messages", slot=Slot.AFTER_SALE, position=20, template="support/order_messages.html",
            context=messages_context),
    Section(name="support.feedback", slot=Slot.AFTER_SALE, position=30, template="support/order_feedback.html",
            context=feedback_context),
]
