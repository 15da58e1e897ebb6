"""The order list's filter bar: every field optional, every value read from the query string."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from core.dates import DayField
from core.models import Store
from core.selectors import store_list
from fulfillment.models import Carrier
from fulfillment.tracking import TrackingCheck, normalize, tracking_validate
from listings.models import Channel

from .models import CancelInitiator, Order, OrderStatus
from .risk import PO_BOX_REFUSING_CARRIERS, is_po_box
from .selectors import OrderFilters, ShipBy, Tab

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


def _carrier_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("Choose a carrier…")), *Carrier.choices]


class CarrierFields(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=_carrier_choices)
    carrier_name = forms.CharField(label=_("Carrier name (for Other)"), required=False, max_length=80)
    shipped_at = forms.DateTimeField(
        label=_("Ship date"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Your time; empty means now."),
    )

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("carrier") == Carrier.OTHER and not (data.get("carrier_name") or "").strip():
            self.add_error("carrier_name", _("Name the carrier when choosing Other."))
        return data


class ShipForm(CarrierFields):
    """Ship all units still owed, or ``qty_<item id>`` of each; warnings must be confirmed before shipping.

    A warning (a malformed tracking number for the carrier, a PO box for a carrier that refuses them) does not
    stop the shipment: the operator confirms it with the ``confirm`` value the warning's button sends, which
    names the carrier and number it was given for, so a changed number is checked again.
    """

    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64,
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        self.owed_items = [i for i in order.items.all() if i.quantity_owed > 0]
        for item in self.owed_items:
            owed = item.quantity_owed
            self.fields[f"qty_{item.pk}"] = forms.IntegerField(
                label=item.sku, required=False, min_value=0, max_value=owed, initial=owed,
                widget=forms.NumberInput(attrs={"class": "qty"}),
            )
        self.tracking: TrackingCheck | None = None
        self.warnings: list[str] = []

    @property
    def item_rows(self) -> list[tuple]:
        return [(item, item.quantity_owed, self[f"qty_{item.pk}"]) for item in self.owed_items]

    def signature(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return f"{data.get('carrier', '')}:{normalize(data.get('tracking_number', ''))}"

    def clean(self) -> dict:
        data = super().clean()
        carrier, number = data.get("carrier"), data.get("tracking_number")
        if carrier and number:
            self.tracking = tracking_validate(carrier=carrier, number=number)
            if self.tracking.is_malformed:
                self.warnings.append(self.tracking.message + " " + str(_(
                    "A number the carrier does not recognise counts against the Valid Tracking Rate.")))
            if carrier in PO_BOX_REFUSING_CARRIERS and is_po_box(self.order.ship_line1, self.order.ship_line2):
                self.warnings.append(_("%(carrier)s does not deliver to PO boxes, and this address is one.")
                                     % {"carrier": carrier})
        submitted = [data.get(f"qty_{item.pk}") for item in self.owed_items if f"qty_{item.pk}" in self.data]
        if submitted and not any(submitted):
            raise forms.ValidationError(_("Choose at least one unit to ship."))
        return data

    @property
    def needs_confirmation(self) -> bool:
        """Whether warnings stand that the operator has not confirmed for this carrier and number."""
        return bool(self.warnings) and self.cleaned_data.get("confirm") != self.signature()

    def quantities(self) -> dict[int, int] | None:
        """Units to ship by item id, or None for every unit still owed."""
        submitted = {item.pk: self.cleaned_data.get(f"qty_{item.pk}") for item in self.owed_items
                     if f"qty_{item.pk}" in self.data}
        if not submitted:
            return None
        return {pk: qty for pk, qty in submitted.items() if qty}


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


class BulkShipForm(CarrierFields):
    """One carrier and ship date for all; one tracking number per order in ``tracking_<id>``."""

    def __init__(self, *args, orders: list[Order], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.orders = orders
        for order in orders:
            self.fields[f"tracking_{order.pk}"] = forms.CharField(
                label=_("Tracking number of %(id)s") % {"id": order.amazon_order_id}, max_length=64,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
            self.fields[f"confirm_{order.pk}"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.warnings: dict[int, list[str]] = {}

    def rows(self) -> list[dict]:
        return [{"order": o, "tracking": self[f"tracking_{o.pk}"], "confirm": self[f"confirm_{o.pk}"],
                 "warnings": self.warnings.get(o.pk, []), "signature": self.signature(o)} for o in self.orders]

    def signature(self, order: Order) -> str:
        data = getattr(self, "cleaned_data", {})
        return f"{data.get('carrier', '')}:{normalize(data.get(f'tracking_{order.pk}') or '')}"

    def clean(self) -> dict:
        data = super().clean()
        carrier = data.get("carrier")
        for order in self.orders:
            number = data.get(f"tracking_{order.pk}")
            if not (carrier and number):
                continue
            warnings = []
            check = tracking_validate(carrier=carrier, number=number)
            if check.is_malformed:
                warnings.append(check.message)
            if carrier in PO_BOX_REFUSING_CARRIERS and is_po_box(order.ship_line1, order.ship_line2):
                warnings.append(_("%(carrier)s does not deliver to PO boxes, and this address is one.")
                                % {"carrier": carrier})
            if warnings:
                self.warnings[order.pk] = warnings
        return data

    @property
    def needs_confirmation(self) -> bool:
        return any(self.cleaned_data.get(f"confirm_{pk}") != self.signature(order)
                   for order in self.orders for pk in [order.pk] if pk in self.warnings)
