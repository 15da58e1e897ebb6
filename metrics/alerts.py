"""Alert rules and notifications: tell the right people, once per crossing, when a metric enters amber or red.

A rule remembers, per store and result, the band it last saw (``AlertState``). A recompute that finds a
result in a worse band than that, at or past the rule's band, notifies; any change is remembered, so a
metric that stays amber notifies once, and one that goes back to green (or to amber, for a red-only rule)
is armed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.background import IMPORT_RUN_TASK, METRICS_RECOMPUTE_TASK
from core.errors import ApplicationError
from core.models import DeferredTask, Membership, Store
from core.permissions import allowed_roles, has_role, permitted_stores
from core.selectors import scoped
from core.timefmt import format_time
from fulfillment.order_facts import OrderFactsDrift
from support.deadlines import CLAIM_ALERT_BEFORE
from support.models import Claim

from .definitions import DEFINITIONS, Direction, MetricDefinition, MetricKey
from .engine import Result
from .models import AlertBand, AlertRule, AlertState, Breach, Notification, Status
from .selectors import breach_list

#: The permission to keep alert rules, in ``core.permissions``: the people who answer for account health.
ALERT_PERMISSION = "alert.set"
LEVELS: dict[str, int] = {Status.NONE: 0, Status.GREEN: 0, Status.AMBER: 1, Status.RED: 2}
BAND_LEVELS: dict[str, int] = {AlertBand.AMBER: 1, AlertBand.RED: 2}
CHANNEL_NAMES = {"MFN": gettext_lazy("seller-fulfilled"), "AFN": gettext_lazy("Amazon-fulfilled"), "ALL": ""}


# --- Wording shared by notifications, e-mails and the pages ----------------------------------------------


def rate_percent(rate: Decimal | None) -> str:
    """A rate as a percentage, truncated so that it never looks inside a target it is not ("4.12")."""
    if rate is None:
        return "—"
    text = f"{(rate * 100).quantize(Decimal('0.01'), rounding=ROUND_DOWN):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def result_title(metric: str, channel: str, window_days: int) -> str:
    """"Late Shipment Rate · seller-fulfilled · 10 days"."""
    definition = DEFINITIONS[MetricKey(metric)]
    days = ngettext("%(days)d day", "%(days)d days", window_days) % {"days": window_days}
    parts = [str(definition.name), str(CHANNEL_NAMES.get(channel, channel)), days]
    return " · ".join(part for part in parts if part)


def target_text(definition: MetricDefinition) -> str:
    target = f"{rate_percent(definition.target)} %"
    if definition.direction is Direction.CEILING:
        return _("target < %(target)s") % {"target": target}
    return _("target ≥ %(target)s") % {"target": target}


def reported_results_q() -> Q:
    """The results the dashboard shows, as a filter on rows with ``metric`` and ``channel``."""
    shown = Q()
    for definition in DEFINITIONS.values():
        shown |= Q(metric=definition.key.value, channel__in=definition.reported_channels)
    return shown


def notification_text(*, store_code: str, metric: str, channel: str, window_days: int, level: str,
                      rate: Decimal | None, numerator: int, denominator: int) -> str:
    definition = DEFINITIONS[MetricKey(metric)]
    values = {"store": store_code, "metric": result_title(metric, channel, window_days),
              "rate": rate_percent(rate), "numerator": numerator, "denominator": denominator,
              "target": target_text(definition)}
    if level == Status.RED:
        return _("%(store)s: %(metric)s is in breach at %(rate)s %% (%(numerator)s of %(denominator)s; "
                 "%(target)s).") % values
    return _("%(store)s: %(metric)s is at risk at %(rate)s %% (%(numerator)s of %(denominator)s; "
             "%(target)s).") % values


def claim_deadline_text(*, store: Store, order_id: str, respond_by: datetime) -> str:
    return _("%(store)s: the A-to-z claim on order %(order)s must be answered by %(at)s, less than 24 hours "
             "from now.") % {"store": store.code, "order": order_id, "at": format_time(respond_by, tz=store.tz)}


#: The prefix of a notification about our figure differing from Amazon's own (``spapi.reconciliation.alerts``).
RECONCILIATION_PREFIX = "reconcile_"


def notification_message(notification: Notification) -> str:
    """The notification's text in the active language (the stored ``message`` is in the site's language); a
    notification of a check other than a metric's band (FBA inventory, ``metrics.fba_alerts``; a difference from
    Amazon's figure, ``spapi.reconciliation.alerts``) keeps its stored text."""
    if notification.metric.startswith(("fba_", RECONCILIATION_PREFIX)):
        return notification.message
    if notification.kind == Notification.Kind.CLAIM_DEADLINE:
        claim = notification.claim
        if claim is None or claim.respond_by is None:
            return notification.message
        return claim_deadline_text(store=notification.store, order_id=claim.order.amazon_order_id,
                                   respond_by=claim.respond_by)
    return notification_text(store_code=notification.store.code, metric=notification.metric,
                             channel=notification.channel, window_days=notification.window_days,
                             level=notification.level, rate=notification.rate,
                             numerator=notification.numerator, denominator=notification.denominator)


