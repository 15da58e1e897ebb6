"""/api/shipments/: shipment confirmations, with the carrier's scan and delivery where they are known, and each
shipment's carrier events (/api/shipments/{id}/events/); carrier events by tracking number
(/api/tracking-events/); and an order's ship action, /api/orders/{amazon_order_id}/ship/."""

from __future__ import annotations

from typing import cast

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.mixins import AuthenticatedRequest, StoreScopedViewSet
from core.api.permissions import StoreRolePermission, require_role
from core.api.serializers import ConflictSerializer, ErrorSerializer
from core.errors import ApplicationError
from core.selectors import store_list
from orders.api.views import REFUSED, OrderViewSet

from ..carrier_event_selectors import carrier_events_of
from ..carrier_events import CarrierEventData, TrackingEventData, carrier_events_record, tracking_events_record
from ..models import Shipment, ShipmentItem
from ..remedies import carrier_trace_file, carrier_trace_set_status, shipment_replace
from ..services import order_ship, shipment_record_tracking
from ..silence import carrier_allowances, carrier_days_set
from .filters import ShipmentFilter
from .serializers import (
    CarrierAllowanceSerializer,
    CarrierDaysInputSerializer,
    CarrierEventSerializer,
    CarrierTraceSerializer,
    OrderShipInputSerializer,
    ReplacementInputSerializer,
    ShipmentEventsInputSerializer,
    ShipmentEventsResultSerializer,
    ShipmentInputSerializer,
    ShipmentSerializer,
    TraceInputSerializer,
    TraceStatusInputSerializer,
    TrackingEventsInputSerializer,
    TrackingEventsResultSerializer,
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

#: Where an event is checked against its shipment: the answer's 400 says which rule it broke.
EVENT_REFUSED = {
    400: OpenApiResponse(ErrorSerializer, description="A malformed body (each bad field named), or an event in "
                                                      "the future or long before the ship confirmation: nothing "
                                                      "was recorded."),
    403: OpenApiResponse(ErrorSerializer, description="The user's role in the shipment's store does not allow "
                                                      "recording carrier events."),
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
    action_permissions = {"replacement": "shipment.replace", "events_record": "order.track",
                          "trace_status": "shipment.trace"}
    read_actions = frozenset({"events"})
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
        summary="Record the carrier's answer to a trace",
        description="Moves the shipment's latest trace on: `found` or `lost` (the carrier's answer; a lost parcel "
                    "may still be found), or `closed`; the change goes on the order's timeline. A move the trace's "
                    "status does not allow answers 409.",
        request=TraceStatusInputSerializer,
        responses={200: CarrierTraceSerializer, **REMEDY_REFUSED,
                   409: OpenApiResponse(ConflictSerializer, description="A move the trace's status does not "
                                                                        "allow (a closed trace, say).")},
    )
    @action(detail=True, methods=["post"], url_path="trace/status")
    def trace_status(self, request: AuthenticatedRequest, pk: str) -> Response:
        shipment = self.get_object()
        data = self.get_input(TraceStatusInputSerializer)
        trace = shipment.traces.order_by("-filed_at", "-id").first()
        if trace is None:
            raise ApplicationError(_("No trace was filed for this shipment."))
        trace = carrier_trace_set_status(trace=trace, status=data["status"], note=data.get("note", ""),
                                         reference=data.get("reference", ""), at=data.get("at"),
                                         actor=request.user, source="api")
        return self.respond(trace, status=200, serializer_class=CarrierTraceSerializer)

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

    @extend_schema(summary="List a shipment's carrier events", description="The latest event first.",
                   responses={200: CarrierEventSerializer(many=True),
                              404: OpenApiResponse(ErrorSerializer, description="No such shipment among the user's "
                                                                                "stores.")})
    @action(detail=True, methods=["get"], url_path="events", pagination_class=None)
    def events(self, request: AuthenticatedRequest, pk: str) -> Response:
        shipment = self.get_object()
        return Response(CarrierEventSerializer(carrier_events_of(shipment=shipment), many=True).data)

    @extend_schema(
        summary="Record a shipment's carrier events",
        description="Records the events in one transaction: all of them, or none if one is refused. An event "
                    "already recorded (the same time and status) changes nothing, so sending a list again is "
                    "safe. The shipment keeps its latest event's time and status, its first scan (the first "
                    "event in the carrier's hands) and its delivery (the first `delivered` event, which delivers "
                    "the order once every parcel is delivered). Events may lie up to 30 days (a label created) "
                    "or 72 hours (any other) before the ship confirmation, and not in the future.",
        request=ShipmentEventsInputSerializer,
        responses={200: ShipmentEventsResultSerializer, **EVENT_REFUSED,
                   404: OpenApiResponse(ErrorSerializer, description="No such shipment among the user's stores.")},
    )
    @events.mapping.post
    def events_record(self, request: AuthenticatedRequest, pk: str) -> Response:
        shipment = self.get_object()
        data = self.get_input(ShipmentEventsInputSerializer)
        result = carrier_events_record(
            shipment=shipment, events=[CarrierEventData(**event) for event in data["events"]], source="api",
            actor=request.user)
        shipment = result.shipment
        return Response(ShipmentEventsResultSerializer({
            "shipment": shipment.pk, "created": len(result.created), "skipped": result.skipped,
            "last_event_at": shipment.last_event_at, "last_event_status": shipment.last_event_status,
            "first_scan_at": shipment.first_scan_at, "delivered_at": shipment.delivered_at,
            "order_status": shipment.order.status, "events": carrier_events_of(shipment=shipment),
        }).data)


@extend_schema_view(create=extend_schema(
    summary="Record carrier events by tracking number",
    description="Each event names its parcel by tracking number (whatever its case and spaces) in `store`. Each "
                "shipment's events are recorded as `POST /api/shipments/{id}/events/` records them: all or none of "
                "that shipment's, independently of the others. The answer gives one outcome per event, in the "
                "order sent: `created`, `skipped` (already recorded), `unknown_tracking_number` or `refused` "
                "(with the reason). Sending the same list again creates nothing.",
    request=TrackingEventsInputSerializer,
    responses={200: TrackingEventsResultSerializer,
               400: OpenApiResponse(ErrorSerializer, description="A malformed body, each bad field named."),
               403: EVENT_REFUSED[403]},
))
class TrackingEventViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, StoreRolePermission]
    permission_resource = "shipment"
    action_permissions = {"create": "order.track"}
    serializer_class = TrackingEventsInputSerializer
    request: AuthenticatedRequest

    def create(self, request: AuthenticatedRequest) -> Response:
        serializer = TrackingEventsInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        store = serializer.validated_data["store"]
        require_role(user=request.user, permission="order.track", store=store)
        items = [TrackingEventData(tracking_number=item.pop("tracking_number"), event=CarrierEventData(**item))
                 for item in serializer.validated_data["events"]]
        outcomes = tracking_events_record(store=store, events=items, source="api", actor=request.user)
        count = {name: sum(1 for o in outcomes if o.outcome == name) for name in ("created", "skipped")}
        return Response(TrackingEventsResultSerializer({
            **count, "refused": len(outcomes) - count["created"] - count["skipped"],
            "results": [{"index": o.index, "tracking_number": o.tracking_number, "shipment": o.shipment_id,
                         "outcome": o.outcome, "message": o.message} for o in outcomes],
        }).data)


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


@extend_schema(
    summary="A store's days of silence per carrier",
    description="The carriers that matter to the store (those delivering to its marketplace, those its followed "
                "parcels went with, those it set days for), each with the days of silence after which its parcels "
                "are at risk. `PUT` sets the store's own days (role `delivery.silence`): all or nothing, null gives "
                "a carrier its usual days back.",
    request=CarrierDaysInputSerializer, responses={200: CarrierAllowanceSerializer(many=True), 400: ErrorSerializer},
)
@api_view(["GET", "PUT"])
def store_carrier_days(request: Request, code: str) -> Response:
    store = get_object_or_404(store_list(user=request.user), code=code)
    if request.method == "PUT":
        require_role(user=request.user, permission="delivery.silence", store=store)
        data = CarrierDaysInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        carrier_days_set(store=store, days=data.validated_data["days"], actor=cast(AuthenticatedRequest, request).user)
    allowances = carrier_allowances(store=store, now=timezone.now())
    return Response(CarrierAllowanceSerializer(
        [{**vars(a), "days": a.days} for a in allowances], many=True).data)
