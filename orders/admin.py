"""Orders in the back office. Status, stock and the timeline change only through ``orders.services``, so the
admin shows them read-only and creates no orders of its own."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_kit import ReadOnlyAdmin, ReadOnlyTabularInline, StoreScopedAdmin

from .models import Order, OrderEvent, OrderItem


class OrderItemInline(ReadOnlyTabularInline):
    model = OrderItem
    fields = ["sku", "asin", "title", "listing", "quantity", "quantity_shipped", "quantity_reserved",
              "item_price", "buyer_requested_cancel"]
    readonly_fields = fields  # type: ignore[assignment]  # names only; the stubs type fields more widely


class OrderEventInline(ReadOnlyTabularInline):
    model = OrderEvent
    fields = ["at", "kind", "from_status", "to_status", "actor", "source", "note"]
    readonly_fields = fields  # type: ignore[assignment]  # names only; the stubs type fields more widely
    show_change_link = False


#: Written only by services: the state machine, its timestamps, the computed risk flags.
SERVICE_FIELDS = ["status", "risk_flags", "confirmed_at", "packed_at", "canceled_at", "cancel_initiator",
                  "cancel_reason", "created_at", "last_update_date"]
#: Fixed once the order exists: they identify it, or decide its stock and its metrics.
FIXED_FIELDS = ["store", "amazon_order_id", "fulfillment_channel", "purchase_date", "earliest_ship_date",
                "latest_ship_date", "earliest_delivery_date", "latest_delivery_date", "order_total",
                "currency"]


@admin.register(Order)
class OrderAdmin(StoreScopedAdmin):
    list_display = ["amazon_order_id", "store", "status", "fulfillment_channel", "purchase_date",
                    "latest_ship_date", "buyer_name", "order_total", "currency", "is_prime"]
    list_filter = ["store", "status", "fulfillment_channel", "is_prime", "is_business_order",
                   "shipment_service_level_category"]
    search_fields = ["amazon_order_id", "merchant_order_id", "buyer_name", "buyer_email", "ship_name",
                     "items__sku", "items__asin", "shipments__tracking_number"]
    list_select_related = ["store"]
    date_hierarchy = "purchase_date"
    readonly_fields = SERVICE_FIELDS
    inlines = [OrderItemInline, OrderEventInline]
    #: Inlines of the apps above orders, shown between the items and the timeline; each app's admin module
    #: appends its own (fulfillment: the shipments), since this module may not import them.
    extra_inlines: list[type[admin.options.InlineModelAdmin]] = []
    fieldsets = [
        (None, {"fields": ["store", "amazon_order_id", "merchant_order_id", "status", "fulfillment_channel",
                           "sales_channel", "purchase_date", "order_total", "currency", "risk_flags"]}),
        (_("Shipping"), {"fields": ["ship_service_level", "shipment_service_level_category",
                                    "earliest_ship_date", "latest_ship_date", "earliest_delivery_date",
                                    "latest_delivery_date", "is_prime", "is_business_order",
                                    "is_replacement_order", "replaced_order_id"]}),
        (_("Buyer and address"), {"fields": ["buyer_name", "buyer_email", "ship_name", "ship_line1",
                                             "ship_line2", "ship_city", "ship_state", "ship_postal_code",
                                             "ship_country"]}),
        (_("Progress"), {"fields": ["confirmed_at", "packed_at", "canceled_at", "cancel_initiator",
                                    "cancel_reason", "created_at", "last_update_date"]}),
    ]

    def get_inlines(self, request, obj):
        return [OrderItemInline, *self.extra_inlines, OrderEventInline]

    def get_readonly_fields(self, request, obj=None):
        return SERVICE_FIELDS + FIXED_FIELDS

    def has_add_permission(self, request) -> bool:
        # An order is created with its stock reservation and timeline by ``order_create`` (import, API, UI).
        return False


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyAdmin):
    list_display = ["order", "sku", "asin", "quantity", "quantity_shipped", "quantity_reserved", "item_price",
                    "store"]
    list_filter = ["store"]
    search_fields = ["order__amazon_order_id", "sku", "asin", "title", "order_item_id"]
    list_select_related = ["order", "store"]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "order", "kind", "from_status", "to_status", "actor", "source", "short_note"]
    list_filter = ["store", "kind", "source"]
    search_fields = ["order__amazon_order_id", "note", "actor__username"]
    list_select_related = ["order", "actor"]
    date_hierarchy = "at"

    @admin.display(description=_("note"))
    def short_note(self, obj: OrderEvent) -> str:
        return obj.note if len(obj.note) <= 80 else f"{obj.note[:77]}…"
