"""The listing pages' filter bar, the stock adjustment, the image uploads and the listing editor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.marketplaces import MARKETPLACES
from core.models import Store
from core.permissions import permitted_stores
from core.selectors import store_list

from .bulk import QUANTITY_OPERATIONS, Operation
from .editing import ListingContent
from .models import Channel, Listing, StockMovement
from .product_types import CONDITIONS, DEFAULT_PRODUCT_TYPE, attributes_to_ask
from .quality import BULLETS_MAX, IMAGE_FORMATS, compose_title
from .selectors import OUT_OF_STOCK, ListingFilters, product_type_requirements, product_types_known

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


# The listing editor ---------------------------------------------------------------------------------------

BULLET_FIELDS = tuple(f"bullet_{n}" for n in range(1, BULLETS_MAX + 1))
CURRENCIES = sorted({m.currency for m in MARKETPLACES.values()})
#: No opening stock above this (a typo guard, as for adjustments).
OPENING_STOCK_LIMIT = ADJUST_LIMIT


def attribute_field_name(attribute: str) -> str:
    return f"attr_{attribute}"


class ListingEditForm(forms.Form):
    """A listing's content, price and attributes; on create also its store, SKU and opening stock.

    The attribute fields follow the product type chosen (and the store's marketplace): one per attribute the
    type requires that no other field carries, a choice where Amazon lists the values.
    """

    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.objects.none(), empty_label=None)
    sku = forms.CharField(label=_("SKU"), max_length=40,
                          help_text=_("Your own code for the item; unique in the store."))
    product_type = forms.ChoiceField(label=_("Product type"), choices=())
    brand = forms.CharField(label=_("Brand"), max_length=100, required=False)
    core_function = forms.CharField(label=_("What it is"), max_length=200, required=False,
                                    help_text=_("The core function, e.g. “Wireless Charger 15W”."))
    key_attributes = forms.CharField(label=_("Key attributes"), max_length=300, required=False,
                                     help_text=_("Size, colour, quantity…, e.g. “Qi-Certified, Black”."))
    title = forms.CharField(label=_("Title"), max_length=500, required=False,
                            help_text=_("Built from brand, what it is and key attributes; you may edit it."))
    title_auto = forms.CharField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label=_("Description"), required=False, max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    price = forms.DecimalField(label=_("Price"), max_digits=12, decimal_places=2, required=False,
                               widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES])
    quantity = forms.IntegerField(label=_("Opening stock"), min_value=0, max_value=OPENING_STOCK_LIMIT, initial=0,
                                  help_text=_("Units available now; recorded as a stock movement."))
    handling_time_days = forms.IntegerField(label=_("Handling time (days)"), min_value=0, max_value=999,
                                            required=False, help_text=_("1 to 30 days from order to dispatch."))
    condition = forms.ChoiceField(label=_("Condition"), choices=CONDITIONS, initial="new_new")

    def __init__(self, *args, user: User | AnonymousUser, listing: Listing | None = None, **kwargs) -> None:
        self.listing = listing
        if listing is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(listing)
        super().__init__(*args, **kwargs)
        for name in BULLET_FIELDS:
            number = name.rsplit("_", 1)[1]
            self.fields[name] = forms.CharField(
                label=_("Bullet point %(n)s") % {"n": number}, required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}))
        stores = permitted_stores(user=user, permission="listing.edit").order_by("code")
        if listing is None:
            cast(forms.ModelChoiceField, self.fields["store"]).queryset = stores
        else:
            for name in ("store", "sku", "quantity"):
                del self.fields[name]
        self.chosen_store = listing.store if listing is not None else self._chosen_store(stores)
        market = self.chosen_store.marketplace if self.chosen_store else ""
        if listing is None and self.chosen_store is not None and not self.is_bound:
            store = self.chosen_store
            self.initial.setdefault("currency", store.currency or store.marketplace_info.currency)
            self.initial["store"] = self.chosen_store.pk
        kinds = product_types_known(market)
        current = self._value("product_type") or (listing.product_type if listing else "") or DEFAULT_PRODUCT_TYPE
        if current not in kinds:
            kinds = sorted({*kinds, current})
        cast(forms.ChoiceField, self.fields["product_type"]).choices = [(kind, kind) for kind in kinds]
        self.initial.setdefault("product_type", current)
        self.chosen_product_type = current
        requirements = product_type_requirements([(market, current)]).get((market, current))
        self.required_attributes: list[str] | None = requirements[0] if requirements else None
        self.properties: dict[str, dict[str, Any]] = requirements[1] if requirements else {}
        self.attribute_names = attributes_to_ask(self.required_attributes or [])
        for attribute in self.attribute_names:
            self.fields[attribute_field_name(attribute)] = self._attribute_field(attribute)
            if listing is not None:
                self.initial.setdefault(attribute_field_name(attribute), listing.attributes.get(attribute, ""))

    @staticmethod
    def initial_for(listing: Listing) -> dict:
        bullets = list(listing.bullets or [])
        initial = {name: getattr(listing, name) for name in (
            "brand", "core_function", "key_attributes", "title", "description", "price", "currency",
            "handling_time_days", "condition", "product_type")}
        initial.update({name: bullets[i] if i < len(bullets) else "" for i, name in enumerate(BULLET_FIELDS)})
        composed = compose_title(brand=listing.brand, core_function=listing.core_function,
                                 key_attributes=listing.key_attributes)
        initial["title_auto"] = composed if composed == listing.title else ""
        return initial

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), "") or "").strip()
        return str(self.initial.get(name) or "")

    def _chosen_store(self, stores) -> Store | None:
        wanted = self._value("store")
        if wanted.isdigit():
            found = stores.filter(pk=int(wanted)).first()
            if found is not None:
                return found
        return stores.first()

    def _attribute_field(self, attribute: str) -> forms.Field:
        spec = self.properties.get(attribute) or {}
        label = spec.get("title") or attribute
        help_text = spec.get("description", "")
        examples = spec.get("examples") or []
        if spec.get("enum"):
            names = spec.get("enum_names") or spec["enum"]
            choices = [("", "—"), *zip(spec["enum"], names, strict=False)]
            return forms.ChoiceField(label=label, choices=choices, required=False, help_text=help_text)
        attrs = {"placeholder": _("e.g. %(example)s") % {"example": examples[0]}} if examples else {}
        return forms.CharField(label=label, required=False, max_length=spec.get("max_length") or 1000,
                               help_text=help_text, widget=forms.TextInput(attrs=attrs))

    # What the form holds --------------------------------------------------------------------------------

    def attribute_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(attribute, self[attribute_field_name(attribute)]) for attribute in self.attribute_names]

    def bullet_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in BULLET_FIELDS]

    def title_is_automatic(self) -> bool:
        """The title follows its parts until the user types one of their own."""
        title, automatic = self._value("title"), self._value("title_auto")
        return not title or title == automatic

    def title_value(self) -> str:
        """The title as it stands: built from its parts while automatic, else as typed."""
        return self.composed_title() if self.title_is_automatic() else self._value("title")

    def composed_title(self) -> str:
        return compose_title(brand=self._value("brand"), core_function=self._value("core_function"),
                             key_attributes=self._value("key_attributes"))

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if not (data.get("title") or "").strip() or self.title_is_automatic():
            data["title"] = self.composed_title()
        store, sku = data.get("store"), (data.get("sku") or "").strip()
        if self.listing is None and store is not None and sku and Listing.objects.filter(store=store,
                                                                                         sku=sku).exists():
            self.add_error("sku", _("%(store)s already has a listing with SKU %(sku)s.")
                           % {"store": store.code, "sku": sku})
        return data

    def content(self) -> ListingContent:
        """The valid form's content, as the services take it."""
        data = self.cleaned_data
        return ListingContent(
            title=data.get("title") or "", brand=data.get("brand") or "",
            core_function=data.get("core_function") or "", key_attributes=data.get("key_attributes") or "",
            bullets=[data.get(name) or "" for name in BULLET_FIELDS], description=data.get("description") or "",
            product_type=data.get("product_type") or "",
            attributes={**(self.listing.attributes if self.listing else {}),
                        **{a: data.get(attribute_field_name(a)) or "" for a in self.attribute_names}},
            price=data.get("price"), currency=data.get("currency") or "",
            handling_time_days=data.get("handling_time_days"), condition=data.get("condition") or "new_new",
        )

    def draft(self) -> Listing:
        """An unsaved listing of what is typed so far, valid or not, for the live checks (never saved)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        listing = Listing(store=self.chosen_store) if self.chosen_store else Listing()
        listing.title = str(data.get("title") or "") if "title" in data else self.composed_title()
        for name in ("brand", "core_function", "key_attributes", "description", "currency"):
            setattr(listing, name, data.get(name, self._value(name)) or "")
        listing.bullets = [data.get(name, self._value(name)) or "" for name in BULLET_FIELDS]
        listing.price = data.get("price") if "price" in data else None
        listing.handling_time_days = data.get("handling_time_days") if "handling_time_days" in data else None
        listing.product_type = self.chosen_product_type
        listing.attributes = {a: data.get(attribute_field_name(a), self._value(attribute_field_name(a)))
                              for a in self.attribute_names}
        listing.main_image = self.listing.main_image if self.listing else None
        return listing


class OtherImageForm(forms.Form):
    image = forms.ImageField(label=_("Add an image"), help_text=_("JPEG, PNG, GIF or TIFF, at least 500 px; up to "
                                                                  "eight images besides the main one."))


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
