"""The listing editor: create and edit pages, the live checks as the user types, and the images.

Thin: the form parses, ``listings.editing`` writes, ``listings.quality`` judges. The live check posts the whole
form to ``validate`` and gets back, out of band, the problems beside each field and the summary.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError
from core.permissions import request_grants
from core.web import AuthenticatedHttpRequest

from .editing import (
    listing_create,
    listing_image_add,
    listing_image_move,
    listing_image_remove,
    listing_replace_main_image,
    listing_update,
    main_image_problems,
)
from .forms import BULLET_FIELDS, ListingEditForm, MainImageForm, OtherImageForm
from .models import Listing
from .quality import Problem, check_listing_text, summary, text_length, title_max
from .views import _get

TEMPLATE = "listings/listing_form.html"


def _editable(request: HttpRequest, pk: int) -> Listing:
    listing = _get(request, pk)
    if not request_grants(request).can("listing.edit", listing.store_id):
        raise PermissionDenied(_("Your role in store %(store)s does not allow this.") % {"store": listing.store.code})
    return listing


def _problems(form: ListingEditForm) -> list[Problem]:
    """What the live check shows: the form's own refusals (a price that is not a number…), then every quality
    rule on what is typed so far, except beside a field the form already refused."""
    draft = form.draft()
    refused = [Problem("invalid", "error", f"{form.fields[name].label}: {error}" if name in form.fields else str(error),
                       _slot_of(name)) for name, errors in form.errors.items() for error in errors]
    refused_fields = {p.field for p in refused}
    found = check_listing_text(draft, marketplace=form.chosen_store.marketplace if form.chosen_store else None,
                               required_attributes=form.required_attributes, properties=form.properties)
    if form.listing is not None:
        found += main_image_problems(form.listing)
    return refused + [p for p in found if p.field not in refused_fields]


def _slot_of(field_name: str) -> str:
    if field_name.startswith("attr_"):
        return "attr:" + field_name.removeprefix("attr_")
    return field_name or "form"


def _slots(form: ListingEditForm) -> list[str]:
    """Every place beside a field where problems are shown (each is refreshed by the live check)."""
    names = ["store", "sku", "product_type", "brand", "core_function", "key_attributes", "title", "bullets",
             *BULLET_FIELDS, "description", "price", "currency", "quantity", "handling_time_days", "condition"]
    names += [f"attr:{a}" for a in form.attribute_names]
    return [name for name in names if name.startswith("attr:") or name == "bullets" or name in form.fields]


def _context(request: HttpRequest, form: ListingEditForm, **extra) -> dict:
    problems = _problems(form) if form.is_bound or form.listing is not None else []
    errors, warnings = summary(problems)
    listing = form.listing
    context: dict[str, Any] = {
        "form": form,
        "listing": listing,
        "problems": problems,
        "errors": errors,
        "warnings": warnings,
        "slots": _slots(form),
        "title_automatic": form.title_is_automatic(),
        "composed_title": form.composed_title(),
        "title_length": text_length(form.title_value()),
        "title_max": title_max(form.chosen_store.marketplace if form.chosen_store else None),
        "attribute_rows": [(attribute, field, f"attr:{attribute}") for attribute, field in form.attribute_fields()],
        "image_form": MainImageForm(),
        "other_image_form": OtherImageForm(),
    }
    if listing is not None:
        context["images"] = list(listing.images.order_by("position"))
        context["main_problems"] = main_image_problems(listing)
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def listing_new_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request_grants(request).can("listing.edit"):
        raise PermissionDenied(_("Your role does not allow creating listings."))
    form = ListingEditForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listing = listing_create(store=data["store"], actor=request.user, sku=data["sku"],
                                     content=form.content(), quantity=data["quantity"] or 0)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            _saved_message(request, listing)
            return redirect("listings:edit", pk=listing.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, TEMPLATE, _context(request, form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _editable(request, pk)
    form = ListingEditForm(request.POST or None, user=request.user, listing=listing)
    if request.method == "POST" and form.is_valid():
        try:
            listing, _changed = listing_update(listing=listing, actor=request.user, content=form.content())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            _saved_message(request, listing)
            return redirect("listings:edit", pk=listing.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, TEMPLATE, _context(request, form), status=status)


def _saved_message(request: HttpRequest, listing: Listing) -> None:
    if listing.status == Listing.Status.INCOMPLETE:
        messages.warning(request, _("Saved as a draft: fix the errors marked below before it can be published."))
    else:
        messages.success(request, _("Listing saved."))


@login_required
@require_POST
def listing_validate_view(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """The live check: every problem of what is typed so far, beside its field (out-of-band swaps)."""
    if pk is None:
        if not request_grants(request).can("listing.edit"):
            raise PermissionDenied(_("Your role does not allow creating listings."))
        form = ListingEditForm(request.POST, user=request.user)
    else:
        form = ListingEditForm(request.POST, user=request.user, listing=_editable(request, pk))
    response = render(request, f"{TEMPLATE}#live-check", _context(request, form))
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def listing_attribute_fields_view(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """The attribute fields of the product type (and store) chosen, as the product type changes."""
    listing = _editable(request, pk) if pk is not None else None
    if listing is None and not request_grants(request).can("listing.edit"):
        raise PermissionDenied(_("Your role does not allow creating listings."))
    form = ListingEditForm(request.GET, user=request.user, listing=listing)
    context = _context(request, form)
    return render(request, f"{TEMPLATE}#attribute-fields", context)


# Images -------------------------------------------------------------------------------------------------

@login_required
@require_POST
def listing_main_image_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Upload the main image and check it at once: what is wrong with it, and where."""
    listing = _editable(request, pk)
    form = MainImageForm(request.POST, request.FILES)
    if form.is_valid():
        listing, _found = listing_replace_main_image(listing=listing, actor=request.user,
                                                     image=form.cleaned_data["image"])
    upload_errors = [str(e) for e in form.errors.get("image", [])]
    if not request.htmx:
        for error in upload_errors:
            messages.error(request, error)
        return redirect("listings:edit", pk=listing.pk)
    context = {"listing": listing, "main_problems": main_image_problems(listing), "image_form": MainImageForm(),
               "upload_errors": upload_errors, "just_checked": not upload_errors}
    response = render(request, f"{TEMPLATE}#main-image-panel", context)
    response["HX-Trigger"] = "listing-images-changed"
    return response


