"""What both account-health pages share: the tile layout, labels, number formats and links."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.models import Store
from core.web import wants_partial

from ..definitions import DEFINITIONS, Direction, MetricDefinition, MetricKey
from ..engine import Result
from ..models import Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
HISTORY_DAYS = 90
WEEK = timedelta(days=7)
#: How far from "a week ago" a daily snapshot may be and still stand for it.
WEEK_AGO_TOLERANCE = timedelta(days=1)
MAX_BANNER_BREACHES = 20
PERCENT_PLACES = Decimal("0.01")

K = MetricKey
#: The dashboard's tiles, grouped as Amazon's Account Health page groups them: (group, [metric]). Every
#: channel a metric's definition reports and every window of it gets a tile.
GROUPS: list[tuple[StrOrPromise, list[MetricKey]]] = [
    (gettext_lazy("Customer service performance"), [K.ODR]),
    (gettext_lazy("Shipping performance"), [K.LSR, K.CANCEL, K.VTR, K.OTDR]),
    (gettext_lazy("Customer contact"), [K.RESPONSE]),
    (gettext_lazy("Returns"), [K.RDR]),
]
TILE_KEYS: list[tuple[str, str, int]] = [
    (metric.value, channel, days)
    for _group, metrics in GROUPS for metric in metrics for channel in DEFINITIONS[metric].reported_channels
    for days in DEFINITIONS[metric].window_days
]
CHANNEL_LABELS = {"MFN": gettext_lazy("seller-fulfilled"), "AFN": gettext_lazy("Amazon-fulfilled"), "ALL": ""}
#: Column headings of the all-stores overview.
SHORT_NAMES = {
    K.ODR: gettext_lazy("ODR"), K.LSR: gettext_lazy("Late shipment"), K.CANCEL: gettext_lazy("Cancel"),
    K.VTR: gettext_lazy("Valid tracking"), K.OTDR: gettext_lazy("On-time delivery"),
    K.RESPONSE: gettext_lazy("Response"), K.RDR: gettext_lazy("Return dissatisfaction"),
}
SHORT_CHANNELS = {"MFN": gettext_lazy("MFN"), "AFN": gettext_lazy("FBA"), "ALL": ""}


def percent(value: Decimal) -> str:
    """A rate (0.0412) as a percentage ("4.12"), truncated so that it never looks inside a target it is not."""
    text = f"{(value * 100).quantize(PERCENT_PLACES, rounding=ROUND_DOWN):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def target_label(definition: MetricDefinition) -> str:
    target = f"{percent(definition.target)} %"
    if definition.direction is Direction.CEILING:
        return _("target < %(target)s") % {"target": target}
    return _("target ≥ %(target)s") % {"target": target}


def window_label(days: int) -> str:
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def metric_title(definition: MetricDefinition, channel: str, days: int) -> str:
    """"Late Shipment Rate · seller-fulfilled · 10 days": a metric as one result of it is named."""
    parts = [str(definition.name), str(CHANNEL_LABELS.get(channel, channel)), window_label(days)]
    return " · ".join(part for part in parts if part)


def no_rows_text(definition: MetricDefinition) -> str:
    return {
        "orders": _("No orders in window"),
        "shipments": _("No shipments in window"),
        "messages": _("No buyer messages in window"),
        "returns": _("No return requests in window"),
    }[definition.scope]


def consequence_text(result: Result) -> str:
    """What an amber or red tile means next: defects left before a breach, or good rows needed to recover."""
    if result.status == Status.AMBER and result.defects_until_breach is not None:
        n = result.defects_until_breach
        return ngettext("%(count)s more defect until breach", "%(count)s more defects until breach", n) % {
            "count": n}
    if result.status == Status.RED and result.to_recover is not None:
        n = result.to_recover
        texts = {
            K.ODR: ngettext("Back in target after %(count)s more order without a defect",
                            "Back in target after %(count)s more orders without a defect", n),
            K.LSR: ngettext("Back in target after %(count)s more order shipped on time",
                            "Back in target after %(count)s more orders shipped on time", n),
            K.CANCEL: ngettext("Back in target after %(count)s more order not cancelled",
                               "Back in target after %(count)s more orders not cancelled", n),
            K.VTR: ngettext("Back in target after %(count)s more shipment with valid tracking",
                            "Back in target after %(count)s more shipments with valid tracking", n),
            K.OTDR: ngettext("Back in target after %(count)s more delivery on time",
                             "Back in target after %(count)s more deliveries on time", n),
            K.RESPONSE: ngettext("Back in target after %(count)s more reply within 24 hours",
                                 "Back in target after %(count)s more replies within 24 hours", n),
            K.RDR: ngettext("Back in target after %(count)s more return handled well",
                            "Back in target after %(count)s more returns handled well", n),
        }
        return texts[result.definition.key] % {"count": n}
    return ""


def drilldown_url(store: Store, key: tuple[str, str, int], *, part: str, day: date | None = None,
                  **extra: str | int) -> str:
    metric, channel, days = key
    url = reverse("metrics:drilldown", kwargs={"store_code": store.code, "metric": metric, "channel": channel,
                                               "window_days": days})
    params: dict[str, str | int] = {"part": part}
    if day:
        params["as_of"] = day.isoformat()
    params.update(extra)
    return f"{url}?{urlencode(params)}"


def worst_part(definition: MetricDefinition) -> str:
    """The tab that lists the bad rows: the numerator of a ceiling metric, the rest of a floor metric."""
    return "numerator" if definition.direction is Direction.CEILING else "missed"


def health_url(*, store: str | None, day: date | None) -> str:
    params = {}
    if store:
        params["store"] = store
    if day:
        params["as_of"] = day.isoformat()
    url = reverse("metrics:health")
    return f"{url}?{urlencode(params)}" if params else url


def render_page(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    response = render(request, f"{template}#{partial}" if wants_partial(request) else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
