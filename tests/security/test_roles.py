"""Roles do what the table says (``core.permissions.ROLE_PERMISSIONS``): every write of the table is attempted
by every role, through each page, API endpoint, back-office form and service that performs it, and is done
exactly when the table allows it and refused otherwise.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from core.models import Role
from core.permissions import ROLE_PERMISSIONS, permissions_for_roles, user_grants
from metrics.definitions import MetricKey
from metrics.models import AlertRule
from tests.factories import MembershipFactory, StoreFactory, UserFactory

from .role_walks import ACTORS, WALKS, Actor, allows, member

pytestmark = pytest.mark.django_db

WALK_CASES = [pytest.param(permission, via, id=f"{permission}-{via}")
              for permission in sorted(WALKS) for via in sorted(WALKS[permission])]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize(("permission", "via"), WALK_CASES)
def test_every_write_is_done_or_refused_as_the_table_says(store, role, permission, via,
                                                          django_capture_on_commit_callbacks):
    actor = Actor(store=store, user=member(store, role), capture=django_capture_on_commit_callbacks)
    attempt = WALKS[permission][via](actor)
    allowed = allows(role, permission)
    assert (attempt.done, attempt.refused) == (allowed, not allowed), attempt.detail


def test_every_entry_of_the_table_is_walked():
    assert sorted(set(ROLE_PERMISSIONS) - set(WALKS)) == [], "a permission no walk exercises"
    assert sorted(set(WALKS) - set(ROLE_PERMISSIONS)) == [], "a walk of a permission the table does not hold"


def test_the_table_is_well_formed():
    for permission, roles in ROLE_PERMISSIONS.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", permission), permission
        assert roles and roles <= set(Role.values), permission
    # A store's admin may do everything in it; each role has something to do.
    assert permissions_for_roles({Role.ADMIN}) == frozenset(ROLE_PERMISSIONS)
    for role in Role.values:
        assert permissions_for_roles({role}), role


def test_a_role_counts_in_its_own_store_only(store):
    other = StoreFactory(code="ELSE-UK", marketplace="UK")
    user = UserFactory(username="two-hats")
    MembershipFactory(user=user, store=store, role=Role.AGENT)
    MembershipFactory(user=user, store=other, role=Role.OPERATOR)
    grants = user_grants(user=user)
    assert grants.can("message.reply", store) and not grants.can("order.ship", store)
    assert grants.can("order.ship", other.pk) and not grants.can("order.ship", StoreFactory(code="THIRD-DE"))
    assert "order.ship" in grants and "alert.set" not in grants


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", Role.values)
def test_the_alert_rule_pages_are_for_those_who_keep_alert_rules(store, role):
    user = member(store, role)
    rule = AlertRule.objects.create(owner=user, store=store, metric=MetricKey.ODR)
    client = page_client(user)
    responses = [client.get("/health/alerts/"), client.get(f"/health/alerts/{rule.pk}/"),
                 client.post(f"/health/alerts/{rule.pk}/", {"metric": MetricKey.LSR, "band": "red",
                                                           "recipients": [user.pk]}),
                 client.post(f"/health/alerts/{rule.pk}/delete/")]
    if role in ROLE_PERMISSIONS["alert.set"]:
        assert [r.status_code for r in responses] == [200, 200, 302, 302]
        assert not AlertRule.objects.filter(pk=rule.pk).exists()
    else:
        assert [r.status_code for r in responses] == [403] * 4
        rule.refresh_from_db()
        assert rule.metric == MetricKey.ODR


def staff_with_every_model_permission(store, role: str):
    user = member(store, role)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["sellerops", "spapi"]))
    return user


@pytest.mark.parametrize("role", Role.values)
def test_the_back_office_offers_stores_and_credentials_to_store_admins_only(store, role):
    client = page_client(staff_with_every_model_permission(store, role))
    allowed = role in ROLE_PERMISSIONS["store.manage"]
    assert client.get("/admin/sellerops/store/add/").status_code == (200 if allowed else 403)
    assert client.get("/admin/spapi/sellercredentials/add/").status_code == (200 if allowed else 403)


def test_superuser_manages_everything_in_the_admin(store):
    client = page_client(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/sellerops/store/add/").status_code == 200
    assert client.get(f"/admin/sellerops/store/{store.pk}/change/").status_code == 200
