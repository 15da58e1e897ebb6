"""The order list's filter bar: every field optional, every value read from the query string."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from core.dates import DayField
from core.models import Store
from core.selectors import store_list
from listings.models import Channel

from .models import CancelInitiator, Order, OrderStatus
from .selectors import OrderFilters, ShipBy, Tab

if TYPE_CHECKING:
    pass

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
    store: forms.ModelChoiceField[Store]
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
    ship_from = DayField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ship_to = DayField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = store_list(user=user).order_by("code")

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


# Actions on one order ------------------------------------------------------------------------------------------

#: Reasons sellers give most often; the operator may type any other.
CANCEL_REASONS = [
    _("Out of stock"),
    _("Buyer asked to cancel"),
    _("Address cannot be delivered to"),
    _("Pricing error"),
    _("Suspected fraud"),
    _("Carrier cannot serve the destination"),
]


class CancelForm(forms.Form):
    """Cancel with who asked and why; a seller-initiated cancellation must be confirmed (it counts in a metric)."""

    initiator = forms.ChoiceField(label=_("Who asked to cancel"),
                                  choices=[("", _("Choose…")), *CancelInitiator.choices])
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             widget=forms.TextInput(attrs={"list": "cancel-reasons", "autocomplete": "off"}))
    confirm_seller = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @property
    def needs_confirmation(self) -> bool:
        data = self.cleaned_data
        return data.get("initiator") == CancelInitiator.SELLER and not data.get("confirm_seller")


def cancel_form_initial(order: Order) -> dict[str, str]:
    """A buyer's request to cancel, when there is one, fills in who asked and why."""
    if order.buyer_cancel_requested_at is None:
        return {}
    return {"initiator": CancelInitiator.BUYER, "reason": order.buyer_cancel_reason}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Add a note to the timeline…")}))


# Bulk actions --------------------------------------------------------------------------------------------------

#: The largest id a database row can have (a signed 64-bit integer); a larger number names no order.
MAX_ROW_ID = 2**63 - 1


def parse_ids(values: list[str]) -> list[int]:
    """Order ids from ``?ids=1&ids=2`` or ``?ids=1,2``; anything that is not a number (of ASCII digits, small
    enough to be a row's id) is dropped."""
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part.isascii() and part.isdigit() and len(part) <= 19 and int(part) <= MAX_ROW_ID \
                    and int(part) not in ids:
                ids.append(int(part))
    return ids[:500]
