"""/api/shipments/: shipment confirmations, with the carrier's scan and delivery where they are known; and an
order's ship action, /api/orders/{amazon_order_id}/ship/."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.mixins import AuthenticatedRequest, StoreScopedViewSet
from core.api.serializers import ConflictSerializer, ErrorSerializer
from orders.api.views import REFUSED, OrderViewSet

from ..models import Shipment, ShipmentItem
from ..services import order_ship, shipment_record_tracking
from .filters import ShipmentFilter
from .serializers import OrderShipInputSerializer, ShipmentInputSerializer, ShipmentSerializer


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
