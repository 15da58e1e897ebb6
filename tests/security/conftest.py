"""Two stores, A and B, each with one object of every kind a URL can name, and users of each."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from core.models import Role, Store
from fulfillment.models import CarrierTrace, InboundShipment, InboundShipmentItem
from imports.models import ImportJob
from listings.models import Listing, ListingImage
from metrics.definitions import DEFINITIONS, MetricKey
from metrics.models import AlertRule, Breach, Notification
from orders.models import Order
from returns.models import ReturnRequest
from spapi.models import Reconciliation, ReconciliationOrder, SellerPerformanceReport
from support.models import Attachment, Claim, Feedback, Message, MessageThread
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    ListingFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

#: Every text of store B carries this word; it must never appear in an answer to a user of store A.
SECRET = "Bravissimo"


@dataclass
class StoreBWorld:
    store: Store
    user: AbstractBaseUser
    order: Order
    shipped_order: Order
    trace: CarrierTrace
    listing: Listing
    listing_image: ListingImage
    thread: MessageThread
    message: Message
    attachment: Attachment
    feedback: Feedback
    claim: Claim
    return_request: ReturnRequest
    inbound: InboundShipment
    import_job: ImportJob
    breach: Breach
    alert_rule: AlertRule
    notification: Notification
    reconciliation: Reconciliation


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 600), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def store_a(db) -> Store:
    return StoreFactory(code="ALPHA-US", name="Alpha store", marketplace="US")


@pytest.fixture
def user_a(store_a) -> AbstractBaseUser:
    """An admin of store A (every role check passes in A), member of nothing else."""
    user = UserFactory(username="alpha-admin")
    MembershipFactory(user=user, store=store_a, role=Role.ADMIN)
    return user


@pytest.fixture
def world_b(db, settings, tmp_path) -> StoreBWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    store = StoreFactory(code="BRAVO-DE", name=f"{SECRET} store", marketplace="US")
    user = UserFactory(username="bravo-admin")
    MembershipFactory(user=user, store=store, role=Role.ADMIN)
    listing = ListingFactory(store=store, sku="BRAVO-SKU-1", title=f"{SECRET} widget", quantity_available=5)
    listing_image = ListingImage(listing=listing, position=1)
    listing_image.image.save("bravissimo.png", ContentFile(_png()), save=True)
    order = OrderFactory(store=store, amazon_order_id="305-9999999-9999991", buyer_name=f"{SECRET} Buyer",
                         ship_name=f"{SECRET} Buyer")
    OrderItemFactory(order=order, sku=listing.sku, quantity=1)
    # Its carrier lost it: a delivery at risk (``orders:at-risk``), which only store B may see.
    shipment = ShipmentFactory(order__store=store, order__amazon_order_id="305-9999999-9999992",
                               order__buyer_name=f"{SECRET} Shipped", last_event_status="lost",
                               last_event_at=timezone.now() - timedelta(hours=5))
    OrderItemFactory(order=shipment.order, sku=listing.sku, quantity=2, quantity_shipped=2)
    trace = CarrierTrace.objects.create(store=store, shipment=shipment, filed_at=shipment.shipped_at,
                                        reference="BRAVO-TRACE", note=f"{SECRET} trace", actor=user)
    thread = ThreadFactory(store=store, order=order, buyer_name=f"{SECRET} Buyer", subject=f"{SECRET} subject")
    message = MessageFactory(thread=thread, body=f"{SECRET} message body")
    attachment = Attachment(store=store, message=message, filename="bravissimo.txt", content_type="text/plain",
                            size=len(SECRET))
    attachment.file.save("bravissimo.txt", ContentFile(SECRET.encode()), save=True)
    feedback = FeedbackFactory(order=order, rating=1, comment=f"{SECRET} feedback")
    claim = ClaimFactory(order=order, reason=f"{SECRET} claim")
    return_request = ReturnRequestFactory(order=shipment.order, sku=listing.sku)
    now = timezone.now()
    inbound = InboundShipment.objects.create(store=store, shipment_id="FBA-BRAVO1", name=f"{SECRET} inbound",
                                             created_at=now)
    fba = ListingFactory(store=store, sku="BRAVO-FBA-1", title=f"{SECRET} FBA", fulfillment_channel="AFN")
    InboundShipmentItem.objects.create(store=store, inbound_shipment=inbound, listing=fba, quantity_expected=3)
    import_job = ImportJob(store=store, kind=ImportJob.Kind.ALL_ORDERS, file_name="bravissimo.txt",
                           created_by=user, errors=[{"line": 1, "column": "x", "message": SECRET}])
    import_job.file.save("bravissimo.txt", ContentFile(b"amazon-order-id\n"), save=True)
    definition = DEFINITIONS[MetricKey.ODR]
    channel, window = definition.channels[0], definition.window_days[0]
    breach = Breach.objects.create(store=store, metric=MetricKey.ODR, channel=channel, window_days=window,
                                   opened_at=now - timedelta(days=1), opening_rate=Decimal("0.02"),
                                   peak_rate=Decimal("0.03"), peak_at=now)
    alert_rule = AlertRule.objects.create(owner=user, store=store, metric=MetricKey.ODR)
    notification = Notification.objects.create(user=user, store=store, rule=alert_rule, breach=breach,
                                               metric=MetricKey.ODR, channel=channel, window_days=window,
                                               level="red", numerator=3, denominator=100,
                                               message=f"{SECRET} notification", created_at=now)
    report = SellerPerformanceReport.objects.create(store=store, report_id="BRAVO-R1", fetched_at=now,
                                                    marketplace_id="ATVPDKIKX0DER", raw={"secret": SECRET})
    reconciliation = Reconciliation.objects.create(
        store=store, report=report, metric=MetricKey.ODR, channel="MFN", window_days=60, source="orderDefectRate.mfn",
        window_start=now - timedelta(days=75), window_end=now - timedelta(days=15), as_of=now, amazon_numerator=1,
        amazon_denominator=50, amazon_rate=Decimal("0.02"), our_numerator=3, our_denominator=52,
        our_rate=Decimal("0.05769231"), points=Decimal("3.7692"), numerator_rows=2, denominator_rows=2,
        verdict=Reconciliation.Verdict.DIFFERS, computed_at=now, causes=[{
            "cause": "tz_edge", "ours_rows": 1, "amazon_rows": 0, "ours_counted": 1, "amazon_counted": 0,
            "accounts_for_all": False, "reason": "", "detail": {"local_start": (now - timedelta(days=75)).isoformat(),
                                                                "local_end": (now - timedelta(days=15)).isoformat()}}])
    ReconciliationOrder.objects.create(reconciliation=reconciliation, order=order, cause="tz_edge", side="ours",
                                       counted=True, at=order.purchase_date)
    return StoreBWorld(store=store, user=user, order=order, shipped_order=shipment.order, trace=trace,
                       listing=listing,
                       listing_image=listing_image,
                       thread=thread, message=message, attachment=attachment, feedback=feedback, claim=claim,
                       return_request=return_request, inbound=inbound, import_job=import_job, breach=breach,
                       alert_rule=alert_rule, notification=notification, reconciliation=reconciliation)
