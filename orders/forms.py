"""The order list's filter bar: every field optional, every value read from the query string."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from listings.models import Channel
from sellerops.selectors import store_list

from .models import OrderStatus
from .selectors import OrderFilters, ShipBy, Tab

TAB_LABELS = {
    Tab.NEEDS_ACTION: _("Needs action"),
    Tab.LATE: _("Late"),
    Tab.DUE_TODAY: _("Due today"),
    Tab.RISKY: _("Risky"),
    Tab.UNSHIPPED: _("Unshipped"),
    Tab.FBA: _("FBA"),
    Tab.CANCELLED: _("Cancelled"),
    Tab.ALL: _("All"),
}


class OrderFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=list(TAB_LABELS.items()), required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        widget=forms.TextInput(attrs={
            "type": "search", "placeholder": _("Order id, buyer, SKU, tracking…"), "autocomplete": "off",
        }),
    )
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, to_field_name="code",
                                   empty_label=_("All stores"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *OrderStatus.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("Any channel")), (Channel.MFN, "MFN"), (Channel.AFN, "FBA")])
    ship_by = forms.ChoiceField(
        label=_("Ship by"), required=False,
        choices=[
            ("", _("Any ship-by")),
            (ShipBy.OVERDUE, _("Overdue")),
            (ShipBy.TODAY, _("Due today")),
            (ShipBy.NEXT_DAYS, _("Next 2 days")),
            (ShipBy.RANGE, _("Date range")),
        ],
    )
    ship_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    ship_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user: AbstractBaseUser | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = store_list(user=user).order_by("code")

    def filters(self) -> OrderFilters:
        """The filters the valid fields ask for; an invalid field is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        ship_by = data.get("ship_by") or ""
        has_range = data.get("ship_from") or data.get("ship_to")
        if has_range and not ship_by:
            ship_by = ShipBy.RANGE
        return OrderFilters(
            tab=data.get("tab") or Tab.NEEDS_ACTION,
            store=data.get("store"),
            status=data.get("status") or "",
            channel=data.get("channel") or "",
            ship_by=ship_by,
            ship_from=data.get("ship_from") if ship_by == ShipBy.RANGE else None,
            ship_to=data.get("ship_to") if ship_by == ShipBy.RANGE else None,
            q=data.get("q") or "",
        )
