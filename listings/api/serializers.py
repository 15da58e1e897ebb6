"""Listings in and out of /api/listings/. Quantities are read here and changed only through the stock service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AwareDateTimeField, RowUrlField, StoreField
from core.api.parsers import json_depth_exceeds
from core.api.serializers import ApiModelSerializer

from ..forms import ADJUST_LIMIT, ADJUST_REASONS
from ..models import Channel, Listing
from ..services import PRICE_MAX

#: Amazon's issues as its Listings Items API reports them.
ISSUES_SCHEMA = {
    "type": "array",
    "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "severity": {"type": "string", "enum": ["ERROR", "WARNING", "INFO"]},
        "attributeNames": {"type": "array", "items": {"type": "string"}},
    }},
}
#: The reasons an integration may give for a stock adjustment (those of the listing page's form).
STOCK_ADJUST_REASONS = [str(value) for value, _label in ADJUST_REASONS]
#: A listing's attributes, by Amazon attribute name, are at most this large as JSON text.
ATTRIBUTES_MAX_CHARS = 100_000


class QuantitiesSerializer(serializers.Serializer):
    available = serializers.IntegerField(source="quantity_available", read_only=True)
    reserved = serializers.IntegerField(source="quantity_reserved", read_only=True)
    inbound = serializers.IntegerField(source="quantity_inbound", read_only=True)
    unfulfillable = serializers.IntegerField(source="quantity_unfulfillable", read_only=True)
    sellable = serializers.IntegerField(source="sellable_quantity", read_only=True,
                                        help_text=gettext_lazy("Available less the safety stock, never below 0."))


class StockSyncSerializer(serializers.Serializer):
    accepted_quantity = serializers.IntegerField(source="stock_accepted_quantity", read_only=True, allow_null=True,
                                                 help_text=gettext_lazy("The last quantity Amazon accepted."))
    accepted_at = AwareDateTimeField(source="stock_accepted_at", read_only=True, allow_null=True)
    error = serializers.CharField(source="stock_sync_error", read_only=True)
    failed_at = AwareDateTimeField(source="stock_sync_failed_at", read_only=True, allow_null=True)


@extend_schema_field(ISSUES_SCHEMA)
class IssuesField(serializers.JSONField):
    pass


class ListingSerializer(ApiModelSerializer):
    url = RowUrlField(view_name="api-listing-detail")
    store = serializers.CharField(source="store.code", read_only=True)
    bullets = serializers.ListField(child=serializers.CharField(), read_only=True)
    attributes = serializers.DictField(read_only=True)
    quantities = QuantitiesSerializer(source="*", read_only=True)
    amazon_status = serializers.ListField(child=serializers.CharField(), read_only=True)
    amazon_issues = IssuesField(read_only=True)
    stock_sync = StockSyncSerializer(source="*", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "url", "id", "store", "sku", "asin", "fnsku", "title", "brand", "core_function", "key_attributes",
            "bullets", "description", "product_type", "attributes", "condition", "price", "currency",
            "fulfillment_channel", "status", "handling_time_days", "quantities", "safety_stock", "lead_time_days",
            "amazon_status", "amazon_issues", "published_at", "publish_error", "stock_sync", "updated_at",
        ]
        read_only_fields = fields


def _has_nul(data: Any) -> bool:
    """Whether a NUL character hides in a key or string of ``data`` (the database stores none)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class ListingWriteSerializer(serializers.Serializer):
    """What an integration may write: content, price and stock planning. Quantities are never written here."""

    asin = serializers.RegexField(r"^[A-Z0-9]{10}$", required=False, allow_blank=True,
                                  error_messages={"invalid": gettext_lazy("An ASIN is 10 capital letters or digits.")})
    fnsku = serializers.RegexField(r"^[A-Z0-9]{10}$", required=False, allow_blank=True,
                                   error_messages={"invalid": gettext_lazy("An FNSKU is 10 capital letters or "
                                                                           "digits.")})
    title = serializers.CharField(max_length=500)
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True)
    core_function = serializers.CharField(max_length=200, required=False, allow_blank=True)
    key_attributes = serializers.CharField(max_length=300, required=False, allow_blank=True)
    bullets = serializers.ListField(child=serializers.CharField(max_length=1000), max_length=10, required=False)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    product_type = serializers.RegexField(r"^[A-Z0-9_]{1,100}$", required=False, allow_blank=True,
                                          help_text=gettext_lazy("Amazon's product type, e.g. LUGGAGE."))
    attributes = serializers.DictField(required=False, help_text=gettext_lazy(
        "The product type's attributes, by Amazon's attribute name."))
    condition = serializers.CharField(max_length=32, required=False)
    handling_time_days = serializers.IntegerField(min_value=0, max_value=30, required=False, allow_null=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                     max_value=PRICE_MAX, required=False, allow_null=True)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False,
                                      error_messages={"invalid": gettext_lazy("A currency is 3 capital letters, "
                                                                              "e.g. USD.")})
    safety_stock = serializers.IntegerField(min_value=0, max_value=ADJUST_LIMIT, required=False)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=365, required=False)

    def validate_attributes(self, value: dict) -> dict:
        if _has_nul(value):
            raise serializers.ValidationError(_("Text may not contain NUL characters."))
        if json_depth_exceeds(value, 16) or len(repr(value)) > ATTRIBUTES_MAX_CHARS:
            raise serializers.ValidationError(_("The attributes are too large."))
        return value


class ListingUpdateSerializer(ListingWriteSerializer):
    """A partial update: any of the writable fields; the others stay as they are."""

    title = serializers.CharField(max_length=500, required=False)


class ListingCreateSerializer(ListingWriteSerializer):
    store = StoreField()
    sku = serializers.RegexField(r"^\S(.*\S)?$", max_length=40, help_text=gettext_lazy(
        "The seller's SKU (up to 40 characters, no leading or trailing spaces)."),
        error_messages={"invalid": gettext_lazy("A SKU has no leading or trailing spaces.")})
    fulfillment_channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.MFN)
    opening_quantity = serializers.IntegerField(min_value=0, max_value=ADJUST_LIMIT, default=0, help_text=(
        gettext_lazy("Units in stock to start with (seller-fulfilled only), recorded as a stock movement.")))


class StockAdjustInputSerializer(serializers.Serializer):
    available = serializers.IntegerField(min_value=-ADJUST_LIMIT, max_value=ADJUST_LIMIT, default=0,
                                         help_text=gettext_lazy("Units to add (negative: remove); MFN only."))
    inbound = serializers.IntegerField(min_value=-ADJUST_LIMIT, max_value=ADJUST_LIMIT, default=0)
    reason = serializers.ChoiceField(choices=STOCK_ADJUST_REASONS,
                                     default="adjust")
    note = serializers.CharField(max_length=200, help_text=gettext_lazy("Why, for the audit trail."))

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("available") and not attrs.get("inbound"):
            raise serializers.ValidationError(_("Give a change to available or inbound units."))
        return attrs
