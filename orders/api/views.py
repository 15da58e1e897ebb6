"""/api/orders/: list, retrieve and create orders; cancel them through the same services as the UI.

Shipping an order (``POST /api/orders/{id}/ship/``) is fulfillment's: ``fulfillment.api.views.OrderShipViewSet``.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.exceptions import Conflict
from core.api.mixins import AuthenticatedRequest, StoreScopedViewSet
from core.api.serializers import ConflictSerializer, ErrorSerializer
from core.errors import ApplicationError
from core.models import Store

from ..ids import AMAZON_ORDER_ID_PATTERN
from ..models import Order, OrderItem
from ..services import order_cancel, order_create
from .filters import OrderFilter
from .serializers import OrderCancelInputSerializer, OrderInputSerializer, OrderSerializer

REFUSED = {
    400: OpenApiResponse(ErrorSerializer, description="A malformed body (each bad field named) or a broken rule."),
    403: OpenApiResponse(ErrorSerializer, description="The user's role in the order's store does not allow it."),
    404: OpenApiResponse(ErrorSerializer, description="No such order among the user's stores."),
    409: OpenApiResponse(ConflictSerializer, description="The order's status does not allow it; the message "
                                                         "says why. Nothing was changed."),
}


@extend_schema_view(
    list=extend_schema(summary="List orders", description="Newest purchase first, cursor-paginated."),
    retrieve=extend_schema(summary="Get an order",
                           description="By Amazon order id; add ?store=CODE if the id exists in two of your "
                                       "stores."),
    create=extend_schema(
        summary="Create an order",
        description=(
            "Creates the order and its items in one transaction and reserves stock for seller-fulfilled "
            "units. Creation is idempotent by natural key: posting an `amazon_order_id` that already exists "
            "in that store changes nothing and answers **409** with a message and `url`, the existing "
            "order's address."),
        request=OrderInputSerializer,
        responses={201: OrderSerializer, 400: REFUSED[400], 403: REFUSED[403],
                   409: OpenApiResponse(ConflictSerializer, description="The order already exists in that "
                                                                        "store; `url` is the existing order.")},
    ),
)
class OrderViewSet(StoreScopedViewSet[Order]):
    permission_resource = "order"
    serializer_class = OrderSerializer
    input_serializer_class = OrderInputSerializer
    filterset_class = OrderFilter
    lookup_field = "amazon_order_id"
    lookup_value_regex = AMAZON_ORDER_ID_PATTERN
    ordering = ("-purchase_date", "-id")

    def base_queryset(self) -> QuerySet[Order]:
        return Order.objects.select_related("store").prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.order_by("id")))

    def _existing(self, store: Store, amazon_order_id: str) -> Conflict | None:
        existing = Order.objects.filter(store=store, amazon_order_id=amazon_order_id).first()
        if existing is None:
            return None
        url = reverse("api-order-detail", kwargs={"amazon_order_id": existing.amazon_order_id},
                      request=self.request)
        return Conflict(_("Order %(id)s already exists in store %(store)s; nothing was changed.")
                        % {"id": amazon_order_id, "store": store.code}, code="already_exists", url=url)

    def perform_service_create(self, serializer: OrderInputSerializer) -> Order:
        store = serializer.validated_data["store"]
        amazon_order_id = serializer.validated_data["amazon_order_id"]
        if conflict := self._existing(store, amazon_order_id):
            raise conflict
        try:
            return order_create(store=store, data=serializer.to_order_data(), actor=self.request.user,
                                source="api")
        except ApplicationError:
            # Another request may have created the same order meanwhile: that is the same conflict.
            if conflict := self._existing(store, amazon_order_id):
                raise conflict from None
            raise

    @extend_schema(
        summary="Cancel an order",
        description="Cancels an order that has not shipped, recording who asked (`seller`, `buyer` or "
                    "`system`; `amazon` is taken as `system`) and why, and releases its reserved stock.",
        request=OrderCancelInputSerializer, responses={200: OrderSerializer, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, amazon_order_id: str) -> Response:
        order = self.get_object()
        data = self.get_input(OrderCancelInputSerializer)
        order_cancel(order=order, initiator=data["initiator"], reason=data["reason"], at=data.get("at"),
                     actor=request.user, source="api")
        return self.respond(self.get_queryset().get(pk=order.pk))
