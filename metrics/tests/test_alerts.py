"""Alert rules: once per crossing, the right recipients in the app and by e-mail, roles, notifications page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from metrics.alerts import AlertRuleData, alert_rule_create, alert_rule_update, health_summary
from metrics.models import AlertBand, AlertRule, Breach, Notification
from metrics.services import metrics_recompute
from metrics.windows import local_midnight
from orders.models import Order
from tests.factories import MembershipFactory, OrderFactory, ShipmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(store):
    user = UserFactory(username="manager", email="manager@example.com")
    MembershipFactory(user=user, store=store, role="manager")
    return user


@pytest.fixture
def colleague(store):
    user = UserFactory(username="colleague", email="colleague@example.com")
    MembershipFactory(user=user, store=store, role="operator")
    return user


def set_lsr(store, *, late: int, on_time: int) -> None:
    """Replace the store's orders by MFN orders due two days ago: ``late`` never confirmed, ``on_time`` in time."""
    Order.objects.filter(store=store).delete()
    due = local_midnight(timezone.now().astimezone(store.tz).date(), store.tz) - timedelta(days=2, hours=-14)
    for _ in range(late):
        OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
    for _ in range(on_time):
        order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
        ShipmentFactory(order=order, store=store, shipped_at=due - timedelta(hours=3),
                        first_scan_at=due - timedelta(hours=1))


GREEN, AMBER, RED = {"late": 0, "on_time": 50}, {"late": 3, "on_time": 97}, {"late": 5, "on_time": 95}


