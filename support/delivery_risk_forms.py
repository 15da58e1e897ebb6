"""The deliveries-at-risk queue's filter bar: store, reason, carrier, every one optional."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from core.models import Store
from core.selectors import store_list
from fulfillment.carriers import CARRIERS
from fulfillment.delivery_risk import Reason

from .delivery_risk_selectors import AtRiskFilters


class AtRiskFilterForm(forms.Form):
    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, to_field_name="code",
                                   empty_label=_("All stores"))
    reason = forms.ChoiceField(label=_("Reason"), required=False,
                               choices=[("", _("Any reason")), *((r, Reason.LABELS[r]) for r in Reason.ORDER)])
    carrier = forms.ChoiceField(label=_("Carrier"), required=False,
                                choices=[("", _("Any carrier")), *((c, spec.name) for c, spec in CARRIERS.items())])

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = store_list(user=user).order_by("code")

    def filters(self) -> AtRiskFilters:
        """The filters the valid fields ask for; an invalid field is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AtRiskFilters(store=data.get("store"), reason=data.get("reason") or "",
                             carrier=data.get("carrier") or "")