# --- Who may keep rules, and for which stores -------------------------------------------------------------


def alert_stores(*, user: User | AnonymousUser) -> QuerySet[Store]:
    """The stores in which ``user`` may keep alert rules."""
    return permitted_stores(user=user, permission=ALERT_PERMISSION)


def can_keep_alerts(*, user: User | AnonymousUser) -> bool:
    """Whether ``user`` may keep alert rules in at least one store."""
    return has_role(user=user, permission=ALERT_PERMISSION)


def alert_recipient_choices(*, user: User) -> QuerySet:
    """The people a rule of ``user`` may notify: members of the stores ``user`` keeps alerts for."""
    User = get_user_model()
    return (User.objects.filter(Q(pk=user.pk) | Q(memberships__store__in=alert_stores(user=user)))
            .filter(is_active=True).distinct().order_by("username"))


def alert_rule_list(*, user: User) -> QuerySet[AlertRule]:
    recipients = Prefetch("recipients", queryset=get_user_model().objects.order_by("username"))
    return (AlertRule.objects.filter(owner=user).select_related("store").prefetch_related(recipients)
            .order_by("store__code", "metric", "channel", "window_days", "id"))


@dataclass(frozen=True)
class AlertRuleData:
    metric: str
    band: str
    store: Store | None = None
    channel: str = ""
    window_days: int | None = None
    recipients: list = field(default_factory=list)
    email: bool = True
    is_active: bool = True


def _validate(*, owner: User, data: AlertRuleData) -> None:
    if not can_keep_alerts(user=owner):
        raise ApplicationError(_("Only managers and admins keep alert rules."))
    try:
        definition = DEFINITIONS[MetricKey(data.metric)]
    except ValueError:
        raise ApplicationError(_("Unknown metric.")) from None
    if data.channel and data.channel not in definition.reported_channels:
        raise ApplicationError(_("%(metric)s is not reported for that channel.") % {"metric": definition.name})
    if data.window_days is not None and data.window_days not in definition.window_days:
        raise ApplicationError(_("%(metric)s has no %(days)d-day window.") % {
            "metric": definition.name, "days": data.window_days})
    if data.band not in AlertBand.values:
        raise ApplicationError(_("Choose when to notify."))
    stores = alert_stores(user=owner)
    if data.store is not None and not stores.filter(pk=data.store.pk).exists():
        raise ApplicationError(_("You do not manage store %(store)s.") % {"store": data.store.code})
    if not data.recipients:
        raise ApplicationError(_("Choose at least one recipient."))
    allowed = set(alert_recipient_choices(user=owner).values_list("pk", flat=True))
    strangers = [str(user) for user in data.recipients if user.pk not in allowed]
    if strangers:
        raise ApplicationError(_("Not a member of your stores: %(users)s.") % {"users": ", ".join(strangers)})


def _write(rule: AlertRule, data: AlertRuleData) -> AlertRule:
    rule.store, rule.metric, rule.channel, rule.window_days = data.store, data.metric, data.channel, data.window_days
    rule.band, rule.email, rule.is_active = data.band, data.email, data.is_active
    rule.save()
    rule.recipients.set(data.recipients)
    return rule


@transaction.atomic
def alert_rule_create(*, owner: User, data: AlertRuleData) -> AlertRule:
    """Create a rule of ``owner``'s; it fires at the next recompute if the metric is already in its band."""
    _validate(owner=owner, data=data)
    return _write(AlertRule(owner=owner), data)


@transaction.atomic
def alert_rule_update(*, rule: AlertRule, actor: User, data: AlertRuleData) -> AlertRule:
    """Change a rule; what it watches may have changed, so it forgets the bands it saw and is armed again."""
    rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
    if rule.owner_id != actor.pk:
        raise ApplicationError(_("Only the owner of an alert rule may change it."))
    _validate(owner=actor, data=data)
    rule.states.all().delete()
    return _write(rule, data)


