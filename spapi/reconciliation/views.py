"""The reconciliation pages: Amazon's account-health figures beside ours, their history, and the orders that can
account for a difference. Mounted in the account-health pages (``metrics`` namespace) by ``sellerops.urls``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_POST

from core.charts import Box, Line, sparkline, trend_chart
from core.errors import ApplicationError
from core.models import Store
from core.permissions import request_grants
from core.timefmt import store_time
from metrics.alerts import rate_percent, result_title
from metrics.definitions import DEFINITIONS, MetricKey

from ..models import Reconciliation, ReconciliationOrder
from .compare import VERDICT_TONES, Verdict
from .explain import DEADLINE, DEFECT_COUNTED, DEFECT_UNCOUNTED, SYNC_BEHIND, TZ_EDGE
from .selectors import (
    latest_report,
    reconciliation_get,
    reconciliation_history,
    reconciliation_list,
    reconciliation_orders,
    reconciliation_store_differing,
    reconciliation_stores,
)
from .services import RECONCILE_PERMISSION, reconciliation_request, reconciliation_tolerance

HISTORY_DAYS = 90
#: Orders listed on a difference's page (each cause keeps at most ``explain.MAX_ROWS`` per side).
ORDERS_SHOWN = 400

CAUSE_TITLES = {
    TZ_EDGE: gettext_lazy("Time-zone edge of the window"),
    DEADLINE: gettext_lazy("Still inside their deadline"),
    DEFECT_COUNTED: gettext_lazy("%(defect)s: we count more than Amazon"),
    DEFECT_UNCOUNTED: gettext_lazy("%(defect)s: Amazon counts more than we do"),
    SYNC_BEHIND: gettext_lazy("Orders not synced yet"),
}


def points_text(points: Decimal | None) -> str:
    """A difference in percentage points, signed ("+0.42", "−1.1", "0")."""
    if points is None:
        return "—"
    text = f"{abs(points).quantize(Decimal('0.01')).normalize():f}"
    if points > 0:
        return f"+{text}"
    return f"−{text}" if points < 0 else "0"


def rows_text(rows: int | None) -> str:
    if rows is None:
        return "—"
    return f"+{rows}" if rows > 0 else (f"−{abs(rows)}" if rows < 0 else "0")


def figure_title(r: Reconciliation) -> str:
    return result_title(r.metric, r.channel, r.window_days)


def _cause_text(cause: dict, r: Reconciliation, store: Store) -> str:
    detail = cause.get("detail") or {}
    if cause["cause"] == TZ_EDGE:
        return _("Amazon writes its window as UTC dates. Read as the store's own days (from %(start)s to %(end)s), "
                 "it starts and ends some hours apart: these orders fall in those hours, and are counted on one "
                 "reading and not on the other.") % {
            "start": store_time(_instant(detail.get("local_start")), store),
            "end": store_time(_instant(detail.get("local_end")), store)}
    if cause["cause"] == DEADLINE:
        return _("Amazon's window runs past the moment of its report (%(at)s). Their ship-by or deliver-by time was "
                 "still to come, so they are not late yet: they are in neither of our numbers, and Amazon may count "
                 "them.") % {"at": store_time(r.as_of, store)}
    if cause["cause"] == DEFECT_COUNTED:
        return _("Amazon counts %(amazon)s, we count %(ours)s. We count these orders; one of them or more is "
                 "likely not counted by Amazon (a claim decided since, feedback Amazon removed).") % detail
    if cause["cause"] == DEFECT_UNCOUNTED:
        return _("Amazon counts %(amazon)s, we count %(ours)s. Each of these orders has one that we do not count "
                 "at the report's instant: a claim decided for you or withdrawn, a chargeback reversed, feedback "
                 "removed, or one dated after the report.") % detail
    return _("Our order sync had reached %(at)s, before the end of Amazon's window: orders Amazon counts may not "
             "have reached SellerOps yet. Amazon's report names none of them.") % {
        "at": store_time(_instant(detail.get("last_synced_at")), store)}


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Row:
    reconciliation: Reconciliation
    title: str
    amazon_rate: str
    our_rate: str
    points: str
    numerator_rows: str
    verdict_label: str
    tone: str
    url: str
    history: SafeString

    @property
    def last_day(self) -> datetime:
        """The last minute of Amazon's window (its end is excluded)."""
        return self.reconciliation.window_end - timedelta(minutes=1)