def _images_response(request: AuthenticatedHttpRequest, listing: Listing, **extra) -> HttpResponse:
    if not request.htmx:
        for error in extra.get("image_errors", []):
            messages.error(request, error)
        return redirect("listings:edit", pk=listing.pk)
    context = {"listing": listing, "images": list(listing.images.order_by("position")),
               "other_image_form": OtherImageForm(), **extra}
    response = render(request, f"{TEMPLATE}#images-panel", context)
    response["HX-Trigger"] = "listing-images-changed"
    return response


@login_required
@require_POST
def listing_image_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _editable(request, pk)
    form = OtherImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _images_response(request, listing, image_errors=[str(e) for e in form.errors.get("image", [])])
    try:
        _added, warnings = listing_image_add(listing=listing, actor=request.user, image=form.cleaned_data["image"])
    except ApplicationError as error:
        return _images_response(request, listing, image_errors=[error.message])
    return _images_response(request, listing, image_warnings=[p.message for p in warnings])


@login_required
@require_POST
def listing_image_remove_view(request: AuthenticatedHttpRequest, pk: int, image_id: int) -> HttpResponse:
    listing = _editable(request, pk)
    try:
        listing_image_remove(listing=listing, actor=request.user, image_id=image_id)
    except ApplicationError as error:
        return _images_response(request, listing, image_errors=[error.message])
    return _images_response(request, listing)


@login_required
@require_POST
def listing_image_move_view(request: AuthenticatedHttpRequest, pk: int, image_id: int) -> HttpResponse:
    listing = _editable(request, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        listing_image_move(listing=listing, actor=request.user, image_id=image_id, offset=offset)
    except ApplicationError as error:
        return _images_response(request, listing, image_errors=[error.message])
    return _images_response(request, listing)


@login_required
@require_GET
def listing_image_other_file_view(request: HttpRequest, pk: int, image_id: int) -> FileResponse:
    """One of the other images, served only to members of the listing's store."""
    listing = _get(request, pk)
    image = listing.images.filter(pk=image_id).first()
    if image is None:
        raise Http404(_("No such image."))
    try:
        return FileResponse(image.image.open("rb"))
    except FileNotFoundError as error:
        raise Http404(_("The image file is missing.")) from error