@transaction.atomic
def alert_rule_delete(*, rule: AlertRule, actor: User) -> None:
    if rule.owner_id != actor.pk:
        raise ApplicationError(_("Only the owner of an alert rule may delete it."))
    rule.delete()


# --- Evaluation, after each live recompute ------------------------------------------------------------------


def _rules_for(store: Store) -> list[AlertRule]:
    """Active rules watching ``store``: its own and all-store rules, of owners who keep alerts in ``store``.

    The role counts per store: an all-store rule of someone who manages one store and is a support agent in
    another watches only the first, and a rule whose owner no longer keeps alerts in its store is silent.
    """
    keeps_alerts = Membership.objects.filter(user=OuterRef("owner"), store=store,
                                             role__in=allowed_roles(ALERT_PERMISSION))
    sees_store = Membership.objects.filter(user=OuterRef("pk"), store=store)
    recipients = (get_user_model().objects.filter(is_active=True)
                  .filter(Q(is_superuser=True) | Exists(sees_store)).order_by("pk"))
    return list(
        AlertRule.objects.filter(is_active=True)
        .filter(Q(store=store) | Q(store__isnull=True))
        .filter(Q(owner__is_superuser=True) | Exists(keeps_alerts))
        .prefetch_related(Prefetch("recipients", queryset=recipients))
        .order_by("pk")
    )


def alert_rules_for_store(*, store: Store) -> list[AlertRule]:
    """The active rules watching ``store`` (see ``_rules_for``), their recipients read: for checks of other apps."""
    return _rules_for(store)


def _watches(rule: AlertRule, result: Result) -> bool:
    if rule.metric != result.metric:
        return False
    if rule.channel:
        if rule.channel != result.channel:
            return False
    elif result.channel not in result.definition.reported_channels:
        return False
    return rule.window_days is None or rule.window_days == result.window_days


@dataclass
class _Crossing:
    result: Result
    level: str
    rules: list[AlertRule] = field(default_factory=list)


def alerts_evaluate(*, store: Store, results: Iterable[Result], at: datetime,
                    breaches: dict[tuple[str, str, int], Breach] | None = None) -> list[Notification]:
    """Notify the recipients of every rule for which a result of ``store`` entered its band at ``at``.

    One notification per person and result, however many of their rules fired; one e-mail per result to
    the recipients of the rules that ask for e-mail, sent after the transaction commits.
    """
    rules = _rules_for(store)
    if not rules:
        return []
    breaches = breaches or {}
    states = {(s.rule_id, s.metric, s.channel, s.window_days): s
              for s in AlertState.objects.filter(rule__in=rules, store=store)}
    new_states: list[AlertState] = []
    changed: list[AlertState] = []
    crossings: dict[tuple[str, str, int], _Crossing] = {}
    results = list(results)
    for rule in rules:
        for result in results:
            if not _watches(rule, result) or result.status == Status.NONE:
                continue
            state = states.get((rule.pk, *result.key))
            before = state.band if state else Status.GREEN
            now_level = LEVELS[result.status]
            if now_level > LEVELS[before] and now_level >= BAND_LEVELS[rule.band]:
                crossing = crossings.setdefault(result.key, _Crossing(result, result.status))
                crossing.rules.append(rule)
            if state is None:
                new_states.append(AlertState(rule=rule, store=store, metric=result.metric, channel=result.channel,
                                             window_days=result.window_days, band=result.status, changed_at=at))
            elif state.band != result.status:
                state.band, state.changed_at = result.status, at
                changed.append(state)
    AlertState.objects.bulk_create(new_states)
    AlertState.objects.bulk_update(changed, ["band", "changed_at"])
    notifications = []
    for key, crossing in crossings.items():
        notifications += _notify(store=store, crossing=crossing, at=at, breach=breaches.get(key))
    return notifications