def _verdict_label(verdict: str) -> str:
    return str(Verdict(verdict).label)


def _row(r: Reconciliation, history: SafeString) -> Row:
    return Row(reconciliation=r, title=figure_title(r), amazon_rate=rate_percent(r.amazon_rate),
               our_rate=rate_percent(r.our_rate), points=points_text(r.points), numerator_rows=rows_text(
                   r.numerator_rows), verdict_label=_verdict_label(r.verdict), tone=VERDICT_TONES[Verdict(r.verdict)],
               url=reverse("metrics:reconciliation_detail", args=[r.pk]), history=history)


def _series_key(r: Reconciliation) -> tuple[str, str, int]:
    return (r.metric, r.channel, r.window_days)


def _points_sparkline(points: list[Reconciliation], label: str) -> SafeString:
    tolerance = float(reconciliation_tolerance().points)
    return sparkline([(r.as_of.timestamp(), float(r.points) if r.points is not None else None) for r in points],
                     target=tolerance, status="none", box=Box(width=120, height=28, pad=3), label=label,
                     empty_text=_("No history yet"))


@login_required
@require_GET
def reconciliation_view(request: HttpRequest) -> HttpResponse:
    """The newest report's figures beside ours, store by store, with the day-by-day history of the differences.
    Without a store chosen, it opens on the first store whose figures differ from Amazon's, else the first store."""
    stores = list(reconciliation_stores(user=request.user))
    code = request.GET.get("store")
    if not code and stores:
        differing = reconciliation_store_differing(user=request.user)
        code = (differing or stores[0]).code
    store = next((s for s in stores if s.code == code), None)
    if stores and store is None:
        raise Http404(_("No such store."))
    context: dict[str, Any] = {
        "stores": stores, "store": store,
        "pills": [{"code": s.code, "url": f"{reverse('metrics:reconciliation')}?store={s.code}",
                   "active": s == store} for s in stores],
    }
    if store is not None:
        report = latest_report(store=store)
        context["report"] = report
        context["can_run"] = request_grants(request).can(RECONCILE_PERMISSION, store)
        if report is not None:
            history = list(reconciliation_history(store=store, since=report.fetched_at - timedelta(
                days=HISTORY_DAYS)))
            series: dict[tuple[str, str, int], list[Reconciliation]] = defaultdict(list)
            for r in history:
                series[_series_key(r)].append(r)
            latest = list(reconciliation_list(report=report))
            context["rows"] = [_row(r, _points_sparkline(series[_series_key(r)], _(
                "%(metric)s: our figure minus Amazon's, in percentage points, report by report") % {
                "metric": figure_title(r)})) for r in latest]
            context["agreeing"] = sum(1 for r in latest if r.verdict in (Verdict.AGREES, Verdict.WITHIN))
            days: dict[int, dict[str, Any]] = {}
            for r in history:
                day = days.setdefault(r.report_id, {"as_of": r.as_of, "agrees": 0, "within": 0, "differs": 0,
                                                    "unknown": 0, "worst": None})
                day[r.verdict] += 1
                if r.verdict == Verdict.DIFFERS and (day["worst"] is None or abs(r.points or 0) > abs(
                        day["worst"].points or 0)):
                    day["worst"] = r
            context["days"] = [{**day, "worst_title": figure_title(day["worst"]) if day["worst"] else "",
                                "worst_points": points_text(day["worst"].points) if day["worst"] else "",
                                "worst_url": reverse("metrics:reconciliation_detail", args=[day["worst"].pk])
                                if day["worst"] else ""}
                               for day in sorted(days.values(), key=lambda d: d["as_of"], reverse=True)]
    tolerance = reconciliation_tolerance()
    context["tolerance_points"] = f"{tolerance.points.normalize():f}"
    context["tolerance_rows"] = tolerance.rows
    return render(request, "spapi/reconciliation.html", context)


@login_required
@require_POST
def reconciliation_run_view(request: HttpRequest) -> HttpResponse:
    """Have the chosen store's newest report reconciled again, now, in the background."""
    store = reconciliation_stores(user=request.user).filter(code=request.POST.get("store", "")).first()
    if store is None:
        raise Http404(_("No such store."))
    try:
        reconciliation_request(store=store, actor=request.user)
    except ApplicationError as error:
        if not request_grants(request).can(RECONCILE_PERMISSION, store):
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("The newest report of %(store)s is being set beside our figures again.")
                         % {"store": store.code})
    return redirect(f"{reverse('metrics:reconciliation')}?store={store.code}")


