"""An A-to-z claim with less than 24 hours left to respond alerts the people who answer claims, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from metrics.alerts import claim_deadline_alerts
from metrics.models import Notification
from support.models import Claim
from tests.factories import ClaimFactory, MembershipFactory, OrderFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    store = StoreFactory(code="ACME-US", marketplace="US")
    agent = UserFactory(username="agent", email="agent@example.com")
    operator = UserFactory(username="operator", email="")
    manager = UserFactory(username="manager", email="manager@example.com")
    for user, role in ((agent, "agent"), (operator, "operator"), (manager, "manager")):
        MembershipFactory(user=user, store=store, role=role)
    return store, agent, operator, manager


def _claim(store, now, hours_left, **kwargs):
    order = OrderFactory(store=store, purchase_date=now - timedelta(days=20))
    return ClaimFactory(order=order, filed_at=now - timedelta(hours=72 - hours_left),
                        respond_by=now + timedelta(hours=hours_left), **kwargs)


def test_a_claim_under_24_hours_alerts_its_responders_once(people, django_capture_on_commit_callbacks):
    store, agent, operator, manager = people
    now = timezone.now()
    due = _claim(store, now, 20)
    _claim(store, now, 30)  # not yet
    _claim(store, now, -2)  # already overdue: too late to alert
    _claim(store, now, 10, status=Claim.Status.DENIED)
    _claim(store, now, 10, responded_at=now - timedelta(hours=1))
    _claim(store, now, 10, kind=Claim.Kind.CHARGEBACK)
    with django_capture_on_commit_callbacks(execute=True):
        sent = claim_deadline_alerts(now=now)
    assert sorted(n.user.username for n in sent) == ["agent", "operator"]
    assert {n.claim_id for n in sent} == {due.pk}
    assert all(n.kind == Notification.Kind.CLAIM_DEADLINE for n in sent)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["agent@example.com"]
    assert reverse("support:claim", args=[due.pk]) in mail.outbox[0].body
    # Run again (beat every ten minutes), even later: nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert claim_deadline_alerts(now=now + timedelta(hours=5)) == []
    assert Notification.objects.filter(claim=due).count() == 2 and len(mail.outbox) == 1


def test_the_notification_links_the_claim_page(people, client):
    store, agent, *_ = people
    now = timezone.now()
    due = _claim(store, now, 5)
    claim_deadline_alerts(now=now)
    client.force_login(agent)
    page = client.get(reverse("metrics:notifications")).content.decode()
    assert reverse("support:claim", args=[due.pk]) in page and due.order.amazon_order_id in page
