"""FBA inventory health pages: the manager's page (the index parts, the aged stock, the fee forecast), a drill-down
behind each figure with its CSV, and the operator's restock list that plans an inbound shipment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.charts import Box, bar_chart, sparkline
from core.errors import ApplicationError
from core.exports import csv_response
from core.models import Store
from core.permissions import request_grants
from core.selectors import store_list
from core.web import AuthenticatedHttpRequest, page_number

from .fba.parts import PART_DEFINITIONS, FbaPartDefinition, PartKey
from .fba.plan import restock_inbound_create
from .fba_health import (
    SkuDay,
    action_label,
    fba_aged_rows,
    fba_fee_actions,
    fba_part_rows,
    fba_restock_plan,
)
from .fba_selectors import fba_account_latest, fba_store_days
from .models import FbaStoreDay

PAGE_SIZE = 50
TREND_DAYS = 90


def _stores(request: AuthenticatedHttpRequest):
    return store_list(user=request.user).order_by("code")


def _store(request: AuthenticatedHttpRequest, code: str) -> Store:
    store = _stores(request).filter(code=code).first()
    if store is None:
        raise Http404(_("No such store."))
    return store


def _latest(request: AuthenticatedHttpRequest, store: Store) -> FbaStoreDay:
    days = fba_store_days(user=request.user, store=store, days=1)
    if not days:
        raise Http404(_("No FBA inventory reports for this store yet."))
    return days[-1]


def part_value_text(definition: FbaPartDefinition, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if definition.unit == "ratio":
        return f"{(value * 100).quantize(Decimal('0.1'))} %"
    return str(value.quantize(Decimal("0.01")))


def _value(pair: list[str] | None) -> Decimal | None:
    if not pair or not Decimal(pair[1]):
        return None
    return Decimal(pair[0]) / Decimal(pair[1])


@dataclass(frozen=True)
class PartTile:
    key: str
    definition: FbaPartDefinition
    value: str
    numerator: Decimal
    denominator: Decimal
    status: str
    status_label: str
    sparkline: SafeString
    contributors: list[dict[str, Any]]
    url: str


def _tiles(store: Store, days: list[FbaStoreDay]) -> list[PartTile]:
    latest = days[-1]
    first = days[0].day.toordinal()
    tiles = []
    for key, definition in PART_DEFINITIONS.items():
        pair = latest.parts.get(str(key))
        value = _value(pair)
        meets = definition.meets_target(value)
        status = "none" if meets is None else "green" if meets else "red"
        scale = 100 if definition.unit == "ratio" else 1
        series = [(d.day.toordinal() - first, None if (v := _value(d.parts.get(str(key)))) is None
                   else float(v) * scale) for d in days]
        tiles.append(PartTile(
            key=str(key), definition=definition, value=part_value_text(definition, value),
            numerator=Decimal(pair[0]) if pair else Decimal(0), denominator=Decimal(pair[1]) if pair else Decimal(0),
            status=status,
            status_label={"green": _("On target"), "red": _("Off target"), "none": _("Nothing to measure")}[status],
            sparkline=sparkline(series, target=float(definition.target) * scale, status=status, box=Box(),
                                x_domain=(0, TREND_DAYS - 1), label=str(definition.name)),
            contributors=[{**c, "value_text": part_value_text(definition, None if c["value"] is None
                                                                else Decimal(c["value"]))}
                          for c in latest.contributors.get(str(key), [])[:5]],
            url=reverse("fba:part", args=[store.code, str(key)])))
    return tiles


AGE_BANDS = (("age_0_90", "0–90"), ("age_91_180", "91–180"), ("age_181_270", "181–270"),
             ("age_271_365", "271–365"), ("age_365_plus", "365+"))


@login_required
@require_GET
def fba_health_view(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The store's FBA inventory health: one tile per index part, the aged stock, the fee forecast."""
    stores = list(_stores(request))
    code = request.GET.get("store") or (stores[0].code if stores else "")
    store = next((s for s in stores if s.code == code), None)
    if stores and store is None:
        raise Http404(_("No such store."))
    context: dict[str, Any] = {"stores": stores, "store": store}
    if store is not None:
        days = fba_store_days(user=request.user, store=store, days=TREND_DAYS)
        context["pills"] = [{"code": s.code, "url": f"{reverse('fba:health')}?store={s.code}",
                             "active": s == store} for s in stores]
        if days:
            latest = days[-1]
            fees = latest.fees or {}
            context.update({
                "day": latest, "tiles": _tiles(store, days),
                "account": fba_account_latest(user=request.user, store=store, as_of=latest.day),
                "aged_chart": bar_chart([(label, float(getattr(latest, name)), name.replace("_", "-"))
                                         for name, label in AGE_BANDS], label=_("Units by age in days")),
                "ages": [(label, getattr(latest, name)) for name, label in AGE_BANDS],
                "fees": fees,
                "actions": [{**a, "label": action_label(a["action"])} for a in fees.get("actions", [])[:10]],
                "can_restock": request_grants(request).can("inbound.create", store),
            })
    return render(request, "fulfillment/fba_health.html", context)


