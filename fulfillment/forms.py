"""Forms of the fulfilment pages: an order's shipment confirmation (one order, or many from the queue) and FBA
inbound shipments."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from core.models import Store
from core.selectors import store_list
from orders.models import Order
from orders.risk import PO_BOX_REFUSING_CARRIERS, is_po_box

from .inbound import MAX_UNITS
from .inbound_selectors import InboundFilters
from .models import (
    TRACE_TRANSITIONS,
    Carrier,
    CarrierEventStatus,
    CarrierTrace,
    InboundShipmentItem,
    InboundStatus,
    Shipment,
    TraceStatus,
)
from .tracking import TrackingCheck, normalize, tracking_validate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Confirming an order's shipment ----------------------------------------------------------------------------------


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


class ConfirmedTrackingForm(CarrierFields):
    """A parcel's carrier and tracking number whose warnings (a number the carrier does not recognise…) must be
    confirmed before it is sent: with the ``confirm`` value the warning's button sends, which names the carrier
    and number it was given for, so a changed number is checked again."""

    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tracking: TrackingCheck | None = None
        self.warnings: list[str] = []

    def signature(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return f"{data.get('carrier', '')}:{normalize(data.get('tracking_number', ''))}"

    def tracking_check(self, data: dict, *, malformed_note: str = "") -> None:
        """Check the number against its carrier; a malformed one is a warning (with ``malformed_note``)."""
        carrier, number = data.get("carrier"), data.get("tracking_number")
        if carrier and number:
            self.tracking = tracking_validate(carrier=carrier, number=number)
            if self.tracking.is_malformed:
                self.warnings.append(f"{self.tracking.message} {malformed_note}".strip())

    @property
    def needs_confirmation(self) -> bool:
        """Whether warnings stand that the operator has not confirmed for this carrier and number."""
        return bool(self.warnings) and self.cleaned_data.get("confirm") != self.signature()


class ShipForm(ConfirmedTrackingForm):
    """Ship all units still owed, or ``qty_<item id>`` of each; warnings must be confirmed before shipping.

    A warning (a malformed tracking number for the carrier, a PO box for a carrier that refuses them) does not
    stop the shipment: the operator confirms it with the ``confirm`` value the warning's button sends, which
    names the carrier and number it was given for, so a changed number is checked again.
    """

    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64,
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

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

    @property
    def item_rows(self) -> list[tuple]:
        return [(item, item.quantity_owed, self[f"qty_{item.pk}"]) for item in self.owed_items]

    def clean(self) -> dict:
        data = super().clean()
        self.tracking_check(data, malformed_note=str(_(
            "A number the carrier does not recognise counts against the Valid Tracking Rate.")))
        carrier = data.get("carrier")
        if (carrier in PO_BOX_REFUSING_CARRIERS and data.get("tracking_number")
                and is_po_box(self.order.ship_line1, self.order.ship_line2)):
            self.warnings.append(_("%(carrier)s does not deliver to PO boxes, and this address is one.")
                                 % {"carrier": carrier})
        submitted = [data.get(f"qty_{item.pk}") for item in self.owed_items if f"qty_{item.pk}" in self.data]
        if submitted and not any(submitted):
            raise forms.ValidationError(_("Choose at least one unit to ship."))
        return data

    def quantities(self) -> dict[int, int] | None:
        """Units to ship by item id, or None for every unit still owed."""
        submitted = {item.pk: self.cleaned_data.get(f"qty_{item.pk}") for item in self.owed_items
                     if f"qty_{item.pk}" in self.data}
        if not submitted:
            return None
        return {pk: qty for pk, qty in submitted.items() if qty}




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


# A parcel stuck or lost: a carrier trace, a replacement ---------------------------------------------------------


def _local_time(label) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=False, help_text=_("Your time; empty means now."),
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class TraceForm(forms.Form):
    """The trace the operator filed on the carrier's page, for the parcel ``shipment``."""

    shipment = forms.IntegerField(widget=forms.HiddenInput)
    reference = forms.CharField(label=_("Carrier's reference"), required=False, max_length=80,
                                help_text=_("The number the carrier gave the request, if it gave one."),
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    filed_at = _local_time(_("Filed at"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, shipment: Shipment, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"trace-{shipment.pk}-%s")
        kwargs.setdefault("initial", {"shipment": shipment.pk})
        super().__init__(*args, **kwargs)
        self.parcel = shipment


class TraceStatusForm(forms.Form):
    """The carrier's answer to a trace (found, lost), or the trace closed."""

    trace = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Carrier's answer"), choices=TraceStatus.choices)
    reference = forms.CharField(label=_("Carrier's reference"), required=False, max_length=80)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, trace: CarrierTrace, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"trace-status-{trace.pk}-%s")
        kwargs.setdefault("initial", {"trace": trace.pk})
        super().__init__(*args, **kwargs)
        self.record = trace
        # Only the moves the trace's status allows (``TRACE_TRANSITIONS``), in the table's order.
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, label) for value, label in TraceStatus.choices if value in TRACE_TRANSITIONS[trace.status]]


