"""Build the ``python-amazon-sp-api`` clients of one store, and call them with bounded back-off on throttling.

The endpoints come from settings so that a deployment (or a test) can aim them elsewhere:
``SPAPI_ENDPOINT`` (empty: the marketplace's regional endpoint) and ``SPAPI_LWA_TOKEN_URL``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from sp_api.api import Feeds, ProductTypeDefinitions, Reports
from sp_api.api.listings_items.listings_items_2021_08_01 import ListingsItemsV20210801
from sp_api.api.orders.orders_v0 import OrdersV0
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import ApiResponse, Marketplaces, SellingApiException
from sp_api.base.credential_provider import FromCodeCredentialProvider
from sp_api.base.exceptions import (
    SellingApiRequestThrottledException,
    SellingApiServerException,
    SellingApiTemporarilyUnavailableException,
)

from core.crypto import reveal
from core.errors import ApplicationError

if TYPE_CHECKING:
    from core.models import Store
    from spapi.models import SellerCredentials

logger = logging.getLogger(__name__)

DEFAULT_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
#: Throttled or briefly unavailable calls are retried this many times in all before giving up.
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
_RETRYABLE = (SellingApiRequestThrottledException, SellingApiTemporarilyUnavailableException,
              SellingApiServerException)

Sleep = Callable[[float], None]
T = TypeVar("T")


class SpApiError(ApplicationError):
    """A Selling Partner API call failed. The message names the operation and Amazon's error code only."""


class _LocalEndpointMixin:
    """Send the ``host`` header of the endpoint actually used (the library assumes an https:// prefix)."""

    endpoint: str

    @property
    def headers(self) -> dict[str, str]:
        headers = super().headers  # type: ignore[misc]
        headers["host"] = urlsplit(self.endpoint).netloc
        return headers


class OrdersClient(_LocalEndpointMixin, OrdersV0):
    pass


class ReportsClient(_LocalEndpointMixin, Reports):
    pass


class ListingsItemsClient(_LocalEndpointMixin, ListingsItemsV20210801):
    """Listings Items API 2021-08-01: ``put_listings_item``, ``patch_listings_item``, ``get_listings_item``."""


class ProductTypeDefinitionsClient(_LocalEndpointMixin, ProductTypeDefinitions):
    pass


class FeedsClient(_LocalEndpointMixin, Feeds):
    pass


def _token_client_class(url: str) -> type[AccessTokenClient]:
    """An LWA token client posting to ``url`` instead of Amazon's fixed host."""
    parts = urlsplit(url)
    return type("LwaTokenClient", (AccessTokenClient,),
                {"scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/"})


def sp_marketplace(store: Store) -> Marketplaces:
    marketplace_id = store.marketplace_info.marketplace_id
    for member in Marketplaces:
        if member.marketplace_id == marketplace_id:
            return member
    raise SpApiError(_("The Selling Partner API does not serve marketplace %(code)s.") % {"code": store.marketplace})


@dataclass
class SpApiClients:
    """The clients one sync needs; build with ``clients_for``."""

    orders: OrdersClient
    reports: ReportsClient
    listings: ListingsItemsClient
    definitions: ProductTypeDefinitionsClient
    feeds: FeedsClient
    marketplace_id: str
    #: The merchant token the Listings Items API addresses the seller by (empty until the store sets it).
    seller_id: str = ""

    def close(self) -> None:
        for client in (self.orders, self.reports, self.listings, self.definitions, self.feeds):
            client.close()


