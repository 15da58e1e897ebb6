"""The account-health dashboard: every store's tiles, or one row per store, and the open breaches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.charts import sparkline
from core.models import Store
from core.selectors import store_list
from core.timefmt import format_time, store_time

from ..definitions import DEFINITIONS, Direction, MetricKey
from ..engine import Result, compute_all
from ..forms import HealthForm, resolve_as_of
from ..models import MetricSnapshot, Status
from ..selectors import LiveResults, breach_list, latest_live_computed_at, live_results, snapshot_series
from .common import (
    CHANNEL_LABELS,
    GROUPS,
    HISTORY_DAYS,
    MAX_BANNER_BREACHES,
    PERCENT_PLACES,
    SHORT_CHANNELS,
    SHORT_NAMES,
    TILE_KEYS,
    WEEK,
    WEEK_AGO_TOLERANCE,
    consequence_text,
    drilldown_url,
    health_url,
    metric_title,
    no_rows_text,
    percent,
    render_page,
    target_label,
    window_label,
    worst_part,
)


@dataclass(frozen=True)
class Change:
    points: Decimal
    text: str
    tone: str  # "worse", "better" or "flat"


@dataclass(frozen=True)
class Tile:
    result: Result
    name: str
    channel_label: str
    window_label: str
    window_text: str
    value: str | None
    target_label: str
    status_label: str
    change: Change | None
    sparkline: SafeString
    consequence: str
    empty_text: str
    numerator_url: str
    denominator_url: str
    worst_url: str
    computed_at: datetime | None = None
    stale: bool = False

    @property
    def dom_id(self) -> str:
        return f"tile-{self.result.metric}-{self.result.channel}-{self.result.window_days}".lower()


@dataclass(frozen=True)
class TileGroup:
    label: str
    tiles: list[Tile]


@dataclass
class StoreBoard:
    store: Store
    as_of: datetime
    groups: list[TileGroup] = field(default_factory=list)
    week_ago: datetime | None = None
    computed_at: datetime | None = None
    stale: bool = False


def change_of(now: Result, then_rate: Decimal | None) -> Change | None:
    if now.rate is None or then_rate is None:
        return None
    points = ((now.rate - then_rate) * 100).quantize(PERCENT_PLACES, rounding=ROUND_HALF_EVEN)
    if not points:
        return Change(points, "— 0", "flat")
    rising = points > 0
    worse = rising if now.direction is Direction.CEILING else not rising
    arrow = "▲" if rising else "▼"
    return Change(points, f"{arrow} {percent(abs(points) / 100)}", "worse" if worse else "better")


def week_ago_rates(store: Store, as_of: datetime, snapshots: Iterable[MetricSnapshot],
                   keys: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str, int], Decimal | None]:
    """Each key's rate a week before ``as_of``: the nearest daily snapshot, else computed at that instant."""
    target = as_of - WEEK
    nearest: dict[tuple[str, str, int], MetricSnapshot] = {}
    for snap in snapshots:
        distance = abs(snap.as_of - target)
        if distance > WEEK_AGO_TOLERANCE:
            continue
        key = (snap.metric, snap.channel, snap.window_days)
        if key not in nearest or distance < abs(nearest[key].as_of - target):
            nearest[key] = snap
    rates = {key: snap.rate for key, snap in nearest.items()}
    if any(key not in rates for key in keys):
        for result in compute_all(store, target):
            rates.setdefault(result.key, result.rate)
    return rates


