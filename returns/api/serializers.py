"""Return requests in and out of /api/returns/."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from core.api.serializers import ApiModelSerializer
from orders.api.serializers import StoreOrderInput

from ..models import Disposition, ReturnReason, ReturnRequest, ReturnStatus


class ReturnSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-return-detail")
    store = serializers.CharField(source="store.code", read_only=True)
    order = serializers.CharField(source="order.amazon_order_id", read_only=True)
    #: The return's page in the dashboard, beside ``url`` (this resource).
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = ReturnRequest
        fields = ["url", "page_url", "id", "store", "order", "sku", "quantity", "reason", "buyer_comment", "in_policy",
                  "status", "requested_at", "responded_at", "rejected_at", "rejected_reason", "label_provided",
                  "received_at", "disposition", "closed_at", "amazon_rma_id", "merchant_rma_id"]
        read_only_fields = fields


    def get_page_url(self, obj: ReturnRequest) -> str:
        path = reverse("returns:detail", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ReturnInputSerializer(StoreOrderInput):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, default=1)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, default=ReturnReason.OTHER,
                                     help_text=gettext_lazy("Amazon's return reason code."))
    buyer_comment = serializers.CharField(required=False, allow_blank=True)
    in_policy = serializers.BooleanField(default=True)
    amazon_rma_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    merchant_rma_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    requested_at = AwareDateTimeField(required=False, help_text=gettext_lazy("When the buyer asked; default now."))
    status = serializers.ChoiceField(
        choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED,
        help_text=gettext_lazy("Where the return stands: a status past requested is reached through the same "
                               "steps as in SellerOps (received goes through authorised)."))
    responded_at = AwareDateTimeField(
        required=False, help_text=gettext_lazy("The seller's answer (authorise, reject, refund or close); "
                                               "default now."))
    rejected_reason = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                            help_text=gettext_lazy("Required with status rejected."))
    label_provided = serializers.BooleanField(default=False)
    disposition = serializers.ChoiceField(choices=Disposition.choices, required=False,
                                          help_text=gettext_lazy("Required with status received."))
    received_at = AwareDateTimeField(required=False, help_text=gettext_lazy("With status received; default "
                                                                            "now."))

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        status = attrs["status"]
        errors = {}
        if status == ReturnStatus.REQUESTED and attrs.get("responded_at"):
            errors["responded_at"] = _("A return that is still requested has no response yet.")
        if status == ReturnStatus.REJECTED and not attrs.get("rejected_reason", "").strip():
            errors["rejected_reason"] = _("Give a reason for rejecting the return.")
        if status == ReturnStatus.RECEIVED and not attrs.get("disposition"):
            errors["disposition"] = _("Say what became of the units: sellable, damaged or disposed.")
        if status != ReturnStatus.RECEIVED and attrs.get("received_at"):
            errors["received_at"] = _("Only a received return has a receipt time.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
