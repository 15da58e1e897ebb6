"""The upload form: which store, which report, which file."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import Store
from core.permissions import permitted_stores

from .parsers import ENCODINGS
from .services import MAX_UPLOAD_BYTES, import_kind_choices


def importable_stores(*, user: User) -> QuerySet[Store]:
    """The stores ``user`` may import into (``import.upload``)."""
    return permitted_stores(user=user, permission="import.upload").order_by("code")


class ImportForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.objects.none(), to_field_name="code",
                                   empty_label=None)
    kind = forms.ChoiceField(label=_("Report"), required=False,
                             help_text=_("As Seller Central names it. Left on “Detect from the file”, the report "
                                         "is recognised from its column headers."))
    file = forms.FileField(label=_("File"), help_text=_("Tab-separated text, as Seller Central exports it."))
    encoding = forms.ChoiceField(label=_("Encoding"), required=False,
                                 choices=[("", _("Detect"))] + [(k, v) for k, v in ENCODINGS.items()],
                                 help_text=_("Detected from the file and the marketplace unless you choose one."))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = importable_stores(user=user)
        if "kind" in self.fields:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("Detect from the file")),
                                                                    *import_kind_choices()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.")
                                        % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024})
        return upload


class ShipConfirmForm(ImportForm):
    """The upload of a shipping confirmation file, previewed before anything ships."""

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["kind"]
        self.fields["file"].help_text = _("The shipping confirmation file, tab-separated, as you upload it to "
                                          "Seller Central.")