def store_board(store: Store, *, as_of: datetime, day: date | None, live: LiveResults | None = None) -> StoreBoard:
    """Every tile of ``store`` at ``as_of``: its values, the change in a week, and 90 days of daily history.

    ``live`` gives the current values and when they were last recomputed; without it (time travel) the tiles
    are computed at ``as_of`` and say nothing about recomputes.
    """
    results = live.results if live is not None else {result.key: result for result in compute_all(store, as_of)}
    since = as_of - timedelta(days=HISTORY_DAYS)
    snapshots = list(snapshot_series(store=store, since=since, until=as_of))
    before = week_ago_rates(store, as_of, snapshots, TILE_KEYS)
    series: dict[tuple[str, str, int], list[tuple[float, float | None]]] = {}
    for snap in snapshots:
        rate = float(snap.rate * 100) if snap.rate is not None else None
        series.setdefault((snap.metric, snap.channel, snap.window_days), []).append((snap.as_of.timestamp(), rate))
    board = StoreBoard(store=store, as_of=as_of, week_ago=as_of - WEEK)
    if live is not None:
        board.computed_at, board.stale = live.computed_at, live.stale
    for label, metrics in GROUPS:
        tiles = []
        for metric in metrics:
            definition = DEFINITIONS[metric]
            for channel in definition.reported_channels:
                for days in definition.window_days:
                    result = results[(metric.value, channel, days)]
                    tile = make_tile(store, result, day=day, history=series.get(result.key, []),
                                     week_ago_rate=before.get(result.key))
                    if live is not None:
                        tile = replace(tile, computed_at=live.computed_at, stale=live.stale)
                    tiles.append(tile)
        board.groups.append(TileGroup(str(label), tiles))
    return board


def make_tile(store: Store, result: Result, *, day: date | None, history: list[tuple[float, float | None]],
              week_ago_rate: Decimal | None) -> Tile:
    definition = result.definition
    name = str(definition.name)
    points = history + [(result.as_of.timestamp(), float(result.rate * 100) if result.rate is not None else None)]
    chart = sparkline(
        points if history else [], target=float(definition.target * 100), status=result.status,
        label=_("%(name)s over the last %(days)d days") % {"name": name, "days": HISTORY_DAYS},
    )
    last_day = result.window.end - timedelta(seconds=1)
    return Tile(
        result=result,
        name=name,
        channel_label=str(CHANNEL_LABELS[result.channel]),
        window_label=window_label(result.window_days),
        window_text=_("%(start)s to %(end)s (store time)") % {
            "start": store_time(result.window.start, store), "end": store_time(last_day, store)},
        value=percent(result.rate) if result.rate is not None else None,
        target_label=target_label(definition),
        status_label=str(Status(result.status).label),
        change=change_of(result, week_ago_rate),
        sparkline=chart,
        consequence=consequence_text(result),
        empty_text=no_rows_text(definition),
        numerator_url=drilldown_url(store, result.key, part="numerator", day=day),
        denominator_url=drilldown_url(store, result.key, part="denominator", day=day),
        worst_url=drilldown_url(store, result.key, part=worst_part(definition), day=day),
    )


@dataclass(frozen=True)
class OverviewCell:
    result: Result
    value: str | None
    status_label: str
    url: str


@dataclass(frozen=True)
class OverviewRow:
    store: Store
    as_of: datetime
    cells: list[OverviewCell]
    url: str
    computed_at: datetime | None = None
    stale: bool = False


def overview_columns() -> list[dict[str, str]]:
    columns = []
    for metric, channel, days in TILE_KEYS:
        definition = DEFINITIONS[MetricKey(metric)]
        # The window is part of the heading: a metric with two windows has two columns, each named apart.
        name = " ".join(str(p) for p in (SHORT_NAMES[definition.key], SHORT_CHANNELS[channel]) if str(p))
        columns.append({"heading": f"{name} · {window_label(days)}", "target": target_label(definition),
                        "title": metric_title(definition, channel, days)})
    return columns


def overview_row(store: Store, *, as_of: datetime, day: date | None, live: LiveResults | None = None) -> OverviewRow:
    """One store's row of the every-store table: ``live`` values, or (time travel) computed at ``as_of``."""
    results = live.results if live is not None else {result.key: result for result in compute_all(store, as_of)}
    cells = []
    for key in TILE_KEYS:
        result = results[key]
        cells.append(OverviewCell(
            result=result,
            value=percent(result.rate) if result.rate is not None else None,
            status_label=str(Status(result.status).label),
            url=drilldown_url(store, key, part=worst_part(result.definition), day=day),
        ))
    row = OverviewRow(store=store, as_of=as_of, cells=cells, url=health_url(store=store.code, day=day))
    if live is not None:
        row = replace(row, computed_at=live.computed_at, stale=live.stale)
    return row