def clients_for(credentials: SellerCredentials) -> SpApiClients:
    """The Orders (v0), Reports, Listings Items, Product Type Definitions and Feeds clients of the credentials'
    store, aimed at the configured endpoints."""
    store = credentials.store
    refresh_token, client_id, client_secret = (reveal(credentials.refresh_token), reveal(credentials.lwa_client_id),
                                               reveal(credentials.lwa_client_secret))
    if not (refresh_token and client_id and client_secret):
        raise SpApiError(_("The SP-API credentials of %(store)s are incomplete.") % {"store": store.code})
    marketplace = sp_marketplace(store)
    options: dict[str, Any] = {
        "credentials": {"refresh_token": refresh_token, "lwa_app_id": client_id, "lwa_client_secret": client_secret},
        "auth_token_client_class": _token_client_class(
            getattr(settings, "SPAPI_LWA_TOKEN_URL", "") or DEFAULT_LWA_TOKEN_URL),
        "timeout": getattr(settings, "SPAPI_TIMEOUT_SECONDS", 30),
        # Only these credentials: never ones the library would find in the environment or a config file.
        "credential_providers": [FromCodeCredentialProvider],
    }
    clients = SpApiClients(
        orders=OrdersClient(marketplace, **options), reports=ReportsClient(marketplace, **options),
        listings=ListingsItemsClient(marketplace, **options),
        definitions=ProductTypeDefinitionsClient(marketplace, **options), feeds=FeedsClient(marketplace, **options),
        marketplace_id=marketplace.marketplace_id, seller_id=credentials.seller_id.strip(),
    )
    endpoint = (getattr(settings, "SPAPI_ENDPOINT", "") or marketplace.endpoint).rstrip("/")
    for client in (clients.orders, clients.reports, clients.listings, clients.definitions, clients.feeds):
        # The library lets SP_API_DEFAULT_MARKETPLACE override the marketplace passed in; the store decides.
        client.endpoint, client.marketplace_id, client.region = endpoint, marketplace.marketplace_id, marketplace.region
    return clients


def _rate_limit(headers: Any) -> float | None:
    """Requests per second Amazon allows for the operation, from ``x-amzn-RateLimit-Limit``."""
    value = (headers or {}).get("x-amzn-RateLimit-Limit")
    try:
        rate = float(value) if value else None
    except ValueError:
        return None
    return rate if rate and rate > 0 else None


def backoff_delay(attempt: int, headers: Any = None) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): exponential, never below one request's quota."""
    delay = BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
    rate = _rate_limit(headers)
    if rate:
        delay = max(delay, 1 / rate)
    return min(delay, BACKOFF_MAX_SECONDS)


def _describe(exc: Exception) -> str:
    if isinstance(exc, SellingApiException):
        code = getattr(exc, "amzn_code", None) or type(exc).__name__
        message = getattr(exc, "message", None) or ""
        return f"{code} (HTTP {exc.code}): {message}".strip().rstrip(":")
    if isinstance(exc, AuthorizationError):
        return _("Login with Amazon refused the credentials (%(status)s %(code)s).") % {
            "status": exc.status_code, "code": exc.error_code}
    return type(exc).__name__


def resolve_sleep(sleep: Sleep | None) -> Sleep:
    """The given wait function, or ``time.sleep`` looked up now (so a test can replace it)."""
    return sleep if sleep is not None else time.sleep


def call(operation: Callable[..., ApiResponse], *args: Any, what: str, sleep: Sleep | None = None,
         **kwargs: Any) -> ApiResponse:
    """Call one SP-API operation, retrying throttled (429) and unavailable answers with back-off.

    Gives up after ``MAX_ATTEMPTS`` calls with ``SpApiError``; any other failure is raised at once as
    ``SpApiError``. Neither the log nor the error carries request data, so no credential can leak.
    """
    sleep = resolve_sleep(sleep)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return operation(*args, **kwargs)
        except _RETRYABLE as exc:
            if attempt == MAX_ATTEMPTS:
                raise SpApiError(_("%(what)s: still refused after %(n)d attempts: %(error)s")
                                 % {"what": what, "n": attempt, "error": _describe(exc)}) from None
            delay = backoff_delay(attempt, exc.headers)
            logger.info("SP-API %s refused (%s); retry %d in %.1fs", what, _describe(exc), attempt, delay)
            sleep(delay)
        except (SellingApiException, AuthorizationError) as exc:
            raise SpApiError(_("%(what)s failed: %(error)s") % {"what": what, "error": _describe(exc)}) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise SpApiError(_("%(what)s failed: %(error)s") % {"what": what, "error": type(exc).__name__}) from None
    raise AssertionError("unreachable")
