"""Query-string parameters of the account-health pages; an invalid value falls back to its default."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import DRILLDOWN_PARTS
from .windows import local_midnight

MAX_PAGE = 10_000


def resolve_as_of(day: date | None, tz: ZoneInfo, now: datetime) -> datetime:
    """The instant a dashboard "as of ``day``" shows: the end of that local day in ``tz``, never past ``now``."""
    if day is None:
        return now
    return min(local_midnight(day + timedelta(days=1), tz), now)


class HealthForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def day(self) -> date | None:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("as_of")


class DrilldownForm(HealthForm):
    part = forms.ChoiceField(choices=[(p, p) for p in DRILLDOWN_PARTS], required=False)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)
    format = forms.ChoiceField(choices=[("html", "html"), ("csv", "csv")], required=False)

    def value(self, name: str, default: str | int | None = None):
        """One cleaned field, or ``default`` when it is missing or invalid."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name) or default
