"""/api/returns/: buyers' return requests, recorded at whatever step they have reached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view

from core.api.mixins import StoreScopedViewSet
from core.api.serializers import ConflictSerializer, ErrorSerializer

from ..models import Refund, ReturnRequest, ReturnStatus
from ..services import (
    return_authorize,
    return_close,
    return_create,
    return_receive,
    return_refund,
    return_reject,
)
from .filters import ReturnFilter
from .serializers import ReturnInputSerializer, ReturnSerializer

Step = Callable[[ReturnRequest, dict[str, Any], User], Any]


def _authorize(rr: ReturnRequest, data: dict[str, Any], actor: User) -> Any:
    return return_authorize(return_request=rr, label_provided=data["label_provided"], actor=actor, source="api",
                            at=data.get("responded_at"), merchant_rma_id=data.get("merchant_rma_id", ""))


def _reject(rr: ReturnRequest, data: dict[str, Any], actor: User) -> Any:
    return return_reject(return_request=rr, reason=data["rejected_reason"], actor=actor, source="api",
                         at=data.get("responded_at"))


def _receive(rr: ReturnRequest, data: dict[str, Any], actor: User) -> Any:
    return return_receive(return_request=rr, disposition=data["disposition"], actor=actor, source="api",
                          at=data.get("received_at"))


def _refund(rr: ReturnRequest, data: dict[str, Any], actor: User) -> Any:
    return return_refund(return_request=rr, kind=Refund.Kind.FULL, actor=actor, source="api",
                         at=data.get("responded_at"))


def _close(rr: ReturnRequest, data: dict[str, Any], actor: User) -> Any:
    return return_close(return_request=rr, actor=actor, source="api", at=data.get("responded_at"))


#: The services a new return goes through to arrive at the status the client reports.
STEPS_TO_STATUS: dict[str, list[Step]] = {
    ReturnStatus.REQUESTED: [],
    ReturnStatus.AUTHORIZED: [_authorize],
    ReturnStatus.REJECTED: [_reject],
    ReturnStatus.RECEIVED: [_authorize, _receive],
    ReturnStatus.REFUNDED: [_refund],
    ReturnStatus.CLOSED: [_close],
}
#: The permission each step needs, as the same step needs it in the returns queue.
STEP_PERMISSIONS: dict[Step, str] = {
    _authorize: "return.authorize",
    _reject: "return.reject",
    _receive: "return.receive",
    _refund: "return.refund",
    _close: "return.close",
}


@extend_schema_view(
    list=extend_schema(summary="List returns", description="Newest request first."),
    retrieve=extend_schema(summary="Get a return"),
    create=extend_schema(
        summary="Record a return request",
        description="Records the buyer's request and, when `status` is past requested, the seller's steps "
                    "to it (authorise, reject, receive, refund in full, close), all in one transaction.",
        request=ReturnInputSerializer,
        responses={201: ReturnSerializer, 400: ErrorSerializer, 403: ErrorSerializer,
                   409: OpenApiResponse(ConflictSerializer, description="A status the return cannot reach.")},
    ),
)
class ReturnViewSet(StoreScopedViewSet):
    permission_resource = "return"
    serializer_class = ReturnSerializer
    input_serializer_class = ReturnInputSerializer
    filterset_class = ReturnFilter
    ordering = ("-requested_at", "-id")

    def base_queryset(self) -> QuerySet[ReturnRequest]:
        return ReturnRequest.objects.select_related("store", "order")

    def required_permissions(self, data: dict[str, Any]) -> list[str]:
        steps = STEPS_TO_STATUS[data["status"]]
        return [*super().required_permissions(data), *(STEP_PERMISSIONS[step] for step in steps)]

    @transaction.atomic
    def perform_service_create(self, serializer: ReturnInputSerializer) -> ReturnRequest:
        data = serializer.validated_data
        return_request = return_create(
            order=data["order"], sku=data["sku"], quantity=data["quantity"], reason=data["reason"],
            buyer_comment=data.get("buyer_comment", ""), in_policy=data["in_policy"],
            requested_at=data.get("requested_at"), amazon_rma_id=data.get("amazon_rma_id", ""),
            merchant_rma_id=data.get("merchant_rma_id", ""), actor=self.request.user, source="api")
        for step in STEPS_TO_STATUS[data["status"]]:
            step(return_request, data, self.request.user)
        return self.get_queryset().get(pk=return_request.pk)
