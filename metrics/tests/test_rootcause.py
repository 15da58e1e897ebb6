"""Root cause: defects broken down by SKU, carrier, ship-service level and weekday; the plan-of-action draft."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.i18n import language_is_catalogued
from metrics.models import Breach
from metrics.rootcause import plan_language, plan_of_action, root_cause
from metrics.windows import local_midnight
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    StoreFactory,
)

pytestmark = pytest.mark.django_db


def local_today(store) -> date:
    return timezone.now().astimezone(store.tz).date()


def due_on(store, day: date, hour: int = 14) -> datetime:
    return local_midnight(day, store.tz) + timedelta(hours=hour)


def last_weekday(store, iso_weekday: int) -> date:
    """The most recent date before today (store time) that falls on ``iso_weekday`` (1 = Monday)."""
    day = local_today(store) - timedelta(days=1)
    while day.isoweekday() != iso_weekday:
        day -= timedelta(days=1)
    return day


def lsr_order(store, *, due: datetime, sku: str, late: bool, carrier: str = "UPS", service: str = "Std US D2D Dom",
              confirmed_late: bool = False):
    order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due,
                         ship_service_level=service)
    OrderItemFactory(order=order, sku=sku)
    if not late:
        ShipmentFactory(order=order, carrier=carrier, shipped_at=due - timedelta(hours=2),
                        first_scan_at=due - timedelta(hours=1))
    elif confirmed_late:
        ShipmentFactory(order=order, carrier=carrier, shipped_at=due + timedelta(hours=5),
                        first_scan_at=due + timedelta(hours=6))
    return order


@pytest.fixture
def late_set(store):
    """Ten MFN orders due in the last 10 days: five late, mostly SKU-A, on Mondays, by USPS or never shipped."""
    monday, tuesday = last_weekday(store, 1), last_weekday(store, 2)
    late = [
        lsr_order(store, due=due_on(store, monday), sku="SKU-A", late=True),
        lsr_order(store, due=due_on(store, monday), sku="SKU-A", late=True),
        lsr_order(store, due=due_on(store, monday), sku="SKU-A", late=True, confirmed_late=True, carrier="USPS"),
        lsr_order(store, due=due_on(store, tuesday), sku="SKU-B", late=True, confirmed_late=True, carrier="USPS",
                  service="Expedited US"),
        lsr_order(store, due=due_on(store, monday), sku="SKU-C", late=True, confirmed_late=True, carrier="USPS"),
    ]
    on_time = [lsr_order(store, due=due_on(store, tuesday), sku=sku, late=False)
               for sku in ("SKU-A", "SKU-B", "SKU-B", "SKU-C", "SKU-C")]
    return late, on_time


def counts(dimension) -> dict[str, tuple[int, int]]:
    return {b.label: (b.defects, b.rows) for b in dimension.buckets}


def test_breakdown_of_late_orders_by_sku_carrier_service_and_weekday(store, late_set):
    late, _on_time = late_set
    cause = root_cause(store=store, metric="lsr", channel="MFN", window_days=10, as_of=timezone.now())
    assert (cause.result.numerator, cause.result.denominator, cause.defects) == (5, 10, 5)
    assert counts(cause.dimension("sku")) == {"SKU-A": (3, 4), "SKU-B": (1, 3), "SKU-C": (1, 3)}
    assert cause.dimension("sku").top.label == "SKU-A"
    assert counts(cause.dimension("carrier")) == {"USPS": (3, 3), "no shipment": (2, 2)}
    assert counts(cause.dimension("service")) == {"Std US D2D Dom": (4, 9), "Expedited US": (1, 1)}
    assert counts(cause.dimension("weekday")) == {"Monday": (4, 4), "Tuesday": (1, 6)}
    assert dict(cause.reasons) == {"not confirmed": 2, "confirmed after ship-by": 3}
    assert cause.order_ids == sorted(o.amazon_order_id for o in late)
    assert cause.orders_affected == 5


def test_a_replacement_parcel_is_not_the_carrier_of_a_late_order(store, late_set):
    late, _on_time = late_set
    for order in late[2:]:
        lost = order.shipments.get()
        ShipmentFactory(order=order, carrier="DHL", shipped_at=lost.shipped_at + timedelta(days=6),
                        replacement_of=lost)
    cause = root_cause(store=store, metric="lsr", channel="MFN", window_days=10, as_of=timezone.now())
    assert counts(cause.dimension("carrier")) == {"USPS": (3, 3), "no shipment": (2, 2)}


def test_weekday_is_the_store_local_day(db):
    # 05:00 on a Monday in Tokyo is Monday there, and still Sunday in UTC.
    store = StoreFactory(code="ACME-JP", marketplace="JP")
    monday = last_weekday(store, 1)
    due = local_midnight(monday, store.tz) + timedelta(hours=5)
    assert due.weekday() == 6  # Sunday, UTC
    lsr_order(store, due=due, sku="SKU-J", late=True)
    cause = root_cause(store=store, metric="lsr", channel="MFN", window_days=10, as_of=timezone.now())
    assert counts(cause.dimension("weekday")) == {"Monday": (1, 1)}


def test_floor_metric_counts_the_rows_that_miss(store):
    # Valid tracking: the defects are the shipments without a carrier scan.
    day = local_today(store) - timedelta(days=3)
    for carrier, scanned in (("UPS", True), ("UPS", True), ("DHL", False), ("DHL", False), ("UPS", False)):
        order = OrderFactory(store=store, purchase_date=due_on(store, day, 8))
        ShipmentFactory(order=order, carrier=carrier, shipped_at=due_on(store, day, 10),
                        first_scan_at=due_on(store, day, 12) if scanned else None)
    cause = root_cause(store=store, metric="vtr", channel="MFN", window_days=30, as_of=timezone.now())
    assert cause.defects == 3
    assert counts(cause.dimension("carrier")) == {"DHL": (2, 2), "UPS": (1, 3)}
    assert dict(cause.reasons) == {"no carrier scan": 3}


def test_odr_reasons_and_orders(store):
    day = local_today(store) - timedelta(days=30)
    feedback = FeedbackFactory(order=OrderFactory(store=store, purchase_date=due_on(store, day)), rating=1)
    claim = ClaimFactory(order=OrderFactory(store=store, purchase_date=due_on(store, day)))
    FeedbackFactory(order=claim.order, rating=2)
    OrderFactory(store=store, purchase_date=due_on(store, day))
    cause = root_cause(store=store, metric="odr", channel="MFN", window_days=60, as_of=timezone.now())
    assert cause.defects == 2
    assert dict(cause.reasons) == {"negative feedback": 2, "A-to-z claim": 1}
    assert set(cause.order_ids) == {feedback.order.amazon_order_id, claim.order.amazon_order_id}


def test_response_breakdown_reaches_orders_through_threads(store):
    order = OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=6))
    OrderItemFactory(order=order, sku="SKU-MSG")
    sent = local_midnight(local_today(store) - timedelta(days=2), store.tz) + timedelta(hours=9)
    MessageFactory(thread__store=store, thread__order=order, sent_at=sent)
    MessageFactory(thread__store=store, sent_at=sent)  # a thread with no order
    cause = root_cause(store=store, metric="response", channel="ALL", window_days=7, as_of=timezone.now())
    assert cause.defects == 2
    assert counts(cause.dimension("sku")) == {"SKU-MSG": (1, 1), "no SKU": (1, 1)}
    assert cause.order_ids == [order.amazon_order_id]
    assert dict(cause.reasons) == {"not answered": 2}
    breach = Breach.objects.create(store=store, metric="response", channel="ALL", window_days=7,
                                   opened_at=sent, opening_rate=Decimal(0), peak_rate=Decimal(0), peak_at=sent)
    assert "2 of 2 buyer messages were not answered within 24 hours." in plan_of_action(breach=breach, cause=cause)


def test_plan_of_action_states_the_facts(store, late_set):
    late, _on_time = late_set
    now = timezone.now()
    breach = Breach.objects.create(store=store, metric="lsr", channel="MFN", window_days=10,
                                   opened_at=now - timedelta(days=1), opening_rate=Decimal("0.4"),
                                   peak_rate=Decimal("0.5"), peak_at=now - timedelta(hours=3))
    cause = root_cause(store=store, metric="lsr", channel="MFN", window_days=10, as_of=now)
    text = plan_of_action(breach=breach, cause=cause)
    assert "Late Shipment Rate" in text and store.code in text
    assert "50 %" in text and "target < 4 %" in text
    assert "5 of 10" in text
    assert "SKU-A (3 of 5 defects)" in text
    assert "USPS" in text and "Monday" in text
    for order in late:
        assert order.amazon_order_id in text
    for heading in ("Root cause", "Actions taken", "Preventive measures"):
        assert heading in text



@pytest.mark.parametrize(("marketplace", "language"), [
    ("CA", "en"), ("DE", "en"), ("ES", "en"), ("FR", "en"), ("IT", "en"), ("JP", "en"), ("UK", "en"), ("US", "en"),
    ("XX", "en"),
])
def test_a_plan_is_written_in_the_marketplace_s_language_or_english_without_a_catalogue(marketplace, language):
    # Our catalogue holds Simplified Chinese only: every marketplace's plan falls back to English.
    assert plan_language(marketplace) == language


def test_a_catalogued_marketplace_language_is_used(monkeypatch):
    monkeypatch.setattr("metrics.rootcause.language_is_catalogued", lambda language: language == "de")
    assert plan_language("DE") == "de"
    assert plan_language("FR") == "en"


def test_language_is_catalogued_reads_our_locale_folder_not_django_s(settings, tmp_path):
    assert language_is_catalogued("en") and language_is_catalogued("zh-hans")
    assert not language_is_catalogued("de")  # Django ships German; we do not
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "de" / "LC_MESSAGES" / "django.mo").write_bytes(b"")
    settings.LOCALE_PATHS = [tmp_path]
    assert language_is_catalogued("de")


def test_the_plan_ignores_the_reader_s_language(store, late_set):
    now = timezone.now()
    breach = Breach.objects.create(store=store, metric="lsr", channel="MFN", window_days=10,
                                   opened_at=now - timedelta(days=1), opening_rate=Decimal("0.4"),
                                   peak_rate=Decimal("0.5"), peak_at=now - timedelta(hours=3))
    with translation.override("zh-hans"):
        cause = root_cause(store=store, metric="lsr", channel="MFN", window_days=10, as_of=now)
        text = plan_of_action(breach=breach, cause=cause)
        assert translation.get_language() == "zh-hans"
    assert "Plan of action: Late Shipment Rate" in text and "Monday" in text and "Actions taken" in text
    assert not re.search(r"[\u4e00-\u9fff]", text), text


def test_the_plan_is_written_in_the_language_chosen_for_the_marketplace(store, late_set, monkeypatch):
    # Were Chinese a marketplace's language, the plan would be Chinese even for a reader of English.
    monkeypatch.setattr("metrics.rootcause.plan_language", lambda code: "zh-hans")
    now = timezone.now()
    breach = Breach.objects.create(store=store, metric="lsr", channel="MFN", window_days=10,
                                   opened_at=now - timedelta(days=1), opening_rate=Decimal("0.4"),
                                   peak_rate=Decimal("0.5"), peak_at=now - timedelta(hours=3))
    with translation.override("en"):
        cause = root_cause(store=store, metric="lsr", channel="MFN", window_days=10, as_of=now)
        text = plan_of_action(breach=breach, cause=cause)
    assert "Plan of action" not in text and "星期一" in text
