"""Schemathesis generates requests from the OpenAPI schema and sends them to a live server: never a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    StoreFactory,
    UserFactory,
)

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def api_token(transactional_db) -> str:
    user = UserFactory(username="fuzz-operator")
    store = StoreFactory(code="FUZZ-US", marketplace="US")
    MembershipFactory(user=user, store=store, role="admin")
    order = OrderFactory(store=store, amazon_order_id="113-0000001-0000001")
    OrderItemFactory(order=order, store=store, sku="FUZZ-SKU")
    ListingFactory(store=store, sku="FUZZ-LISTING")
    return Token.objects.create(user=user).key


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_never_answers_a_server_error(case, live_server, api_token, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    response = case.call(base_url=live_server.url, headers={"Authorization": f"Token {api_token}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}: " \
                                       f"{response.text[:500]}"
