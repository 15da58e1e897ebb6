"""The demo generator: deterministic, consistent with what the services would leave, and shaped for a demo."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from core.models import Membership, Profile, Store
from demo.seed import DEMO_PASSWORD, seed_demo
from fulfillment.models import CarrierTrace, Shipment, ShipmentItem, TraceStatus
from listings.models import Listing, StockMovement
from orders.models import OPEN_STATUSES, Order, OrderEvent, OrderItem, OrderStatus
from returns.models import Refund, ReturnRequest
from support.models import Claim, Feedback, Message, MessageThread

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _seed(*, seed: int = 1, reset: bool = False, stores: int = 2, orders: int = 600, days: int = 60):
    return seed_demo(now=NOW, stores=stores, orders=orders, days=days, seed=seed, reset=reset)


def _dump() -> dict[str, list[tuple]]:
    """Every generated row by natural keys (no ids, no wall-clock columns), in a stable order."""
    o = "order__amazon_order_id"
    return {
        "orders": list(
            Order.objects.order_by("store__code", "amazon_order_id").values_list(
                "store__code",
                "amazon_order_id",
                "purchase_date",
                "status",
                "fulfillment_channel",
                "latest_ship_date",
                "latest_delivery_date",
                "ship_service_level",
                "is_prime",
                "is_business_order",
                "buyer_name",
                "buyer_email",
                "ship_line1",
                "ship_city",
                "ship_postal_code",
                "risk_flags",
                "order_total",
                "confirmed_at",
                "packed_at",
                "canceled_at",
                "cancel_initiator",
                "cancel_reason",
                "created_at",
                "last_update_date",
            )
        ),
        "items": list(
            OrderItem.objects.order_by(o, "sku").values_list(
                o,
                "sku",
                "quantity",
                "quantity_shipped",
                "quantity_reserved",
                "item_price",
                "buyer_requested_cancel",
            )
        ),
        "shipments": list(
            Shipment.objects.order_by(o, "shipped_at").values_list(
                o, "carrier", "tracking_number", "shipped_at", "first_scan_at", "delivered_at"
            )
        ),
        "events": list(
            OrderEvent.objects.order_by(o, "at", "kind", "note").values_list(
                o, "kind", "from_status", "to_status", "at", "note", "actor__username"
            )
        ),
        "movements": list(
            StockMovement.objects.order_by("listing__sku", "at", "reason", "available_delta").values_list(
                "listing__store__code", "listing__sku", "reason", "available_delta", "reserved_delta", "at"
            )
        ),
        "listings": list(
            Listing.objects.order_by("store__code", "sku").values_list(
                "store__code",
                "sku",
                "asin",
                "price",
                "fulfillment_channel",
                "quantity_available",
                "quantity_reserved",
                "quantity_inbound",
                "safety_stock",
            )
        ),
        "feedback": list(
            Feedback.objects.order_by(o).values_list(o, "rating", "comment", "received_at", "removed_at")
        ),
        "claims": list(
            Claim.objects.order_by(o, "kind").values_list(
                o, "kind", "status", "filed_at", "granted_at", "denied_at", "withdrawn_at", "reversed_at"
            )
        ),
        "returns": list(
            ReturnRequest.objects.order_by(o, "requested_at").values_list(
                o,
                "sku",
                "reason",
                "status",
                "requested_at",
                "responded_at",
                "received_at",
                "negative_feedback_at",
            )
        ),
        "refunds": list(
            Refund.objects.order_by(o, "refunded_at").values_list(o, "kind", "amount", "refunded_at")
        ),
        "messages": list(
            Message.objects.order_by("thread__subject", "sent_at", "direction").values_list(
                "thread__subject", "direction", "sent_at", "body", "needs_reply", "replied_at"
            )
        ),
    }


def test_same_seed_and_now_give_the_same_data_and_another_seed_does_not():
    _seed()
    first = _dump()
    assert len(first["orders"]) == 600
    # Claims are rare (about one order in a thousand), so a small demo may have none.
    assert [name for name, rows in first.items() if not rows and name != "claims"] == []

    _seed(reset=True)
    assert _dump() == first

    _seed(seed=2, reset=True)
    other = _dump()
    assert len(other["orders"]) == 600
    assert other["orders"] != first["orders"]
    assert other["shipments"] != first["shipments"]


def test_rerunning_without_reset_keeps_the_data_and_updates_the_users():
    _seed()
    before = _dump()
    user = get_user_model().objects.get(username="operator")
    user.set_password("changed")
    user.save()

    result = _seed(seed=5)

    assert result.skipped
    assert _dump() == before
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_every_row_belongs_to_its_orders_store():
    _seed()
    assert not OrderItem.objects.exclude(store=F("order__store")).exists()
    assert not OrderEvent.objects.exclude(store=F("order__store")).exists()
    assert not Shipment.objects.exclude(store=F("order__store")).exists()
    assert not ShipmentItem.objects.exclude(store=F("shipment__store")).exists()
    assert not ShipmentItem.objects.exclude(order_item__order=F("shipment__order")).exists()
    assert not Feedback.objects.exclude(store=F("order__store")).exists()
    assert not Claim.objects.exclude(store=F("order__store")).exists()
    assert not ReturnRequest.objects.exclude(store=F("order__store")).exists()
    assert not ReturnRequest.objects.exclude(order_item__order=F("order")).exists()
    assert not Refund.objects.exclude(store=F("order__store")).exists()
    assert not MessageThread.objects.exclude(store=F("order__store")).exists()
    assert not Message.objects.exclude(store=F("thread__store")).exists()
    assert not OrderItem.objects.exclude(store=F("listing__store")).exists()
    assert not StockMovement.objects.exclude(store=F("listing__store")).exists()


def test_rows_are_as_the_services_leave_them():
    _seed()
    # Nothing happens after now.
    for model, field in [
        (Order, "purchase_date"),
        (Shipment, "delivered_at"),
        (OrderEvent, "at"),
        (Feedback, "received_at"),
        (Message, "sent_at"),
        (ReturnRequest, "closed_at"),
        (StockMovement, "at"),
        (Claim, "granted_at"),
    ]:
        assert not model.objects.filter(**{f"{field}__gt": NOW}).exists(), model
    # An order's status is the one its timeline last moved it to.
    last = OrderEvent.objects.filter(order=OuterRef("pk")).exclude(to_status="").order_by("-at", "-id")
    orders = Order.objects.annotate(last_status=last.values("to_status")[:1])
    assert not orders.exclude(status=F("last_status")).exists()
    assert OrderEvent.objects.filter(kind="created").count() == Order.objects.count()
    assert set(OrderEvent.objects.values_list("source", flat=True)) == {"demo"}
    # Shipments: MFN only, one per shipped MFN order (and the one replacement of a lost parcel), none on open or
    # cancelled orders; one other parcel has a trace open at its carrier.
    shipped = Order.objects.filter(
        fulfillment_channel="MFN", status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED]
    )
    assert Shipment.objects.filter(replacement_of__isnull=True).count() == shipped.count()
    replacement = Shipment.objects.get(replacement_of__isnull=False)
    trace = CarrierTrace.objects.get()
    assert (trace.status, trace.shipment.order.store_id) == (TraceStatus.OPEN, replacement.store_id)
    assert trace.shipment.order_id != replacement.order_id
    assert replacement.order.events.filter(kind=OrderEvent.Kind.REPLACEMENT).exists()
    assert not Shipment.objects.exclude(order__in=shipped).exists()
    assert not Shipment.objects.filter(delivered_at__isnull=False, first_scan_at__isnull=True).exists()
    assert not Order.objects.filter(
        status=OrderStatus.DELIVERED, fulfillment_channel="MFN", shipments__delivered_at__isnull=True
    ).exists()
    assert not Order.objects.filter(status=OrderStatus.CANCELED, canceled_at__isnull=True).exists()
    assert not Order.objects.filter(latest_ship_date__lt=F("purchase_date")).exists()
    assert not Order.objects.filter(latest_delivery_date__lt=F("latest_ship_date")).exists()
    assert (
        not OrderItem.objects.filter(order__status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED])
        .exclude(quantity_shipped=F("quantity"))
        .exists()
    )
    assert not Order.objects.filter(status=OrderStatus.CANCELED).exclude(risk_flags=[]).exists()
    # Replies: an inbound message's replied_at is the first outbound message after it in its thread.
    for message in Message.objects.filter(direction="inbound", replied_at__isnull=False)[:50]:
        first_reply = message.thread.messages.filter(
            direction="outbound", sent_at__gte=message.sent_at
        ).first()
        assert first_reply is not None and first_reply.sent_at == message.replied_at
    assert Message.objects.filter(
        needs_reply=False, direction="inbound", no_reply_needed_by__username="agent"
    ).exists()
    relay = Message.objects.filter(direction="inbound").values_list("sender", flat=True)
    assert all(sender.endswith(("@marketplace.amazon.com", "@marketplace.amazon.de")) for sender in relay)


def test_stock_is_never_negative_and_reservations_match_open_orders():
    _seed()
    assert not Listing.objects.filter(Q(quantity_available__lt=0) | Q(quantity_reserved__lt=0)).exists()
    open_reserved = (
        OrderItem.objects.filter(
            order__fulfillment_channel="MFN",
            order__status__in=OPEN_STATUSES,
            listing=OuterRef("pk"),
        )
        .values("listing")
        .annotate(total=Sum("quantity_reserved"))
        .values("total")
    )
    for listing in Listing.objects.annotate(open_reserved=open_reserved):
        assert listing.quantity_reserved == (listing.open_reserved or 0), listing.sku
    assert (
        not OrderItem.objects.exclude(order__status__in=OPEN_STATUSES)
        .filter(quantity_reserved__gt=0)
        .exists()
    )
    assert not OrderItem.objects.filter(order__fulfillment_channel="AFN", quantity_reserved__gt=0).exists()
    # The seller-fulfilled listings' stock is the sum of their movements.
    for listing in Listing.objects.filter(fulfillment_channel="MFN").annotate(
        available=Sum("movements__available_delta"), reserved=Sum("movements__reserved_delta")
    ):
        assert (listing.quantity_available, listing.quantity_reserved) == (
            listing.available,
            listing.reserved,
        )


def test_distributions_look_like_a_real_seller():
    _seed(stores=3, orders=4000, days=90)
    orders = Order.objects.all()
    afn_share = orders.filter(fulfillment_channel="AFN").count() / orders.count()
    assert 0.33 < afn_share < 0.47
    shipped = (
        Order.objects.filter(fulfillment_channel="MFN")
        .annotate(
            late=Exists(
                Shipment.objects.filter(order=OuterRef("pk"), shipped_at__gt=OuterRef("latest_ship_date"))
            ),
        )
        .filter(shipments__isnull=False)
    )
    late_share = shipped.filter(late=True).count() / shipped.count()
    assert 0.005 < late_share < 0.04
    feedback = Feedback.objects.count()
    delivered = orders.filter(status=OrderStatus.DELIVERED).count()
    assert 0.07 < feedback / delivered < 0.13
    assert 0.03 < Feedback.objects.filter(rating__lte=2).count() / feedback < 0.10
    assert Feedback.objects.filter(rating__lte=2, removed_at__isnull=False).exists()
    returned = ReturnRequest.objects.count() / delivered
    assert 0.03 < returned < 0.06
    assert {"TOO_SMALL", "DEFECTIVE"} <= set(ReturnRequest.objects.values_list("reason", flat=True))
    initiators = set(orders.filter(status=OrderStatus.CANCELED).values_list("cancel_initiator", flat=True))
    assert initiators == {"seller", "buyer", "system"}
    assert Claim.objects.filter(kind="a_to_z").exists()
    open_mfn = orders.filter(fulfillment_channel="MFN", status__in=OPEN_STATUSES)
    assert open_mfn.filter(latest_ship_date__lt=NOW).exists()  # already late
    assert open_mfn.filter(latest_ship_date__gte=NOW).exists()  # still due
    assert open_mfn.filter(status=OrderStatus.CONFIRMED).exists() or open_mfn.filter(status="Packed").exists()
    assert Shipment.objects.filter(
        first_scan_at__isnull=True, shipped_at__lt=NOW - timedelta(days=2)
    ).exists()
    # Flags are set when an order arrives; which orders are still open when the history ends is chance.
    flags = [flag for row in orders.filter(fulfillment_channel="MFN").values_list("risk_flags", flat=True)
             for flag in row]
    assert "po_box" in flags or "address_incomplete" in flags
    assert Order.objects.filter(ship_line1__icontains="PO Box").exists()
    jp = Store.objects.get(code="ACME-JP")
    assert Order.objects.filter(store=jp, ship_state__in=["東京都", "大阪府", "神奈川県"]).exists()
    assert Order.objects.filter(store=jp, ship_postal_code__regex=r"^\d{3}-\d{4}$").exists()
    assert MessageThread.objects.filter(store=jp, subject__contains="注文番号").exists()


def _window(store: Store, days: int, lag: int = 0) -> tuple[datetime, datetime]:
    tz = ZoneInfo(store.timezone)
    today = NOW.astimezone(tz).date()
    start = datetime.combine(today - timedelta(days=lag + days), time(0), tzinfo=tz)
    end = datetime.combine(today - timedelta(days=lag), time(0), tzinfo=tz)
    return start, end


def _lsr(store: Store, days: int) -> float:
    start, end = _window(store, days)
    on_time = Shipment.objects.filter(order=OuterRef("pk"), shipped_at__lt=OuterRef("latest_ship_date"))
    rows = (
        Order.objects.filter(
            store=store, fulfillment_channel="MFN", latest_ship_date__gte=start, latest_ship_date__lt=end
        )
        .exclude(canceled_at__lte=NOW)
        .annotate(ok=Exists(on_time))
    )
    return rows.filter(ok=False).count() / rows.count()


def _odr(store: Store, channel: str) -> float:
    start, end = _window(store, 60, lag=14)
    negative = Feedback.objects.filter(order=OuterRef("pk"), rating__lte=2).exclude(removed_at__lte=NOW)
    claim = Claim.objects.filter(order=OuterRef("pk")).filter(
        Q(kind="a_to_z", status__in=["open", "granted"])
        | Q(kind="a_to_z", status="withdrawn", granted_at__isnull=False)
        | Q(kind="chargeback", status__in=["open", "granted"])
    )
    rows = Order.objects.filter(
        store=store, fulfillment_channel=channel, purchase_date__gte=start, purchase_date__lt=end
    ).annotate(bad=Exists(negative) | Exists(claim))
    return rows.filter(bad=True).count() / rows.count()


def _response(store: Store, days: int) -> float:
    start, end = _window(store, days)
    rows = Message.objects.filter(
        store=store, direction="inbound", needs_reply=True, sent_at__gte=start, sent_at__lt=end
    )
    good = rows.filter(replied_at__lte=F("sent_at") + timedelta(hours=24))
    return good.count() / rows.count()


def test_one_store_is_healthy_and_one_is_slipping():
    _seed(stores=3, orders=6000, days=120)
    us, de = Store.objects.get(code="ACME-US"), Store.objects.get(code="ACME-DE")
    # ACME-US: LSR about 4.5 % over the last 10 days, amber over 30; ODR in the warning band or past it.
    assert 0.03 <= _lsr(us, 10) < 0.07
    assert 0.025 <= _lsr(us, 30) < 0.045
    assert max(_odr(us, "MFN"), _odr(us, "AFN")) >= 0.0075
    # ACME-DE: every metric comfortably green.
    assert _lsr(de, 10) < 0.03 and _lsr(de, 30) < 0.03
    assert _odr(de, "MFN") < 0.0075 and _odr(de, "AFN") < 0.0075
    assert _response(de, 7) >= 0.925 and _response(de, 30) >= 0.925
    start, end = _window(de, 30)
    recent = Shipment.objects.filter(store=de, shipped_at__gte=start, shipped_at__lt=end)
    assert recent.filter(first_scan_at__lte=NOW).count() / recent.count() >= 0.9625
    start, end = _window(de, 7)
    placed = Order.objects.filter(
        store=de, fulfillment_channel="MFN", purchase_date__gte=start, purchase_date__lt=end
    )
    cancelled = placed.filter(cancel_initiator__in=["seller", "system"], canceled_at__lte=NOW)
    assert cancelled.count() / placed.count() < 0.01875


def test_demo_users_have_a_membership_on_every_store():
    _seed()
    stores = set(Store.objects.filter(code__startswith="ACME-").values_list("code", flat=True))
    assert stores == {"ACME-US", "ACME-DE"}
    users = get_user_model().objects.filter(username__in=["admin", "operator", "manager", "agent"])
    assert users.count() == 4
    for user in users:
        assert user.check_password(DEMO_PASSWORD)
        assert Profile.objects.get(user=user).timezone == "Asia/Shanghai"
        roles = dict(Membership.objects.filter(user=user).values_list("store__code", "role"))
        assert set(roles) == stores
        assert set(roles.values()) == {user.username}
    assert users.get(username="admin").is_superuser
    assert not users.filter(is_superuser=True).exclude(username="admin").exists()
    counts = Membership.objects.values("store").annotate(n=Count("id"))
    assert {row["n"] for row in counts} == {4}


def test_command_seeds_reruns_and_prints_the_password():
    out = StringIO()
    call_command(
        "seed_demo",
        "--stores",
        "1",
        "--orders",
        "150",
        "--days",
        "20",
        "--now",
        "2025-06-01T12:00:00Z",
        stdout=out,
    )
    assert DEMO_PASSWORD in out.getvalue()
    assert "operator" in out.getvalue()
    assert Order.objects.filter(store__code="ACME-US").count() == 150
    assert not Order.objects.filter(purchase_date__gt=NOW).exists()

    again = StringIO()
    call_command(
        "seed_demo", "--stores", "1", "--orders", "150", "--now", "2025-06-01T12:00:00Z", stdout=again
    )
    assert "--reset" in again.getvalue() and DEMO_PASSWORD in again.getvalue()
    assert Order.objects.count() == 150

    call_command(
        "seed_demo",
        "--stores",
        "1",
        "--orders",
        "80",
        "--days",
        "10",
        "--reset",
        "--seed",
        "3",
        "--now",
        "2025-06-01T12:00:00Z",
        stdout=StringIO(),
    )
    assert Order.objects.count() == 80
    assert Listing.objects.filter(store__code="ACME-US").exclude(movements__isnull=True).exists()


def test_each_store_opens_with_claims_to_answer_and_feedback_to_remove():
    from support.feedback_removal import feedback_removal

    _seed()
    for store in Store.objects.all():
        open_claims = Claim.objects.filter(store=store, kind=Claim.Kind.A_TO_Z, status=Claim.Status.OPEN,
                                           respond_by__gt=NOW)
        assert open_claims.filter(respond_by__lte=NOW + timedelta(hours=24)).exists(), store
        assert open_claims.filter(respond_by__gt=NOW + timedelta(hours=24)).exists(), store
        eligible = [f for f in Feedback.objects.filter(store=store, removed_at__isnull=True,
                                                       removal_requested_at__isnull=True).select_related("order")
                    if feedback_removal(rating=f.rating, comment=f.comment, received_at=f.received_at, now=NOW,
                                        fulfilled_by_amazon=f.order.fulfillment_channel == "AFN",
                                        language=store.marketplace_info.language).eligible]
        assert eligible, store


def test_the_imports_page_opens_on_a_report_refused_and_its_correction_imported(client,
                                                                                django_capture_on_commit_callbacks):
    from imports.models import ImportJob

    with django_capture_on_commit_callbacks(execute=True):
        _seed()
    refused, imported = ImportJob.objects.order_by("id")
    store = Store.objects.order_by("id").first()
    assert {refused.store, imported.store} == {store} and refused.kind == imported.kind == "all_orders"
    assert refused.status == "failed" and refused.created_count == 0
    assert [(e["line"], e["column"]) for e in refused.errors] == [(3, "purchase-date")]
    assert imported.status == "done" and (imported.created_count, imported.total_rows) == (3, 3)
    keys = imported.touched["order"]["created"]["keys"]
    orders = Order.objects.filter(store=store, amazon_order_id__in=keys)
    assert orders.count() == 3 and not orders.filter(status__in=OPEN_STATUSES).exists()
    assert orders.first().created_at is not None

    client.force_login(get_user_model().objects.get(username="operator"))
    listing = client.get("/imports/").content.decode()
    assert f'data-job="{refused.pk}"' in listing and f'data-job="{imported.pk}"' in listing
    page = client.get(f"/imports/{imported.pk}/").content.decode()
    assert 'data-touched="order-created"' in page and all(key in page for key in keys)
    page = client.get(f"/imports/{refused.pk}/").content.decode()
    assert "purchase-date" in page and "Correct these lines" in page


def test_each_store_opens_with_deliveries_at_risk_and_their_carrier_events():
    from fulfillment.delivery_risk import Reason, at_risk_shipments, shipment_reasons
    from fulfillment.models import CarrierEvent

    _seed(orders=1200)
    for store in Store.objects.all():
        risky = list(at_risk_shipments(Shipment.objects.filter(store=store), now=NOW))
        reasons = {reason for s in risky for reason in shipment_reasons(s)}
        assert reasons == {Reason.EXCEPTION, Reason.LATE, Reason.SILENT}, store
        assert {"returned", "address_problem"} <= {s.last_event_status for s in risky}, store
        assert {"YunExpress", "4PX"} <= {s.carrier for s in risky}, store
        # Each store has a parcel whose buyer was told; the traced parcel of the demo's remedies is followed too.
        followed = [s for s in risky if s.follow_up]
        assert "buyer_messaged" in {s.follow_up for s in followed}, store
        assert {s.follow_up for s in followed} <= {"buyer_messaged", "trace"}, store
        assert all(s.follow_up_at <= NOW for s in followed), store
        asked = Message.objects.filter(thread__order__in=[s.order_id for s in risky], direction="inbound",
                                       replied_at__isnull=True)
        assert asked.count() >= 2, store
        for shipment in risky:
            last = CarrierEvent.objects.filter(shipment=shipment).order_by("at").last()
            assert last is None or (last.at, last.status) == (shipment.last_event_at, shipment.last_event_status)
