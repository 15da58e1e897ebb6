"""Forms of the site-wide pages."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))] + [("UTC", "UTC")]


class PreferencesForm(forms.Form):
    timezone = forms.ChoiceField(label=_("Show times in"), choices=_timezone_choices,
                                 help_text=_("Ship-by deadlines are always shown in the store's own time."))
