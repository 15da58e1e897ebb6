"""A difference from Amazon's figure beyond tolerance: the people who watch that metric are told, once per difference.

The same rules, states and notifications as the metrics' own alerts (``metrics.alerts``): each active rule that
watches the metric (and the channel, if it names one) remembers per figure (``reconcile_<metric>``, channel,
window) whether it last saw it differ. A figure that keeps differing day after day notifies once; once it agrees
again (or differs only within tolerance) the rule is armed again. Only the store's newest report is checked: an
old copy reconciled again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.models import Store
from metrics.alerts import RECONCILIATION_PREFIX, alert_rules_for_store, rate_percent, result_title
from metrics.models import AlertRule, AlertState, Notification, Status

from ..models import Reconciliation


def alert_key(metric: str) -> str:
    return f"{RECONCILIATION_PREFIX}{metric}"


def _watches(rule: AlertRule, reconciliation: Reconciliation) -> bool:
    return rule.metric == reconciliation.metric and rule.channel in ("", reconciliation.channel)


def difference_text(*, store: Store, reconciliation: Reconciliation) -> str:
    r = reconciliation
    return _("%(store)s: our %(metric)s is %(ours)s %% (%(our_n)s of %(our_d)s), Amazon's %(amazon)s %% "
             "(%(amazon_n)s of %(amazon_d)s): %(points)s percentage points apart.") % {
        "store": store.code, "metric": result_title(r.metric, r.channel, r.window_days),
        "ours": rate_percent(r.our_rate), "our_n": r.our_numerator, "our_d": r.our_denominator,
        "amazon": rate_percent(r.amazon_rate), "amazon_n": "—" if r.amazon_numerator is None else r.amazon_numerator,
        "amazon_d": "—" if r.amazon_denominator is None else r.amazon_denominator,
        "points": "—" if r.points is None else f"{r.points.normalize():f}"}


def reconciliation_alerts_check(*, store: Store, reconciliations: Iterable[Reconciliation],
                                at: datetime) -> list[Notification]:
    """Notify, once per difference, the recipients of the rules watching each metric that differs from Amazon's.

    In the app; by e-mail, after the commit, to the recipients of rules that ask for it.
    """
    rules = alert_rules_for_store(store=store)
    reconciliations = list(reconciliations)
    if not rules or not reconciliations:
        return []
    keys = {alert_key(r.metric) for r in reconciliations}
    states = {(s.rule_id, s.metric, s.channel, s.window_days): s
              for s in AlertState.objects.filter(rule__in=rules, store=store, metric__in=keys)}
    notified: dict[tuple[int, int], Notification] = {}
    emails: dict[int, set[str]] = {}
    messages: dict[int, str] = {}
    for reconciliation in reconciliations:
        band = Status.RED if reconciliation.verdict == Reconciliation.Verdict.DIFFERS else Status.GREEN
        key = alert_key(reconciliation.metric)
        for rule in rules:
            if not _watches(rule, reconciliation):
                continue
            state = states.get((rule.pk, key, reconciliation.channel, reconciliation.window_days))
            before = state.band if state else Status.GREEN
            if state is None:
                AlertState.objects.create(rule=rule, store=store, metric=key, channel=reconciliation.channel,
                                          window_days=reconciliation.window_days, band=band, changed_at=at)
            elif state.band != band:
                state.band, state.changed_at = band, at
                state.save(update_fields=["band", "changed_at"])
            if band != Status.RED or before == Status.RED:
                continue
            if reconciliation.pk not in messages:
                with translation.override(settings.LANGUAGE_CODE):
                    messages[reconciliation.pk] = difference_text(store=store, reconciliation=reconciliation)
            for user in rule.recipients.all():
                notified.setdefault((user.pk, reconciliation.pk), Notification(
                    user=user, store=store, rule=rule, metric=key, channel=reconciliation.channel,
                    window_days=reconciliation.window_days, level=Status.RED,
                    numerator=reconciliation.our_numerator, denominator=reconciliation.our_denominator,
                    rate=reconciliation.our_rate, message=messages[reconciliation.pk], created_at=at))
                if rule.email and user.email:
                    emails.setdefault(reconciliation.pk, set()).add(user.email)
    created = Notification.objects.bulk_create(notified.values())
    link = settings.SITE_URL.rstrip("/") + reverse("metrics:reconciliation") + f"?store={store.code}"
    for pk, recipients in emails.items():
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("[SellerOps] %(store)s: our figure differs from Amazon's") % {"store": store.code}
            body = "\n\n".join([messages[pk], _("Open: %(link)s") % {"link": link},
                                _("You receive this because an alert rule names you as a recipient.")])
        # A mail server that is down must not undo the reconciliation: logged, the notifications stay.
        transaction.on_commit(partial(send_mail, subject, body, None, sorted(recipients)), robust=True)
    return created
