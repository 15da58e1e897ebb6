"""FBA inventory alerts: an index part off target and SKUs that will run out before a restock arrives notify the
recipients of the store's alert rules once per crossing, and again only after coming back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fulfillment.fba_health import fba_store_day_refresh
from fulfillment.models import FbaInventorySnapshot
from listings.models import Channel
from metrics.alerts import notification_message
from metrics.fba_alerts import fba_alerts_check
from metrics.models import AlertRule, Notification
from tests.factories import ListingFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2025, 7, 14)
AT = datetime(2025, 7, 15, 1, tzinfo=UTC)


@pytest.fixture
def manager(store):
    user = UserFactory(username="mgr")
    MembershipFactory(user=user, store=store, role="manager")
    rule = AlertRule.objects.create(owner=user, store=store, metric="odr")
    rule.recipients.add(user)
    return user


def write(store, listing, *, stranded: int, fulfillable: int = 100) -> None:
    FbaInventorySnapshot.objects.update_or_create(listing=listing, day=DAY, defaults={
        "store": store, "fulfillable": fulfillable, "age_0_90": fulfillable, "units_shipped_t7": 14,
        "units_shipped_t30": 60, "units_shipped_t60": 120, "units_shipped_t90": 180, "stranded_units": stranded})
    fba_store_day_refresh(store=store, day=DAY)


def keys() -> list[str]:
    return sorted(Notification.objects.values_list("metric", flat=True))


def test_a_part_off_target_notifies_once_per_crossing(store, manager):
    listing = ListingFactory(store=store, sku="A", fulfillment_channel=Channel.AFN)
    write(store, listing, stranded=50, fulfillable=400)

    fba_alerts_check(store=store, at=AT)
    fba_alerts_check(store=store, at=AT)

    assert keys() == ["fba_excess", "fba_sell_through", "fba_stranded"]
    note = Notification.objects.get(metric="fba_stranded")
    assert note.user == manager and note.message.startswith("ACME-US: FBA Stranded inventory is 12.5 %")
    assert notification_message(note) == note.message

    write(store, listing, stranded=0, fulfillable=400)
    fba_alerts_check(store=store, at=AT)
    write(store, listing, stranded=50, fulfillable=400)
    fba_alerts_check(store=store, at=AT)
    assert keys().count("fba_stranded") == 2 and keys().count("fba_excess") == 1


def test_skus_that_run_out_before_a_restock_arrives_notify(store, manager):
    listing = ListingFactory(store=store, sku="FAST", fulfillment_channel=Channel.AFN)
    write(store, listing, stranded=0, fulfillable=20)

    fba_alerts_check(store=store, at=AT)

    note = Notification.objects.get(metric="fba_stockout")
    assert "FAST" in note.message and note.numerator == 1


def test_no_rule_no_notification(store):
    listing = ListingFactory(store=store, sku="A", fulfillment_channel=Channel.AFN)
    write(store, listing, stranded=50)
    assert fba_alerts_check(store=store, at=AT) == []
