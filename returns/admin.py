"""Returns and refunds in the back office; their status moves only through ``returns.services``."""

from __future__ import annotations

from django.contrib import admin

from core.admin_kit import ReadOnlyAdmin, ReadOnlyTabularInline, StoreScopedAdmin

from .models import Refund, ReturnRequest


class RefundInline(ReadOnlyTabularInline):
    model = Refund
    fields = ["kind", "amount", "currency", "reason", "refunded_at", "actor"]
    readonly_fields = fields  # type: ignore[assignment]  # names only; the stubs type fields more widely
    fk_name = "return_request"


@admin.register(ReturnRequest)
class ReturnRequestAdmin(StoreScopedAdmin):
    list_display = ["order", "sku", "quantity", "reason", "status", "in_policy", "requested_at",
                    "responded_at", "disposition", "store"]
    list_filter = ["store", "status", "reason", "in_policy", "disposition", "label_provided"]
    search_fields = ["order__amazon_order_id", "sku", "amazon_rma_id", "merchant_rma_id", "order__buyer_name"]
    list_select_related = ["order", "store"]
    date_hierarchy = "requested_at"
    raw_id_fields = ["order_item", "replacement_order"]
    readonly_fields = ["store", "order", "sku", "quantity", "in_policy", "status", "requested_at",
                       "responded_at", "rejected_at", "rejected_reason", "label_provided", "received_at",
                       "disposition", "closed_at", "negative_feedback_at"]
    inlines = [RefundInline]

    def has_add_permission(self, request) -> bool:
        # ``return_create`` checks the order's items and what was already returned.
        return False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["order", "return_request", "kind", "amount", "currency", "refunded_at", "actor", "store"]
    list_filter = ["store", "kind", "currency"]
    search_fields = ["order__amazon_order_id", "return_request__sku", "reason"]
    list_select_related = ["order", "return_request", "return_request__order", "actor", "store"]
    date_hierarchy = "refunded_at"
