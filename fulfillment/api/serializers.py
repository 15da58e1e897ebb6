"""Shipments in and out of /api/shipments/ and of an order's ship action (/api/orders/{id}/ship/)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import AwareDateTimeField, StoreField
from core.api.serializers import ApiModelSerializer
from orders.api.serializers import StoreOrderInput
from orders.models import OrderStatus

from ..models import (
    SILENT_DAYS_MAX,
    Carrier,
    CarrierEvent,
    CarrierEventStatus,
    CarrierTrace,
    Shipment,
    ShipmentItem,
    TraceStatus,
)


class ShipmentItemSerializer(ApiModelSerializer):
    sku = serializers.CharField(source="order_item.sku", read_only=True)
    order_item_id = serializers.CharField(source="order_item.order_item_id", read_only=True)

    class Meta:
        model = ShipmentItem
        fields = ["sku", "order_item_id", "quantity"]
        read_only_fields = fields


class ShipmentSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-shipment-detail")
    store = serializers.CharField(source="store.code", read_only=True)
    order = serializers.CharField(source="order.amazon_order_id", read_only=True)
    order_status = serializers.ChoiceField(source="order.status", choices=OrderStatus.choices, read_only=True)
    items = ShipmentItemSerializer(many=True, read_only=True)
    replacement_of = serializers.IntegerField(
        source="replacement_of_id", read_only=True, allow_null=True,
        help_text=_("The id of the lost shipment this one replaces, sent at no charge; null for the order's own "
                    "shipments."))

    class Meta:
        model = Shipment
        fields = ["url", "id", "store", "order", "order_status", "carrier", "carrier_name", "ship_method",
                  "tracking_number", "tracking_format_valid", "shipped_at", "first_scan_at", "delivered_at",
                  "replacement_of", "last_event_at", "last_event_status", "items"]
        read_only_fields = fields


class ShipmentInputSerializer(StoreOrderInput):
    carrier = serializers.ChoiceField(choices=Carrier.choices,
                                      help_text=_("Carrier code as in Amazon's shipping confirmation."))
    carrier_name = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                         help_text=_("Required with carrier Other."))
    tracking_number = serializers.CharField(max_length=64)
    ship_method = serializers.CharField(max_length=80, required=False, allow_blank=True)
    shipped_at = AwareDateTimeField(required=False, help_text=_("Ship confirmation time; default now."))
    first_scan_at = AwareDateTimeField(required=False, allow_null=True,
                                       help_text=_("The carrier's first scan, if known."))
    delivered_at = AwareDateTimeField(required=False, allow_null=True, help_text=_("Delivery, if known."))

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if attrs["carrier"] == Carrier.OTHER and not attrs.get("carrier_name", "").strip():
            raise serializers.ValidationError({"carrier_name": _("Name the carrier when choosing Other.")})
        return attrs


class OrderShipInputSerializer(serializers.Serializer):
    carrier = serializers.ChoiceField(choices=Carrier.choices,
                                      help_text=_("Carrier code as in Amazon's shipping confirmation."))
    carrier_name = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                         help_text=_("Required with carrier Other."))
    tracking_number = serializers.CharField(max_length=64)
    ship_method = serializers.CharField(max_length=80, required=False, allow_blank=True)
    shipped_at = AwareDateTimeField(required=False, help_text=_("When the shipment was confirmed; default now."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["carrier"] == Carrier.OTHER and not attrs.get("carrier_name", "").strip():
            raise serializers.ValidationError({"carrier_name": _("Name the carrier when choosing Other.")})
        return attrs


class CarrierTraceSerializer(ApiModelSerializer):
    store = serializers.CharField(source="store.code", read_only=True)
    order = serializers.CharField(source="shipment.order.amazon_order_id", read_only=True)
    shipment = serializers.IntegerField(source="shipment_id", read_only=True)
    filed_by = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = CarrierTrace
        fields = ["id", "store", "order", "shipment", "status", "reference", "note", "filed_at", "filed_by",
                  "resolved_at", "closed_at"]
        read_only_fields = fields


class TraceInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                      help_text=_("The carrier's number for the request, if it gave one."))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    filed_at = AwareDateTimeField(required=False, help_text=_("When the trace was filed with the carrier; "
                                                              "default now."))


class TraceStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TraceStatus.choices,
                                     help_text=_("The carrier's answer (found, lost), or closed."))
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                      help_text=_("The carrier's reference, if the trace has none yet."))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    at = AwareDateTimeField(required=False, help_text=_("When the carrier answered; default now."))


class ReplacementItemSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=0, max_value=10_000)


class ReplacementInputSerializer(serializers.Serializer):
    carrier = serializers.ChoiceField(choices=Carrier.choices)
    carrier_name = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                         help_text=_("Required with carrier Other."))
    tracking_number = serializers.CharField(max_length=64)
    ship_method = serializers.CharField(max_length=80, required=False, allow_blank=True)
    shipped_at = AwareDateTimeField(required=False, help_text=_("When the replacement left; default now."))
    items = ReplacementItemSerializer(many=True, required=False,
                                      help_text=_("The units to send again by SKU; default every unit of the lost "
                                                  "shipment."))
    accept_malformed_tracking = serializers.BooleanField(
        default=False, help_text=_("Send even though the number does not match the carrier's format."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["carrier"] == Carrier.OTHER and not attrs.get("carrier_name", "").strip():
            raise serializers.ValidationError({"carrier_name": _("Name the carrier when choosing Other.")})
        return attrs


class CarrierEventSerializer(ApiModelSerializer):
    """One carrier event of a shipment, as recorded."""

    class Meta:
        model = CarrierEvent
        fields = ["id", "at", "status", "description", "location", "source", "created_at"]
        read_only_fields = fields


class CarrierEventInputSerializer(serializers.Serializer):
    at = AwareDateTimeField(help_text=_("When the carrier reported it, with its offset."))
    status = serializers.ChoiceField(choices=CarrierEventStatus.choices,
                                     help_text=_("What the event says of the parcel."))
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                        help_text=_("The carrier's own words."))
    location = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class ShipmentEventsInputSerializer(serializers.Serializer):
    # DRF's list serializer takes max_length; its stubs do not know it.
    events = CarrierEventInputSerializer(many=True, allow_empty=False, max_length=500)  # type: ignore[call-arg]


class ShipmentEventsResultSerializer(serializers.Serializer):
    """What recording a shipment's events did: the events now recorded, and how many of those sent were new."""

    shipment = serializers.IntegerField()
    created = serializers.IntegerField(help_text=_("Events that were new."))
    skipped = serializers.IntegerField(help_text=_("Events already recorded (the same time and status)."))
    last_event_at = serializers.DateTimeField(allow_null=True)
    last_event_status = serializers.CharField(allow_blank=True)
    first_scan_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    order_status = serializers.ChoiceField(choices=OrderStatus.choices)
    events = CarrierEventSerializer(many=True)


