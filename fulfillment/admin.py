"""Shipments and FBA inbound shipments in the back office."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_kit import (
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    StoreManagersOnlyMixin,
    StoreScopedAdmin,
    StoreScopedInline,
)
from core.errors import InvalidTransition
from orders.admin import OrderAdmin

from .models import (
    INBOUND_STATES,
    CarrierTrace,
    FbaAccountSnapshot,
    FbaInventorySnapshot,
    InboundShipment,
    InboundShipmentItem,
    Shipment,
    ShipmentItem,
)


class ShipmentInline(ReadOnlyTabularInline):
    """An order's shipments on its admin page."""

    model = Shipment
    fields = ["carrier", "carrier_name", "tracking_number", "tracking_format_valid", "shipped_at",
              "first_scan_at", "delivered_at", "replacement_of"]
    readonly_fields = fields  # type: ignore[assignment]  # names only; the stubs type fields more widely


OrderAdmin.extra_inlines.append(ShipmentInline)


class ShipmentItemInline(ReadOnlyTabularInline):
    model = ShipmentItem
    fields = ["order_item", "quantity"]
    readonly_fields = fields  # type: ignore[assignment]  # names only; the stubs type fields more widely
    show_change_link = False


class CarrierTraceInline(ReadOnlyTabularInline):
    model = CarrierTrace
    fields = ["status", "reference", "filed_at", "actor", "resolved_at", "closed_at", "note"]
    readonly_fields = fields  # type: ignore[assignment]  # names only; the stubs type fields more widely


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    """Confirmed by ``order_ship``, tracked by ``shipment_record_tracking``, replaced by
    ``fulfillment.remedies.shipment_replace``: read-only here."""

    list_display = ["order", "store", "carrier_label", "tracking_number", "tracking_format_valid",
                    "shipped_at", "first_scan_at", "delivered_at", "replacement_of"]
    list_filter = ["store", "carrier", "tracking_format_valid"]
    search_fields = ["tracking_number", "order__amazon_order_id", "carrier_name"]
    list_select_related = ["order", "store", "replacement_of__order"]
    date_hierarchy = "shipped_at"
    inlines = [ShipmentItemInline, CarrierTraceInline]

    @admin.display(description=_("carrier"), ordering="carrier")
    def carrier_label(self, obj: Shipment) -> str:
        return obj.carrier_label


@admin.register(CarrierTrace)
class CarrierTraceAdmin(ReadOnlyAdmin):
    """Filed and moved on the order page or the API (``fulfillment.remedies``), each step on the order's
    timeline: read-only here."""

    list_display = ["shipment", "store", "status", "reference", "filed_at", "actor", "resolved_at", "closed_at"]
    list_filter = ["store", "status"]
    search_fields = ["reference", "shipment__tracking_number", "shipment__order__amazon_order_id"]
    list_select_related = ["shipment__order", "store", "actor"]
    date_hierarchy = "filed_at"


@admin.register(ShipmentItem)
class ShipmentItemAdmin(ReadOnlyAdmin):
    list_display = ["shipment", "order_item", "quantity", "store"]
    list_filter = ["store"]
    search_fields = ["shipment__tracking_number", "shipment__order__amazon_order_id", "order_item__sku"]
    list_select_related = ["shipment", "shipment__order", "order_item", "store"]


class InboundShipmentForm(forms.ModelForm):
    class Meta:
        model = InboundShipment
        fields = ["store", "shipment_id", "name", "destination_fc", "status", "carrier", "tracking_number",
                  "created_at"]

    def clean_status(self) -> str:
        new = self.cleaned_data["status"]
        old = self.instance.status if self.instance.pk else None
        if old is not None and new != old:
            try:
                INBOUND_STATES.check(old=old, new=new,
                                     what=_("Inbound shipment %(id)s") % {"id": self.instance.shipment_id})
            except InvalidTransition as error:
                raise forms.ValidationError(error.message) from None
        return new


class InboundShipmentItemInline(StoreScopedInline, admin.TabularInline):
    model = InboundShipmentItem
    extra = 0
    autocomplete_fields = ["listing"]
    fields = ["listing", "quantity_expected", "quantity_received", "discrepancy"]
    readonly_fields = ["quantity_received", "discrepancy"]

    @admin.display(description=_("discrepancy"))
    def discrepancy(self, obj: InboundShipmentItem) -> int | str:
        return obj.discrepancy if obj.pk else ""


@admin.register(InboundShipment)
class InboundShipmentAdmin(StoreScopedAdmin):
    form = InboundShipmentForm
    list_display = ["shipment_id", "name", "store", "destination_fc", "status", "carrier", "tracking_number",
                    "created_at", "shipped_at", "closed_at"]
    list_filter = ["store", "status", "destination_fc"]
    search_fields = ["shipment_id", "name", "tracking_number", "items__listing__sku"]
    list_select_related = ["store"]
    date_hierarchy = "created_at"
    readonly_fields = ["shipped_at", "receiving_at", "closed_at"]
    inlines = [InboundShipmentItemInline]

    def save_formset(self, request, form, formset, change) -> None:
        # Items belong to the shipment's store; the form does not ask for it.
        for item in formset.save(commit=False):
            item.store_id = form.instance.store_id
            item.save()
        for item in formset.deleted_objects:
            item.delete()
        formset.save_m2m()


@admin.register(InboundShipmentItem)
class InboundShipmentItemAdmin(ReadOnlyAdmin):
    list_display = ["inbound_shipment", "listing", "quantity_expected", "quantity_received", "store"]
    list_filter = ["store"]
    search_fields = ["inbound_shipment__shipment_id", "listing__sku"]
    list_select_related = ["inbound_shipment", "listing", "store"]


@admin.register(FbaInventorySnapshot)
class FbaInventorySnapshotAdmin(ReadOnlyAdmin):
    """Written by the FBA reports: read-only here."""

    list_display = ["listing", "store", "day", "fulfillable", "reserved", "unfulfillable", "age_181_270",
                    "age_271_365", "age_365_plus", "stranded_units", "source"]
    list_filter = ["store", "day"]
    search_fields = ["listing__sku", "listing__asin", "listing__fnsku"]
    list_select_related = ["listing", "store"]
    date_hierarchy = "day"


@admin.register(FbaAccountSnapshot)
class FbaAccountSnapshotAdmin(StoreManagersOnlyMixin, StoreScopedAdmin):
    """Amazon's Inventory Performance Index and storage limits, as Seller Central shows them: entered here."""

    list_display = ["store", "day", "amazon_index", "storage_limit_units", "storage_limit_volume", "storage_used",
                    "volume_unit"]
    list_filter = ["store"]
    date_hierarchy = "day"
