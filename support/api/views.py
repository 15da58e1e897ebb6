"""/api/feedback/, /api/claims/ and /api/messages/: buyer contact, recorded as it happened."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.exceptions import Conflict
from core.api.mixins import AuthenticatedRequest, StoreScopedViewSet
from core.api.serializers import ConflictSerializer, ErrorSerializer

from ..models import CLAIM_STATUS_TIME_FIELD, Claim, Feedback, Message
from ..services import (
    IdempotencyKeyReused,
    claim_file,
    claim_set_status,
    feedback_record,
    feedback_remove,
    message_receive,
    message_reply,
    thread_get_or_create_for_order,
)
from .filters import ClaimFilter, FeedbackFilter, MessageFilter
from .serializers import (
    ClaimInputSerializer,
    ClaimSerializer,
    FeedbackInputSerializer,
    FeedbackSerializer,
    MessageInputSerializer,
    MessageSerializer,
)

REFUSED = {400: ErrorSerializer, 403: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(summary="List feedback", description="Newest first."),
    retrieve=extend_schema(summary="Get feedback"),
    create=extend_schema(
        summary="Record feedback",
        description="An order has one feedback: posting again for the same order revises the rating (as of "
                    "`received_at`). `removed_at` records that Amazon removed it.",
        request=FeedbackInputSerializer, responses={201: FeedbackSerializer, **REFUSED},
    ),
)
class FeedbackViewSet(StoreScopedViewSet):
    permission_resource = "feedback"
    serializer_class = FeedbackSerializer
    input_serializer_class = FeedbackInputSerializer
    filterset_class = FeedbackFilter
    ordering = ("-received_at", "-id")

    def base_queryset(self) -> QuerySet[Feedback]:
        return Feedback.objects.select_related("store", "order")

    @transaction.atomic
    def perform_service_create(self, serializer: FeedbackInputSerializer) -> Feedback:
        data = serializer.validated_data
        feedback = feedback_record(order=data["order"], rating=data["rating"], comment=data.get("comment", ""),
                                   received_at=data.get("received_at"), response=data.get("response"))
        if data.get("removed_at") and feedback.removed_at is None:
            feedback = feedback_remove(feedback=feedback, at=data["removed_at"])
        return self.get_queryset().get(pk=feedback.pk)


@extend_schema_view(
    list=extend_schema(summary="List claims", description="A-to-z Guarantee claims and chargebacks, newest first."),
    retrieve=extend_schema(summary="Get a claim"),
    create=extend_schema(
        summary="Record a claim",
        description="Files the claim and records each decision whose time is given (`granted_at`, "
                    "`denied_at`, `withdrawn_at`, `reversed_at`) in time order, then `status` if not yet "
                    "reached, in one transaction. A decision the claim cannot take answers 409.",
        request=ClaimInputSerializer,
        responses={201: ClaimSerializer, **REFUSED,
                   409: OpenApiResponse(ConflictSerializer, description="A decision the claim cannot take.")},
    ),
)
class ClaimViewSet(StoreScopedViewSet):
    permission_resource = "claim"
    serializer_class = ClaimSerializer
    input_serializer_class = ClaimInputSerializer
    filterset_class = ClaimFilter
    ordering = ("-filed_at", "-id")

    def base_queryset(self) -> QuerySet[Claim]:
        return Claim.objects.select_related("store", "order")

    @transaction.atomic
    def perform_service_create(self, serializer: ClaimInputSerializer) -> Claim:
        data = serializer.validated_data
        claim = claim_file(order=data["order"], kind=data["kind"], reason=data.get("reason", ""),
                           amount=data.get("amount"), filed_at=data.get("filed_at"),
                           respond_by=data.get("respond_by"))
        decisions = sorted(((status, data[field]) for status, field in CLAIM_STATUS_TIME_FIELD.items()
                            if data.get(field)), key=lambda decision: decision[1])
        target = data["status"]
        if target != Claim.Status.OPEN and target not in {status for status, _at in decisions}:
            decisions.append((target, None))
        for status, at in decisions:
            claim = claim_set_status(claim=claim, status=status, at=at)
        if claim.status != target:
            raise ValidationError({"status": _("The decision times given leave the claim %(reached)s, not "
                                               "%(status)s.") % {"reached": claim.get_status_display(),
                                                                 "status": Claim.Status(target).label}})
        return self.get_queryset().get(pk=claim.pk)


IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,64}")
IDEMPOTENCY_KEY_HELP = (
    "For a reply (`direction` outbound): a key of your choosing, 1 to 64 printable ASCII characters without "
    "spaces (a UUID, say), one per reply you mean to record. Sent again with the same key and body, even at "
    "the same time, the request records nothing and answers the reply already recorded, with the header "
    "`Idempotent-Replayed: true`; with the same key and another body it answers 409. Not for inbound "
    "messages, which are stored once per `message_id`."
)


@extend_schema_view(
    list=extend_schema(summary="List messages", description="Buyer-seller messages, newest first."),
    retrieve=extend_schema(summary="Get a message"),
    create=extend_schema(
        summary="Record a message",
        description="An inbound message joins the thread given, else the order's, else the buyer's; it is "
                    "stored once per `message_id`. An outbound one is a reply in the thread given or the "
                    "order's, and answers every earlier buyer message there; send an `Idempotency-Key` "
                    "header to record it once however often the request is retried.",
        parameters=[OpenApiParameter(IDEMPOTENCY_KEY, str, OpenApiParameter.HEADER, required=False,
                                     description=IDEMPOTENCY_KEY_HELP)],
        request=MessageInputSerializer,
        responses={201: MessageSerializer, **REFUSED,
                   409: OpenApiResponse(ConflictSerializer, description="The Idempotency-Key already recorded "
                                                                        "another reply (`url`).")},
    ),
)
class MessageViewSet(StoreScopedViewSet):
    permission_resource = "message"
    serializer_class = MessageSerializer
    input_serializer_class = MessageInputSerializer
    filterset_class = MessageFilter
    ordering = ("-sent_at", "-id")
    #: Whether the last create answered a reply already recorded under its Idempotency-Key.
    replayed = False

    def base_queryset(self) -> QuerySet[Message]:
        return Message.objects.select_related("store", "thread__order")

    def required_permissions(self, data: dict[str, Any]) -> list[str]:
        """A reply answers the buyer's earlier messages, as one sent from the inbox does: ``message.reply`` too."""
        permissions = super().required_permissions(data)
        if data["direction"] == Message.Direction.OUTBOUND:
            permissions.append("message.reply")
        return permissions

    def idempotency_key(self, direction: str) -> str:
        key = self.request.headers.get(IDEMPOTENCY_KEY)
        if key is None:
            return ""
        if not IDEMPOTENCY_KEY_RE.fullmatch(key):
            raise ValidationError({IDEMPOTENCY_KEY: _("An Idempotency-Key is 1 to 64 printable ASCII characters "
                                                      "without spaces.")})
        if direction != Message.Direction.OUTBOUND:
            raise ValidationError({IDEMPOTENCY_KEY: _("An Idempotency-Key applies to replies; a buyer's message "
                                                      "is stored once per message_id.")})
        return key

    def create(self, request: AuthenticatedRequest, *args, **kwargs) -> Response:
        self.replayed = False
        response = super().create(request, *args, **kwargs)
        if self.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    @transaction.atomic
    def perform_service_create(self, serializer: MessageInputSerializer) -> Message:
        data = serializer.validated_data
        key = self.idempotency_key(data["direction"])
        if data["direction"] == Message.Direction.INBOUND:
            message = message_receive(
                store=data["store"], body=data["body"], sent_at=data.get("sent_at"), thread=data["thread"],
                order=data["order"], message_id=data.get("message_id", ""), sender=data.get("sender", ""),
                subject=data.get("subject", ""), needs_reply=data.get("needs_reply", True),
                buyer_name=data.get("buyer_name", ""), buyer_email=data.get("buyer_email", ""), source="api")
        else:
            thread = data["thread"] or thread_get_or_create_for_order(order=data["order"],
                                                                      subject=data.get("subject", ""))
            try:
                message = message_reply(thread=thread, body=data["body"], author=self.request.user,
                                        sent_at=data.get("sent_at"), subject=data.get("subject", ""),
                                        message_id=data.get("message_id", ""), source="api", idempotency_key=key)
            except IdempotencyKeyReused as reused:
                url = reverse("api-message-detail", args=[reused.reply.pk], request=self.request)
                raise Conflict(reused.message, code="idempotency_key_reused", url=url) from None
            self.replayed = message.replayed
        return self.get_queryset().get(pk=message.pk)
