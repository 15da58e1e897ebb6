"""Fulfilment pages: an order's shipment confirmation (from its page, or many orders from the queue), and FBA
inbound shipments (the list, a new plan, and one shipment's items with its actions).

Each view serves its full page and, for htmx requests, only the named partial.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError
from core.permissions import permitted_stores, request_grants
from core.selectors import store_list
from core.web import AuthenticatedHttpRequest, wants_partial
from listings.selectors import listing_rows
from orders.bulk import amazon_ships_message, seller_shipped
from orders.models import Order
from orders.views import (
    OrderAction,
    bulk_back_url,
    bulk_result_response,
    bulk_selection,
    detail_url,
    order_action_response,
)

from .bulk import bulk_ship
from .carrier_events import CarrierEventData, carrier_events_record
from .forms import (
    BulkShipForm,
    CarrierEventForm,
    InboundFilterForm,
    InboundPlanForm,
    InboundShipForm,
    ReplacementForm,
    ShipForm,
    TraceForm,
    TraceStatusForm,
    received_quantities,
)
from .inbound import InboundLine, inbound_create, inbound_receive, inbound_set_status
from .inbound_selectors import inbound_detail, inbound_list, inbound_plan_listings, inbound_summary
from .models import (
    INBOUND_TRANSITIONS,
    SILENT_DAYS_MAX,
    CarrierEventStatus,
    CarrierTrace,
    InboundShipment,
    InboundStatus,
    Shipment,
)
from .remedies import carrier_trace_file, carrier_trace_set_status, shipment_replace
from .services import order_ship
from .silence import CarrierAllowance, carrier_allowances, carrier_days_refusal, carrier_days_set
from .tracking import tracking_validate

PAGE_SIZE = 50
PLAN_LISTINGS_MAX = 300


# Confirming an order's shipment (in the ``orders`` namespace: ``order_urlpatterns``) -------------------------------

def _ship(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    form = ShipForm(request.POST, order=order)
    if not form.is_valid():
        return "", {"ship": form}
    if form.needs_confirmation:
        return "", {"ship": form}
    data = form.cleaned_data
    shipment = order_ship(order=order, carrier=data["carrier"], carrier_name=data["carrier_name"],
                          tracking_number=data["tracking_number"], shipped_at=data["shipped_at"],
                          quantities=form.quantities(), actor=request.user, source="ui")
    return _("Shipped with %(carrier)s %(number)s.") % {
        "carrier": shipment.carrier_label, "number": shipment.tracking_number}, {}


SHIP = OrderAction(_ship, lambda request, order: ShipForm(request.POST, order=order))


def _track(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    form = CarrierEventForm(request.POST, order=order)
    if not form.is_valid():
        return "", {"track": form}
    data = form.cleaned_data
    shipment = form.shipments[data["shipment"]]
    result = carrier_events_record(shipment=shipment, source="ui", actor=request.user, events=[CarrierEventData(
        at=data["at"], status=data["status"], description=data["description"], location=data["location"])])
    status = CarrierEventStatus(data["status"]).label
    if not result.created:
        return _("%(status)s at that time was recorded already for %(number)s.") % {
            "status": status, "number": shipment.tracking_number}, {}
    return _("%(status)s recorded for %(number)s.") % {"status": status, "number": shipment.tracking_number}, {}


TRACK = OrderAction(_track, lambda request, order: CarrierEventForm(request.POST, order=order))


@login_required
@require_POST
def order_ship_view(request: AuthenticatedHttpRequest, amazon_order_id: str) -> HttpResponse:
    """Confirm the order's shipment from its page, as its other actions are (``orders.views``)."""
    return order_action_response(request, amazon_order_id, name="ship", action=SHIP)


# A parcel stuck or lost: a carrier trace, a replacement (in the ``orders`` namespace) ------------------------------


def _posted_id(request: AuthenticatedHttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit()):
        raise Http404(_("No such parcel on this order."))
    return int(value)


