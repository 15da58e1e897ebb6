"""Credentials are encrypted at rest and never appear in logs, errors, reprs or the back office."""

from __future__ import annotations

import logging
import pickle
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.urls import reverse
from sp_api.auth import access_token_client

from core import crypto
from core.errors import ApplicationError
from spapi.client import SpApiError
from spapi.models import SellerCredentials
from spapi.performance import spapi_fetch_performance
from spapi.services import credentials_save
from spapi.sync import spapi_sync_orders
from tests.factories import MembershipFactory, StoreFactory, UserFactory

from .conftest import SECRETS
from .samples import amazon_item, amazon_order, performance_document

pytestmark = pytest.mark.django_db


def _assert_absent(text: str) -> None:
    for name, secret in SECRETS.items():
        assert secret not in text, f"{name} leaked"


def _raw_columns() -> tuple[str, ...]:
    table = connection.ops.quote_name(SellerCredentials._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT refresh_token, lwa_client_id, lwa_client_secret FROM {table}")  # noqa: S608
        return cursor.fetchone()


def test_secrets_never_reach_the_log_or_the_errors(amazon, credentials, store, now, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("sp_api", "sp_api.base.client", "sp_api.auth.access_token_client", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    amazon.orders = [amazon_order("113-0000001-0000001", now=now)]
    amazon.items = {"113-0000001-0000001": [amazon_item("BOTTLE-750", order_item_id="1")]}
    amazon.performance_document = performance_document()
    amazon.report_polls_before_done = 0
    amazon.throttle = {"getOrderItems": 1}
    spapi_sync_orders(store=store, now=now, sleep=lambda s: None)
    spapi_fetch_performance(store=store, sleep=lambda s: None)
    # Now Login with Amazon refuses the client secret: the failure is reported, the secret is not.
    amazon.client_secret = "rotated-on-amazon"
    access_token_client.cache.clear()

    with pytest.raises(SpApiError) as refused:
        spapi_sync_orders(store=store, since=now - timedelta(days=1), now=now, sleep=lambda s: None)

    assert "invalid_client" in refused.value.message
    assert caplog.records, "the sync logs nothing at all: the check below would prove nothing"
    _assert_absent(caplog.text)
    _assert_absent(str(refused.value))
    _assert_absent(repr(refused.value.__cause__ or refused.value.__context__ or ""))
    credentials.refresh_from_db()
    assert "invalid_client" in credentials.last_error
    _assert_absent(credentials.last_error)


def test_credentials_are_encrypted_in_the_database(credentials):
    stored = _raw_columns()

    assert all(stored)
    _assert_absent(" ".join(stored))
    reloaded = SellerCredentials.objects.get(pk=credentials.pk)
    assert reloaded.refresh_token.reveal() == SECRETS["refresh_token"]
    assert reloaded.lwa_client_id.reveal() == SECRETS["lwa_client_id"]
    assert reloaded.lwa_client_secret.reveal() == SECRETS["lwa_client_secret"]


def test_credentials_print_masked(credentials):
    text = " ".join([str(credentials), repr(credentials), str(credentials.refresh_token),
                     repr(credentials.lwa_client_secret), f"{credentials.lwa_client_id}",
                     str(vars(credentials)), str(SellerCredentials.objects.values_list("store", flat=True))])

    _assert_absent(text)
    assert crypto.MASK in repr(credentials.lwa_client_secret)
    with pytest.raises(TypeError):
        pickle.dumps(credentials.refresh_token)


def test_rotated_keys_still_decrypt_and_the_first_key_encrypts(credentials, settings):
    old_key = settings.SECRET_KEY
    new_key = Fernet.generate_key().decode()
    settings.SPAPI_CREDENTIALS_KEYS = [new_key, old_key]

    assert SellerCredentials.objects.get(pk=credentials.pk).refresh_token.reveal() == SECRETS["refresh_token"]
    credentials_save(store=credentials.store, refresh_token="Atzr|new-token")
    settings.SPAPI_CREDENTIALS_KEYS = [new_key]
    reloaded = SellerCredentials.objects.get(pk=credentials.pk)
    assert reloaded.refresh_token.reveal() == "Atzr|new-token"
    settings.SPAPI_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SellerCredentials.objects.get(pk=credentials.pk)


def test_saving_with_an_empty_secret_keeps_the_stored_one(credentials):
    credentials_save(store=credentials.store, lwa_client_secret="amzn1.oa2-cs.v1.new", is_active=False)

    reloaded = SellerCredentials.objects.get(pk=credentials.pk)
    assert reloaded.refresh_token.reveal() == SECRETS["refresh_token"]
    assert reloaded.lwa_client_secret.reveal() == "amzn1.oa2-cs.v1.new"
    assert reloaded.is_active is False


def test_new_credentials_need_all_three_secrets(store):
    with pytest.raises(ApplicationError, match="refresh token"):
        credentials_save(store=store, refresh_token="Atzr|x", lwa_client_id="amzn1.application-oa2-client.x")
    assert not SellerCredentials.objects.exists()


def test_admin_never_shows_a_stored_secret(client, credentials, store):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    pages = [client.get(reverse("admin:spapi_sellercredentials_changelist")),
             client.get(reverse("admin:spapi_sellercredentials_change", args=[credentials.pk])),
             client.get(reverse("admin:spapi_sellercredentials_history", args=[credentials.pk]))]

    for page in pages:
        assert page.status_code == 200
        _assert_absent(page.content.decode())
    assert 'type="password"' in pages[1].content.decode()


def test_admin_change_with_empty_secrets_keeps_them(client, credentials, store):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:spapi_sellercredentials_change", args=[credentials.pk])

    response = client.post(url, {"store": store.pk, "refresh_token": "", "lwa_client_id": "",
                                 "lwa_client_secret": "amzn1.oa2-cs.v1.replaced"})

    assert response.status_code == 302
    reloaded = SellerCredentials.objects.get(pk=credentials.pk)
    assert reloaded.refresh_token.reveal() == SECRETS["refresh_token"]
    assert reloaded.lwa_client_id.reveal() == SECRETS["lwa_client_id"]
    assert reloaded.lwa_client_secret.reveal() == "amzn1.oa2-cs.v1.replaced"
    assert reloaded.is_active is False


def test_admin_add_requires_every_secret_and_encrypts_them(client, store):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:spapi_sellercredentials_add")

    refused = client.post(url, {"store": store.pk, "is_active": "on", "refresh_token": SECRETS["refresh_token"]})
    created = client.post(url, {"store": store.pk, "is_active": "on", **SECRETS})

    assert refused.status_code == 200
    _assert_absent(refused.content.decode())
    assert created.status_code == 302
    assert SellerCredentials.objects.get(store=store).lwa_client_secret.reveal() == SECRETS["lwa_client_secret"]
    _assert_absent(" ".join(_raw_columns()))


def test_admin_shows_staff_only_their_stores_credentials(client, credentials):
    other = StoreFactory(code="OTHER-DE", marketplace="DE")
    credentials_save(store=other, refresh_token="Atzr|other", lwa_client_id="id-other", lwa_client_secret="s-other")
    staff = UserFactory(username="staff", is_staff=True)
    MembershipFactory(user=staff, store=other, role="admin")
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="sellercredentials"))
    client.force_login(staff)

    page = client.get(reverse("admin:spapi_sellercredentials_changelist"))

    assert page.status_code == 200
    assert "OTHER-DE" in page.content.decode()
    assert "ACME-US" not in page.content.decode()
