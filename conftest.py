"""Project-wide pytest fixtures."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, StoreFactory, UserFactory


@pytest.fixture
def store(db):
    return StoreFactory(code="ACME-US", marketplace="US")


@pytest.fixture
def other_store(db):
    return StoreFactory(code="OTHER-DE", marketplace="DE")


@pytest.fixture
def operator(store):
    user = UserFactory(username="op")
    MembershipFactory(user=user, store=store, role="operator")
    return user