def breach_banner(user) -> list[dict]:
    """The open breaches of the user's stores, newest first, for the metrics the dashboard shows as tiles."""
    shown = Q()
    for metric, channel in {(metric, channel) for metric, channel, _days in TILE_KEYS}:
        shown |= Q(metric=metric, channel=channel)
    breaches = []
    for breach in breach_list(user=user, open_only=True).filter(shown)[:MAX_BANNER_BREACHES]:
        definition = DEFINITIONS[MetricKey(breach.metric)]
        key = (breach.metric, breach.channel, breach.window_days)
        breaches.append({
            "breach": breach,
            "metric": metric_title(definition, breach.channel, breach.window_days),
            "opening": percent(breach.opening_rate),
            "peak": percent(breach.peak_rate),
            "since": format_time(breach.opened_at),
            "url": drilldown_url(breach.store, key, part=worst_part(definition)),
            "cause_url": reverse("metrics:breach_detail", args=[breach.pk]),
        })
    return breaches


def health_context(request: HttpRequest, *, now: datetime) -> dict:
    """Everything the dashboard renders for this request: one store's tiles, or one row per store."""
    stores = list(store_list(user=request.user).order_by("code"))
    form = HealthForm(request.GET)
    day = form.day()
    code = request.GET.get("store") or ""
    store: Store | None = None
    if code:
        store = next((s for s in stores if s.code == code), None)
        if store is None:
            raise Http404(_("No such store."))
    elif len(stores) == 1:
        store = stores[0]
    context: dict = {
        "form": form,
        "day": day,
        "now": now,
        "stores": stores,
        "store": store,
        "breaches": breach_banner(request.user),
        "pills": [{"label": s.code, "url": health_url(store=s.code, day=day), "active": s == store}
                  for s in stores],
        "all_url": health_url(store=None, day=day),
        "now_url": health_url(store=store.code if store else None, day=None),
    }
    # Live numbers come from the latest recompute, say when it ran, and the page polls for a newer one.
    live = live_results([store] if store else stores, now=now) if day is None else {}
    if day is None:
        latest = max((found.computed_at for found in live.values() if found.computed_at), default=None)
        context["poll_url"] = reverse("metrics:health_poll") + "?" + urlencode(
            {**({"store": store.code} if store else {}), "known": latest.timestamp() if latest else 0})
        context["poll_seconds"] = settings.METRICS_POLL_SECONDS
    if store is not None:
        as_of = resolve_as_of(day, store.tz, now)
        board = store_board(store, as_of=as_of, day=day, live=live.get(store.pk))
        context.update(board=board, as_of=as_of)
    else:
        rows = [overview_row(s, as_of=resolve_as_of(day, s.tz, now), day=day, live=live.get(s.pk)) for s in stores]
        context.update(columns=overview_columns(), overview=rows)
    return context


@login_required
@require_GET
def health_view(request: HttpRequest) -> HttpResponse:
    context = health_context(request, now=timezone.now())
    return render_page(request, "metrics/health.html", "health-board", context)


@login_required
@require_GET
def health_poll_view(request: HttpRequest) -> HttpResponse:
    """204 while nothing newer than ``known`` was computed; the refreshed board once a live recompute lands."""
    stores = store_list(user=request.user)
    code = request.GET.get("store") or ""
    if code:
        stores = stores.filter(code=code)
    try:
        known = datetime.fromtimestamp(float(request.GET.get("known") or 0), tz=UTC)
    except (ValueError, OverflowError, OSError):
        known = datetime.fromtimestamp(0, tz=UTC)
    latest = latest_live_computed_at(stores)
    if latest is None or latest <= known:
        response = HttpResponse(status=204)
    else:
        context = health_context(request, now=timezone.now())
        response = render(request, "metrics/health.html#health-board", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
