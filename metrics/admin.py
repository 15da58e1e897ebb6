"""Metric snapshots and breaches: written by the recompute, read-only here."""

from __future__ import annotations

from django.contrib import admin

from core.admin_kit import ReadOnlyAdmin

from .models import Breach, MetricSnapshot


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["store", "metric", "channel", "window_days", "kind", "as_of", "numerator", "denominator",
                    "rate", "status"]
    list_filter = ["store", "metric", "channel", "kind", "status", "window_days"]
    search_fields = ["store__code", "metric"]
    list_select_related = ["store"]
    date_hierarchy = "as_of"


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ["store", "metric", "channel", "window_days", "opened_at", "opening_rate", "peak_rate",
                    "peak_at", "resolved_at"]
    list_filter = ["store", "metric", "channel", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["store__code", "metric"]
    list_select_related = ["store"]
    date_hierarchy = "opened_at"
