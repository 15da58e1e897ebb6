"""Query-string filters of /api/feedback/, /api/claims/ and /api/messages/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.api.filters import InstantRangeFilter, StoreFilterSet, StoreOrderFilterSet

from ..models import Claim, Feedback, Message


class FeedbackFilter(StoreOrderFilterSet):
    rating = filters.MultipleChoiceFilter(choices=[(n, str(n)) for n in range(1, 6)])
    received_at = InstantRangeFilter()
    removed = filters.BooleanFilter(field_name="removed_at", lookup_expr="isnull", exclude=True,
                                    help_text=_("true: only feedback Amazon removed; false: only what stands."))

    class Meta:
        model = Feedback
        fields = ["store", "order", "rating"]


class ClaimFilter(StoreOrderFilterSet):
    kind = filters.ChoiceFilter(choices=Claim.Kind.choices)
    status = filters.MultipleChoiceFilter(choices=Claim.Status.choices)
    filed_at = InstantRangeFilter()

    class Meta:
        model = Claim
        fields = ["store", "order", "kind", "status"]


class MessageFilter(StoreFilterSet):
    order = filters.CharFilter(field_name="thread__order__amazon_order_id", help_text=_("The Amazon order id."))
    # Bounded like a row id: a larger number is refused (400) rather than overflowing the database's integer.
    thread = filters.NumberFilter(field_name="thread_id", min_value=1, max_value=2**63 - 1, decimal_places=0)
    direction = filters.ChoiceFilter(choices=Message.Direction.choices)
    needs_reply = filters.BooleanFilter()
    sent_at = InstantRangeFilter()

    class Meta:
        model = Message
        fields = ["store", "order", "thread", "direction", "needs_reply"]
