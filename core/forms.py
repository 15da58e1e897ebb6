"""Forms of the site-wide pages."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))] + [("UTC", "UTC")]


def _language_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("As my browser asks")), *settings.LANGUAGES]


class PreferencesForm(forms.Form):
    timezone = forms.ChoiceField(label=_("Show times in"), choices=_timezone_choices,
                                 help_text=_("Ship-by deadlines are always shown in the store's own time."))
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False,
                                 help_text=_("Kept with your account, on every device you sign in from."))