def _notify(*, store: Store, crossing: _Crossing, at: datetime, breach: Breach | None) -> list[Notification]:
    result = crossing.result
    with translation.override(settings.LANGUAGE_CODE):
        message = notification_text(store_code=store.code, metric=result.metric, channel=result.channel,
                                    window_days=result.window_days, level=crossing.level, rate=result.rate,
                                    numerator=result.numerator, denominator=result.denominator)
        subject = _("[SellerOps] %(store)s: %(metric)s %(status)s") % {
            "store": store.code, "metric": result_title(result.metric, result.channel, result.window_days),
            "status": Status(crossing.level).label}
        link = settings.SITE_URL.rstrip("/") + (
            reverse("metrics:breach_detail", args=[breach.pk]) if breach else reverse("metrics:health")
            + f"?store={store.code}")
        body = "\n\n".join([message, _("Open: %(link)s") % {"link": link},
                            _("You receive this because an alert rule names you as a recipient.")])
    users: dict[int, User] = {}
    emails: set[str] = set()
    rule_of: dict[int, AlertRule] = {}
    for rule in crossing.rules:
        for user in rule.recipients.all():
            users.setdefault(user.pk, user)
            rule_of.setdefault(user.pk, rule)
            if rule.email and user.email:
                emails.add(user.email)
    notifications = Notification.objects.bulk_create([
        Notification(user=user, store=store, rule=rule_of[pk], breach=breach, metric=result.metric,
                     channel=result.channel, window_days=result.window_days, level=crossing.level,
                     numerator=result.numerator, denominator=result.denominator, rate=result.rate,
                     message=message, created_at=at)
        for pk, user in users.items()
    ])
    if emails:
        recipients = sorted(emails)
        # A mail server that is down must not undo the recompute: the failure is logged, the notifications stay.
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients), robust=True)
    return notifications


# --- Order facts that drifted (fulfillment.order_facts) ------------------------------------------------------


def order_facts_drift_alert(sender: object, *, drift: OrderFactsDrift, at: datetime, **kwargs: object) -> None:
    """E-mail the site's superusers that stored order facts differ from their rows: the metrics read them.

    Receiver of ``fulfillment.signals.order_facts_drifted``. Superusers, because only someone who can run
    ``manage.py verify_order_facts --fix`` on the server can repair them; the stores' managers see the metrics
    right again after the repair's recompute.
    """
    recipients = sorted(get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
                        .values_list("email", flat=True))
    if not recipients:
        return
    stores = ", ".join(Store.objects.filter(pk__in=drift.store_ids).order_by("code").values_list("code", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[SellerOps] Stored order facts differ from their orders and shipments")
        lines = [_("The account-health metrics read facts that the database keeps beside each order and shipment. "
                   "The check at %(at)s found some that differ from the rows they are kept from.")
                 % {"at": format_time(at, tz=UTC, style="year")}]
        if drift.rows:
            lines += [
                _("Orders whose first ship confirmation differs from their shipments': %(count)s")
                % {"count": drift.orders},
                _("Shipments whose copy of their order's channel or deliver-by date differs: %(count)s")
                % {"count": drift.shipments},
                _("The metrics of these stores may be wrong until they are repaired: %(stores)s") % {"stores": stores},
                _("First orders concerned: %(orders)s") % {"orders": ", ".join(
                    f"{order.store} {order.amazon_order_id} (id {order.id})" for order in drift.shown)},
            ]
        if drift.missing_triggers:
            lines.append(_("Database triggers missing or disabled, so the facts will drift again: %(triggers)s")
                         % {"triggers": ", ".join(drift.missing_triggers)})
        lines += [_("On the server, `manage.py verify_order_facts` lists them and `manage.py verify_order_facts "
                    "--fix` repairs them."),
                  _("You receive this because you are a superuser of SellerOps.")]
    body = "\n\n".join(lines)
    # A mail server that is down must not fail the check: the failure is logged, the error line stays.
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients), robust=True)


# --- Notifications ------------------------------------------------------------------------------------------


def notification_list(*, user: User) -> QuerySet[Notification]:
    return (Notification.objects.filter(user=user).select_related("store", "claim__order")
            .order_by("-created_at", "-id"))


# --- A-to-z claims near their response deadline ---------------------------------------------------------------

#: Who is told that a claim's deadline is near: those who may respond to it (``core.permissions``).
CLAIM_PERMISSION = "claim.respond"


def claims_near_deadline(*, now: datetime) -> QuerySet[Claim]:
    """Open, unanswered A-to-z claims with less than ``CLAIM_ALERT_BEFORE`` left, not yet alerted."""
    alerted = Notification.objects.filter(kind=Notification.Kind.CLAIM_DEADLINE, claim=OuterRef("pk"))
    return (Claim.objects.filter(kind=Claim.Kind.A_TO_Z, status=Claim.Status.OPEN, responded_at__isnull=True,
                                 respond_by__gt=now, respond_by__lte=now + CLAIM_ALERT_BEFORE)
            .exclude(Exists(alerted)).select_related("store", "order").order_by("respond_by", "pk"))