class ReplacementForm(ConfirmedTrackingForm):
    """The units of the lost parcel ``shipment`` to send again (``qty_<order item id>``, all by default), with the
    new parcel's carrier and number. A number the carrier does not recognise must be confirmed, as on ShipForm."""

    shipment = forms.IntegerField(widget=forms.HiddenInput)
    tracking_number = forms.CharField(label=_("New tracking number"), max_length=64,
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args, shipment: Shipment, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"replacement-{shipment.pk}-%s")
        super().__init__(*args, **kwargs)
        self.parcel = shipment
        self.initial.setdefault("shipment", shipment.pk)
        self.initial.setdefault("carrier", shipment.carrier)
        self.initial.setdefault("carrier_name", shipment.carrier_name)
        self.lines: list[tuple] = []
        held: dict[int, tuple] = {}
        for item in shipment.items.all():
            before = held.get(item.order_item_id, (item.order_item, 0))[1]
            held[item.order_item_id] = (item.order_item, before + item.quantity)
        for pk, (order_item, quantity) in held.items():
            self.fields[f"qty_{pk}"] = forms.IntegerField(
                label=order_item.sku, required=False, min_value=0, max_value=quantity, initial=quantity,
                widget=forms.NumberInput(attrs={"class": "qty"}))
            self.lines.append((order_item, quantity, pk))

    @property
    def item_rows(self) -> list[tuple]:
        return [(order_item, quantity, self[f"qty_{pk}"]) for order_item, quantity, pk in self.lines]

    def clean(self) -> dict:
        data = super().clean()
        self.tracking_check(data)
        submitted = [data.get(f"qty_{pk}") for _item, _quantity, pk in self.lines if f"qty_{pk}" in self.data]
        if submitted and not any(submitted):
            raise forms.ValidationError(_("Choose at least one unit to send again."))
        return data

    def quantities(self) -> dict[int, int] | None:
        """Units to send again by order item id, or None for every unit of the lost parcel."""
        submitted = {pk: self.cleaned_data.get(f"qty_{pk}") or 0 for _item, _quantity, pk in self.lines
                     if f"qty_{pk}" in self.data}
        return submitted or None


# FBA inbound shipments -------------------------------------------------------------------------------------------


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



# Recording a parcel's carrier event by hand -----------------------------------------------------------------------


class CarrierEventForm(forms.Form):
    """One carrier event of one of the order's parcels, as the operator read it (a call, the carrier's site)."""

    shipment = forms.TypedChoiceField(label=_("Parcel"), coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=CarrierEventStatus.choices)
    at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                         format="%Y-%m-%dT%H:%M"),
                             help_text=_("Your time."))
    description = forms.CharField(label=_("Carrier's words"), required=False, max_length=300)
    location = forms.CharField(label=_("Location"), required=False, max_length=120)

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shipments = {s.pk: s for s in order.shipments.all()}
        cast(forms.TypedChoiceField, self.fields["shipment"]).choices = [
            (pk, f"{s.carrier_label} {s.tracking_number}".strip()) for pk, s in self.shipments.items()]
        if len(self.shipments) == 1:
            self.fields["shipment"].initial = next(iter(self.shipments))
