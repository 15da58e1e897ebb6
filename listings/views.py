"""Listing pages: the stock table and one listing's stock, audit trail, quality and image.

Each view serves its full page and, for htmx requests, only the named partial.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.exports import csv_response
from core.permissions import request_grants
from core.web import AuthenticatedHttpRequest, page_number, refused_filters, refused_filters_response, wants_partial

from .bulk import PRICE_OPERATIONS, QUANTITY_OPERATIONS, Operation, bulk_apply, bulk_preview
from .editing import listing_replace_main_image
from .forms import STATUS_TAB_LABELS, BulkEditForm, ListingFilterForm, MainImageForm, StockAdjustForm, parse_ids
from .models import Listing
from .quality import Problem, check_image_file
from .selectors import (
    listing_detail,
    listing_list,
    listing_movements,
    listing_problems,
    listing_rows,
    listing_status_counts,
    listings_by_ids,
    listings_filtered,
    stock_plan,
    sync_problems,
)
from .services import stock_adjust

PAGE_SIZE = 50
#: Listings read (and judged) at a time while the CSV export streams.
EXPORT_BATCH = 1000


@login_required
@require_GET
def listing_list_view(request: HttpRequest) -> HttpResponse:
    form = ListingFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = page_number(request.GET.get("page"))
    offset = (page - 1) * PAGE_SIZE
    base = listings_filtered(user=request.user, filters=filters, with_status=False)
    rows = list(listing_list(user=request.user, filters=filters, now=timezone.now(),
                             base=base)[offset:offset + PAGE_SIZE + 1])
    counts = listing_status_counts(user=request.user, filters=filters, base=base)
    grants = request_grants(request)
    can_bulk = {"price": grants.can("listing.edit"), "quantity": grants.can("stock.adjust")}
    context = {
        "form": form,
        "filters": filters,
        "rows": listing_rows(rows[:PAGE_SIZE]),
        "tabs": [{"key": key, "label": label, "count": counts.get(key, 0), "active": key == filters.status}
                 for key, label in STATUS_TAB_LABELS.items()],
        "total": counts.get(filters.status, 0),
        "can_bulk": can_bulk,
        # The bulk bar's choices, from the operations' own table, in its order.
        "price_operations": [(o.value, o.label) for o in Operation if o in PRICE_OPERATIONS],
        "quantity_operations": [(o.value, o.label) for o in Operation if o in QUANTITY_OPERATIONS],
        "can_select": any(can_bulk.values()),
        "page": page,
        "first_row": offset + 1 if rows else 0,
        "last_row": offset + len(rows[:PAGE_SIZE]),
        "has_next": len(rows) > PAGE_SIZE,
    }
    template = "listings/listing_list.html#listing-table" if wants_partial(request) else "listings/listing_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def export_header() -> list[str]:
    """The export's columns: what a seller reconciles, plans replenishment and fixes listings from."""
    return [
        _("Store"), _("SKU"), _("ASIN"), _("Title"), _("Channel"), _("Status"), _("Price"), _("Currency"),
        _("Available"), _("Reserved"), _("Inbound"), _("Sellable"), _("Units sold 30 d"),
        _("Velocity (units a day)"), _("Days of cover"), _("Reorder point"), _("Suggested order"),
        _("Quantity Amazon accepted"), _("Accepted at"), _("Sync problem"), _("Quality errors"),
        _("Quality warnings"),
    ]


