"""Writes to a store's SP-API credentials: saving them, and recording how the last sync went."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from spapi.models import SellerCredentials


def credentials_of(store: Store) -> SellerCredentials:
    try:
        return SellerCredentials.objects.select_related("store").get(store=store)
    except SellerCredentials.DoesNotExist:
        raise ApplicationError(_("Store %(store)s has no SP-API credentials.") % {"store": store.code}) from None


@transaction.atomic
def credentials_save(*, store: Store, refresh_token: str = "", lwa_client_id: str = "", lwa_client_secret: str = "",
                     seller_id: str | None = None, is_active: bool | None = None) -> SellerCredentials:
    """Create or update ``store``'s credentials; an empty secret keeps the stored one."""
    credentials = SellerCredentials.objects.select_for_update().filter(store=store).first()
    values = {"refresh_token": refresh_token.strip(), "lwa_client_id": lwa_client_id.strip(),
              "lwa_client_secret": lwa_client_secret.strip()}
    if credentials is None:
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ApplicationError(_("New SP-API credentials need a refresh token, an LWA client id and an LWA "
                                     "client secret."))
        credentials = SellerCredentials(store=store)
    for name, value in values.items():
        if value:
            setattr(credentials, name, value)
    if seller_id is not None:
        credentials.seller_id = seller_id.strip()
    if is_active is not None:
        credentials.is_active = is_active
    credentials.save()
    return credentials


def credentials_record_failure(credentials: SellerCredentials, message: str, at: datetime) -> None:
    """Keep the last failure where the back office shows it; the message never holds a credential."""
    SellerCredentials.objects.filter(pk=credentials.pk).update(last_error=message[:2000], last_error_at=at)


def credentials_active_store_ids() -> list[int]:
    """The stores whose SP-API sync is on (their credentials and the store both active)."""
    return list(SellerCredentials.objects.filter(is_active=True, store__is_active=True)
                .values_list("store_id", flat=True).order_by("store_id"))
