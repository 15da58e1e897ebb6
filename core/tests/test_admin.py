"""The admin is store-scoped for staff who are not superusers, and never edits an order's status."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from orders.models import Order, OrderStatus
from support.models import ReplyTemplate
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
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_a(db):
    return StoreFactory(code="A-US")


@pytest.fixture
def store_b(db):
    return StoreFactory(code="B-DE", marketplace="DE")


@pytest.fixture
def staff(store_a):
    """A staff member of store A allowed to view and change orders and listings."""
    user = get_user_model().objects.create_user(username="staff-a", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        codename__in=["view_order", "change_order", "view_listing", "change_listing", "view_store",
                      "view_replytemplate", "change_replytemplate", "add_replytemplate"]))
    MembershipFactory(user=user, store=store_a)
    return user


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="root", password="pw", email="root@example.com")


@pytest.fixture
def orders(store_a, store_b):
    a = OrderFactory(store=store_a, amazon_order_id="111-0000000-0000001", buyer_name="Alice")
    b = OrderFactory(store=store_b, amazon_order_id="222-0000000-0000002", buyer_name="Bob")
    OrderItemFactory(order=a, sku="SKU-A")
    OrderItemFactory(order=b, sku="SKU-B")
    return a, b


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _change(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_staff_sees_only_their_stores_orders(client, staff, orders):
    a, b = orders
    client.force_login(staff)
    response = client.get(_changelist(Order))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [a]
    assert b.amazon_order_id not in response.content.decode()


def test_staff_search_does_not_reach_another_store(client, staff, orders):
    client.force_login(staff)
    response = client.get(_changelist(Order), {"q": "SKU-B"})
    assert list(response.context["cl"].result_list) == []


def test_staff_opens_their_order_but_not_another_stores(client, staff, orders):
    a, b = orders
    client.force_login(staff)
    assert client.get(_change(a)).status_code == 200
    response = client.get(_change(b))
    # Django's admin answers an object outside the queryset by redirecting to the index, as for a missing one.
    assert response.status_code in {302, 404}
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")


def test_staff_cannot_change_another_stores_order_by_post(client, staff, orders):
    _, b = orders
    client.force_login(staff)
    client.post(_change(b), {"buyer_name": "Mallory"})
    b.refresh_from_db()
    assert b.buyer_name == "Bob"


def test_superuser_sees_every_store(client, superuser, orders):
    client.force_login(superuser)
    response = client.get(_changelist(Order))
    assert set(response.context["cl"].result_list) == set(orders)
    assert all(client.get(_change(order)).status_code == 200 for order in orders)


def test_order_status_is_read_only(client, superuser, orders):
    a, _ = orders
    client.force_login(superuser)
    response = client.get(_change(a))
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "status" in response.context["adminform"].readonly_fields
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"buyer_name": "Alice B.", "status": OrderStatus.CANCELED})
    for prefix, formset in ((f.formset.prefix, f.formset) for f in response.context["inline_admin_formsets"]):
        data.update({f"{prefix}-TOTAL_FORMS": formset.total_form_count(),
                     f"{prefix}-INITIAL_FORMS": formset.initial_form_count()})
    response = client.post(_change(a), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    a.refresh_from_db()
    assert (a.buyer_name, a.status) == ("Alice B.", OrderStatus.UNSHIPPED)


def test_orders_are_not_added_in_the_admin(client, superuser):
    client.force_login(superuser)
    add = reverse("admin:orders_order_add")
    assert client.get(add).status_code == 403


def test_store_choices_are_limited_to_the_users_stores(client, staff, store_a, store_b):
    listing = ListingFactory(store=store_a)
    client.force_login(staff)
    response = client.get(_change(listing))
    assert response.status_code == 200
    # The store is fixed once a listing exists; the reply template form still offers a choice.
    response = client.get(reverse("admin:support_replytemplate_add"))
    choices = response.context["adminform"].form.fields["store"].queryset
    assert list(choices) == [store_a]


def test_shared_reply_templates_are_visible_but_not_editable_for_staff(client, staff, store_a, store_b):
    ReplyTemplate.objects.filter(store=None).delete()  # without the shared templates every install starts with
    shared = ReplyTemplate.objects.create(name="Shipped", body="On its way")
    own = ReplyTemplate.objects.create(store=store_a, name="Late", body="Sorry")
    ReplyTemplate.objects.create(store=store_b, name="Other", body="x")
    client.force_login(staff)
    response = client.get(_changelist(ReplyTemplate))
    assert set(response.context["cl"].result_list) == {shared, own}
    response = client.get(_change(shared))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def test_staff_sees_only_their_stores(client, staff, store_a, store_b):
    client.force_login(staff)
    response = client.get(reverse("admin:sellerops_store_changelist"))
    assert list(response.context["cl"].result_list) == [store_a]


def test_every_admin_page_renders_for_a_superuser(client, superuser, store_a):
    order = OrderFactory(store=store_a)
    OrderItemFactory(order=order)
    ShipmentFactory(order=order, store=store_a)
    ReturnRequestFactory(order=order, store=store_a)
    FeedbackFactory(order=order, store=store_a)
    ClaimFactory(order=order, store=store_a)
    MessageFactory(thread__store=store_a, thread__order=order)
    ListingFactory(store=store_a)
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        url = _changelist(model)
        response = client.get(url)
        assert response.status_code == 200, url
        first = model_admin.get_queryset(response.wsgi_request).first()
        if first is not None:
            assert client.get(_change(first)).status_code == 200, _change(first)
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
            assert client.get(add).status_code == 200, add


def test_changelists_do_not_query_per_row(client, superuser, store_a, django_assert_max_num_queries):
    for _ in range(30):
        order = OrderFactory(store=store_a)
        OrderItemFactory(order=order)
    client.force_login(superuser)
    with django_assert_max_num_queries(12):
        assert client.get(_changelist(Order)).status_code == 200
