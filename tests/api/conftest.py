"""Fixtures of the API tests: token clients of a store in each role, and a fresh throttle cache."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import Store
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the cache; every test starts with a full budget."""
    cache.clear()
    yield
    cache.clear()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(store) -> Callable[..., APIClient]:
    """A token client of a new user holding ``role`` in ``in_store`` (default the ``store`` fixture)."""

    def make(role: str = "operator", in_store: Store | None = None) -> APIClient:
        target = in_store or store
        user = UserFactory(username=f"{role}-{target.code}".lower())
        MembershipFactory(user=user, store=target, role=role)
        return token_client(user)

    return make


@pytest.fixture
def api(client_for) -> APIClient:
    """An operator of ``store``."""
    return client_for("operator")
