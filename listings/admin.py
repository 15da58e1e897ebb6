"""Listings and their stock; quantities change only through ``listings.services``, so they are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_kit import ReadOnlyAdmin, StoreScopedAdmin

from .models import Listing, StockMovement
from .services import stock_versions_bump


@admin.register(Listing)
class ListingAdmin(StoreScopedAdmin):
    list_display = ["sku", "asin", "short_title", "store", "fulfillment_channel", "status", "price",
                    "currency", "quantity_available", "quantity_reserved", "quantity_inbound", "safety_stock",
                    "low_stock"]
    list_filter = ["store", "fulfillment_channel", "status"]
    search_fields = ["sku", "asin", "fnsku", "title", "brand"]
    list_select_related = ["store"]
    readonly_fields = ["quantity_available", "quantity_reserved", "quantity_inbound", "created_at",
                       "updated_at"]
    fieldsets = [
        (None, {"fields": ["store", "sku", "asin", "fnsku", "fulfillment_channel", "status"]}),
        (_("Content"), {"fields": ["title", "brand", "bullets", "description", "main_image"]}),
        (_("Price"), {"fields": ["price", "currency"]}),
        (_("Stock"), {"fields": ["quantity_available", "quantity_reserved", "quantity_inbound",
                                 "safety_stock", "lead_time_days"]}),
        (_("Audit"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Orders, movements and inbound shipments point at this SKU in this store.
            fields += ["store", "sku", "fulfillment_channel"]
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "safety_stock" in form.changed_data:
            # What Amazon may sell is available − safety stock: it is owed the new figure.
            stock_versions_bump(listing_ids=[obj.pk])

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj: Listing) -> str:
        return obj.title if len(obj.title) <= 60 else f"{obj.title[:57]}…"

    @admin.display(description=_("low stock"), boolean=True)
    def low_stock(self, obj: Listing) -> bool:
        return obj.is_low_stock


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["at", "listing", "store", "reason", "available_delta", "reserved_delta", "inbound_delta",
                    "order", "actor", "note"]
    list_filter = ["store", "reason"]
    search_fields = ["listing__sku", "order__amazon_order_id", "note"]
    list_select_related = ["listing", "listing__store", "store", "order", "actor"]
    date_hierarchy = "at"
