"""Order pages. Each view serves its full page and, for htmx requests, only the named partial."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError
from core.permissions import request_grants
from core.web import AuthenticatedHttpRequest, page_number, refused_filters, refused_filters_response, wants_partial

from .bulk import BulkOutcome, amazon_ships_message, bulk_cancel, bulk_confirm, seller_shipped
from .forms import (
    CANCEL_REASONS,
    TAB_LABELS,
    CancelForm,
    NoteForm,
    OrderFilterForm,
    cancel_form_initial,
    parse_ids,
)
from .links import order_url
from .models import ORDER_TRANSITIONS, SHIPPABLE_STATUSES, Order, OrderStatus
from .queue_tabs import queue_tab_row
from .selectors import (
    Tab,
    order_detail,
    order_list,
    order_risks,
    order_tab_counts,
    orders_by_ids,
    store_timezones,
)
from .services import order_add_note, order_cancel, order_confirm, order_pack

PAGE_SIZE = 50
#: The queue's bulk actions that write, each offered to whoever holds ``order.<action>`` in one of their stores.
BULK_ACTIONS = ("confirm", "ship", "cancel")


@login_required
@require_GET
def order_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET, user=request.user)
    filters = form.filters()
    now = timezone.now()
    page = page_number(request.GET.get("page"))
    offset = (page - 1) * PAGE_SIZE
    # One row past the page tells whether a next page exists, without counting the whole set.
    timezones = store_timezones(user=request.user, store=filters.store)
    orders_qs = order_list(user=request.user, filters=filters, now=now, timezones=timezones)
    rows = list(orders_qs[offset:offset + PAGE_SIZE + 1])
    orders = rows[:PAGE_SIZE]
    counts = order_tab_counts(user=request.user, filters=filters, now=now, timezones=timezones)
    own = [{"key": key, "label": TAB_LABELS[key], "count": counts.get(key), "alarming": key == Tab.LATE}
           for key in Tab.ORDER]
    tabs = queue_tab_row(own=own, user=request.user, store=filters.store, now=now, active=filters.tab)
    grants = request_grants(request)
    bulk = {action: grants.can(f"order.{action}") for action in BULK_ACTIONS}
    context = {
        "form": form,
        "can_act": any(bulk.values()),
        "can_bulk": bulk,
        "can_import": grants.can("import.upload"),
        "filters": filters,
        "orders": orders,
        "tabs": tabs,
        "now": now,
        "page": page,
        "first_row": offset + 1 if orders else 0,
        "last_row": offset + len(orders),
        "total": counts.get(filters.tab),
        "has_next": len(rows) > PAGE_SIZE,
        "by_deadline": filters.tab in Tab.BY_DEADLINE,
    }
    # A history restore (Back after the cache is gone) replaces the whole page, so it gets the whole page.
    partial = wants_partial(request)
    template = "orders/order_list.html#order-table" if partial else "orders/order_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# One order ------------------------------------------------------------------------------------------------------

#: The actions the detail page offers, each checked against ``core.permissions`` as ``order.<action>``. Shipping
#: and recording a parcel's carrier event are fulfillment's: their forms are sections of the page
#: (``orders.sections``) and their views ``orders:ship`` and ``orders:track``.
ACTIONS = ("confirm", "pack", "ship", "track", "cancel", "note")


def detail_url(order: Order) -> str:
    """The order's page, its store named (``orders.links.order_url``)."""
    return order_url(order.amazon_order_id, order.store.code)


def order_action_url(order: Order, action: str) -> str:
    """Where the page posts ``action`` (``orders:<action>``) for ``order``, its store named."""
    return f"{reverse(f'orders:{action}', args=[order.amazon_order_id])}?{urlencode({'store': order.store.code})}"


def _available(order: Order) -> set[str]:
    """The actions that make sense in the order's status; others are not offered (the services refuse them)."""
    available = {"note"}
    if order.is_mfn:
        if OrderStatus.CONFIRMED in ORDER_TRANSITIONS[order.status] and order.status != OrderStatus.PACKED:
            available.add("confirm")
        if OrderStatus.PACKED in ORDER_TRANSITIONS[order.status]:
            available.add("pack")
        if order.status in SHIPPABLE_STATUSES:
            available.add("ship")
    if OrderStatus.CANCELED in ORDER_TRANSITIONS[order.status] and not order.shipments.all():
        available.add("cancel")
    if order.shipments.all():
        available.add("track")
    return available


def _find_orders(request: AuthenticatedHttpRequest, amazon_order_id: str) -> list[Order]:
    orders = list(order_detail(user=request.user, amazon_order_id=amazon_order_id,
                               store_code=request.GET.get("store") or None))
    if not orders:
        raise Http404(_("No order %(id)s in your stores.") % {"id": amazon_order_id})
    return orders


