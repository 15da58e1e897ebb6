"""The listing pages' filter bar, the stock adjustment and the main-image upload."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.models import Store
from core.selectors import store_list

from .bulk import QUANTITY_OPERATIONS, Operation
from .models import Channel, Listing, StockMovement
from .quality import IMAGE_FORMATS
from .selectors import OUT_OF_STOCK, ListingFilters

#: The list's status tabs, in order, with their labels ("" is every listing).
STATUS_TAB_LABELS = {"": _("All"), **dict(Listing.Status.choices), OUT_OF_STOCK: _("Out of stock")}

#: Reasons an operator may give for a manual stock change.
ADJUST_REASONS = [
    (StockMovement.Reason.ADJUST, _("Count correction")),
    (StockMovement.Reason.RECEIVE, StockMovement.Reason.RECEIVE.label),
    (StockMovement.Reason.RETURN, StockMovement.Reason.RETURN.label),
]
#: No single manual adjustment moves more units than this (a typo guard).
ADJUST_LIMIT = 100_000


class ListingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("SKU, ASIN, title, brand…"),
                                      "autocomplete": "off"}),
    )
    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, to_field_name="code",
                                   empty_label=_("All stores"))
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("Any channel")), (Channel.MFN, "MFN"), (Channel.AFN, "FBA")])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=list(STATUS_TAB_LABELS.items()),
                               widget=forms.HiddenInput)
    #: Kept for addresses saved before the status tabs: the same listings as the Out of stock tab.
    low_stock = forms.BooleanField(label=_("Low stock"), required=False)
    quality = forms.BooleanField(label=_("Quality problems"), required=False)
    sync_problem = forms.BooleanField(label=_("Sync problems"), required=False)

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = store_list(user=user).order_by("code")

    def filters(self) -> ListingFilters:
        """The filters the valid fields ask for; an invalid field is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ListingFilters(store=data.get("store"), channel=data.get("channel") or "",
                              status=data.get("status") or "", low_stock=bool(data.get("low_stock")),
                              quality=bool(data.get("quality")), sync_problem=bool(data.get("sync_problem")),
                              q=data.get("q") or "")


class StockAdjustForm(forms.Form):
    available = forms.IntegerField(label=_("Available change"), initial=0, min_value=-ADJUST_LIMIT,
                                   max_value=ADJUST_LIMIT, help_text=_("Negative to remove units."))
    inbound = forms.IntegerField(label=_("Inbound change"), initial=0, min_value=-ADJUST_LIMIT,
                                 max_value=ADJUST_LIMIT)
    reason = forms.ChoiceField(label=_("Reason"), choices=ADJUST_REASONS)
    note = forms.CharField(label=_("Note"), max_length=200,
                           widget=forms.TextInput(attrs={"placeholder": _("Why, for the audit trail")}))

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if not data.get("available") and not data.get("inbound") and not self.errors:
            raise forms.ValidationError(_("Enter a change to available or inbound units."))
        return data


class MainImageForm(forms.Form):
    image = forms.ImageField(label=_("Main image"), help_text=_("JPEG or PNG, pure white background, at least "
                                                                "1000 px on the longest side."))

    def clean_image(self):
        image = self.cleaned_data["image"]
        # ImageField has already opened the file with Pillow and kept the image on the upload.
        found = getattr(image, "image", None)
        kind = found.format if isinstance(found, Image.Image) else None
        if kind not in IMAGE_FORMATS:
            raise forms.ValidationError(_("Upload a JPEG or PNG file."))
        return image


#: No bulk edit covers more listings than this (the list's page size is 50).
BULK_MAX = 500
#: A bulk percentage change is at most this (a typo guard: 1000 % is eleven times the price).
PERCENT_LIMIT = Decimal("1000")


def parse_ids(values: list[str]) -> list[int]:
    """Listing ids from ``ids=1&ids=2`` or ``ids=1,2``; anything but a number of ASCII digits is dropped."""
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part.isascii() and part.isdigit() and len(part) <= 18 and int(part) not in ids:
                ids.append(int(part))
    return ids[:BULK_MAX]


class BulkEditForm(forms.Form):
    operation = forms.ChoiceField(label=_("Change"), choices=Operation.choices)
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0"), max_digits=12, decimal_places=2)

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        operation, amount = data.get("operation"), data.get("amount")
        if operation is None or amount is None:
            return data
        if operation in QUANTITY_OPERATIONS:
            if amount != amount.to_integral_value() or amount > ADJUST_LIMIT:
                self.add_error("amount", _("Give a whole number of units, at most %(limit)d.")
                               % {"limit": ADJUST_LIMIT})
        elif operation in {Operation.PRICE_PCT_UP, Operation.PRICE_PCT_DOWN} and amount > PERCENT_LIMIT:
            self.add_error("amount", _("A percentage of at most %(limit)s.") % {"limit": PERCENT_LIMIT})
        elif operation != Operation.PRICE_SET and amount == 0 or operation == Operation.PRICE_SET and amount <= 0:
            self.add_error("amount", _("Give an amount above zero."))
        return data

    def expected(self, data) -> dict[int, str]:
        """The previewed old values the confirmation carries back, by listing id (``old-<id>``)."""
        return {int(key[4:]): str(value) for key, value in data.items()
                if key.startswith("old-") and key[4:].isascii() and key[4:].isdigit() and len(key) <= 22}