@transaction.atomic
def claim_deadline_alerts(*, now: datetime) -> list[Notification]:
    """Tell the people of each claim's store who may respond to it that less than 24 hours remain, once per claim.

    In the app, and by e-mail to those with an address, after the commit. Safe to run as often as wanted: a
    claim already told is never told again (and the database refuses a second notification per person).
    """
    notifications: list[Notification] = []
    for claim in claims_near_deadline(now=now):
        assert claim.respond_by is not None  # filtered on
        members = Membership.objects.filter(store=claim.store, role__in=allowed_roles(CLAIM_PERMISSION),
                                            user__is_active=True).select_related("user").order_by("user_id")
        users = list({m.user_id: m.user for m in members}.values())
        if not users:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            message = claim_deadline_text(store=claim.store, order_id=claim.order.amazon_order_id,
                                          respond_by=claim.respond_by)
            subject = _("[SellerOps] %(store)s: A-to-z claim on %(order)s due within 24 hours") % {
                "store": claim.store.code, "order": claim.order.amazon_order_id}
            link = settings.SITE_URL.rstrip("/") + reverse("support:claim", args=[claim.pk])
            body = "\n\n".join([message, _("Open: %(link)s") % {"link": link},
                                 _("You receive this because you answer A-to-z claims for this store.")])
        created = Notification.objects.bulk_create([
            Notification(user=user, store=claim.store, kind=Notification.Kind.CLAIM_DEADLINE, claim=claim,
                         level=Status.AMBER, message=message, created_at=now) for user in users
        ], ignore_conflicts=True)
        notifications += created
        emails = sorted({user.email for user in users if user.email})
        if emails:
            transaction.on_commit(partial(send_mail, subject, body, None, emails), robust=True)
    return notifications


def notification_mark_read(*, user: User, at: datetime, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notifications read, or all of them; return how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=at)


# --- What every page's top bar needs, in one query -----------------------------------------------------------


@dataclass(frozen=True)
class HealthSummary:
    unread: int
    open_breaches: int
    newest: dict | None  # the newest open breach: id, metric, channel, window_days, opened_at, store code
    # Background work the broker refused in the user's stores (core.background): since when, and what.
    paused_since: datetime | None = None
    paused_recomputes: int = 0
    paused_imports: int = 0

    @property
    def newest_title(self) -> str:
        if not self.newest:
            return ""
        return result_title(self.newest["metric"], self.newest["channel"], self.newest["window_days"])


def _count(queryset: QuerySet) -> Subquery:
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


def health_summary(*, user: User | AnonymousUser) -> HealthSummary:
    """Unread notifications and the open breaches of ``user``'s stores, in one query on the user's row."""
    if not user.is_authenticated:
        return HealthSummary(0, 0, None)
    open_breaches = breach_list(user=user, open_only=True).filter(reported_results_q())
    newest = open_breaches.order_by("-opened_at", "-pk")
    fields = {"id": "pk", "metric": "metric", "channel": "channel", "window_days": "window_days",
              "opened_at": "opened_at", "store": "store__code"}
    annotations = {f"newest_{name}": Subquery(newest.values(path)[:1]) for name, path in fields.items()}
    annotations["open_count"] = _count(open_breaches)
    annotations["unread_count"] = _count(Notification.objects.filter(user=user, read_at__isnull=True))
    owed = scoped(DeferredTask.objects.all(), user=user)
    annotations["paused_since"] = Subquery(owed.order_by("since").values("since")[:1])
    annotations["paused_recomputes"] = _count(owed.filter(task=METRICS_RECOMPUTE_TASK))
    annotations["paused_imports"] = _count(owed.filter(task=IMPORT_RUN_TASK))
    row = get_user_model().objects.filter(pk=user.pk).annotate(**annotations).values(*annotations).first()
    if row is None:
        return HealthSummary(0, 0, None)
    newest_row = {name: row[f"newest_{name}"] for name in fields} if row["newest_id"] else None
    return HealthSummary(unread=row["unread_count"] or 0, open_breaches=row["open_count"] or 0, newest=newest_row,
                         paused_since=row["paused_since"], paused_recomputes=row["paused_recomputes"] or 0,
                         paused_imports=row["paused_imports"] or 0)
