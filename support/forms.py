"""Forms of the inbox: the filter bar, a reply, a note, an assignment."""

from __future__ import annotations

import re
import secrets
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.models import User
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.dates import day_in_range, out_of_range_message
from core.models import Store

from .selectors import Assigned, InboxFilters, Tab, inbox_stores, thread_languages

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TAB_LABELS = {
    Tab.NEEDS_REPLY: _("Needs reply"),
    Tab.OVERDUE: _("Overdue"),
    Tab.DUE_SOON: _("Due < 6 h"),
    Tab.ANSWERED: _("Answered"),
    Tab.ALL: _("All"),
}
#: Names of the buyer's languages, in the agent's language.
LANGUAGE_NAMES: dict[str, StrOrPromise] = {
    "en": _("English"), "de": _("German"), "fr": _("French"), "it": _("Italian"), "es": _("Spanish"),
    "ja": _("Japanese"), "nl": _("Dutch"), "sv": _("Swedish"), "pl": _("Polish"), "pt": _("Portuguese"),
    "zh": _("Chinese"),
}
FILTER_KEYS = ("tab", "store", "language", "assigned")


class InboxFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=list(TAB_LABELS.items()), required=False, widget=forms.HiddenInput)
    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, to_field_name="code",
                                   empty_label=_("All stores"))
    language = forms.ChoiceField(label=_("Language"), required=False)
    assigned = forms.ChoiceField(label=_("Assigned"), required=False, choices=[
        (Assigned.ANY, _("Anyone")), (Assigned.ME, _("Mine")), (Assigned.UNASSIGNED, _("Unassigned")),
        (Assigned.OTHERS, _("Others'")),
    ])

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = inbox_stores(user=user)

        @cache
        def languages() -> list[tuple[str, StrOrPromise]]:
            return [("", _("All languages"))] + [
                (code, LANGUAGE_NAMES.get(code, code)) for code in thread_languages(user=user)]

        # Read only when the select is drawn or a language is asked for: an htmx swap of the list needs neither.
        cast(forms.ChoiceField, self.fields["language"]).choices = languages

    def filters(self) -> InboxFilters:
        """The filters the valid fields ask for; an invalid field is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return InboxFilters(tab=data.get("tab") or Tab.NEEDS_REPLY, store=data.get("store"),
                            language=data.get("language") or "", assigned=data.get("assigned") or "")


def reply_key() -> str:
    """A new one-time key for a rendered reply form."""
    return secrets.token_urlsafe(24)


REPLY_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ReplyForm(forms.Form):
    """The reply and its one-time key: the same form submitted twice sends one reply (``reply_send``)."""

    body = forms.CharField(label=_("Reply"), max_length=20_000, strip=True,
                           widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}))
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None and not REPLY_KEY_RE.fullmatch(data.get("idempotency_key") or ""):
            # A form from before keys existed, or a made-up key: this submission gets a key of its own.
            data = data.copy()
            data["idempotency_key"] = reply_key()
        super().__init__(data, *args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = reply_key()

    def with_new_key(self) -> ReplyForm:
        """The same text under a new key: sending it then sends a new reply."""
        data = cast("QueryDict | dict[str, Any]", self.data).copy()
        data["idempotency_key"] = reply_key()
        return ReplyForm(data)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), max_length=5_000, strip=True,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[User]
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False,
                                      empty_label=_("Nobody (shared inbox)"))

    def __init__(self, *args, assignees, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = assignees


class ClaimResponseForm(forms.Form):
    response = forms.CharField(label=_("Your response to Amazon"), max_length=10000,
                               widget=forms.Textarea(attrs={"rows": 12, "dir": "auto"}))


class ClaimDeadlineForm(forms.Form):
    respond_by = forms.DateTimeField(label=_("Respond by"),
                                     help_text=_("As Amazon's notice or Seller Central gives it, in your time zone."),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"))

    def clean_respond_by(self):
        value = self.cleaned_data["respond_by"]
        if not day_in_range(value.date()):
            raise forms.ValidationError(out_of_range_message())
        return value
