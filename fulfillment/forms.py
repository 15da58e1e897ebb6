"""Forms of the FBA inbound pages."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from core.models import Store
from core.selectors import store_list

from .inbound import MAX_UNITS
from .inbound_selectors import InboundFilters
from .models import InboundShipmentItem, InboundStatus


class InboundFilterForm(forms.Form):
    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, to_field_name="code",
                                   empty_label=_("All stores"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), ("open", _("Open")), *InboundStatus.choices])

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = store_list(user=user).order_by("code")

    def filters(self) -> InboundFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return InboundFilters(store=data.get("store"), status=data.get("status") or "")


class InboundPlanForm(forms.Form):
    """The plan's header; the quantities come as ``qty-<listing id>`` fields read by ``quantities()``."""

    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, to_field_name="code")
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    destination_fc = forms.CharField(label=_("Destination fulfilment centre"), required=False, max_length=10)

    def __init__(self, *args, stores, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = stores

    @staticmethod
    def quantities(data, listing_ids: set[int]) -> tuple[dict[int, int], list[str]]:
        """Read ``qty-<id>`` for the listings offered; return {listing id: units} and the errors found."""
        quantities: dict[int, int] = {}
        errors: list[str] = []
        for key, raw in data.items():
            if not key.startswith("qty-") or not str(raw).strip():
                continue
            try:
                listing_id, units = int(key[4:]), int(str(raw).strip())
            except ValueError:
                errors.append(str(_("Quantities must be whole numbers.")))
                continue
            if listing_id not in listing_ids:
                errors.append(str(_("A listing in the plan is not an FBA listing of this store.")))
            elif units < 0 or units > MAX_UNITS:
                errors.append(str(_("Quantities must be whole numbers from 0 to %(max)d.") % {"max": MAX_UNITS}))
            elif units:
                quantities[listing_id] = units
        return quantities, sorted(set(errors))


class InboundShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=80)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


def received_quantities(data, items: list[InboundShipmentItem]) -> tuple[dict[int, int], list[str]]:
    """Read ``received-<item id>`` for each item: {item id: units received now} and the errors found."""
    quantities: dict[int, int] = {}
    errors: list[str] = []
    for item in items:
        raw = str(data.get(f"received-{item.pk}", "")).strip()
        if not raw:
            continue
        try:
            units = int(raw)
        except ValueError:
            errors.append(str(_("%(sku)s: enter a whole number of units.") % {"sku": item.listing.sku}))
            continue
        if units < 0 or units > MAX_UNITS:
            errors.append(str(_("%(sku)s: units must be from 0 to %(max)d.") % {"sku": item.listing.sku,
                                                                               "max": MAX_UNITS}))
            continue
        quantities[item.pk] = units
    return quantities, errors

