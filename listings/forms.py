"""The listing pages' filter bar, the stock adjustment and the main-image upload."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.models import Store
from core.selectors import store_list

from .models import Channel, StockMovement
from .quality import IMAGE_FORMATS
from .selectors import ListingFilters

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
    low_stock = forms.BooleanField(label=_("Low stock"), required=False)
    quality = forms.BooleanField(label=_("Quality problems"), required=False)

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = store_list(user=user).order_by("code")

    def filters(self) -> ListingFilters:
        """The filters the valid fields ask for; an invalid field is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ListingFilters(store=data.get("store"), channel=data.get("channel") or "",
                              low_stock=bool(data.get("low_stock")), quality=bool(data.get("quality")),
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
