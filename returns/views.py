"""The returns queue: requests by time left to answer, the actions on each, and return reasons by SKU.

The list view serves its full page and, for htmx requests, only the named partial. Each action posts to
``/returns/<id>/<action>/`` with the queue's query string, so its answer is the same queue, re-read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.permissions import request_grants
from core.selectors import scoped
from core.web import AuthenticatedHttpRequest, page_number, wants_partial
from listings.models import Channel

from . import services
from .forms import ACTION_DONE, ACTION_FORMS, ACTION_LABELS, TAB_LABELS, RejectForm, ReturnFilterForm
from .models import Disposition, Refund, ReturnRequest, ReturnStatus
from .selectors import (
    Action,
    Tab,
    response_deadline,
    return_actions,
    return_detail,
    return_history,
    return_list,
    return_reasons_by_sku,
    return_tab_counts,
)

PAGE_SIZE = 50
#: The action each status most likely needs next, shown as the primary button.
PRIMARY_ACTION: dict[str, str] = {
    ReturnStatus.REQUESTED: Action.AUTHORIZE,
    ReturnStatus.AUTHORIZED: Action.RECEIVE,
    ReturnStatus.RECEIVED: Action.REFUND,
    ReturnStatus.REFUNDED: Action.CLOSE,
}


@dataclass(frozen=True)
class Failure:
    """An action that was refused: which return, which action, the bound form and why."""

    pk: int
    action: str
    form: forms.Form
    message: str


def _row(return_request: ReturnRequest, grants, failure: Failure | None) -> dict:
    """One return with the actions the viewer may take on it now, as the list and the return's page show them."""
    actions = [key for key in return_actions(return_request) if grants.can(f"return.{key}", return_request.store_id)]
    failed = failure if failure is not None and failure.pk == return_request.pk else None
    return {
        "r": return_request,
        "deadline": response_deadline(return_request),
        "url": reverse("returns:detail", args=[return_request.pk]),
        "actions": [{"key": key, "label": ACTION_LABELS[key],
                     "primary": PRIMARY_ACTION.get(return_request.status) == key,
                     "url": reverse("returns:action", args=[return_request.pk, key]),
                     "failed": failed if failed and failed.action == key else None} for key in actions],
        "failure": failed,
    }


def _context(request: HttpRequest, params: QueryDict, *, failure: Failure | None = None,
             done: str = "") -> dict:
    form = ReturnFilterForm(params, user=request.user)
    filters = form.filters()
    now = timezone.now()
    page = page_number(params.get("page"))
    offset = (page - 1) * PAGE_SIZE
    rows = list(return_list(user=request.user, filters=filters)[offset:offset + PAGE_SIZE + 1])
    grants = request_grants(request)
    counts = return_tab_counts(user=request.user, filters=filters, now=now)
    tabs = [{"key": key, "label": TAB_LABELS[key], "count": counts.get(key), "active": key == filters.tab}
            for key in Tab.ORDER]
    returns = [_row(return_request, grants, failure) for return_request in rows[:PAGE_SIZE]]
    return {
        "form": form,
        "filters": filters,
        "returns": returns,
        "tabs": tabs,
        "overdue": counts.get("overdue") or 0,
        "now": now,
        "done": done,
        "dispositions": Disposition.choices, "refund_kinds": Refund.Kind.choices,
        "reasons": return_reasons_by_sku(user=request.user, store=filters.store, now=now),
        "first_row": offset + 1 if returns else 0,
        "last_row": offset + len(returns),
        "total": counts.get(filters.tab),
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "Action": Action,
    }


def _render(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    partial = wants_partial(request)
    template = "returns/return_list.html#return-results" if partial else "returns/return_list.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def return_list_view(request: HttpRequest) -> HttpResponse:
    return _render(request, _context(request, request.GET))


def _detail_response(request: HttpRequest, return_request: ReturnRequest, *, failure: Failure | None = None,
                     status: int = 200) -> HttpResponse:
    now = timezone.now()
    context = {
        "row": _row(return_request, request_grants(request), failure),
        "history": return_history(return_request),
        "now": now,
        "dispositions": Disposition.choices, "refund_kinds": Refund.Kind.choices,
    }
    return render(request, "returns/return_detail.html", context, status=status)


@login_required
@require_GET
def return_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return_request = return_detail(user=request.user, pk=pk)
    if return_request is None:
        raise Http404(_("No such return."))
    return _detail_response(request, return_request)


def _perform(action: str, return_request: ReturnRequest, data: dict, actor) -> str:
    """Call the service behind ``action``; return a warning to show, if any."""
    if action == Action.AUTHORIZE:
        services.return_authorize(return_request=return_request, label_provided=data["label_provided"],
                                  note=data["note"], actor=actor)
    elif action == Action.REJECT:
        return services.return_reject(return_request=return_request, reason=data["reason"], actor=actor).warning
    elif action == Action.RECEIVE:
        services.return_receive(return_request=return_request, disposition=data["disposition"], note=data["note"],
                                actor=actor)
    elif action == Action.REFUND:
        services.return_refund(return_request=return_request, kind=data["kind"], amount=data.get("amount"),
                               reason=data["reason"], actor=actor)
    elif action == Action.REPLACE:
        services.return_offer_replacement(return_request=return_request, note=data["note"], actor=actor)
    elif action == Action.CLOSE:
        services.return_close(return_request=return_request, note=data["note"], actor=actor)
    return ""


@login_required
@require_POST
def return_action_view(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404(_("No such action."))
    return_request = scoped(ReturnRequest.objects.select_related("order", "store"), user=request.user).filter(
        pk=pk).first()
    if return_request is None:
        raise Http404(_("No such return."))
    if not request_grants(request).can(f"return.{action}", return_request.store_id):
        raise PermissionDenied(_("Your role in store %(store)s does not allow this.")
                               % {"store": return_request.store.code})
    form_class = ACTION_FORMS[action]
    kwargs = {"in_policy": return_request.in_policy} if form_class is RejectForm else {}
    form = form_class(request.POST, **kwargs)
    failure = None
    warning = ""
    if return_request.fulfillment_channel == Channel.AFN:
        failure = Failure(pk, action, form, _("Amazon received this return of an order it fulfils and handles it "
                                              "itself; there is nothing to do here."))
    elif form.is_valid():
        try:
            warning = _perform(action, return_request, form.cleaned_data, request.user)
        except ApplicationError as error:
            failure = Failure(pk, action, form, error.message)
    else:
        errors = [str(e) for e in form.non_field_errors()]
        errors += [f"{form.fields[name].label}: {' '.join(map(str, errs))}" for name, errs in form.errors.items()
                   if name != "__all__"]
        failure = Failure(pk, action, form, " ".join(errors))
    names = {"sku": return_request.sku, "order": return_request.order.amazon_order_id}
    done = "" if failure else " ".join(p for p in [str(ACTION_DONE[action] % names), warning] if p)
    if request.POST.get("back") == "detail":
        # Posted from the return's own page: answer with that page, re-read.
        if failure is None:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("returns:detail", args=[pk]))
        fresh = return_detail(user=request.user, pk=pk)
        assert fresh is not None  # found above, in the same stores
        return _detail_response(request, fresh, failure=failure, status=400)
    if request.htmx:
        return _render(request, _context(request, request.GET, failure=failure, done=done))
    if failure is None:
        messages.success(request, done)
        return HttpResponseRedirect(f"{reverse('returns:list')}?{request.GET.urlencode()}")
    return _render(request, _context(request, request.GET, failure=failure), status=400)
