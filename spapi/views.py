"""Publishing pages, mounted under /listings/: publish one listing, its Amazon panel (polled while publishing),
publish selected listings in one JSON feed, and the flat-file export for sellers without SP-API."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.permissions import request_grants
from core.selectors import scoped
from core.web import AuthenticatedHttpRequest, wants_partial
from listings.models import Listing
from listings.selectors import listing_detail

from .feeds import FeedRequest, listing_feed_request
from .flatfile import flat_file
from .publish import ConfirmationNeeded, listing_publish_request, media_base_url, publish_problems

#: At most this many listings in one bulk action or export.
MAX_SELECTED = 500


def _get(request: HttpRequest, pk: int) -> Listing:
    listing = listing_detail(user=request.user, pk=pk, now=timezone.now())
    if listing is None:
        raise Http404(_("No such listing."))
    return listing


def _panel(request: HttpRequest, listing: Listing, *, status: int = 200, **extra) -> HttpResponse:
    context = {"listing": listing, "publication": listing.amazon_publications.first(),
               "problems": publish_problems(listing),
               "can": {"publish": request_grants(request).can("listing.publish", listing.store_id)}, **extra}
    template = "spapi/_amazon_panel.html" if wants_partial(request) else "spapi/amazon_panel_page.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def listing_amazon_panel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The listing's Amazon panel alone (htmx polls it while a publication runs) or as a page."""
    return _panel(request, _get(request, pk))


@login_required
@require_POST
def listing_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _get(request, pk)
    if not request_grants(request).can("listing.publish", listing.store_id):
        raise PermissionDenied(_("Your role in store %(store)s does not allow this.") % {"store": listing.store.code})
    try:
        listing_publish_request(listing=listing, user=request.user,
                                confirm_warnings=request.POST.get("confirm_warnings") == "1")
    except ConfirmationNeeded as needed:
        return _panel(request, listing, confirm=needed.message)
    except ApplicationError as error:
        return _panel(request, listing, refused=error.message, status=400)
    if not request.htmx:
        return redirect("listings:detail", pk=listing.pk)
    return _panel(request, Listing.objects.select_related("store").get(pk=listing.pk))


def _selected(request: HttpRequest, raw: list[str]) -> list[Listing]:
    ids = sorted({int(v) for v in raw if v.isdigit()})[:MAX_SELECTED]
    return list(scoped(Listing.objects.all(), user=request.user).filter(pk__in=ids)
                .select_related("store").prefetch_related("images").order_by("store__code", "sku"))


@login_required
@require_POST
def listing_bulk_publish_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Publish the selected listings: one JSON listings feed per store; each listing's outcome is recorded."""
    listings = _selected(request, request.POST.getlist("listing"))
    grants = request_grants(request)
    by_store: dict[int, list[Listing]] = defaultdict(list)
    for listing in listings:
        by_store[listing.store_id].append(listing)
    results: list[dict] = []
    refused = False
    for store_listings in by_store.values():
        store = store_listings[0].store
        if not grants.can("listing.publish", store.pk):
            refused = True
            results.append({"store": store, "error": _("Your role in store %(store)s does not allow this.")
                            % {"store": store.code}, "skipped": {}})
            continue
        try:
            outcome: FeedRequest = listing_feed_request(store=store, listings=store_listings, user=request.user,
                                                        confirm_warnings=request.POST.get("confirm_warnings") == "1")
        except ApplicationError as error:
            results.append({"store": store, "error": error.message, "skipped": {}})
            continue
        results.append({"store": store, "feed": outcome.feed, "skipped": outcome.skipped})
    status = 403 if refused and not any(r.get("feed") for r in results) else 200
    return render(request, "spapi/bulk_publish_result.html", {"results": results, "selected": listings},
                  status=status)


@login_required
@require_GET
def listing_flat_file_view(request: HttpRequest) -> HttpResponse:
    """The selected listings (``?listing=1&listing=2``) as a category template flat file, one store at a time."""
    listings = _selected(request, request.GET.getlist("listing"))
    if not listings:
        raise Http404(_("Select at least one listing to export."))
    store = listings[0].store
    listings = [listing for listing in listings if listing.store_id == store.pk]
    content = flat_file(listings, marketplace=store.marketplace_info, media_base=media_base_url())
    response = HttpResponse(content.encode("utf-8"), content_type="text/tab-separated-values; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="Flat.File.{store.code}.{stamp}.txt"'
    return response
