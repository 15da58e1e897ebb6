"""Feedback, claims and buyer messages in and out of /api/feedback/, /api/claims/ and /api/messages/."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from core.api.serializers import ApiModelSerializer
from orders.api.fields import AmazonOrderIdField
from orders.api.serializers import StoreOrderInput

from ..models import CLAIM_STATUS_TIME_FIELD, Claim, Feedback, Message, MessageThread, validate_header_text


class FeedbackSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-feedback-detail")
    store = serializers.CharField(source="store.code", read_only=True)
    order = serializers.CharField(source="order.amazon_order_id", read_only=True)

    class Meta:
        model = Feedback
        fields = ["url", "id", "store", "order", "rating", "comment", "response", "received_at", "removed_at"]
        read_only_fields = fields


class FeedbackInputSerializer(StoreOrderInput):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text=gettext_lazy("Stars, 1 to 5."))
    comment = serializers.CharField(required=False, allow_blank=True)
    response = serializers.CharField(required=False, allow_blank=True,
                                     help_text=gettext_lazy("The seller's public response."))
    received_at = AwareDateTimeField(required=False, help_text=gettext_lazy("When it was left; default now."))
    removed_at = AwareDateTimeField(required=False, allow_null=True,
                                    help_text=gettext_lazy("When Amazon removed it, if it did."))


class ClaimSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-claim-detail")
    store = serializers.CharField(source="store.code", read_only=True)
    order = serializers.CharField(source="order.amazon_order_id", read_only=True)

    class Meta:
        model = Claim
        fields = ["url", "id", "store", "order", "kind", "status", "reason", "amount", "filed_at", "respond_by",
                  "granted_at", "denied_at", "withdrawn_at", "reversed_at"]
        read_only_fields = fields


class ClaimInputSerializer(StoreOrderInput):
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    status = serializers.ChoiceField(choices=Claim.Status.choices, default=Claim.Status.OPEN,
                                     help_text=gettext_lazy("The decision reached; its time is the matching "
                                                            "*_at field, default now."))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                      min_value=0)
    filed_at = AwareDateTimeField(required=False, help_text=gettext_lazy("When it was filed; default now."))
    respond_by = AwareDateTimeField(required=False, allow_null=True)
    granted_at = AwareDateTimeField(required=False)
    denied_at = AwareDateTimeField(required=False)
    withdrawn_at = AwareDateTimeField(required=False)
    reversed_at = AwareDateTimeField(required=False)

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if attrs["status"] == Claim.Status.OPEN:
            given = [f for f in CLAIM_STATUS_TIME_FIELD.values() if attrs.get(f)]
            if given:
                raise serializers.ValidationError(
                    {f: _("An open claim has no decision yet.") for f in given})
        return attrs


class MessageSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-message-detail")
    store = serializers.CharField(source="store.code", read_only=True)
    order = serializers.CharField(source="thread.order.amazon_order_id", read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = ["url", "id", "store", "thread", "order", "direction", "message_id", "sender", "subject", "body",
                  "sent_at", "needs_reply", "replied_at", "is_internal_note", "kind", "outcome"]
        read_only_fields = fields


class MessageInputSerializer(StoreOrderInput):
    """A buyer's message, or a reply. A reply is recorded once per ``Idempotency-Key`` header, when one is sent."""

    order = AmazonOrderIdField(required=False, allow_blank=True,
                               help_text=gettext_lazy("The Amazon order id the message is about, if any."))
    thread = serializers.IntegerField(required=False, allow_null=True,
                                      help_text=gettext_lazy("The thread to add to; default the order's, else "
                                                             "the buyer's."))
    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    body = serializers.CharField()
    subject = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                    validators=[validate_header_text])
    sent_at = AwareDateTimeField(required=False, help_text=gettext_lazy("When it was sent; default now."))
    needs_reply = serializers.BooleanField(
        required=False, help_text=gettext_lazy("Inbound only; default true (false for a thank-you)."))
    # These go into the headers of a reply: a line break would end the header and start another.
    message_id = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                       validators=[validate_header_text],
                                       help_text=gettext_lazy("The e-mail Message-ID: a message is stored once."))
    sender = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                   validators=[validate_header_text])
    buyer_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                       validators=[validate_header_text])
    buyer_email = serializers.EmailField(required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if not attrs.get("order"):
            attrs["order"] = None
        thread_id = attrs.get("thread")
        attrs["thread"] = None
        if thread_id is not None:
            attrs["thread"] = MessageThread.objects.filter(store=attrs["store"], pk=thread_id).first()
            if attrs["thread"] is None:
                raise serializers.ValidationError(
                    {"thread": _("Store %(store)s has no thread %(id)s.")
                     % {"store": attrs["store"].code, "id": thread_id}})
        if attrs["direction"] == Message.Direction.OUTBOUND:
            if attrs.get("needs_reply"):
                raise serializers.ValidationError({"needs_reply": _("Only a message from the buyer needs a "
                                                                    "reply.")})
            if attrs["thread"] is None and attrs["order"] is None:
                raise serializers.ValidationError({"order": _("A reply needs the order (or thread) it "
                                                              "answers.")})
        return attrs
