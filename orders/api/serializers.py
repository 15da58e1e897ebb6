"""Orders in and out of /api/orders/, with field names after the Selling Partner API, in snake_case."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import AwareDateTimeField, RowUrlField, StoreField
from core.api.serializers import ApiModelSerializer
from listings.models import Channel

from ..models import CancelInitiator, Order, OrderItem, OrderStatus, ShipServiceCategory
from ..services import AddressData, ItemData, OrderData
from .fields import AmazonOrderIdField

#: Amazon's own word for a cancellation it made; stored as ``system``.
AMAZON_INITIATOR = "amazon"


class StoreOrderInput(serializers.Serializer):
    """The ``store`` (code) and ``order`` (Amazon order id in that store) an after-sale row belongs to."""

    store = StoreField()
    order = AmazonOrderIdField(help_text=_("The Amazon order id, e.g. 113-1234567-1234567."))

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        amazon_order_id = attrs.get("order")
        if not amazon_order_id:
            return attrs
        order = Order.objects.filter(store=attrs["store"], amazon_order_id=amazon_order_id).first()
        if order is None:
            raise serializers.ValidationError(
                {"order": _("Store %(store)s has no order %(id)s.")
                 % {"store": attrs["store"].code, "id": amazon_order_id}})
        attrs["order"] = order
        return attrs


class AddressSerializer(serializers.Serializer):
    """The shipping address: read from and written to the order's ``ship_*`` columns."""

    name = serializers.CharField(source="ship_name", max_length=200, required=False, allow_blank=True)
    line1 = serializers.CharField(source="ship_line1", max_length=200, required=False, allow_blank=True)
    line2 = serializers.CharField(source="ship_line2", max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(source="ship_city", max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(source="ship_state", max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(source="ship_postal_code", max_length=20, required=False,
                                        allow_blank=True)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", source="ship_country", required=False, allow_blank=True,
                                     help_text=_("ISO 3166 two-letter country code."),
                                     error_messages={"invalid": _("Give a two-letter country code, e.g. US.")})

    def validate_country(self, value: str) -> str:
        return value.upper()


class OrderItemSerializer(ApiModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["order_item_id", "sku", "asin", "title", "quantity", "quantity_shipped", "item_price", "item_tax",
                  "shipping_price", "shipping_tax", "gift_wrap_price", "gift_wrap_tax", "promotion_discount",
                  "ship_promotion_discount", "currency", "is_canceled", "buyer_requested_cancel"]
        read_only_fields = fields


class OrderItemInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    asin = serializers.CharField(max_length=10, required=False, allow_blank=True)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    item_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"),
                                          required=False, default=Decimal("0"),
                                          help_text=_("The price of the whole line (Amazon's ItemPrice)."))
    order_item_id = serializers.CharField(max_length=20, required=False, allow_blank=True)


class OrderSerializer(ApiModelSerializer):
    url = RowUrlField(view_name="api-order-detail", lookup_field="amazon_order_id")
    store = serializers.CharField(source="store.code", read_only=True)
    order_status = serializers.ChoiceField(source="status", choices=OrderStatus.choices, read_only=True)
    shipping_address = AddressSerializer(source="*", read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "url", "amazon_order_id", "store", "order_status", "purchase_date", "last_update_date",
            "fulfillment_channel", "sales_channel", "ship_service_level", "shipment_service_level_category",
            "earliest_ship_date", "latest_ship_date", "earliest_delivery_date", "latest_delivery_date",
            "is_prime", "is_business_order", "order_total", "currency", "buyer_name", "shipping_address",
            "items", "risk_flags", "canceled_at", "cancel_initiator", "cancel_reason", "buyer_cancel_requested_at",
            "buyer_cancel_reason", "is_replacement_order", "replaced_order_id",
        ]
        read_only_fields = fields


class OrderInputSerializer(serializers.Serializer):
    store = StoreField()
    amazon_order_id = AmazonOrderIdField()
    purchase_date = AwareDateTimeField()
    fulfillment_channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.MFN)
    earliest_ship_date = AwareDateTimeField(required=False, allow_null=True)
    latest_ship_date = AwareDateTimeField(required=False, allow_null=True)
    earliest_delivery_date = AwareDateTimeField(required=False, allow_null=True)
    latest_delivery_date = AwareDateTimeField(required=False, allow_null=True)
    ship_service_level = serializers.CharField(max_length=64, required=False, allow_blank=True)
    shipment_service_level_category = serializers.ChoiceField(choices=ShipServiceCategory.choices,
                                                              default=ShipServiceCategory.STANDARD)
    is_prime = serializers.BooleanField(default=False)
    is_business_order = serializers.BooleanField(default=False)
    buyer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    buyer_email = serializers.EmailField(required=False, allow_blank=True)
    shipping_address = AddressSerializer(required=False)
    items = OrderItemInputSerializer(many=True, allow_empty=False)

    def to_order_data(self) -> OrderData:
        data: dict[str, Any] = self.validated_data
        address = {key.removeprefix("ship_"): value for key, value in data.get("shipping_address", {}).items()}
        return OrderData(
            amazon_order_id=data["amazon_order_id"], purchase_date=data["purchase_date"],
            items=[ItemData(**item) for item in data["items"]],
            fulfillment_channel=data["fulfillment_channel"],
            earliest_ship_date=data.get("earliest_ship_date"), latest_ship_date=data.get("latest_ship_date"),
            earliest_delivery_date=data.get("earliest_delivery_date"),
            latest_delivery_date=data.get("latest_delivery_date"),
            ship_service_level=data.get("ship_service_level", ""),
            shipment_service_level_category=data["shipment_service_level_category"],
            is_prime=data["is_prime"], is_business_order=data["is_business_order"],
            buyer_name=data.get("buyer_name", ""), buyer_email=data.get("buyer_email", ""),
            address=AddressData(**address),
        )


class OrderCancelInputSerializer(serializers.Serializer):
    initiator = serializers.ChoiceField(
        choices=[*CancelInitiator.choices, (AMAZON_INITIATOR, _("Amazon (same as system)"))],
        help_text=_("Who asked for the cancellation; amazon is a synonym of system."))
    reason = serializers.CharField(max_length=200)
    at = AwareDateTimeField(required=False, help_text=_("When it was cancelled; default now."))

    def validate_initiator(self, value: str) -> str:
        return CancelInitiator.SYSTEM if value == AMAZON_INITIATOR else value
