"""Listing pages: the stock table and one listing's stock, audit trail, quality and image.

Each view serves its full page and, for htmx requests, only the named partial.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.permissions import request_grants
from core.web import AuthenticatedHttpRequest, page_number, wants_partial

from .forms import ListingFilterForm, MainImageForm, StockAdjustForm
from .models import Listing
from .quality import Problem, check_image_file, check_listing_text
from .selectors import listing_detail, listing_list, listing_movements, listing_rows, stock_plan
from .services import listing_set_main_image, stock_adjust

PAGE_SIZE = 50


@login_required
@require_GET
def listing_list_view(request: HttpRequest) -> HttpResponse:
    form = ListingFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = page_number(request.GET.get("page"))
    offset = (page - 1) * PAGE_SIZE
    rows = list(listing_list(user=request.user, filters=filters, now=timezone.now())[offset:offset + PAGE_SIZE + 1])
    context = {
        "form": form,
        "rows": listing_rows(rows[:PAGE_SIZE]),
        "page": page,
        "first_row": offset + 1 if rows else 0,
        "last_row": offset + len(rows[:PAGE_SIZE]),
        "has_next": len(rows) > PAGE_SIZE,
    }
    template = "listings/listing_list.html#listing-table" if wants_partial(request) else "listings/listing_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


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
    problems = check_listing_text(listing) + _image_problems(listing)
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
def listing_image_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _get(request, pk)
    _require(request, listing, "listing.edit")
    form = MainImageForm(request.POST, request.FILES)
    if form.is_valid():
        listing_set_main_image(listing=listing, image=form.cleaned_data["image"])
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

