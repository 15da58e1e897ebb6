"""Amazon's product type definitions (Product Type Definitions API 2020-09-01), cached per marketplace and type.

``getDefinitionsProductType`` (requirements LISTING, the marketplace's locale) gives a link to the JSON schema of
the product type; the schema is downloaded from ``schema.link.resource`` and kept with what the listing editor
needs of it (``required``, and per attribute its title, description, enum values and examples). A cached
definition is used for 7 days, and fetched again sooner when Amazon's version of the type changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Store
from listings.models import ProductTypeDefinition
from listings.product_types import definition_from_schema

from .attributes import language_tag
from .client import Sleep, SpApiClients, SpApiError, call, clients_for
from .publish import publishing_credentials

MAX_AGE = timedelta(days=7)


def _download_schema(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=getattr(settings, "SPAPI_TIMEOUT_SECONDS", 30))
        response.raise_for_status()
        schema = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise SpApiError(_("The product type schema could not be downloaded: %(error)s")
                         % {"error": type(error).__name__}) from None
    if not isinstance(schema, dict):
        raise SpApiError(_("The product type schema is not a JSON object."))
    return schema


def _fresh(cached: ProductTypeDefinition | None, now: datetime, version: str | None) -> bool:
    if cached is None or now - cached.fetched_at > MAX_AGE:
        return False
    return version is None or not cached.version or cached.version == version


def product_type_definition(*, store: Store, product_type: str, version: str | None = None,
                            clients: SpApiClients | None = None, sleep: Sleep | None = None,
                            now: datetime | None = None) -> ProductTypeDefinition:
    """The cached definition of ``product_type`` in the store's marketplace, fetched when missing or stale.

    ``version``: Amazon's current ``productTypeVersion`` if known (from a search); a different cached one is
    fetched again.
    """
    now = now or timezone.now()
    info = store.marketplace_info
    locale = language_tag(info)
    cached = ProductTypeDefinition.objects.filter(marketplace_id=info.marketplace_id, product_type=product_type,
                                                  locale=locale).first()
    if _fresh(cached, now, version):
        assert cached is not None
        return cached
    own = clients is None
    clients = clients or clients_for(publishing_credentials(store))
    try:
        answer = call(clients.definitions.get_definitions_product_type, product_type, what="getDefinitionsProductType",
                      sleep=sleep, marketplaceIds=[clients.marketplace_id], requirements="LISTING",
                      locale=locale, sellerId=clients.seller_id).payload or {}
    finally:
        if own:
            clients.close()
    link = ((answer.get("schema") or {}).get("link") or {}).get("resource") or ""
    if not link:
        raise SpApiError(_("Amazon's definition of %(type)s has no schema link.") % {"type": product_type})
    schema = _download_schema(link)
    required, properties = definition_from_schema(schema)
    definition, _created = ProductTypeDefinition.objects.update_or_create(
        marketplace_id=info.marketplace_id, product_type=product_type, locale=locale,
        defaults={"display_name": str(answer.get("displayName") or "")[:200],
                  "version": str((answer.get("productTypeVersion") or {}).get("version") or "")[:100],
                  "required": required, "properties": properties, "schema": schema, "fetched_at": now})
    return definition


def product_type_search(*, store: Store, keywords: str = "", item_name: str = "",
                        sleep: Sleep | None = None) -> list[dict[str, Any]]:
    """Amazon's product types matching ``keywords`` (or an item name): ``[{"name", "displayName"}]``."""
    clients = clients_for(publishing_credentials(store))
    query: dict[str, Any] = {"marketplaceIds": [clients.marketplace_id], "locale": language_tag(store.marketplace_info)}
    if keywords.strip():
        query["keywords"] = [w for w in keywords.replace(",", " ").split() if w]
    elif item_name.strip():
        query["itemName"] = item_name.strip()
    try:
        answer = call(clients.definitions.search_definitions_product_types, what="searchDefinitionsProductTypes",
                      sleep=sleep, **query).payload or {}
    finally:
        clients.close()
    return [{"name": str(p.get("name") or ""), "displayName": str(p.get("displayName") or p.get("name") or ""),
             "version": str(answer.get("productTypeVersion") or "")}
            for p in answer.get("productTypes") or [] if p.get("name")]
