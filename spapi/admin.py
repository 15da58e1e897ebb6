"""The back office of the SP-API integration: a store's credentials (write-only) and its performance reports."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_kit import ReadOnlyAdmin, StoreManagersOnlyMixin, StoreScopedAdmin

from .models import SellerCredentials, SellerPerformanceReport

_SECRET_FIELDS = ("refresh_token", "lwa_client_id", "lwa_client_secret")


class SellerCredentialsForm(forms.ModelForm):
    """Write-only secrets: never rendered back; left empty on change, the stored value stays."""

    refresh_token = forms.CharField(label=_("Refresh token"), required=False,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    lwa_client_id = forms.CharField(label=_("LWA client id"), required=False,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    lwa_client_secret = forms.CharField(label=_("LWA client secret"), required=False,
                                        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))

    class Meta:
        model = SellerCredentials
        fields = ["store", "seller_id", "is_active", *_SECRET_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.pk is not None
        for name in _SECRET_FIELDS:
            self.initial[name] = ""
            field = self.fields[name]
            field.required = not stored
            field.help_text = _("Stored and hidden. Leave empty to keep it; type a new value to replace it.") \
                if stored else _("Stored encrypted; it is never shown again.")

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean() returns cleaned_data
        for name in _SECRET_FIELDS:
            if not cleaned.get(name):
                # Left out of cleaned_data, the model keeps the stored value.
                cleaned.pop(name, None)
        return cleaned


@admin.register(SellerCredentials)
class SellerCredentialsAdmin(StoreManagersOnlyMixin, StoreScopedAdmin):
    form = SellerCredentialsForm
    list_display = ["store", "is_active", "last_synced_at", "last_sync_ok", "last_error_at"]
    list_filter = ["is_active"]
    search_fields = ["store__code", "store__name"]
    list_select_related = ["store"]
    autocomplete_fields = ["store"]
    fieldsets = [
        (None, {"fields": ["store", "seller_id", "is_active"]}),
        (_("Credentials"), {"fields": list(_SECRET_FIELDS)}),
        (_("Sync"), {"fields": ["last_synced_at", "last_error", "last_error_at", "updated_at"]}),
    ]
    readonly_fields = ["last_synced_at", "last_error", "last_error_at", "updated_at"]

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:2]

    @admin.display(boolean=True, description=_("last sync OK"))
    def last_sync_ok(self, obj: SellerCredentials) -> bool:
        return not obj.last_error


def _odr_fields(channel: str) -> tuple[str, ...]:
    return tuple(f"{channel}_{name}" for name in ("date_from", "date_to", "order_count", "orders_with_defects",
                                                  "claims", "chargebacks", "negative_feedback", "rate", "target_value"))


def _odr_summary(rate, defects, orders) -> str:
    if rate is None:
        return "—"
    return f"{rate * 100:.2f}% ({defects} / {orders})"


@admin.register(SellerPerformanceReport)
class SellerPerformanceReportAdmin(ReadOnlyAdmin):
    list_display = ["store", "fetched_at", "account_status", "afn_odr", "mfn_odr"]
    list_filter = ["account_status", "store"]
    list_select_related = ["store"]
    date_hierarchy = "fetched_at"
    search_fields = ["store__code", "report_id"]
    readonly_fields = ["document"]
    fieldsets = [
        (None, {"fields": ["store", "fetched_at", "account_status", "marketplace_id", "report_id",
                           "report_document_id"]}),
        (_("Order defect rate, fulfilled by Amazon"), {"fields": _odr_fields("afn")}),
        (_("Order defect rate, seller-fulfilled"), {"fields": _odr_fields("mfn")}),
        (_("Report document"), {"fields": ["document"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("AFN ODR"), ordering="afn_rate")
    def afn_odr(self, obj: SellerPerformanceReport) -> str:
        return _odr_summary(obj.afn_rate, obj.afn_orders_with_defects, obj.afn_order_count)

    @admin.display(description=_("MFN ODR"), ordering="mfn_rate")
    def mfn_odr(self, obj: SellerPerformanceReport) -> str:
        return _odr_summary(obj.mfn_rate, obj.mfn_orders_with_defects, obj.mfn_order_count)

    @admin.display(description=_("report document"))
    def document(self, obj: SellerPerformanceReport) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.raw, indent=2, sort_keys=True))
