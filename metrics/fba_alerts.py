"""FBA inventory alerts: tell the recipients of a store's alert rules, once per crossing, when an index part leaves
its target or when SKUs will stock out before a restock could arrive.

The same rules, states and notifications as the metrics' alerts (``metrics.alerts``): each active rule watching
the store remembers, per FBA check (``fba_<part>``, ``fba_stockout``), the band it last saw, so a part that stays
off target notifies once and one that comes back is armed again. Checked daily, after the reports are in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.models import Store
from fulfillment.fba.parts import PART_DEFINITIONS
from fulfillment.fba_health import fba_restock_plan
from fulfillment.models import FbaAccountSnapshot, FbaStoreDay

from .alerts import _rules_for
from .models import AlertState, Notification, Status

PREFIX = "fba_"
STOCKOUT = "fba_stockout"
CHANNEL = "AFN"
#: SKUs named in a stock-out notification.
NAMED = 5


def is_fba_check(metric: str) -> bool:
    return metric.startswith(PREFIX)


@dataclass(frozen=True)
class FbaCheck:
    key: str
    bad: bool
    numerator: int
    denominator: int
    rate: Decimal | None
    message: str


def _checks(store: Store, day: FbaStoreDay) -> list[FbaCheck]:
    checks = []
    for key, definition in PART_DEFINITIONS.items():
        pair = day.parts.get(str(key))
        if not pair or not Decimal(pair[1]):
            continue
        numerator, denominator = Decimal(pair[0]), Decimal(pair[1])
        value = numerator / denominator
        shown = f"{(value * 100).quantize(Decimal('0.1'))} %" if definition.unit == "ratio" \
            else str(value.quantize(Decimal("0.01")))
        checks.append(FbaCheck(
            key=f"{PREFIX}{key}", bad=not definition.meets_target(value), numerator=round(numerator),
            denominator=round(denominator), rate=value.quantize(Decimal("0.000001")),
            message=_("%(store)s: FBA %(part)s is %(value)s, off its target (%(target)s), on %(day)s.") % {
                "store": store.code, "part": definition.name, "value": shown, "target": definition.target_label,
                "day": day.day.isoformat()}))
    account = FbaAccountSnapshot.objects.filter(store=store, day__lte=day.day).order_by("-day").first()
    plan, _by_sku = fba_restock_plan(store=store, day=day.day, account=account)
    late = [s for s in plan if s.late and s.quantity > 0]
    checks.append(FbaCheck(
        key=STOCKOUT, bad=bool(late), numerator=len(late), denominator=len(plan), rate=None,
        message=_("%(store)s: %(count)s FBA SKUs will run out before a restock can arrive: %(skus)s.") % {
            "store": store.code, "count": len(late),
            "skus": ", ".join(f"{s.sku} ({s.stockout_on.isoformat() if s.stockout_on else '—'})"
                              for s in late[:NAMED])}))
    return checks


def fba_alerts_check(*, store: Store, at: datetime) -> list[Notification]:
    """Notify once per crossing for ``store``'s latest FBA day; return the notifications made."""
    day = FbaStoreDay.objects.filter(store=store).order_by("-day").first()
    rules = _rules_for(store)
    if day is None or not rules:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        checks = _checks(store, day)
    states = {(s.rule_id, s.metric): s for s in AlertState.objects.filter(rule__in=rules, store=store,
                                                                            metric__startswith=PREFIX)}
    notified: dict[tuple[int, str], Notification] = {}
    for rule in rules:
        for check in checks:
            band = Status.RED if check.bad else Status.GREEN
            state = states.get((rule.pk, check.key))
            before = state.band if state else Status.GREEN
            if state is None:
                AlertState.objects.create(rule=rule, store=store, metric=check.key, channel=CHANNEL, window_days=0,
                                          band=band, changed_at=at)
            elif state.band != band:
                state.band, state.changed_at = band, at
                state.save(update_fields=["band", "changed_at"])
            if band != Status.RED or before == Status.RED:
                continue
            for user in rule.recipients.all():
                notified.setdefault((user.pk, check.key), Notification(
                    user=user, store=store, rule=rule, metric=check.key, channel=CHANNEL, window_days=0,
                    level=Status.RED, numerator=check.numerator, denominator=check.denominator,
                    rate=check.rate, message=check.message, created_at=at))
    return Notification.objects.bulk_create(notified.values())
