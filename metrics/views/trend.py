"""A metric's daily history: a chart with its target and warning lines, and the numbers behind each day."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from core.charts import Line, trend_chart
from core.models import Store
from core.selectors import store_list

from ..engine import amber_threshold
from ..models import Status
from ..selectors import snapshot_history
from .common import drilldown_url, health_url, metric_title, percent, render_page, target_label
from .drilldown import _definition_or_404

#: The ranges the page offers, in days; the first is the default.
RANGES = (90, 30, 180, 365)


def trend_url(store: Store, key: tuple[str, str, int], *, days: int | None = None) -> str:
    metric, channel, window_days = key
    url = reverse("metrics:trend", kwargs={"store_code": store.code, "metric": metric, "channel": channel,
                                           "window_days": window_days})
    return f"{url}?days={days}" if days else url


@login_required
@require_GET
def trend_view(request: HttpRequest, store_code: str, metric: str, channel: str, window_days: int) -> HttpResponse:
    store = get_object_or_404(store_list(user=request.user), code=store_code)
    definition = _definition_or_404(metric, channel, window_days)
    days = int(request.GET["days"]) if request.GET.get("days") in {str(r) for r in RANGES} else RANGES[0]
    snapshots = list(snapshot_history(store=store, metric=metric, channel=channel, window_days=window_days,
                                      since=timezone.now() - timedelta(days=days)))
    # Translators: date-format letters for a day on a chart axis, e.g. "Nov 25".
    day_format = pgettext("chart day format", "M j")
    series = [(dateformat.format(s.as_of.astimezone(store.tz) - timedelta(seconds=1), day_format),
               float(s.rate * 100) if s.rate is not None else None) for s in snapshots]
    target, amber = float(definition.target * 100), float(amber_threshold(definition) * 100)
    key = (metric, channel, window_days)
    chart = trend_chart(
        series,
        lines=[Line(target, "trend-target", target_label(definition)),
               Line(amber, "trend-warning", _("warning from %(value)s %%") % {"value": f"{amber:g}"})],
        label=_("%(metric)s, daily, last %(days)d days") % {"metric": metric_title(definition, channel, window_days),
                                                             "days": days},
        empty_text=_("No daily snapshots yet: they are taken at each local midnight."),
    )
    rows = [{"day": s.as_of.astimezone(store.tz) - timedelta(seconds=1), "numerator": s.numerator,
             "denominator": s.denominator, "value": percent(s.rate) if s.rate is not None else None,
             "status": s.status, "status_label": Status(s.status).label,
             "drilldown_url": drilldown_url(store, key, part="numerator",
                                            day=(s.as_of.astimezone(store.tz) - timedelta(seconds=1)).date())}
            for s in reversed(snapshots)]
    context = {
        "store": store,
        "title": metric_title(definition, channel, window_days),
        "target_label": target_label(definition),
        "chart": chart,
        "rows": rows,
        "ranges": [{"days": r, "url": trend_url(store, key, days=r), "active": r == days} for r in RANGES],
        "back_url": health_url(store=store.code, day=None),
        "drilldown_url": drilldown_url(store, key, part="numerator"),
    }
    return render_page(request, "metrics/trend.html", "trend-body", context)
