"""Every write by a person or an integration leaves who, what and when, shown on the object itself."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import Role
from imports.models import ImportJob
from listings.models import StockMovement
from orders.models import OrderEvent
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory, UserFactory
from tests.imports.conftest import sample

pytestmark = pytest.mark.django_db

WHO = re.compile(r'<span class="who">\s*([^<]*?)\s*</span>')


def timeline(client: Client, amazon_order_id: str) -> list[str]:
    html = client.get(f"/orders/{amazon_order_id}/").content.decode()
    assert '<ol class="order-timeline">' in html
    return [re.sub(r"\s+", " ", who) for who in WHO.findall(html)]


def person(store, username: str, role: str = Role.OPERATOR):
    user = UserFactory(username=username)
    MembershipFactory(user=user, store=store, role=role)
    return user


def test_a_page_action_names_the_person_and_the_page(store):
    olga = person(store, "olga")
    listing = ListingFactory(store=store, quantity_available=5, quantity_reserved=1)
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, sku=listing.sku, listing=listing, quantity=1, quantity_reserved=1)
    client = Client()
    client.force_login(olga)
    client.post(f"/orders/{order.amazon_order_id}/note/", {"note": "Called the buyer"})
    client.post(f"/orders/{order.amazon_order_id}/cancel/", {"initiator": "buyer", "reason": "Buyer asked"})

    events = list(OrderEvent.objects.filter(order=order).order_by("at", "pk"))
    assert [(e.kind, e.actor, e.source) for e in events] == [
        (OrderEvent.Kind.NOTE, olga, "ui"), (OrderEvent.Kind.CANCEL, olga, "ui")]
    assert all(abs(e.at - timezone.now()) < timedelta(minutes=1) for e in events)
    assert timeline(client, order.amazon_order_id).count("olga · ui") == 2
    # The stock the cancellation released names her too, on the listing's page.
    release = StockMovement.objects.get(listing=listing, reason=StockMovement.Reason.RELEASE)
    assert release.actor == olga
    listing_page = client.get(f"/listings/{listing.pk}/").content.decode()
    assert re.search(r"<td>\s*olga\s*</td>", listing_page)


def test_an_api_action_names_the_token_user_and_the_api(store):
    bot = person(store, "shop-bot")
    ListingFactory(store=store, sku="SKU-API", quantity_available=5)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bot).key}")
    created = api.post("/api/orders/", {
        "store": store.code, "amazon_order_id": "113-5550000-0000001",
        "purchase_date": (timezone.now() - timedelta(hours=1)).isoformat(),
        "items": [{"sku": "SKU-API", "quantity": 1}]}, format="json")
    assert created.status_code == 201, created.content
    shipped = api.post("/api/orders/113-5550000-0000001/ship/",
                       {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}, format="json")
    assert shipped.status_code == 201, shipped.content

    viewer = Client()
    viewer.force_login(person(store, "viewer", Role.AGENT))
    assert timeline(viewer, "113-5550000-0000001").count("shop-bot · api") == 2


def test_an_import_names_the_person_who_uploaded_it_and_the_import(store, django_capture_on_commit_callbacks,
                                                                   settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ivan = person(store, "ivan")
    ListingFactory(store=store, sku="BOTTLE-750", asin="B0BOTTLE01", quantity_available=10)
    ListingFactory(store=store, sku="LID-BAMBOO", asin="B0LIDBAMB1", quantity_available=1)
    client = Client()
    client.force_login(ivan)
    upload = SimpleUploadedFile("all-orders.txt", sample("all_orders_us.txt"), content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"store": store.code, "kind": "all_orders", "file": upload})
    assert response.status_code in (200, 302), response.content[:300]

    job = ImportJob.objects.get(store=store)
    assert job.created_by == ivan and job.status == ImportJob.Status.DONE, job.errors
    events = OrderEvent.objects.filter(order__store=store)
    assert events.exists()
    assert {(e.actor, e.source) for e in events} == {(ivan, "import")}
    order_id = events.first().order.amazon_order_id
    assert "ivan · import" in timeline(client, order_id)
    # The job itself says who sent which file, and when.
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "all-orders.txt" in page
