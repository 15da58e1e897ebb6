"""The API field of an Amazon order id."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..ids import AMAZON_ORDER_ID


class AmazonOrderIdField(serializers.RegexField):
    """An Amazon order id: 3-7-7 ASCII digits (``orders.ids``); any other digits are refused."""

    default_error_messages = {
        "invalid": _("An Amazon order id is 3-7-7 digits, e.g. 113-1234567-1234567."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 19)
        super().__init__(AMAZON_ORDER_ID, **kwargs)
