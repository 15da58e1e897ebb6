"""Order pages. Each view serves its full page and, for htmx requests, only the named partial."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from .forms import TAB_LABELS, OrderFilterForm
from .selectors import Tab, order_list, order_tab_counts, store_timezones

PAGE_SIZE = 50


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


def _query(params: QueryDict, **overrides: str | int | None) -> str:
    """``params`` with ``overrides`` applied (None drops a key), as a "?…" string."""
    query = params.copy()
    for key, value in overrides.items():
        query.pop(key, None)
        if value is not None:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@login_required
@require_GET
def order_list_view(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET, user=request.user)
    filters = form.filters()
    now = timezone.now()
    page = _page_number(request.GET.get("page"))
    offset = (page - 1) * PAGE_SIZE
    # One row past the page tells whether a next page exists, without counting the whole set.
    timezones = store_timezones(user=request.user, store=filters.store)
    orders_qs = order_list(user=request.user, filters=filters, now=now, timezones=timezones)
    rows = list(orders_qs[offset:offset + PAGE_SIZE + 1])
    orders = rows[:PAGE_SIZE]
    counts = order_tab_counts(user=request.user, filters=filters, now=now, timezones=timezones)
    params = request.GET.copy()
    params.pop("page", None)
    tabs = [
        {"key": key, "label": TAB_LABELS[key], "count": counts.get(key), "active": key == filters.tab,
         "url": _query(params, tab=key)}
        for key in Tab.ORDER
    ]
    context = {
        "form": form,
        "filters": filters,
        "orders": orders,
        "tabs": tabs,
        "now": now,
        "page": page,
        "first_row": offset + 1 if orders else 0,
        "last_row": offset + len(orders),
        "total": counts.get(filters.tab),
        "prev_url": _query(params, page=page - 1 if page > 2 else None) if page > 1 else None,
        "next_url": _query(params, page=page + 1) if len(rows) > PAGE_SIZE else None,
        "by_deadline": filters.tab in Tab.BY_DEADLINE,
    }
    # A history restore (Back after the cache is gone) replaces the whole page, so it gets the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "orders/order_list.html#order-table" if partial else "orders/order_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