def _detail_context(request: AuthenticatedHttpRequest, order: Order, *, forms: dict | None = None, error: str = "",
                    done: str = "") -> dict:
    now = timezone.now()
    grants = request_grants(request)
    permitted = {action for action in ACTIONS if grants.can(f"order.{action}", order.store_id)}
    available = _available(order)
    forms = forms or {}
    return {
        "order": order,
        "now": now,
        "risks": order_risks(order=order, now=now),
        "can": {action: action in available and action in permitted for action in ACTIONS},
        "read_only": not permitted,
        # The forms a refused action shows again, by action; the sections of other apps read theirs here.
        "forms": forms,
        "cancel_form": forms.get("cancel") or CancelForm(initial=cancel_form_initial(order)),
        "note_form": forms.get("note") or NoteForm(),
        "open_form": next(iter(forms), ""),
        "cancel_reasons": CANCEL_REASONS,
        "error": error,
        "done": done,
        "detail_url": detail_url(order),
        "urls": {action: order_action_url(order, action) for action in HANDLERS},
    }


def _render_detail(request: AuthenticatedHttpRequest, order: Order, *, status: int = 200, **kwargs) -> HttpResponse:
    partial = wants_partial(request)
    template = "orders/order_detail.html#order-panel" if partial else "orders/order_detail.html"
    response = render(request, template, _detail_context(request, order, **kwargs), status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def order_detail_view(request: AuthenticatedHttpRequest, amazon_order_id: str) -> HttpResponse:
    orders = _find_orders(request, amazon_order_id)
    if len(orders) > 1:
        choices = [{"order": o, "url": detail_url(o)} for o in orders]
        return render(request, "orders/order_choose_store.html",
                      {"amazon_order_id": amazon_order_id, "choices": choices})
    return _render_detail(request, orders[0])


def _cancel(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    form = CancelForm(request.POST)
    if not form.is_valid() or form.needs_confirmation:
        return "", {"cancel": form}
    order_cancel(order=order, initiator=form.cleaned_data["initiator"], reason=form.cleaned_data["reason"],
                 actor=request.user, source="ui")
    return _("Order cancelled."), {}


def _note(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    form = NoteForm(request.POST)
    if not form.is_valid():
        return "", {"note": form}
    order_add_note(order=order, note=form.cleaned_data["note"], actor=request.user, source="ui")
    return _("Note added."), {}


def _confirm(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    order_confirm(order=order, actor=request.user, source="ui")
    return _("Order confirmed."), {}


def _pack(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    order_pack(order=order, actor=request.user, source="ui")
    return _("Marked as picked and packed."), {}


@dataclass(frozen=True)
class OrderAction:
    """One action of the order page: ``run`` returns what was done, in words (or "" with the forms to show again,
    by action); ``form`` gives the submitted form again when a service refuses, so the operator's input stays."""

    run: Callable[[AuthenticatedHttpRequest, Order], tuple[str, dict]]
    form: Callable[[AuthenticatedHttpRequest, Order], django_forms.Form] | None = None


#: The actions this app routes itself (``orders:<action>``); shipping is routed by fulfillment.
HANDLERS = {
    "confirm": OrderAction(_confirm),
    "pack": OrderAction(_pack),
    "cancel": OrderAction(_cancel, lambda request, order: CancelForm(request.POST)),
    "note": OrderAction(_note, lambda request, order: NoteForm(request.POST)),
}


def order_action_response(request: AuthenticatedHttpRequest, amazon_order_id: str, *, name: str,
                          action: OrderAction, permission: str = "") -> HttpResponse:
    """Run the page's action ``name``: htmx gets the order panel back, a plain form post a redirect (or the page
    with the error). The viewer's role must allow ``permission`` (by default ``order.<name>``) in the order's
    store."""
    orders = _find_orders(request, amazon_order_id)
    if len(orders) > 1:
        return HttpResponse(_("Order %(id)s exists in several of your stores: name one with ?store=.")
                            % {"id": amazon_order_id}, status=400)
    order = orders[0]
    if not request_grants(request).can(permission or f"order.{name}", order.store_id):
        raise PermissionDenied(_("Your role in store %(store)s does not allow this.") % {"store": order.store.code})
    try:
        done, forms = action.run(request, order)
    except ApplicationError as refusal:
        status = 200 if request.htmx else 400
        return _render_detail(request, order, status=status, error=refusal.message,
                              forms=_bound_forms(request, order, name, action))
    if not done:
        invalid = any(form.errors for form in forms.values())
        return _render_detail(request, order, forms=forms, status=400 if invalid and not request.htmx else 200)
    if not request.htmx:
        messages.success(request, done)
        return redirect(detail_url(order))
    # Reload: the service changed the order, its items, shipments and timeline.
    return _render_detail(request, _find_orders(request, amazon_order_id)[0], done=done)


@login_required
@require_POST
def order_action_view(request: AuthenticatedHttpRequest, amazon_order_id: str, action: str) -> HttpResponse:
    return order_action_response(request, amazon_order_id, name=action, action=HANDLERS[action])


def _bound_forms(request: AuthenticatedHttpRequest, order: Order, name: str, action: OrderAction) -> dict:
    """The submitted form again, so a refused action keeps what the operator typed."""
    if action.form is None:
        return {}
    form = action.form(request, order)
    form.is_valid()
    return {name: form}


# Bulk actions on the queue ------------------------------------------------------------------------------------

def bulk_back_url(request: AuthenticatedHttpRequest) -> str:
    """Where a bulk page goes back to: the queue as it was (``next``, if it is ours), else the queue."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return target
    return reverse("orders:list")


def bulk_selection(request: AuthenticatedHttpRequest) -> list[Order]:
    """The orders of the viewer's stores that ``ids`` names (others are silently absent), by time left."""
    values = request.POST.getlist("ids") if request.method == "POST" else request.GET.getlist("ids")
    return list(orders_by_ids(user=request.user, ids=parse_ids(values)))


def _ids_query(orders: list[Order], back: str) -> str:
    return urlencode({"ids": ",".join(str(o.pk) for o in orders), "next": back})


def bulk_result_response(request: AuthenticatedHttpRequest, title: str, outcomes: list[BulkOutcome]) -> HttpResponse:
    """The page that reports each order of a bulk action: done, or refused and why."""
    done = [o for o in outcomes if o.done]
    refused = [o for o in outcomes if not o.done]
    return render(request, "orders/bulk_result.html", {
        "title": title, "done": done, "refused": refused, "back_url": bulk_back_url(request),
        "rows": [{"outcome": o, "url": detail_url(o.order)} for o in outcomes],
    })


@login_required
@require_POST
def bulk_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The queue's bulk bar: confirm at once; ship, cancel and packing slips open their own page."""
    orders = bulk_selection(request)
    back = bulk_back_url(request)
    if not orders:
        messages.warning(request, _("Select at least one order first."))
        return redirect(back)
    action = request.POST.get("action")
    if action == "confirm":
        return bulk_result_response(request, _("Bulk confirm"), bulk_confirm(orders=orders, user=request.user))
    if action == "ship":
        orders, amazon_ships = seller_shipped(orders)
        if amazon_ships:
            messages.warning(request, amazon_ships_message(amazon_ships))
        if not orders:
            return redirect(back)
    targets = {"ship": "orders:bulk-ship", "cancel": "orders:bulk-cancel", "slips": "orders:packing-slips"}
    if action not in targets:
        return HttpResponse(_("Unknown bulk action."), status=400)
    return redirect(f"{reverse(targets[action])}?{_ids_query(orders, back)}")


@login_required
@require_http_methods(["GET", "POST"])
def bulk_cancel_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    orders = bulk_selection(request)
    if not orders:
        raise Http404(_("None of the selected orders is in your stores."))
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        outcomes = bulk_cancel(orders=orders, user=request.user, initiator=form.cleaned_data["initiator"],
                               reason=form.cleaned_data["reason"])
        return bulk_result_response(request, _("Bulk cancel"), outcomes)
    return render(request, "orders/bulk_cancel.html", {
        "form": form, "ids": ",".join(str(o.pk) for o in orders), "back_url": bulk_back_url(request),
        "rows": [{"order": o, "url": detail_url(o)} for o in orders], "cancel_reasons": CANCEL_REASONS,
        "needs_confirmation": form.is_bound and form.is_valid() and form.needs_confirmation, "now": timezone.now(),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def packing_slips_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One printable slip per selected order, each on its own page."""
    orders = bulk_selection(request)
    if not orders:
        raise Http404(_("None of the selected orders is in your stores."))
    return render(request, "orders/packing_slips.html", {"orders": orders, "back_url": bulk_back_url(request)})


@login_required
@require_GET
def order_export_view(request: AuthenticatedHttpRequest):
    """The order list, with the same filters and tab, as a CSV download streamed from the database."""
    from core.exports import csv_response

    form = OrderFilterForm(request.GET, user=request.user)
    if refused := refused_filters(form):
        return refused_filters_response(refused)
    filters = form.filters()
    orders_qs = order_list(user=request.user, filters=filters, now=timezone.now())
    header = [_("Order"), _("Store"), _("Status"), _("Channel"), _("Purchase date"), _("Ship by"), _("Deliver by"),
              _("Buyer"), _("Recipient"), _("City"), _("State or region"), _("Postal code"), _("Country"),
              _("Items"), _("Order total"), _("Currency"), _("Carrier"), _("Tracking number"), _("Flags")]

    def local(value, tz):
        return value.astimezone(tz) if value else None

    def rows():
        for order in orders_qs.iterator(chunk_size=1000):
            tz = order.store.tz
            shipment = next(iter(order.shipments.all()), None)
            yield [order.amazon_order_id, order.store.code, order.get_status_display(), order.fulfillment_channel,
                   local(order.purchase_date, tz), local(order.latest_ship_date, tz),
                   local(order.latest_delivery_date, tz), order.buyer_name, order.ship_name, order.ship_city,
                   order.ship_state, order.ship_postal_code, order.ship_country,
                   "; ".join(f"{item.quantity} × {item.sku}" for item in order.items.all()), order.order_total,
                   order.currency, shipment.carrier_label if shipment else "",
                   shipment.tracking_number if shipment else "", ", ".join(order.risk_flags)]

    return csv_response(header, rows(), filename=f"orders-{filters.tab}-{timezone.now():%Y%m%d-%H%M}.csv")
