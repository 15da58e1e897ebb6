"""Roles do what they say, through the pages, the API and the admin site (``core.permissions``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import Membership, Role, Store
from metrics.definitions import MetricKey
from metrics.models import AlertRule
from orders.models import Order, OrderEvent, OrderStatus
from spapi.models import SellerCredentials
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory, UserFactory

pytestmark = pytest.mark.django_db

UPS = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
CANCEL = {"initiator": "buyer", "reason": "Buyer changed their mind"}


@pytest.fixture
def order(store) -> Order:
    listing = ListingFactory(store=store, quantity_available=10)
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, sku=listing.sku, quantity=1)
    return order


def member(store: Store, role: str, **extra):
    user = UserFactory(**extra)
    MembershipFactory(user=user, store=store, role=role)
    return user


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# role, action, allowed: ship/cancel are for operators and admins; agents and managers only read orders.
ORDER_CASES = [
    (Role.AGENT, "ship", False), (Role.AGENT, "cancel", False),
    (Role.MANAGER, "ship", False), (Role.MANAGER, "cancel", False),
    (Role.OPERATOR, "cancel", True), (Role.ADMIN, "cancel", True),
    (Role.OPERATOR, "ship", True), (Role.ADMIN, "ship", True),
]


@pytest.mark.parametrize(("role", "action", "allowed"), ORDER_CASES)
@pytest.mark.parametrize("via", ["page", "htmx", "api"])
def test_order_actions_follow_the_role_table(store, order, role, action, allowed, via):
    user = member(store, role)
    body = UPS if action == "ship" else CANCEL
    if via == "api":
        response = api_client(user).post(f"/api/orders/{order.amazon_order_id}/{action}/", body, format="json")
    else:
        headers = {"HX-Request": "true"} if via == "htmx" else {}
        response = page_client(user).post(f"/orders/{order.amazon_order_id}/{action}/", body, headers=headers)
    order.refresh_from_db()
    if allowed:
        assert response.status_code in (200, 201, 302), response.content[:500]
        expected = OrderStatus.SHIPPED if action == "ship" else OrderStatus.CANCELED
        assert order.status == expected
    else:
        assert response.status_code == 403
        assert order.status == OrderStatus.UNSHIPPED
        assert not OrderEvent.objects.filter(order=order).exists()


@pytest.mark.parametrize(("role", "allowed"), [(Role.OPERATOR, False), (Role.AGENT, False),
                                               (Role.MANAGER, True), (Role.ADMIN, True)])
def test_only_managers_and_admins_keep_alert_rules(store, role, allowed):
    user = member(store, role)
    rule = AlertRule.objects.create(owner=user, store=store, metric=MetricKey.ODR)
    client = page_client(user)
    responses = [client.get("/health/alerts/"), client.get(f"/health/alerts/{rule.pk}/"),
                 client.post("/health/alerts/", {"metric": MetricKey.ODR, "band": "red", "store": store.pk}),
                 client.post(f"/health/alerts/{rule.pk}/", {"metric": MetricKey.LSR, "band": "red"}),
                 client.post(f"/health/alerts/{rule.pk}/delete/")]
    if allowed:
        assert all(r.status_code in (200, 302) for r in responses), [r.status_code for r in responses]
        assert not AlertRule.objects.filter(pk=rule.pk).exists()
    else:
        assert [r.status_code for r in responses] == [403] * 5
        rule.refresh_from_db()
        assert rule.metric == MetricKey.ODR
        assert AlertRule.objects.filter(owner=user).count() == 1


@pytest.mark.parametrize(("role", "allowed"), [(Role.OPERATOR, False), (Role.AGENT, False), (Role.MANAGER, False),
                                               (Role.ADMIN, True)])
def test_only_store_admins_create_stores_through_the_api(store, role, allowed):
    user = member(store, role)
    response = api_client(user).post("/api/stores/", {"code": "NEW-US", "name": "New", "marketplace": "US"},
                                     format="json")
    assert response.status_code == (201 if allowed else 403), response.content
    assert Store.objects.filter(code="NEW-US").exists() is allowed


def staff_with_every_model_permission(store: Store, role: str):
    user = member(store, role, is_staff=True)
    # The core's models and the SP-API credentials (app spapi since it left the core).
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["sellerops", "spapi"]))
    return user


@pytest.mark.parametrize(("role", "allowed"), [(Role.OPERATOR, False), (Role.AGENT, False), (Role.MANAGER, False),
                                               (Role.ADMIN, True)])
def test_only_store_admins_manage_stores_credentials_and_members_in_the_admin(store, role, allowed):
    user = staff_with_every_model_permission(store, role)
    credentials = SellerCredentials.objects.create(store=store, refresh_token="r", lwa_client_id="i",
                                                   lwa_client_secret="s")
    membership = Membership.objects.get(user=user, store=store)
    client = page_client(user)
    change = client.post(f"/admin/sellerops/store/{store.pk}/change/", {
        "code": store.code, "name": "Renamed", "marketplace": store.marketplace, "timezone": store.timezone,
        "currency": store.currency or "USD", "is_active": "on",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    promote = client.post(f"/admin/sellerops/membership/{membership.pk}/change/",
                          {"user": user.pk, "store": store.pk, "role": Role.ADMIN})
    add_store = client.get("/admin/sellerops/store/add/")
    edit_credentials = client.get(f"/admin/spapi/sellercredentials/{credentials.pk}/delete/")
    store.refresh_from_db()
    membership.refresh_from_db()
    if allowed:
        assert add_store.status_code == 200
        assert edit_credentials.status_code == 200
    else:
        assert change.status_code == 403
        assert promote.status_code == 403
        assert add_store.status_code == 403
        assert edit_credentials.status_code == 403
        assert store.name != "Renamed"
        assert membership.role == role


def test_superuser_manages_everything_in_the_admin(store):
    user = UserFactory(is_staff=True, is_superuser=True)
    client = page_client(user)
    assert client.get("/admin/sellerops/store/add/").status_code == 200
    assert client.get(f"/admin/sellerops/store/{store.pk}/change/").status_code == 200
