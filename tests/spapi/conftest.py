"""Fixtures of the SP-API tests: a local Amazon on 127.0.0.1 and a store's credentials pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone
from sp_api.auth import access_token_client

from spapi.models import SellerCredentials
from spapi.services import credentials_save

from .server import FakeAmazon

SECRETS = {
    "refresh_token": "Atzr|IwEBIQ-refresh-0d5b1e7c9a-SECRET",
    "lwa_client_id": "amzn1.application-oa2-client.4f1c0ffee5e3a9b7",
    "lwa_client_secret": "amzn1.oa2-cs.v1.c1i3nt53cr3t-7e2b9d",
}
#: The merchant token of the local Amazon's seller (``FakeAmazon.seller_id``).
SELLER_ID = "A2EXAMPLESELLER"


@pytest.fixture
def amazon(settings) -> Iterator[FakeAmazon]:
    server = FakeAmazon(refresh_token=SECRETS["refresh_token"], client_id=SECRETS["lwa_client_id"],
                        client_secret=SECRETS["lwa_client_secret"], seller_id=SELLER_ID).start()
    settings.SPAPI_ENDPOINT = server.url
    settings.SPAPI_LWA_TOKEN_URL = f"{server.url}/auth/o2/token"
    # The library keeps access tokens per refresh token for the process; each test gets a fresh server.
    access_token_client.cache.clear()
    yield server
    server.stop()
    access_token_client.cache.clear()


@pytest.fixture
def credentials(store) -> SellerCredentials:
    return credentials_save(store=store, seller_id=SELLER_ID, **SECRETS)


@pytest.fixture
def sleeps() -> list[float]:
    """Pass ``sleeps.append`` as ``sleep``: the back-off is recorded, never waited for."""
    return []


@pytest.fixture
def now():
    return timezone.now()
