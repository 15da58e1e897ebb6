"""Login throttling, production security settings and CSRF on every form post of the site."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from orders.models import OrderStatus
from tests.factories import UserFactory

from .conftest import StoreBWorld
from .urlwalk import all_routes, route_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def person(db):
    return UserFactory(username="pat")


def _login(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_ten_failures_lock_that_username_from_that_address(person):
    client = Client()
    for _ in range(9):
        assert _login(client, "pat", "wrong").status_code == 200  # the form again, with its error
    assert _login(client, "pat", "wrong").status_code == 429
    # Locked: even the right password is refused now, and nothing is signed in.
    response = _login(client, "pat", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same username from another address, and another username from this one, are not locked.
    assert _login(Client(), "pat", PASSWORD, address="198.51.100.1").status_code == 302
    UserFactory(username="sam")
    assert _login(Client(), "sam", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(person):
    client = Client()
    for _ in range(9):
        _login(client, "pat", "wrong")
    assert _login(client, "pat", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        assert _login(client, "pat", "wrong").status_code == 200
    assert _login(client, "pat", PASSWORD).status_code == 302


def test_the_lock_covers_the_admin_login_too(person):
    client = Client()
    for _ in range(10):
        _login(client, "pat", "wrong")
    response = client.post("/admin/login/", {"username": "pat", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429


def test_the_lock_expires_after_the_cool_off(person, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    client = Client()
    for _ in range(10):
        _login(client, "pat", "wrong")
    assert _login(client, "pat", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert _login(client, "pat", PASSWORD).status_code == 302


def test_one_password_over_many_usernames_locks_that_address(person, settings):
    settings.AXES_IP_FAILURE_LIMIT = 15  # 50 by default; the rule is the same
    client = Client()
    for n in range(14):
        assert _login(client, f"guess{n}", "Summer2026!").status_code == 200
    # The 15th failure from this address locks it, though no username failed more than once.
    assert _login(client, "guess14", "Summer2026!").status_code == 429
    assert _login(Client(), "pat", PASSWORD).status_code == 429
    # Another address is unaffected, for the same usernames too.
    other = Client()
    assert _login(other, "guess0", "Summer2026!", address="198.51.100.1").status_code == 200
    assert _login(other, "pat", PASSWORD, address="198.51.100.1").status_code == 302


def test_a_login_to_ones_own_account_does_not_clear_the_address(person, settings):
    settings.AXES_IP_FAILURE_LIMIT = 15
    UserFactory(username="mallory")
    client = Client()
    for n in range(12):
        assert _login(client, f"guess{n}", "Summer2026!").status_code == 200
    assert _login(Client(), "mallory", PASSWORD).status_code == 302
    assert _login(client, "guess12", "Summer2026!").status_code == 200
    assert _login(client, "guess13", "Summer2026!").status_code == 200
    assert _login(client, "guess14", "Summer2026!").status_code == 429


def test_the_address_limit_can_be_turned_off(person, settings):
    settings.AXES_IP_FAILURE_LIMIT = 0
    client = Client()
    for n in range(12):
        assert _login(client, f"guess{n}", "Summer2026!").status_code == 200
    assert _login(client, "pat", PASSWORD).status_code == 302


def test_the_address_limit_defaults_to_fifty():
    from sellerops import settings as project_settings

    assert project_settings.AXES_IP_FAILURE_LIMIT == 50 > project_settings.AXES_FAILURE_LIMIT


def _run_check_deploy(**env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_"))}
    environment.update({"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
                        "ALLOWED_HOSTS": "ops.example.com", **env})
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production():
    result = _run_check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_notices_an_insecure_setting():
    result = _run_check_deploy(SECURE_HSTS_SECONDS="0", SESSION_COOKIE_SECURE="false")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W012" in result.stderr + result.stdout


def test_production_settings_values():
    code = ("from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS)")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "SESSION_"))}
    environment.update({"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "a.example",
                        "DJANGO_SETTINGS_MODULE": "sellerops.settings"})
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["2592000", "True", "True", "True", "True", "DENY"], result.stderr
    environment.update({"SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "31536000"})
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.stdout.split()[:2] == ["31536000", "False"], result.stderr


# --- CSRF --------------------------------------------------------------------------------------------------



@pytest.fixture
def own_world(world_b: StoreBWorld) -> StoreBWorld:
    """Store B's objects, seen by B's own admin: every POST would succeed if the token were not checked."""
    return world_b


def test_every_form_post_without_a_csrf_token_is_refused(own_world: StoreBWorld):
    client = Client(enforce_csrf_checks=True)
    client.force_login(own_world.user)
    order_status = own_world.order.status
    checked = []
    for route in all_routes():
        if route.namespace == "admin" and route.arguments:
            continue  # the same view as the admin pages without arguments, checked through those
        url = route_url(route, own_world)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, {"note": "x", "reason": "x"}, headers=headers)
            # 405 where the URL takes no POST; anything else must be the CSRF refusal.
            assert response.status_code in (403, 405), (url, headers, response.status_code)
            if response.status_code == 403:
                checked.append(url)
    own_world.order.refresh_from_db()
    assert own_world.order.status == order_status
    assert f"/orders/{own_world.order.amazon_order_id}/cancel/" in checked
    assert "/accounts/login/" in checked


def test_session_authenticated_api_writes_need_the_token(own_world: StoreBWorld):
    client = Client(enforce_csrf_checks=True)
    client.force_login(own_world.user)
    response = client.post(f"/api/orders/{own_world.order.amazon_order_id}/cancel/",
                           {"initiator": "buyer", "reason": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    own_world.order.refresh_from_db()
    assert own_world.order.status == OrderStatus.UNSHIPPED
