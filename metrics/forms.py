"""Query-string parameters of the account-health pages; an invalid value falls back to its default."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.dates import DayField
from core.models import Store

from .alerts import AlertRuleData, alert_recipient_choices, alert_stores
from .definitions import DEFINITIONS, METRIC_CHOICES
from .models import AlertBand, AlertRule
from .selectors import DRILLDOWN_PARTS
from .windows import local_midnight

MAX_PAGE = 10_000
ALERT_WINDOWS = sorted({days for d in DEFINITIONS.values() for days in d.window_days})


def resolve_as_of(day: date | None, tz: ZoneInfo, now: datetime) -> datetime:
    """The instant a dashboard "as of ``day``" shows: the end of that local day in ``tz``, never past ``now``."""
    if day is None:
        return now
    return min(local_midnight(day + timedelta(days=1), tz), now)


class HealthForm(forms.Form):
    as_of = DayField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def day(self) -> date | None:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("as_of")


class DrilldownForm(HealthForm):
    part = forms.ChoiceField(label=_("Rows"), choices=[(p, p) for p in DRILLDOWN_PARTS], required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=MAX_PAGE, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=[("html", "html"), ("csv", "csv")], required=False)

    def value(self, name: str, default: str | int | None = None):
        """One cleaned field, or ``default`` when it is missing or invalid."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name) or default


class AlertRuleForm(forms.Form):
    """An alert rule of the user's: which store and result to watch, at which band, and whom to tell."""

    store: forms.ModelChoiceField[Store]
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=False, empty_label=_("All my stores"))
    metric = forms.ChoiceField(label=_("Metric"), choices=METRIC_CHOICES)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[
        ("", _("Every channel")), ("MFN", _("Seller-fulfilled")), ("AFN", _("Amazon-fulfilled")),
        ("ALL", _("All orders"))])
    window_days = forms.TypedChoiceField(
        label=_("Window"), required=False, coerce=int, empty_value=None,
        choices=lambda: [("", _("Every window"))] + [(d, _("%(days)d days") % {"days": d}) for d in ALERT_WINDOWS])
    band = forms.ChoiceField(label=_("Notify when"), choices=AlertBand.choices, initial=AlertBand.AMBER)
    recipients: forms.ModelMultipleChoiceField[User]
    recipients = forms.ModelMultipleChoiceField(label=_("Recipients"), queryset=None,
                                                widget=forms.CheckboxSelectMultiple)
    email = forms.BooleanField(label=_("Also by e-mail"), required=False, initial=True)
    is_active = forms.BooleanField(label=pgettext_lazy("alert rule", "Active"), required=False, initial=True)

    def __init__(self, *args, user, rule: AlertRule | None = None, **kwargs) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "store": rule.store_id, "metric": rule.metric, "channel": rule.channel,
                "window_days": rule.window_days or "", "band": rule.band, "email": rule.email,
                "is_active": rule.is_active, "recipients": [u.pk for u in rule.recipients.all()],
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {"recipients": [user.pk]}
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = alert_stores(user=user).order_by("code")
        cast(forms.ModelMultipleChoiceField, self.fields["recipients"]).queryset = alert_recipient_choices(user=user)
        self.fields["recipients"].label_from_instance = lambda u: (  # type: ignore[attr-defined]  # on this form's field
            f"{u.get_username()} <{u.email}>" if u.email else u.get_username())

    def data_object(self) -> AlertRuleData:
        data = self.cleaned_data
        return AlertRuleData(store=data["store"], metric=data["metric"], channel=data["channel"],
                             window_days=data["window_days"], band=data["band"], recipients=list(data["recipients"]),
                             email=data["email"], is_active=data["is_active"])