def _shipment_of(request: AuthenticatedHttpRequest, order: Order) -> Shipment:
    """The order's parcel the form names (``shipment``): another order's, or another store's, is a 404."""
    shipment = order.shipments.filter(pk=_posted_id(request, "shipment")).select_related("order__store").first()
    if shipment is None:
        raise Http404(_("No such parcel on this order."))
    return shipment


def _trace_of(request: AuthenticatedHttpRequest, order: Order) -> CarrierTrace:
    trace = (CarrierTrace.objects.filter(pk=_posted_id(request, "trace"), shipment__order=order)
             .select_related("shipment").first())
    if trace is None:
        raise Http404(_("No such trace on this order."))
    return trace


def _trace(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    form = TraceForm(request.POST, shipment=_shipment_of(request, order))
    if not form.is_valid():
        return "", {"trace": form}
    data = form.cleaned_data
    trace = carrier_trace_file(shipment=form.parcel, reference=data["reference"], note=data["note"],
                               filed_at=data["filed_at"], actor=request.user, source="ui")
    return _("Trace recorded for %(parcel)s.") % {
        "parcel": f"{form.parcel.carrier_label} {trace.shipment.tracking_number}"}, {}


def _trace_status(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    form = TraceStatusForm(request.POST, trace=_trace_of(request, order))
    if not form.is_valid():
        return "", {"trace_status": form}
    data = form.cleaned_data
    trace = carrier_trace_set_status(trace=form.record, status=data["status"], note=data["note"],
                                     reference=data["reference"], actor=request.user, source="ui")
    return _("Trace marked %(status)s.") % {"status": trace.get_status_display()}, {}


def _replacement(request: AuthenticatedHttpRequest, order: Order) -> tuple[str, dict]:
    form = ReplacementForm(request.POST, shipment=_shipment_of(request, order))
    if not form.is_valid() or form.needs_confirmation:
        return "", {"replacement": form}
    data = form.cleaned_data
    replacement = shipment_replace(
        shipment=form.parcel, carrier=data["carrier"], carrier_name=data["carrier_name"],
        tracking_number=data["tracking_number"], shipped_at=data["shipped_at"], quantities=form.quantities(),
        accept_malformed=bool(form.warnings), actor=request.user, source="ui")
    return _("Replacement sent with %(carrier)s %(number)s.") % {
        "carrier": replacement.carrier_label, "number": replacement.tracking_number}, {}


TRACE = OrderAction(_trace, lambda request, order: TraceForm(request.POST, shipment=_shipment_of(request, order)))
TRACE_STATUS = OrderAction(_trace_status,
                           lambda request, order: TraceStatusForm(request.POST, trace=_trace_of(request, order)))
REPLACEMENT = OrderAction(_replacement,
                          lambda request, order: ReplacementForm(request.POST, shipment=_shipment_of(request, order)))


@login_required
@require_POST
def order_trace_view(request: AuthenticatedHttpRequest, amazon_order_id: str) -> HttpResponse:
    """Record a trace filed with the carrier of one of the order's parcels."""
    return order_action_response(request, amazon_order_id, name="trace", action=TRACE,
                                 permission="shipment.trace")


@login_required
@require_POST
def order_trace_status_view(request: AuthenticatedHttpRequest, amazon_order_id: str) -> HttpResponse:
    """Record the carrier's answer to a trace of one of the order's parcels, or close it."""
    return order_action_response(request, amazon_order_id, name="trace_status", action=TRACE_STATUS,
                                 permission="shipment.trace")


@login_required
@require_POST
def order_replacement_view(request: AuthenticatedHttpRequest, amazon_order_id: str) -> HttpResponse:
    """Send the units of a lost parcel of the order again, at no charge."""
    return order_action_response(request, amazon_order_id, name="replacement", action=REPLACEMENT,
                                 permission="shipment.replace")


@login_required
@require_POST
def order_track_view(request: AuthenticatedHttpRequest, amazon_order_id: str) -> HttpResponse:
    """Record a carrier event of one of the order's parcels from its page (``order.track``)."""
    return order_action_response(request, amazon_order_id, name="track", action=TRACK)


def _carrier_days_posted(data, allowances: list[CarrierAllowance]) -> tuple[dict[str, int | None], dict[str, str]]:
    """The days typed per carrier (blank: its usual days again), and why any typed value is refused. A carrier the
    form did not show (its row appeared since the page was opened) is left as it is."""
    days: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for allowance in allowances:
        if f"days:{allowance.carrier}" not in data:
            continue
        typed = data[f"days:{allowance.carrier}"].strip()
        if not typed:
            days[allowance.carrier] = None
            continue
        value = int(typed) if typed.isascii() and typed.isdigit() else 0
        refusal = carrier_days_refusal(carrier=allowance.carrier, days=value)
        if refusal:
            errors[allowance.carrier] = refusal
        days[allowance.carrier] = value
    return days, errors


@login_required
@require_http_methods(["GET", "POST"])
def carrier_days_view(request: AuthenticatedHttpRequest, store_code: str) -> HttpResponse:
    """A store's days of silence per carrier: after how many days without a scan its parcels are at risk."""
    stores = list(store_list(user=request.user).order_by("code"))
    store = next((each for each in stores if each.code == store_code), None)
    if store is None:
        raise Http404(_("No such store."))
    can_edit = request_grants(request).can("delivery.silence", store.pk)
    allowances = carrier_allowances(store=store, now=timezone.now())
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your role in store %(store)s does not allow changing carriers' days of silence.")
                                   % {"store": store.code})
        days, errors = _carrier_days_posted(request.POST, allowances)
        typed = {a.carrier: request.POST.get(f"days:{a.carrier}", "") for a in allowances}
        if not errors:
            changed = carrier_days_set(store=store, days=days, actor=request.user)
            messages.success(request, _("Days of silence saved for %(store)s (%(count)s changed).")
                             % {"store": store.code, "count": changed})
            return redirect("orders:at-risk-carriers", store_code=store.code)
        status = 400
    rows = [(a, errors.get(a.carrier, ""), typed.get(a.carrier, "" if a.own_days is None else str(a.own_days)))
            for a in allowances]
    return render(request, "fulfillment/carrier_days.html",
                  {"store": store, "stores": stores, "rows": rows, "can_edit": can_edit, "has_errors": bool(errors),
                   "max_days": SILENT_DAYS_MAX}, status=status)


@login_required
@require_GET
def tracking_check_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tracking number's verdict for the chosen carrier, shown under the field while the operator types."""
    carrier, number = request.GET.get("carrier", ""), request.GET.get("tracking_number", "")
    check = tracking_validate(carrier=carrier, number=number) if carrier and number.strip() else None
    return render(request, "fulfillment/partials/tracking_hint.html", {"check": check})


@login_required
@require_http_methods(["GET", "POST"])
def bulk_ship_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One carrier, one tracking number per order; malformed numbers are shown before anything ships."""
    orders, amazon_ships = seller_shipped(bulk_selection(request))
    if amazon_ships:
        messages.warning(request, amazon_ships_message(amazon_ships))
        if not orders:
            return redirect(bulk_back_url(request))
    if not orders:
        raise Http404(_("None of the selected orders is in your stores."))
    if request.method == "POST":
        form = BulkShipForm(request.POST, orders=orders)
        if form.is_valid() and not form.needs_confirmation:
            data = form.cleaned_data
            outcomes = bulk_ship(
                orders=orders, user=request.user, carrier=data["carrier"], carrier_name=data["carrier_name"],
                shipped_at=data["shipped_at"],
                tracking_numbers={o.pk: data[f"tracking_{o.pk}"] for o in orders},
            )
            return bulk_result_response(request, _("Bulk ship-confirm"), outcomes)
    else:
        form = BulkShipForm(orders=orders, initial={"shipped_at": timezone.localtime()})
    return render(request, "fulfillment/bulk_ship.html", {
        "form": form, "ids": ",".join(str(o.pk) for o in orders), "back_url": bulk_back_url(request),
        "rows": [{**row, "url": detail_url(row["order"])} for row in form.rows()], "now": timezone.now(),
        "needs_confirmation": form.is_bound and form.is_valid() and form.needs_confirmation,
    }, status=400 if form.errors else 200)


# FBA inbound shipments -----------------------------------------------------------------------------------------


@login_required
@require_GET
def inbound_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InboundFilterForm(request.GET, user=request.user)
    shipments = list(inbound_list(user=request.user, filters=form.filters())[:PAGE_SIZE + 1])
    context = {
        "form": form,
        "shipments": shipments[:PAGE_SIZE],
        "more": len(shipments) > PAGE_SIZE,
        "can_plan": request_grants(request).can("inbound.create"),
    }
    template = "fulfillment/inbound_list.html"
    if wants_partial(request):
        template += "#inbound-table"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def inbound_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    stores = permitted_stores(user=request.user, permission="inbound.create").order_by("code")
    if not stores.exists():
        raise PermissionDenied(_("Your role does not allow planning shipments."))
    data = request.POST if request.method == "POST" else request.GET
    form = InboundPlanForm(data or None, stores=stores, initial={"store": stores.first()})
    store = None
    if form.is_bound:
        form.is_valid()
        store = form.cleaned_data.get("store") if hasattr(form, "cleaned_data") else None
    if store is None and not form.is_bound:
        store = stores.first()
    rows = listing_rows(list(inbound_plan_listings(user=request.user, store=store)[:PLAN_LISTINGS_MAX])) \
        if store else []
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        by_id = {row.listing.pk: row.listing for row in rows}
        quantities, errors = InboundPlanForm.quantities(request.POST, set(by_id))
        if not errors:
            assert store is not None  # the form is valid
            try:
                inbound = inbound_create(
                    store=store, lines=[InboundLine(by_id[pk], units) for pk, units in quantities.items()],
                    name=form.cleaned_data["name"], destination_fc=form.cleaned_data["destination_fc"],
                    actor=request.user)
            except ApplicationError as error:
                errors.append(error.message)
            else:
                messages.success(request, _("Shipment plan %(id)s created.") % {"id": inbound.shipment_id})
                return redirect("fulfillment:detail", pk=inbound.pk)
    lines = [{"row": row, "value": request.POST.get(f"qty-{row.listing.pk}", "")} for row in rows]
    context = {"form": form, "store": store, "lines": lines, "errors": errors}
    status = 400 if request.method == "POST" else 200
    return render(request, "fulfillment/inbound_new.html", context, status=status)


def _get(request: AuthenticatedHttpRequest, pk: int) -> InboundShipment:
    inbound = inbound_detail(user=request.user, pk=pk)
    if inbound is None:
        raise Http404(_("No such inbound shipment."))
    return inbound


def _detail_context(request: AuthenticatedHttpRequest, inbound: InboundShipment, **extra) -> dict:
    items = list(inbound.items.all())
    allowed = INBOUND_TRANSITIONS.get(inbound.status, set())
    grants = request_grants(request)

    def may(action: str) -> bool:
        return grants.can(f"inbound.{action}", inbound.store_id)

    can = {
        "can_ship": InboundStatus.SHIPPED in allowed and may("ship"),
        "can_receive": inbound.status in (InboundStatus.SHIPPED, InboundStatus.RECEIVING) and may("receive"),
        "can_close": InboundStatus.CLOSED in allowed and may("close"),
        "can_cancel": InboundStatus.CANCELLED in allowed and may("cancel"),
    }
    context = {
        "inbound": inbound,
        "items": items,
        "summary": inbound_summary(items),
        "can_act": any(can.values()),
        **can,
        "ship_form": InboundShipForm(),
        "error": "",
        "done": "",
    }
    context.update(extra)
    return context


@login_required
@require_GET
def inbound_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inbound = _get(request, pk)
    response = render(request, "fulfillment/inbound_detail.html", _detail_context(request, inbound))
    patch_vary_headers(response, ("HX-Request",))
    return response


def _answer(request: AuthenticatedHttpRequest, pk: int, *, error: str = "", done: str = "", **extra) -> HttpResponse:
    """The shipment as it now is: the panel for htmx, else the page (with a 400 when refused)."""
    if not error and not request.htmx:
        messages.success(request, done)
        return redirect("fulfillment:detail", pk=pk)
    context = _detail_context(request, _get(request, pk), error=error, done=done, **extra)
    if request.htmx:
        return render(request, "fulfillment/inbound_detail.html#inbound-panel", context)
    return render(request, "fulfillment/inbound_detail.html", context, status=400)


def _for_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> InboundShipment:
    inbound = _get(request, pk)
    if not request_grants(request).can(f"inbound.{action}", inbound.store_id):
        raise PermissionDenied(_("Your role in store %(store)s does not allow this.") % {"store": inbound.store.code})
    return inbound


@login_required
@require_POST
def inbound_ship_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inbound = _for_action(request, pk, "ship")
    form = InboundShipForm(request.POST)
    if not form.is_valid():
        return _answer(request, pk, error=_("Give the carrier and the tracking number of the shipment."),
                       ship_form=form)
    try:
        inbound_set_status(inbound=inbound, status=InboundStatus.SHIPPED, carrier=form.cleaned_data["carrier"],
                           tracking_number=form.cleaned_data["tracking_number"], actor=request.user)
    except ApplicationError as error:
        return _answer(request, pk, error=error.message, ship_form=form)
    return _answer(request, pk, done=_("Marked as shipped."))


@login_required
@require_POST
def inbound_receive_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inbound = _for_action(request, pk, "receive")
    quantities, errors = received_quantities(request.POST, list(inbound.items.all()))
    if errors:
        return _answer(request, pk, error=" ".join(errors))
    try:
        inbound_receive(inbound=inbound, quantities=quantities, actor=request.user)
    except ApplicationError as error:
        return _answer(request, pk, error=error.message)
    return _answer(request, pk, done=_("Received units recorded; they are available at Amazon."))


def _close_message(inbound: InboundShipment) -> str:
    summary = inbound_summary(list(_get_items(inbound)))
    if summary.matches:
        return _("Closed: every expected unit was received.")
    parts = [_("%(sku)s %(n)d short") % {"sku": sku, "n": n} for sku, n in summary.short]
    parts += [_("%(sku)s %(n)d over") % {"sku": sku, "n": n} for sku, n in summary.over]
    return _("Closed with a discrepancy of %(diff)+d units: %(items)s.") % {"diff": summary.difference,
                                                                           "items": ", ".join(parts)}


def _get_items(inbound: InboundShipment):
    return inbound.items.select_related("listing").order_by("listing__sku", "id")


@login_required
@require_POST
def inbound_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inbound = _for_action(request, pk, "close")
    try:
        inbound_set_status(inbound=inbound, status=InboundStatus.CLOSED, actor=request.user)
    except ApplicationError as error:
        return _answer(request, pk, error=error.message)
    return _answer(request, pk, done=_close_message(inbound))


@login_required
@require_POST
def inbound_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inbound = _for_action(request, pk, "cancel")
    try:
        inbound_set_status(inbound=inbound, status=InboundStatus.CANCELLED, actor=request.user)
    except ApplicationError as error:
        return _answer(request, pk, error=error.message)
    return _answer(request, pk, done=_("Shipment cancelled; its units are no longer counted as inbound."))
