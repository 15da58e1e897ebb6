"""The operator's deliveries at risk: a tab of the order queue (``/orders/at-risk/``, ``orders:at-risk``) and the
message that tells a buyer first (``orders:at-risk-message``). They are this app's, since they show and send buyer
messages; ``sellerops/urls.py`` mounts them in the ``orders`` namespace, beside the queue."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.permissions import request_grants
from core.selectors import store_list
from core.web import AuthenticatedHttpRequest, page_number, wants_partial
from fulfillment.carriers import tracking_url
from fulfillment.delivery_risk import Reason, days_silent, shipment_reasons, shipment_silent_days
from fulfillment.models import Shipment
from orders.forms import TAB_LABELS as ORDER_TAB_LABELS
from orders.queue_tabs import queue_tab_row
from orders.selectors import Tab

from .delivery_risk_forms import AtRiskFilterForm
from .delivery_risk_selectors import (
    STATUS_TONES,
    at_risk_page,
    at_risk_shipment,
    last_buyer_messages,
    message_language,
    risk_message_draft,
    shipment_risk,
)
from .delivery_risk_services import delivery_risk_message_send
from .forms import LANGUAGE_NAMES, ReplyForm
from .reply_flow import reply_form_answer
from .views import strict_csp

PAGE_SIZE = 50
#: The queue tab's key (``orders.queue_tabs``).
TAB_KEY = "at_risk"


def _queue_tabs(request: AuthenticatedHttpRequest, store, now, counted: dict[str, int]) -> list[dict]:
    """The order queue's tabs, this one active: the queue's own link back to it with the same store (their counts
    are the queue's to show: counting them here would double this page's time)."""
    base = reverse("orders:list")
    own = []
    for key in Tab.ORDER:
        query = {"tab": key, **({"store": store.code} if store is not None else {})}
        own.append({"key": key, "label": ORDER_TAB_LABELS[key], "count": None, "url": f"{base}?{urlencode(query)}"})
    return queue_tab_row(own=own, user=request.user, store=store, now=now, active=TAB_KEY, counted=counted)


@strict_csp
@login_required
@require_GET
def at_risk_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AtRiskFilterForm(request.GET, user=request.user)
    filters = form.filters()
    now = timezone.now()
    page = page_number(request.GET.get("page"))
    offset = (page - 1) * PAGE_SIZE
    rows, has_next, total = at_risk_page(user=request.user, filters=filters, now=now, offset=offset,
                                         limit=PAGE_SIZE)
    # Unfiltered, the page's total is the tab's count; filtered, the tab counts every reason and carrier.
    counted = {} if filters.reason or filters.carrier else {TAB_KEY: total}
    tabs = _queue_tabs(request, filters.store, now, counted)
    grants = request_grants(request)
    back = urlencode({"next": request.get_full_path()})
    for row in rows:
        if grants.can("message.reply", row.shipment.store_id):
            row.message_url = f"{reverse('orders:at-risk-message', args=[row.shipment.pk])}?{back}"
    # The days of silence of the store shown, else of the user's first store.
    silence_store = filters.store or store_list(user=request.user).order_by("code").first()
    context = {
        "silence_url": reverse("orders:at-risk-carriers", args=[silence_store.code]) if silence_store else "",
        "form": form, "filters": filters, "rows": rows, "tabs": tabs, "now": now, "page": page,
        "has_next": has_next, "total": total, "first_row": offset + 1 if rows else 0,
        "last_row": offset + len(rows),
    }
    template = ("support/deliveries_at_risk.html#at-risk-results" if wants_partial(request)
                else "support/deliveries_at_risk.html")
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _back_url(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return target
    return reverse("orders:at-risk")


def _message_context(request: AuthenticatedHttpRequest, shipment: Shipment, *, reply_form: ReplyForm | None = None,
                     violations: list | None = None, checked: bool = False) -> dict:
    now = timezone.now()
    order = shipment.order
    language = message_language(order.store)
    risky = shipment_risk(shipment=shipment, now=now)
    missing: tuple[str, ...] = ()
    form = reply_form
    if form is None:
        draft = risk_message_draft(shipment=shipment, language=language)
        form, missing = ReplyForm(initial={"body": draft.text}), draft.missing
    heard = shipment.last_event_at or shipment.first_scan_at or shipment.shipped_at
    order_page = reverse("orders:detail", args=[order.amazon_order_id]) + "?" + urlencode({"store": order.store.code})
    return {
        "shipment": shipment, "order": order, "now": now, "form": form, "violations": violations or [],
        "checked": checked, "missing": missing, "language": LANGUAGE_NAMES.get(language, language),
        "reasons": [(r, Reason.LABELS[r]) for r in (shipment_reasons(risky) if risky is not None else ())],
        "days_silent": days_silent(heard=heard, now=now),
        "allowed_days": shipment_silent_days(shipment),
        "tracking_url": tracking_url(carrier=shipment.carrier, number=shipment.tracking_number),
        "status_tone": STATUS_TONES.get(shipment.last_event_status, "info"),
        "last_message": last_buyer_messages([order.pk]).get(order.pk),
        "can_message": request_grants(request).can("message.reply", shipment.store_id),
        "trace_url": f"{order_page}#delivery-trace", "replacement_url": f"{order_page}#delivery-replacement",
        "order_page": order_page, "back_url": _back_url(request),
    }


@strict_csp
@login_required
@require_http_methods(["GET", "POST"])
def at_risk_message_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The message to the buyer of a parcel at risk, drafted in the marketplace's language: check it, send it."""
    shipment = at_risk_shipment(user=request.user, pk=pk)
    if shipment is None:
        raise Http404(_("No such shipment in your stores."))
    if request.method == "GET":
        return render(request, "support/delivery_risk_message.html", _message_context(request, shipment))
    if not request_grants(request).can("message.reply", shipment.store_id):
        raise PermissionDenied(_("Your role in this store does not allow answering buyers."))
    numbers = (shipment.tracking_number,) if shipment.tracking_number else ()
    reply = reply_form_answer(
        request, allowed_numbers=numbers, again=lambda **kwargs: _message_again(request, shipment, **kwargs),
        send=lambda body, key: delivery_risk_message_send(shipment=shipment, body=body, author=request.user,
                                                          language=message_language(shipment.order.store),
                                                          idempotency_key=key))
    if isinstance(reply, HttpResponse):
        return reply
    if reply.replayed:
        messages.info(request, _("This message had already been sent; it was not sent again."))
    else:
        messages.success(request, _("Message sent to the buyer of order %(order)s.")
                         % {"order": shipment.order.amazon_order_id})
    return HttpResponseRedirect(_back_url(request))


def _message_again(request: AuthenticatedHttpRequest, shipment: Shipment, *, only_checked: bool = False,
                   **kwargs) -> HttpResponse:
    """The message page with the form sent: 200 when it was only checked, 400 when it was not sent."""
    return render(request, "support/delivery_risk_message.html", _message_context(request, shipment, **kwargs),
                  status=200 if only_checked else 400)
