"""/api/listings/: list, retrieve, create and edit listings of the user's stores; adjust their stock.

Content and price are written through ``listing_update`` (which tells the publishing layer), quantities only through
the stock service (``POST /api/listings/{id}/adjust-stock/``), which records each movement.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.exceptions import Conflict
from core.api.mixins import AuthenticatedRequest, StoreScopedViewSet
from core.api.serializers import ConflictSerializer, ErrorSerializer
from core.errors import ApplicationError

from ..models import Listing
from ..services import listing_create, listing_update, stock_adjust_by_seller
from .filters import ListingFilter
from .serializers import (
    ListingCreateSerializer,
    ListingSerializer,
    ListingUpdateSerializer,
    StockAdjustInputSerializer,
)

REFUSED = {
    400: OpenApiResponse(ErrorSerializer, description="A malformed body (each bad field named) or a broken rule."),
    403: OpenApiResponse(ErrorSerializer, description="The user's role in the listing's store does not allow it."),
    404: OpenApiResponse(ErrorSerializer, description="No such listing among the user's stores."),
}


@extend_schema_view(
    list=extend_schema(summary="List listings", description="By id, cursor-paginated; filter as the list page "
                                                            "does (status, channel, sync problems, out of stock)."),
    retrieve=extend_schema(summary="Get a listing", responses={200: ListingSerializer, 404: REFUSED[404]}),
    create=extend_schema(
        summary="Create a listing",
        description="Creates the listing in the store named by `store` (needs `listing.edit` there). An "
                    "`opening_quantity` (seller-fulfilled only) is recorded as a stock movement. A SKU that "
                    "already exists in the store answers **409** with `url`, the existing listing.",
        request=ListingCreateSerializer,
        responses={201: ListingSerializer, 400: REFUSED[400], 403: REFUSED[403],
                   409: OpenApiResponse(ConflictSerializer, description="The store already has this SKU.")},
    ),
    partial_update=extend_schema(
        summary="Edit a listing's content, price or stock planning",
        description="Writes only the fields given (needs `listing.edit`); quantities are not writable here. "
                    "Amazon is told of changed content and price.",
        request=ListingUpdateSerializer, responses={200: ListingSerializer, **REFUSED},
    ),
)
class ListingViewSet(StoreScopedViewSet[Listing]):
    permission_resource = "listing"
    #: Creating and editing share the table's ``listing.edit``; adjusting stock is ``stock.adjust``.
    action_permissions = {"create": "listing.edit", "partial_update": "listing.edit",
                          "adjust_stock": "stock.adjust"}
    serializer_class = ListingSerializer
    input_serializer_class = ListingCreateSerializer
    filterset_class = ListingFilter
    ordering = ("id",)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Listing]:
        return Listing.objects.select_related("store")

    def _conflict(self, listing: Listing) -> Conflict:
        url = reverse("api-listing-detail", kwargs={"pk": listing.pk}, request=self.request)
        return Conflict(_("Store %(store)s already has a listing %(sku)s; nothing was changed.")
                        % {"store": listing.store.code, "sku": listing.sku}, code="already_exists", url=url)

    def perform_service_create(self, serializer: ListingCreateSerializer) -> Listing:
        data = dict(serializer.validated_data)
        store, sku = data.pop("store"), data.pop("sku")
        existing = Listing.objects.filter(store=store, sku=sku).select_related("store").first()
        if existing is not None:
            raise self._conflict(existing)
        try:
            return listing_create(store=store, sku=sku, title=data.pop("title"),
                                  opening_quantity=data.pop("opening_quantity"), fields=data,
                                  actor=self.request.user)
        except ApplicationError:
            # Another request may have created the same SKU meanwhile: that is the same conflict.
            existing = Listing.objects.filter(store=store, sku=sku).select_related("store").first()
            if existing is not None:
                raise self._conflict(existing) from None
            raise

    def partial_update(self, request: AuthenticatedRequest, *args, **kwargs) -> Response:
        listing = self.get_object()
        data = self.get_input(ListingUpdateSerializer)
        listing_update(listing=listing, changes=dict(data), actor=request.user)
        return self.respond(self.get_queryset().get(pk=listing.pk))

    @extend_schema(
        summary="Adjust a listing's stock",
        description="Adds (or, negative, removes) available and inbound units through the stock service, which "
                    "records the movement and lets the stock sync tell Amazon (needs `stock.adjust`). The "
                    "available units of an FBA listing are Amazon's and are refused; nothing goes below zero.",
        request=StockAdjustInputSerializer, responses={200: ListingSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="adjust-stock")
    def adjust_stock(self, request: AuthenticatedRequest, pk: str) -> Response:
        listing = self.get_object()
        data = self.get_input(StockAdjustInputSerializer)
        stock_adjust_by_seller(listing=listing, available=data["available"], inbound=data["inbound"],
                               reason=data["reason"], actor=request.user, note=data["note"])
        return self.respond(self.get_queryset().get(pk=listing.pk))
