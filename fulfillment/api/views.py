"""/api/shipments/: shipment confirmations, with the carrier's scan and delivery where they are known; and an
order's ship action, /api/orders/{amazon_order_id}/ship/."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.mixins import AuthenticatedRequest, StoreScopedViewSet
from core.api.serializers import ConflictSerializer, ErrorSerializer
from core.errors import ApplicationError
from orders.api.views import REFUSED, OrderViewSet

from ..models import Shipment, ShipmentItem
from ..remedies import carrier_trace_file, shipment_replace
from ..services import order_ship, shipment_record_tracking
from .filters import ShipmentFilter
from .serializers import (
    CarrierTraceSerializer,
    OrderShipInputSerializer,
    ReplacementInputSerializer,
    ShipmentInputSerializer,
    ShipmentSerializer,
    TraceInputSerializer,
)

#: The answers of a shipment's remedies besides their 201.
REMEDY_REFUSED = {
    400: OpenApiResponse(ErrorSerializer, description="A malformed body (each bad field named) or a broken rule: "
                                                      "the parcel was delivered or shipped by Amazon, it has no "
                                                      "tracking number, a trace is already open, the parcel was "
                                                      "already replaced, not enough stock… Nothing was changed."),
    403: REFUSED[403],
    404: OpenApiResponse(ErrorSerializer, description="No such shipment among the user's stores."),
}


@extend_schema_view(
    list=extend_schema(summary="List shipments", description="Newest ship confirmation first."),
    retrieve=extend_schema(summary="Get a shipment"),
    create=extend_schema(
        summary="Confirm a shipment",
        description="Confirms the shipment of every unit the order still owes (as `POST /api/orders/{id}/ship/` "
                    "does) and records the carrier's first scan and delivery when given, in one transaction.",
        request=ShipmentInputSerializer,
        responses={201: ShipmentSerializer, 400: ErrorSerializer, 403: ErrorSerializer,
                   409: OpenApiResponse(ConflictSerializer, description="The order cannot be shipped "
                                                                        "(cancelled, already shipped…).")},
    ),
)
class ShipmentViewSet(StoreScopedViewSet):
    permission_resource = "shipment"
    action_permissions = {"replacement": "shipment.replace"}
    serializer_class = ShipmentSerializer
    input_serializer_class = ShipmentInputSerializer
    filterset_class = ShipmentFilter
    ordering = ("-shipped_at", "-id")

    def base_queryset(self) -> QuerySet[Shipment]:
        return Shipment.objects.select_related("store", "order").prefetch_related(
            Prefetch("items", queryset=ShipmentItem.objects.select_related("order_item").order_by("id")))

    @transaction.atomic
    def perform_service_create(self, serializer: ShipmentInputSerializer) -> Shipment:
        data = serializer.validated_data
        shipment = order_ship(order=data["order"], carrier=data["carrier"],
                              carrier_name=data.get("carrier_name", ""), tracking_number=data["tracking_number"],
                              ship_method=data.get("ship_method", ""), shipped_at=data.get("shipped_at"),
                              actor=self.request.user, source="api")
        if data.get("first_scan_at") or data.get("delivered_at"):
            shipment = shipment_record_tracking(shipment=shipment, first_scan_at=data.get("first_scan_at"),
                                                delivered_at=data.get("delivered_at"), source="api")
        return self.get_queryset().get(pk=shipment.pk)

    @extend_schema(
        summary="File a carrier trace",
        description="Records a trace (search request, missing-mail or loss claim) filed with the carrier of a "
                    "seller-shipped, undelivered, tracked shipment, and writes it on the order's timeline. The "
                    "carrier's own page for it is `trace_url` in the carrier table (see docs/api.md).",
        request=TraceInputSerializer, responses={201: CarrierTraceSerializer, **REMEDY_REFUSED},
    )
    @action(detail=True, methods=["post"])
    def trace(self, request: AuthenticatedRequest, pk: str) -> Response:
        shipment = self.get_object()
        data = self.get_input(TraceInputSerializer)
        trace = carrier_trace_file(shipment=shipment, reference=data.get("reference", ""),
                                   note=data.get("note", ""), filed_at=data.get("filed_at"), actor=request.user,
                                   source="api")
        return self.respond(trace, status=201, serializer_class=CarrierTraceSerializer)

    @extend_schema(
        summary="Send a replacement",
        description="Sends the units of a lost or stuck shipment again at no charge (every unit by default): a new "
                    "shipment of the order whose `replacement_of` is this one. Its units come out of available "
                    "stock, all or none; the order's status, ship confirmation and shipment metrics are left as "
                    "they were (Amazon is not told). A number that does not match the carrier's format is refused "
                    "unless `accept_malformed_tracking`.",
        request=ReplacementInputSerializer, responses={201: ShipmentSerializer, **REMEDY_REFUSED},
    )
    @action(detail=True, methods=["post"])
    def replacement(self, request: AuthenticatedRequest, pk: str) -> Response:
        shipment = self.get_object()
        data = self.get_input(ReplacementInputSerializer)
        quantities: dict[int, int] | None = None
        if data.get("items"):
            by_sku = {item.order_item.sku: item.order_item_id
                      for item in shipment.items.select_related("order_item").order_by("id")}
            unknown = sorted({row["sku"] for row in data["items"]} - set(by_sku))
            if unknown:
                raise ApplicationError(_("These SKUs were not in the shipment: %(skus)s.")
                                       % {"skus": ", ".join(unknown)})
            quantities = {}
            for row in data["items"]:
                quantities[by_sku[row["sku"]]] = quantities.get(by_sku[row["sku"]], 0) + row["quantity"]
        replacement = shipment_replace(
            shipment=shipment, carrier=data["carrier"], carrier_name=data.get("carrier_name", ""),
            tracking_number=data["tracking_number"], ship_method=data.get("ship_method", ""),
            shipped_at=data.get("shipped_at"), quantities=quantities,
            accept_malformed=data["accept_malformed_tracking"], actor=request.user, source="api")
        return self.respond(self.get_queryset().get(pk=replacement.pk), status=201)


# The order resource's ``ship`` action, served by fulfillment: ``sellerops/api_urls.py`` routes it at
# /api/orders/{amazon_order_id}/ship/ ahead of the router. The order is found, scoped and permitted (``order.ship``)
# as by the order resource itself. (A comment, not a docstring: DRF would publish a docstring as the endpoint's
# description.)
class OrderShipViewSet(OrderViewSet):
    @extend_schema(
        summary="Confirm an order's shipment",
        description="Creates the shipment of every unit still owed, consumes its stock and moves the order "
                    "to Shipped. Seller-fulfilled (MFN) orders only.",
        request=OrderShipInputSerializer, responses={201: ShipmentSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def ship(self, request: AuthenticatedRequest, amazon_order_id: str) -> Response:
        order = self.get_object()
        data = self.get_input(OrderShipInputSerializer)
        shipment = order_ship(order=order, carrier=data["carrier"], carrier_name=data.get("carrier_name", ""),
                              tracking_number=data["tracking_number"], ship_method=data.get("ship_method", ""),
                              shipped_at=data.get("shipped_at"), actor=request.user, source="api")
        return self.respond(shipment, status=201, serializer_class=ShipmentSerializer)