class TrackingEventInputSerializer(CarrierEventInputSerializer):
    tracking_number = serializers.CharField(max_length=64, help_text=_("Matched whatever its case and spaces."))


class TrackingEventsInputSerializer(serializers.Serializer):
    store = StoreField()
    events = TrackingEventInputSerializer(many=True, allow_empty=False, max_length=1000)  # type: ignore[call-arg]


class TrackingEventOutcomeSerializer(serializers.Serializer):
    """The outcome of one event sent, in the order they were sent."""

    index = serializers.IntegerField(help_text=_("The event's position in the list sent, from 0."))
    tracking_number = serializers.CharField()
    shipment = serializers.IntegerField(allow_null=True)
    outcome = serializers.ChoiceField(choices=["created", "skipped", "unknown_tracking_number", "refused"])
    message = serializers.CharField(allow_blank=True)


class TrackingEventsResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    skipped = serializers.IntegerField()
    refused = serializers.IntegerField(help_text=_("Events of unknown tracking numbers, or refused with their "
                                                   "shipment's other events."))
    results = TrackingEventOutcomeSerializer(many=True)


class CarrierAllowanceSerializer(serializers.Serializer):
    """A carrier's days of silence in a store: after this many days without a carrier event its parcels are at
    risk."""

    carrier = serializers.CharField()
    usual_days = serializers.IntegerField(help_text="The days without days of the store's own: the deployment's "
                                                    "setting, else the carrier table's, for the store's marketplace.")
    own_days = serializers.IntegerField(allow_null=True, help_text="The store's own days; null: none.")
    days = serializers.IntegerField(help_text="The days that count: the store's own, else the usual.")
    delivers_there = serializers.BooleanField(help_text="Whether the carrier delivers to the store's marketplace "
                                                        "(else the store shipped with it, or set days for it).")


class CarrierDaysInputSerializer(serializers.Serializer):
    days = serializers.DictField(
        child=serializers.IntegerField(allow_null=True, min_value=1, max_value=SILENT_DAYS_MAX),
        allow_empty=False,
        help_text="Days of silence by carrier, e.g. `{\"YunExpress\": 10, \"USPS\": null}`; null gives the carrier "
                  "its usual days back. All or nothing.")
