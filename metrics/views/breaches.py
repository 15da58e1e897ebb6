"""Breaches: open and resolved, with their timeline; one breach's root cause and plan-of-action draft."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.selectors import store_list
from core.templatetags.sellerops_tags import duration
from core.timefmt import format_time, store_time
from core.web import AuthenticatedHttpRequest, page_number

from ..alerts import rate_percent, reported_results_q, result_title, target_text
from ..definitions import DEFINITIONS, MetricKey
from ..models import Breach
from ..rootcause import RootCause, plan_of_action, root_cause
from ..selectors import breach_list
from .common import PAGE_SIZE, drilldown_url, health_url, render_page, worst_part

STATES = ("all", "open", "resolved")
MAX_PLAN_CHARS = 100_000


def _timeline(breach: Breach, now) -> dict:
    end = breach.resolved_at or now
    return {
        "breach": breach,
        "title": result_title(breach.metric, breach.channel, breach.window_days),
        "opened": format_time(breach.opened_at),
        "opening": rate_percent(breach.opening_rate),
        "peak": rate_percent(breach.peak_rate),
        "peak_at": format_time(breach.peak_at),
        "resolved": format_time(breach.resolved_at),
        "lasted": duration(end - breach.opened_at),
        "url": reverse("metrics:breach_detail", args=[breach.pk]),
    }


def _query(**params: str | int | None) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", "all", 1)}
    return f"?{urlencode(kept)}" if kept else "?"


@login_required
@require_GET
def breach_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    stores = list(store_list(user=request.user).order_by("code"))
    code = request.GET.get("store") or ""
    state = request.GET.get("state") if request.GET.get("state") in STATES else "all"
    page = page_number(request.GET.get("page"))
    breaches = breach_list(user=request.user).filter(reported_results_q())
    if code:
        if code not in {s.code for s in stores}:
            raise Http404(_("No such store."))
        breaches = breaches.filter(store__code=code)
    if state == "open":
        breaches = breaches.filter(resolved_at__isnull=True)
    elif state == "resolved":
        breaches = breaches.filter(resolved_at__isnull=False)
    # Open breaches first, then the most recently resolved.
    breaches = breaches.order_by(F("resolved_at").desc(nulls_first=True), "-opened_at", "-pk")
    offset = (page - 1) * PAGE_SIZE
    rows = list(breaches[offset:offset + PAGE_SIZE + 1])
    now = timezone.now()
    context = {
        "rows": [_timeline(b, now) for b in rows[:PAGE_SIZE]],
        "stores": stores,
        "store_code": code,
        "state": state,
        "store_pills": [{"label": s.code, "url": _query(store=s.code, state=state), "active": s.code == code}
                        for s in stores],
        "all_stores_url": _query(state=state),
        "state_tabs": [{"key": key, "url": _query(store=code, state=key), "active": key == state,
                        "label": {"all": _("All"), "open": _("Open"), "resolved": _("Resolved")}[key]}
                       for key in STATES],
        "prev_url": _query(store=code, state=state, page=page - 1) if page > 1 else None,
        "next_url": _query(store=code, state=state, page=page + 1) if len(rows) > PAGE_SIZE else None,
    }
    return render_page(request, "metrics/breaches.html", "breach-table", context)


def _breach_for(request: AuthenticatedHttpRequest, breach_id: int) -> Breach:
    return get_object_or_404(breach_list(user=request.user), pk=breach_id)


def _cause(breach: Breach) -> RootCause:
    """An open breach is explained as it stands now; a resolved one at its worst."""
    as_of = timezone.now() if breach.is_open else breach.peak_at
    return root_cause(store=breach.store, metric=breach.metric, channel=breach.channel,
                      window_days=breach.window_days, as_of=as_of)


@login_required
@require_GET
def breach_detail_view(request: AuthenticatedHttpRequest, breach_id: int) -> HttpResponse:
    breach = _breach_for(request, breach_id)
    cause = _cause(breach)
    result, store = cause.result, breach.store
    definition = DEFINITIONS[MetricKey(breach.metric)]
    day = None if breach.is_open else breach.peak_at.astimezone(store.tz).date()
    dimensions = []
    for dimension in cause.dimensions:
        widest = max((b.defects for b in dimension.buckets), default=0)
        dimensions.append({
            "dimension": dimension,
            "buckets": [{"bucket": b, "share": round(100 * b.defects / widest) if widest else 0,
                         "defect_rate": rate_percent(b.defect_rate)} for b in dimension.buckets],
        })
    context = {
        "breach": breach,
        "store": store,
        "timeline": _timeline(breach, timezone.now()),
        "result": result,
        "rate": rate_percent(result.rate),
        "target": target_text(definition),
        "as_of": store_time(result.as_of, store),
        "cause": cause,
        "dimensions": dimensions,
        "plan": plan_of_action(breach=breach, cause=cause),
        "plan_url": reverse("metrics:breach_plan", args=[breach.pk]),
        "rows_url": drilldown_url(store, (breach.metric, breach.channel, breach.window_days),
                                  part=worst_part(definition), day=day),
        "health_url": health_url(store=store.code, day=day),
        "order_url": reverse("orders:list"),
    }
    return render(request, "metrics/breach_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def breach_plan_view(request: AuthenticatedHttpRequest, breach_id: int) -> HttpResponse:
    """The plan of action as a .txt file: the draft (GET), or the text as the manager edited it (POST)."""
    breach = _breach_for(request, breach_id)
    if request.method == "POST":
        text = request.POST.get("plan", "")[:MAX_PLAN_CHARS].replace("\r\n", "\n")
    else:
        text = plan_of_action(breach=breach, cause=_cause(breach))
    name = slugify(f"plan-of-action-{breach.store.code}-{breach.metric}-{breach.opened_at:%Y-%m-%d}")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.txt"'
    return response