@dataclass(frozen=True)
class CauseView:
    key: str
    title: str
    text: str
    accounts_for_all: bool
    orders: list[ReconciliationOrder]
    more: int


@login_required
@require_GET
def reconciliation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One figure beside ours: both numbers, the defects by kind, each cause with its orders, and the history."""
    r = reconciliation_get(user=request.user, pk=pk)
    if r is None:
        raise Http404(_("No such reconciliation."))
    store = r.store
    definition = DEFINITIONS[MetricKey(r.metric)]
    labels = definition.reason_labels()
    orders = reconciliation_orders(reconciliation=r, limit=ORDERS_SHOWN)
    by_cause: dict[tuple[str, str], list[ReconciliationOrder]] = defaultdict(list)
    for row in orders:
        by_cause[(row.cause, row.reason)].append(row)
    causes = []
    for cause in r.causes:
        key = (cause["cause"], cause.get("reason") or "")
        listed = by_cause.get(key, [])
        total = cause.get("ours_rows", 0) + cause.get("amazon_rows", 0)
        title = capfirst(str(CAUSE_TITLES.get(cause["cause"], cause["cause"])) % {
            "defect": labels.get(cause.get("reason") or "", "")})
        causes.append(CauseView(key=cause["cause"], title=title, text=_cause_text(cause, r, store),
                                accounts_for_all=cause.get("accounts_for_all", False), orders=listed,
                                more=max(0, total - len(listed))))
    history = list(reconciliation_history(store=store, since=r.as_of - timedelta(days=HISTORY_DAYS))
                   .filter(metric=r.metric, channel=r.channel, window_days=r.window_days, as_of__lte=r.as_of))
    # Translators: date-format letters for a day on a chart axis, e.g. "Nov 25".
    day_format = pgettext("chart day format", "M j")
    tolerance = reconciliation_tolerance()
    chart = trend_chart(
        [(dateformat.format(h.as_of.astimezone(store.tz), day_format), float(h.points) if h.points is not None
          else None) for h in history],
        lines=[Line(float(tolerance.points), "trend-warning", _("tolerance ±%(points)s") % {
            "points": f"{tolerance.points.normalize():f}"}),
               Line(-float(tolerance.points), "trend-warning", ""), Line(0.0, "trend-target", _("Amazon's figure"))],
        label=_("%(metric)s: our figure minus Amazon's, in percentage points, report by report") % {
            "metric": figure_title(r)},
        empty_text=_("No history yet"))
    components = [{"label": labels.get(reason, reason), "amazon": pair.get("amazon"), "ours": pair.get("ours")}
                  for reason, pair in (r.components or {}).items()]
    context = {
        "r": r, "store": store, "title": figure_title(r), "definition": definition,
        "verdict_label": _verdict_label(r.verdict), "tone": VERDICT_TONES[Verdict(r.verdict)],
        "amazon_rate": rate_percent(r.amazon_rate), "our_rate": rate_percent(r.our_rate),
        "amazon_target": rate_percent(r.amazon_target), "our_target": rate_percent(definition.target),
        "points": points_text(r.points),
        "numerator_rows": rows_text(r.numerator_rows), "denominator_rows": rows_text(r.denominator_rows),
        "window_last": r.window_end - timedelta(minutes=1),
        "window_from_date": r.window_start.date(), "window_to_date": (r.window_end - timedelta(minutes=1)).date(),
        "components": components, "causes": causes, "chart": chart,
        "side_labels": dict(ReconciliationOrder.Side.choices),
        "history": [{"r": h, "amazon_rate": rate_percent(h.amazon_rate), "our_rate": rate_percent(h.our_rate),
                     "points": points_text(h.points), "verdict_label": _verdict_label(h.verdict),
                     "tone": VERDICT_TONES[Verdict(h.verdict)],
                     "url": reverse("metrics:reconciliation_detail", args=[h.pk])} for h in reversed(history)],
        "back_url": f"{reverse('metrics:reconciliation')}?store={store.code}",
        "health_url": f"{reverse('metrics:health')}?store={store.code}",
        "drilldown_url": reverse("metrics:drilldown", kwargs={
            "store_code": store.code, "metric": r.metric, "channel": r.channel,
            "window_days": r.window_days}) if r.window_days in definition.window_days else "",
    }
    return render(request, "spapi/reconciliation_detail.html", context)