@login_required
@require_GET
def listing_export_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The list, with the same filters and status tab, as a CSV download streamed from the database."""
    form = ListingFilterForm(request.GET, user=request.user)
    refused = refused_filters(form)
    if "status" in form.errors:
        error = " ".join(str(e) for e in form.errors["status"])
        refused.append(_("Filter “%(name)s” not applied: %(error)s")
                       % {"name": form.fields["status"].label, "error": error})
    if refused:
        return refused_filters_response(refused)
    listings = listing_list(user=request.user, filters=form.filters(), now=timezone.now())

    def rows():
        batch: list[Listing] = []
        for listing in listings.iterator(chunk_size=EXPORT_BATCH):
            batch.append(listing)
            if len(batch) == EXPORT_BATCH:
                yield from batch_rows(batch)
                batch = []
        yield from batch_rows(batch)

    def batch_rows(batch: list[Listing]):
        judged = listing_problems(batch)  # judged as the pages judge them, by marketplace and product type
        for listing in batch:
            plan = stock_plan(listing, units_sold=listing.units_sold)  # type: ignore[attr-defined]  # annotated by the selector
            problems = judged[listing.pk]
            accepted_at = listing.stock_accepted_at
            cover = plan.days_of_cover
            yield [listing.store.code, listing.sku, listing.asin, listing.title, listing.fulfillment_channel,
                   listing.get_status_display(), listing.price, listing.currency, listing.quantity_available,
                   listing.quantity_reserved, listing.quantity_inbound, listing.sellable_quantity, plan.units_sold,
                   round(plan.velocity, 2), None if cover is None else round(cover, 1), plan.reorder_point,
                   plan.suggestion, listing.stock_accepted_quantity,
                   accepted_at.astimezone(listing.store.tz) if accepted_at else None,
                   " | ".join(sync_problems(listing)),
                   " | ".join(str(p.message) for p in problems if p.is_error),
                   " | ".join(str(p.message) for p in problems if not p.is_error)]

    return csv_response(export_header(), rows(), filename=f"listings-{timezone.now():%Y%m%d-%H%M}.csv")


def _get(request: HttpRequest, pk: int) -> Listing:
    listing = listing_detail(user=request.user, pk=pk, now=timezone.now())
    if listing is None:
        raise Http404(_("No such listing."))
    return listing


def _image_problems(listing: Listing) -> list[Problem]:
    if not listing.main_image:
        return []
    try:
        with listing.main_image.open("rb") as file:
            return check_image_file(file)
    except (FileNotFoundError, OSError):
        return [Problem("image_unreadable", "error", _("The image file cannot be read."))]


def _detail_context(request: HttpRequest, listing: Listing, **extra) -> dict:
    problems = listing_problems([listing])[listing.pk] + _image_problems(listing)
    grants = request_grants(request)
    context = {
        "listing": listing,
        "plan": stock_plan(listing, units_sold=listing.units_sold),  # type: ignore[attr-defined]  # annotated by the selector
        "problems": problems,
        "movements": listing_movements(listing=listing),
        "can": {"adjust": grants.can("stock.adjust", listing.store_id),
                "edit": grants.can("listing.edit", listing.store_id),
                "publish": grants.can("listing.publish", listing.store_id)},
        "adjust_form": StockAdjustForm(),
        "image_form": MainImageForm(),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def listing_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _get(request, pk)
    response = render(request, "listings/listing_detail.html", _detail_context(request, listing))
    patch_vary_headers(response, ("HX-Request",))
    return response


def _require(request: HttpRequest, listing: Listing, permission: str) -> None:
    if not request_grants(request).can(permission, listing.store_id):
        raise PermissionDenied(_("Your role in store %(store)s does not allow this.") % {"store": listing.store.code})


@login_required
@require_POST
def listing_adjust_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _get(request, pk)
    _require(request, listing, "stock.adjust")
    form = StockAdjustForm(request.POST)
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            stock_adjust(listing=listing, available=data["available"], inbound=data["inbound"],
                         reason=data["reason"], actor=request.user, note=data["note"].strip())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            saved = True
    if saved and not request.htmx:
        return redirect("listings:detail", pk=listing.pk)
    listing = _get(request, pk)
    context = _detail_context(request, listing, adjust_form=StockAdjustForm() if saved else form, adjusted=saved)
    if request.htmx:
        return render(request, "listings/listing_detail.html#stock-panel", context)
    return render(request, "listings/listing_detail.html", context, status=400)


@login_required
@require_POST
def listing_image_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _get(request, pk)
    _require(request, listing, "listing.edit")
    form = MainImageForm(request.POST, request.FILES)
    if form.is_valid():
        listing_replace_main_image(listing=listing, actor=request.user, image=form.cleaned_data["image"])
        return redirect("listings:detail", pk=listing.pk)
    return render(request, "listings/listing_detail.html", _detail_context(request, listing, image_form=form),
                  status=400)


@login_required
@require_GET
def listing_image_file_view(request: HttpRequest, pk: int) -> FileResponse:
    """The main image, served only to members of the listing's store."""
    listing = _get(request, pk)
    if not listing.main_image:
        raise Http404(_("This listing has no main image."))
    try:
        return FileResponse(listing.main_image.open("rb"))
    except FileNotFoundError as error:
        raise Http404(_("The image file is missing.")) from error



# Bulk edit of price and quantity ---------------------------------------------------------------------------------

def _back_url(request: HttpRequest) -> str:
    """Where the bulk pages go back to: the list as it was (``next``, if it is ours), else the list."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return target
    return reverse("listings:list")


def _bulk_page(request: HttpRequest, *, apply: bool) -> HttpResponse:
    listings = list(listings_by_ids(user=request.user, ids=parse_ids(request.POST.getlist("ids"))))
    form = BulkEditForm(request.POST)
    context: dict = {"form": form, "back_url": _back_url(request), "listings": listings, "applied": False}
    if not listings:
        context["error"] = _("Select at least one listing of your stores first.")
        return render(request, "listings/bulk_edit.html", context, status=400)
    if not form.is_valid():
        return render(request, "listings/bulk_edit.html", context, status=400)
    operation, amount = form.cleaned_data["operation"], form.cleaned_data["amount"]
    user = cast(User, request.user)
    if apply:
        changes = bulk_apply(listings=listings, user=user, operation=operation, amount=amount,
                             expected=form.expected(request.POST))
    else:
        changes = bulk_preview(listings=listings, user=user, operation=operation, amount=amount)
    context.update({
        "changes": changes, "applied": apply, "is_price": operation in PRICE_OPERATIONS,
        "operation_label": Operation(operation).label,
        "amount": amount, "operation": operation,
        "applicable": [c for c in changes if not c.refusal],
        "done": [c for c in changes if c.done], "refused": [c for c in changes if c.refusal],
    })
    return render(request, "listings/bulk_edit.html", context)


@login_required
@require_POST
def listing_bulk_view(request: HttpRequest) -> HttpResponse:
    """The list's bulk bar: preview what the chosen change does to each selected listing; nothing is written."""
    return _bulk_page(request, apply=False)


@login_required
@require_POST
def listing_bulk_apply_view(request: HttpRequest) -> HttpResponse:
    """Confirm a preview: apply it to every listing whose value is still the previewed one."""
    return _bulk_page(request, apply=True)
