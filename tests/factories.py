"""factory_boy factories that keep every related row in the same store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import Membership, Role, Store
from fulfillment.models import CarrierEvent, Shipment
from listings.models import Listing
from orders.models import Order, OrderItem, OrderStatus
from returns.models import ReturnRequest
from support.models import Claim, Feedback, Message, MessageThread


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"STORE-{n}")
    name = factory.LazyAttribute(lambda s: f"{s.code} store")
    marketplace = "US"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)
    role = Role.OPERATOR


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    store = factory.SubFactory(StoreFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    asin = factory.Sequence(lambda n: f"B0{n:08d}")
    title = factory.LazyAttribute(lambda listing: f"Product {listing.sku}")
    price = Decimal("19.99")
    currency = "USD"
    quantity_available = 100


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    store = factory.SubFactory(StoreFactory)
    amazon_order_id = factory.Sequence(lambda n: f"113-{n // 10_000_000:07d}-{n % 10_000_000:07d}")
    purchase_date = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    status = OrderStatus.UNSHIPPED
    fulfillment_channel = "MFN"
    earliest_ship_date = factory.LazyAttribute(
        lambda o: min(o.purchase_date, o.latest_ship_date) if o.latest_ship_date else o.purchase_date)
    latest_ship_date = factory.LazyAttribute(lambda o: o.purchase_date + timedelta(days=2))
    earliest_delivery_date = factory.LazyAttribute(lambda o: o.purchase_date + timedelta(days=3))
    latest_delivery_date = factory.LazyAttribute(lambda o: o.purchase_date + timedelta(days=7))
    buyer_name = "Jane Miller"
    ship_name = "Jane Miller"
    ship_line1 = "1 Main St"
    ship_city = "Austin"
    ship_state = "TX"
    ship_postal_code = "73301"
    ship_country = "US"
    currency = "USD"


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    store = factory.SelfAttribute("order.store")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    quantity = 1
    item_price = Decimal("19.99")


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory, status=OrderStatus.SHIPPED)
    store = factory.SelfAttribute("order.store")
    carrier = "UPS"
    tracking_number = factory.Sequence(lambda n: f"1Z999AA1{n:010d}")
    shipped_at = factory.LazyAttribute(lambda s: s.order.purchase_date + timedelta(hours=20))


class CarrierEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarrierEvent

    shipment = factory.SubFactory(ShipmentFactory)
    store = factory.SelfAttribute("shipment.store")
    at = factory.LazyAttribute(lambda e: e.shipment.shipped_at + timedelta(hours=3))
    status = "in_transit"
    description = "Arrived at Facility"
    source = "import"


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    order = factory.SubFactory(OrderFactory)
    store = factory.SelfAttribute("order.store")
    rating = 5
    received_at = factory.LazyAttribute(lambda f: f.order.purchase_date + timedelta(days=5))


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    order = factory.SubFactory(OrderFactory)
    store = factory.SelfAttribute("order.store")
    kind = Claim.Kind.A_TO_Z
    filed_at = factory.LazyAttribute(lambda c: c.order.purchase_date + timedelta(days=10))


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageThread

    store = factory.SubFactory(StoreFactory)
    buyer_name = "Jane Miller"
    buyer_email = factory.Sequence(lambda n: f"buyer{n}@marketplace.amazon.com")
    subject = "Where is my order?"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    store = factory.SelfAttribute("thread.store")
    direction = Message.Direction.INBOUND
    body = "Hello, where is my parcel?"
    sent_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    needs_reply = factory.LazyAttribute(lambda m: m.direction == Message.Direction.INBOUND)


class ReturnRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnRequest

    order = factory.SubFactory(OrderFactory, status=OrderStatus.SHIPPED)
    store = factory.SelfAttribute("order.store")
    sku = "SKU-RET"
    quantity = 1
    requested_at = factory.LazyAttribute(lambda r: r.order.purchase_date + timedelta(days=8))