def recompute(store, capture) -> list[Notification]:
    """A live recompute with its on-commit work (the e-mails) run; the notifications it created."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with capture(execute=True):
        metrics_recompute(store=store)
    return list(Notification.objects.exclude(pk__in=before).order_by("user__username", "level"))


def rule(owner, *, store=None, band=AlertBand.AMBER, recipients=None, **extra) -> AlertRule:
    data = AlertRuleData(metric="lsr", channel="MFN", window_days=10, band=band, store=store,
                         recipients=recipients or [owner], **extra)
    return alert_rule_create(owner=owner, data=data)


def test_an_alert_fires_once_per_crossing(store, manager, colleague, django_capture_on_commit_callbacks):
    rule(manager, store=store, band=AlertBand.AMBER, recipients=[manager])
    rule(manager, store=store, band=AlertBand.RED, recipients=[colleague])

    set_lsr(store, **GREEN)
    assert recompute(store, django_capture_on_commit_callbacks) == []

    set_lsr(store, **AMBER)  # green → amber: the amber rule fires
    fired = recompute(store, django_capture_on_commit_callbacks)
    assert [(n.user, n.level) for n in fired] == [(manager, "amber")]
    assert fired[0].numerator == 3 and fired[0].denominator == 100 and fired[0].breach is None
    assert "ACME-US: Late Shipment Rate · seller-fulfilled · 10 days is at risk at 3 %" in fired[0].message

    assert recompute(store, django_capture_on_commit_callbacks) == []  # amber → amber: nothing

    set_lsr(store, **RED)  # amber → red: the red rule fires, and the amber rule, whose band got worse
    fired = recompute(store, django_capture_on_commit_callbacks)
    assert [(n.user, n.level) for n in fired] == [(colleague, "red"), (manager, "red")]
    breach = Breach.objects.get(resolved_at__isnull=True, window_days=10)
    assert {n.breach for n in fired} == {breach}

    assert recompute(store, django_capture_on_commit_callbacks) == []  # red → red: nothing

    set_lsr(store, **GREEN)  # back to green re-arms both rules
    assert recompute(store, django_capture_on_commit_callbacks) == []
    set_lsr(store, **AMBER)
    assert [(n.user, n.level) for n in recompute(store, django_capture_on_commit_callbacks)] == [
        (manager, "amber")]
    set_lsr(store, **RED)
    assert len(recompute(store, django_capture_on_commit_callbacks)) == 2


def test_a_red_rule_fires_again_after_a_dip_into_amber(store, manager, django_capture_on_commit_callbacks):
    rule(manager, store=store, band=AlertBand.RED)
    set_lsr(store, **RED)
    assert len(recompute(store, django_capture_on_commit_callbacks)) == 1
    set_lsr(store, **AMBER)
    assert recompute(store, django_capture_on_commit_callbacks) == []
    set_lsr(store, **RED)  # a new breach: a new crossing
    assert len(recompute(store, django_capture_on_commit_callbacks)) == 1


def test_email_goes_to_the_recipients_once_per_crossing(store, manager, colleague,
                                                        django_capture_on_commit_callbacks):
    rule(manager, store=store, recipients=[manager, colleague])
    set_lsr(store, **AMBER)
    fired = recompute(store, django_capture_on_commit_callbacks)
    assert {n.user for n in fired} == {manager, colleague}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["colleague@example.com", "manager@example.com"]
    assert "ACME-US" in message.subject and "Late Shipment Rate" in message.subject
    assert "3 %" in message.body and "/health/?store=ACME-US" in message.body
    recompute(store, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    set_lsr(store, **RED)
    recompute(store, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    breach = Breach.objects.get(window_days=10)
    assert reverse("metrics:breach_detail", args=[breach.pk]) in mail.outbox[1].body


def test_no_email_when_the_rule_asks_for_none(store, manager, django_capture_on_commit_callbacks):
    rule(manager, store=store, email=False)
    set_lsr(store, **AMBER)
    assert len(recompute(store, django_capture_on_commit_callbacks)) == 1
    assert mail.outbox == []


def test_nothing_for_an_inactive_rule_or_another_store(store, other_store, manager,
                                                       django_capture_on_commit_callbacks):
    MembershipFactory(user=manager, store=other_store, role="manager")
    rule(manager, store=store, is_active=False)
    rule(manager, store=other_store)
    set_lsr(store, **RED)
    assert recompute(store, django_capture_on_commit_callbacks) == []
    assert mail.outbox == []


def test_an_all_stores_rule_watches_only_the_owners_stores(store, other_store, manager,
                                                           django_capture_on_commit_callbacks):
    rule(manager, store=None)
    set_lsr(other_store, **RED)  # not the manager's store
    assert recompute(other_store, django_capture_on_commit_callbacks) == []
    set_lsr(store, **RED)
    assert [n.store for n in recompute(store, django_capture_on_commit_callbacks)] == [store]


def test_an_all_stores_rule_fires_only_where_its_owner_keeps_alerts(store, other_store, manager,
                                                                     django_capture_on_commit_callbacks):
    # A manager of one store who answers buyers as a support agent in another.
    MembershipFactory(user=manager, store=other_store, role="agent")
    rule(manager, store=None)
    set_lsr(other_store, **RED)
    assert recompute(other_store, django_capture_on_commit_callbacks) == []
    assert mail.outbox == []
    set_lsr(store, **RED)
    assert [n.store for n in recompute(store, django_capture_on_commit_callbacks)] == [store]


def test_a_rule_is_silent_once_its_owner_no_longer_keeps_alerts_in_its_store(store, manager,
                                                                             django_capture_on_commit_callbacks):
    rule(manager, store=store)
    manager.memberships.filter(store=store).update(role="agent")
    set_lsr(store, **RED)
    assert recompute(store, django_capture_on_commit_callbacks) == []


def test_a_rule_without_window_watches_every_window(store, manager, django_capture_on_commit_callbacks):
    alert_rule_create(owner=manager, data=AlertRuleData(metric="lsr", band=AlertBand.AMBER, store=store,
                                                        recipients=[manager]))
    set_lsr(store, **AMBER)  # the orders are in both the 10- and the 30-day window
    fired = recompute(store, django_capture_on_commit_callbacks)
    assert sorted(n.window_days for n in fired) == [10, 30]
    assert len(mail.outbox) == 2


def test_a_recipient_who_left_the_store_is_not_told(store, manager, colleague, django_capture_on_commit_callbacks):
    rule(manager, store=store, recipients=[manager, colleague])
    colleague.memberships.all().delete()
    set_lsr(store, **AMBER)
    assert [n.user for n in recompute(store, django_capture_on_commit_callbacks)] == [manager]
    assert mail.outbox[0].to == ["manager@example.com"]


def test_recomputing_a_past_instant_never_alerts(store, manager, django_capture_on_commit_callbacks):
    rule(manager, store=store)
    set_lsr(store, **RED)
    with django_capture_on_commit_callbacks(execute=True):
        metrics_recompute(store=store, as_of=timezone.now() - timedelta(minutes=5))
    assert not Notification.objects.exists() and mail.outbox == []


def test_editing_a_rule_rearms_it(store, manager, django_capture_on_commit_callbacks):
    r = rule(manager, store=store)
    set_lsr(store, **AMBER)
    assert len(recompute(store, django_capture_on_commit_callbacks)) == 1
    alert_rule_update(rule=r, actor=manager, data=AlertRuleData(
        metric="lsr", channel="MFN", window_days=10, band=AlertBand.AMBER, store=store, recipients=[manager]))
    assert len(recompute(store, django_capture_on_commit_callbacks)) == 1


def test_rules_are_validated(store, other_store, manager, colleague):
    def data(**overrides):
        values = {"metric": "lsr", "band": AlertBand.AMBER, "store": store, "recipients": [manager]}
        return AlertRuleData(**{**values, **overrides})

    with pytest.raises(ApplicationError, match="not reported for that channel"):
        alert_rule_create(owner=manager, data=data(channel="AFN"))
    with pytest.raises(ApplicationError, match="no 7-day window"):
        alert_rule_create(owner=manager, data=data(window_days=7))
    with pytest.raises(ApplicationError, match="do not manage store OTHER-DE"):
        alert_rule_create(owner=manager, data=data(store=other_store))
    stranger = UserFactory(username="stranger")
    with pytest.raises(ApplicationError, match="stranger"):
        alert_rule_create(owner=manager, data=data(recipients=[stranger]))
    with pytest.raises(ApplicationError, match="Only managers"):
        alert_rule_create(owner=colleague, data=data())
    assert not AlertRule.objects.exists()


# --- Pages ---------------------------------------------------------------------------------------------------

ALERTS = "/health/alerts/"


def form_data(**overrides) -> dict:
    return {"store": "", "metric": "lsr", "channel": "MFN", "window_days": "10", "band": "amber",
            "email": "on", "is_active": "on", **overrides}


def test_a_manager_creates_edits_and_deletes_their_rules(client, store, manager, colleague):
    client.force_login(manager)
    page = client.get(ALERTS)
    assert page.status_code == 200 and "New alert rule" in page.content.decode()
    response = client.post(ALERTS, form_data(store=store.pk, recipients=[manager.pk, colleague.pk]))
    assert response.status_code == 302
    created = AlertRule.objects.get()
    assert (created.owner, created.store, created.metric, created.window_days, created.band) == (
        manager, store, "lsr", 10, "amber")
    assert set(created.recipients.all()) == {manager, colleague}
    html = client.get(ALERTS).content.decode()
    assert "Late Shipment Rate · seller-fulfilled · 10 days" in html and "colleague, manager" in html

    response = client.post(reverse("metrics:alert_edit", args=[created.pk]),
                           form_data(store=store.pk, band="red", recipients=[manager.pk]))
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.band == "red" and list(created.recipients.all()) == [manager]

    assert client.post(reverse("metrics:alert_delete", args=[created.pk])).status_code == 302
    assert not AlertRule.objects.exists()


def test_an_invalid_rule_shows_the_error_in_the_form(client, store, manager):
    client.force_login(manager)
    response = client.post(ALERTS, form_data(channel="AFN", recipients=[manager.pk]))
    assert response.status_code == 200
    assert "is not reported for that channel" in response.content.decode()
    assert not AlertRule.objects.exists()


def test_operators_cannot_keep_rules(client, store, manager, colleague):
    theirs = rule(manager, store=store)
    client.force_login(colleague)  # an operator
    assert client.get(ALERTS).status_code == 403
    assert client.post(ALERTS, form_data(store=store.pk, recipients=[colleague.pk])).status_code == 403
    assert client.post(reverse("metrics:alert_edit", args=[theirs.pk]), form_data()).status_code == 403
    assert client.post(reverse("metrics:alert_delete", args=[theirs.pk])).status_code == 403
    assert AlertRule.objects.count() == 1


def test_a_manager_cannot_touch_another_managers_rule(client, store, manager):
    other = UserFactory(username="other-manager")
    MembershipFactory(user=other, store=store, role="manager")
    theirs = rule(other, store=store)
    client.force_login(manager)
    assert client.get(reverse("metrics:alert_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("metrics:alert_delete", args=[theirs.pk])).status_code == 404
    assert AlertRule.objects.filter(pk=theirs.pk).exists()


def test_notifications_page_lists_mine_and_marks_them_read(client, store, manager, colleague,
                                                            django_capture_on_commit_callbacks):
    rule(manager, store=store, recipients=[manager])
    rule(manager, store=store, band=AlertBand.RED, recipients=[colleague])
    set_lsr(store, **AMBER)
    recompute(store, django_capture_on_commit_callbacks)
    set_lsr(store, **RED)
    recompute(store, django_capture_on_commit_callbacks)
    client.force_login(manager)
    html = client.get("/health/notifications/").content.decode()
    assert html.count('class="notification level-') == 2 and html.count("is-unread") == 2
    assert "is in breach at 5 %" in html and "is at risk at 3 %" in html
    assert 'class="bell-count">2<' in html
    breach = Breach.objects.get(window_days=10)
    assert reverse("metrics:breach_detail", args=[breach.pk]) in html

    newest = Notification.objects.filter(user=manager).first()
    client.post(reverse("metrics:notification_read", args=[newest.pk]))
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert health_summary(user=manager).unread == 1
    # Another user's notification is not mine to mark.
    theirs = Notification.objects.get(user=colleague)
    client.post(reverse("metrics:notification_read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None

    client.post(reverse("metrics:notifications_read_all"))
    html = client.get("/health/notifications/").content.decode()
    assert "is-unread" not in html and "bell-count" not in html
    assert Notification.objects.get(user=colleague).read_at is None


def test_notifications_page_in_chinese(client, store, manager, django_capture_on_commit_callbacks):
    rule(manager, store=store)
    set_lsr(store, **AMBER)
    recompute(store, django_capture_on_commit_callbacks)
    client.force_login(manager)
    html = client.get("/health/notifications/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert '<html lang="zh-hans">' in html and "ACME-US" in html
