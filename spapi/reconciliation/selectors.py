"""Reads of the reconciliation pages, scoped to the user's stores."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from core.models import Store
from core.selectors import scoped, store_list

from ..models import Reconciliation, ReconciliationOrder, SellerPerformanceReport


def reconciliation_stores(*, user: User | AnonymousUser) -> QuerySet[Store]:
    return store_list(user=user).order_by("code")


def reconciliation_store_differing(*, user: User | AnonymousUser) -> Store | None:
    """The first of the user's stores (by code) whose newest report has a figure that differs from ours: the page
    opens on it when no store is chosen."""
    newest = (SellerPerformanceReport.objects.filter(store=OuterRef("pk")).order_by("-fetched_at", "-id")
              .values("pk")[:1])
    differing = Reconciliation.objects.filter(report_id=OuterRef("newest_report"),
                                              verdict=Reconciliation.Verdict.DIFFERS)
    return (reconciliation_stores(user=user).annotate(newest_report=Subquery(newest))
            .filter(Exists(differing)).first())


def latest_report(*, store: Store) -> SellerPerformanceReport | None:
    """The store's newest kept report (its JSON document left unread: the page needs only its dates)."""
    return (SellerPerformanceReport.objects.filter(store=store).defer("raw").order_by("-fetched_at", "-id")
            .first())


def reconciliation_list(*, report: SellerPerformanceReport) -> QuerySet[Reconciliation]:
    return Reconciliation.objects.filter(report=report).order_by("metric", "channel", "window_days", "window_start")


def reconciliation_history(*, store: Store, since: datetime) -> QuerySet[Reconciliation]:
    """Every reconciliation of ``store`` as of ``since`` or later, oldest first: the day-by-day history."""
    return (Reconciliation.objects.filter(store=store, as_of__gte=since)
            .only("pk", "report_id", "metric", "channel", "window_days", "as_of", "verdict", "points",
                  "amazon_rate", "our_rate", "amazon_numerator", "amazon_denominator", "our_numerator",
                  "our_denominator", "numerator_rows")
            .order_by("as_of", "pk"))


def reconciliation_get(*, user: User | AnonymousUser, pk: int) -> Reconciliation | None:
    return (scoped(Reconciliation.objects.all(), user=user).select_related("store", "report")
            .defer("report__raw").filter(pk=pk).first())


def reconciliation_orders(*, reconciliation: Reconciliation, limit: int) -> list[ReconciliationOrder]:
    return list(ReconciliationOrder.objects.filter(reconciliation=reconciliation).select_related("order")
                .only("pk", "cause", "side", "counted", "at", "reason", "reconciliation_id", "order__id",
                      "order__amazon_order_id", "order__store_id", "order__fulfillment_channel")
                .order_by("cause", "reason", "side", "-counted", "at", "pk")[:limit])
