"""The returns queue's filter bar and the forms of its actions."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from core.models import Store
from core.selectors import store_list

from .models import Disposition, Refund
from .selectors import Action, ReturnFilters, Tab

TAB_LABELS = {
    Tab.NEEDS_RESPONSE: _("Needs response"),
    Tab.AUTHORIZED: _("Authorised, awaiting receipt"),
    Tab.TO_REFUND: _("Received, to refund"),
    Tab.CLOSED: _("Closed"),
    Tab.FBA: _("Handled by Amazon (FBA)"),
    Tab.ALL: _("All"),
}


class ReturnFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=list(TAB_LABELS.items()), required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Order id, SKU, RMA, buyer…"),
                                      "autocomplete": "off"}),
    )
    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, to_field_name="code",
                                   empty_label=_("All stores"))

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = store_list(user=user).order_by("code")

    def filters(self) -> ReturnFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ReturnFilters(tab=data.get("tab") or Tab.NEEDS_RESPONSE, store=data.get("store"),
                             q=data.get("q") or "")


class AuthorizeForm(forms.Form):
    label_provided = forms.BooleanField(label=_("Send a prepaid return label"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=200,
                             error_messages={"required": _("Give a reason for rejecting the return.")})
    confirm = forms.BooleanField(label=_("Reject anyway"), required=False)

    def __init__(self, *args, in_policy: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_policy = in_policy

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if self.in_policy and not data.get("confirm"):
            raise forms.ValidationError(
                _("This return is within policy: rejecting it counts against the Return Dissatisfaction Rate. "
                  "Tick “Reject anyway” to confirm."), code="confirm")
        return data


class ReceiveForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class RefundForm(forms.Form):
    kind = forms.ChoiceField(label=_("Refund"), choices=Refund.Kind.choices, initial=Refund.Kind.FULL,
                             widget=forms.RadioSelect)
    # The service checks the amount against what is left to refund; here it only has to be a number.
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        if data.get("kind") == Refund.Kind.PARTIAL and data.get("amount") is None and not self.errors:
            raise forms.ValidationError(_("A partial refund needs an amount greater than zero."))
        return data


class ReplaceForm(forms.Form):
    note = forms.CharField(label=_("Note for the order"), required=False, max_length=200)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    Action.AUTHORIZE: AuthorizeForm,
    Action.REJECT: RejectForm,
    Action.RECEIVE: ReceiveForm,
    Action.REFUND: RefundForm,
    Action.REPLACE: ReplaceForm,
    Action.CLOSE: CloseForm,
}
ACTION_LABELS = {
    Action.AUTHORIZE: _("Authorise"),
    Action.REJECT: _("Reject"),
    Action.RECEIVE: _("Record receipt"),
    Action.REFUND: _("Refund"),
    Action.REPLACE: _("Offer replacement"),
    Action.CLOSE: _("Close"),
}
ACTION_DONE = {
    Action.AUTHORIZE: _("Return of %(sku)s on %(order)s authorised."),
    Action.REJECT: _("Return of %(sku)s on %(order)s rejected."),
    Action.RECEIVE: _("Receipt of %(sku)s on %(order)s recorded."),
    Action.REFUND: _("Refund of %(sku)s on %(order)s recorded."),
    Action.REPLACE: _("Replacement of %(sku)s on %(order)s noted; the return is closed."),
    Action.CLOSE: _("Return of %(sku)s on %(order)s closed."),
}