PART_COLUMNS = ("SKU", "listing_id", "numerator", "denominator", "value", "impact", "fulfillable", "reserved",
                "unfulfillable", "stranded_units", "units_shipped_t60", "units_shipped_t90", "on_hand_90_days_ago",
                "days_in_stock", "days_tracked", "shipped_from_our_orders", "report_day", "source")


def _part_line(each: SkuDay, contributor: Any) -> list[Any]:
    row, sku = each.row, each.sku
    return [sku.sku, each.listing_id, contributor.part.numerator, contributor.part.denominator,
            contributor.part.value, contributor.impact, row["fulfillable"], row["reserved"], row["unfulfillable"],
            row["stranded_units"], sku.shipped_t60, sku.shipped_t90, sku.on_hand_90_days_ago, sku.days_in_stock,
            sku.days_tracked, " ".join(each.from_orders), row["day"], row["source"]]


@login_required
@require_GET
def fba_part_view(request: AuthenticatedHttpRequest, store_code: str, part: str) -> HttpResponseBase:
    """Every SKU behind a part's value, with the report figures it was computed from; ``?format=csv`` downloads."""
    store = _store(request, store_code)
    try:
        key = PartKey(part)
    except ValueError:
        raise Http404(_("No such part.")) from None
    latest = _latest(request, store)
    rows = fba_part_rows(store=store, day=latest.day, key=key)
    if request.GET.get("format") == "csv":
        return csv_response(PART_COLUMNS, (_part_line(each, c) for each, c in rows),
                            filename=f"fba-{store.code}-{key}-{latest.day}.csv")
    definition = PART_DEFINITIONS[key]
    page = Paginator(rows, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    lines = [{"each": each, "c": c, "value": part_value_text(definition, c.part.value),
              "impact": part_value_text(definition, c.impact) if definition.unit == "ratio"
              else c.impact.quantize(Decimal("0.1"))} for each, c in page.object_list]
    return render(request, "fulfillment/fba_part.html", {
        "store": store, "day": latest, "definition": definition, "key": str(key), "page": page, "lines": lines,
        "total": _value(latest.parts.get(str(key))), "value": part_value_text(definition,
                                                                            _value(latest.parts.get(str(key)))),
        "pair": latest.parts.get(str(key)),
    })


AGED_COLUMNS = ("SKU", "listing_id", "age_0_90", "age_91_180", "age_181_270", "age_271_365", "age_365_plus",
                "fulfillable", "units_shipped_t90", "estimated_ltsf_next_charge", "currency", "recommended_action",
                "report_day", "source")


def _aged_line(each: SkuDay) -> list[Any]:
    row = each.row
    return [each.sku.sku, each.listing_id, row["age_0_90"], row["age_91_180"], row["age_181_270"],
            row["age_271_365"], row["age_365_plus"], row["fulfillable"], each.sku.shipped_t90,
            row["estimated_ltsf_next_charge"], row["currency"], row["recommended_action"], row["day"], row["source"]]


@login_required
@require_GET
def fba_aged_view(request: AuthenticatedHttpRequest, store_code: str) -> HttpResponseBase:
    """The SKUs behind the aged-stock chart; ``?format=csv`` downloads them."""
    store = _store(request, store_code)
    latest = _latest(request, store)
    rows = fba_aged_rows(store=store, day=latest.day)
    if request.GET.get("format") == "csv":
        return csv_response(AGED_COLUMNS, (_aged_line(each) for each in rows),
                            filename=f"fba-{store.code}-aged-{latest.day}.csv")
    page = Paginator(rows, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    return render(request, "fulfillment/fba_aged.html", {"store": store, "day": latest, "page": page})


FEE_COLUMNS = ("SKU", "listing_id", "action", "units", "assessment", "fee_avoided", "cost", "saves", "reason",
               "age_181_270", "age_271_365", "age_365_plus", "units_shipped_t90", "report_day", "source")


@login_required
@require_GET
def fba_fees_view(request: AuthenticatedHttpRequest, store_code: str) -> HttpResponseBase:
    """Every SKU facing an aged-inventory surcharge with its best action; ``?format=csv`` downloads them."""
    store = _store(request, store_code)
    latest = _latest(request, store)
    actions, by_sku = fba_fee_actions(store=store, day=latest.day)
    if request.GET.get("format") == "csv":
        return csv_response(FEE_COLUMNS, ([
            a.sku, by_sku[a.sku].listing_id, str(a.action), a.units, a.assessment, a.fee_avoided, a.cost, a.saves,
            a.reason, by_sku[a.sku].row["age_181_270"], by_sku[a.sku].row["age_271_365"],
            by_sku[a.sku].row["age_365_plus"], by_sku[a.sku].sku.shipped_t90, by_sku[a.sku].row["day"],
            by_sku[a.sku].row["source"]] for a in actions), filename=f"fba-{store.code}-fees-{latest.day}.csv")
    page = Paginator(actions, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    lines = [{"a": a, "label": action_label(str(a.action)), "listing_id": by_sku[a.sku].listing_id}
             for a in page.object_list]
    return render(request, "fulfillment/fba_fees.html", {
        "store": store, "day": latest, "page": page, "lines": lines, "currency": (latest.fees or {}).get("currency")})


@login_required
@require_http_methods(["GET", "POST"])
def fba_restock_view(request: AuthenticatedHttpRequest, store_code: str) -> HttpResponseBase:
    """Per SKU the units to send and by when; the selected rows become an FBA inbound shipment plan."""
    store = _store(request, store_code)
    latest = _latest(request, store)
    can_plan = request_grants(request).can("inbound.create", store)
    account = fba_account_latest(user=request.user, store=store, as_of=latest.day)
    plan, by_sku = fba_restock_plan(store=store, day=latest.day, account=account)
    error = ""
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied(_("Your role in store %(store)s does not allow planning shipments.")
                                   % {"store": store.code})
        chosen = set(request.POST.getlist("sku"))
        selected = [s for s in plan if s.sku in chosen and s.quantity > 0]
        if not selected:
            error = _("Select at least one SKU with units to send.")
        else:
            try:
                inbound = restock_inbound_create(store=store, suggestions=selected, actor=request.user)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, _("Shipment plan %(id)s created.") % {"id": inbound.shipment_id})
                return redirect("fulfillment:detail", pk=inbound.pk)
    to_send = [s for s in plan if s.quantity > 0]
    page = Paginator(to_send, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    lines = [{"s": s, "each": by_sku[s.sku]} for s in page.object_list]
    return render(request, "fulfillment/fba_restock.html", {
        "store": store, "day": latest, "page": page, "lines": lines, "can_plan": can_plan, "error": error,
        "idle": len(plan) - len(to_send), "today": latest.day,
    }, status=400 if error else 200)
