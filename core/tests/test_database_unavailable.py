"""A database that cannot be reached: pages, the API and the 500 handler answer a short 503 with Retry-After.

These cases make the connection fail inside the test process; tests/faults/test_postgres_restart.py stops and
starts a real PostgreSQL under a real gunicorn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.database import server_error

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
ENGLISH = "The database is unavailable; try again shortly."
CHINESE = "数据库暂时无法访问，请稍后再试。"


@contextmanager
def database_down(error: type[Exception] = OperationalError):
    """Every new cursor fails as it does while PostgreSQL is stopped."""
    failure = error('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    with mock.patch.object(connections["default"], "ensure_connection", side_effect=failure):
        yield


def assert_page_503(response, text: str = ENGLISH) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert text in body
    assert "Traceback" not in body and "OperationalError" not in body


def assert_api_503(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": ENGLISH, "code": "database_unavailable"}


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_answers_503_when_the_session_cannot_be_loaded(op_client, error):
    with database_down(error):
        response = op_client.get("/orders/")
    assert_page_503(response)
    assert '<a href="">' in response.content.decode()  # "Try again": the same page


def test_a_failure_inside_the_view_is_a_503_too(op_client):
    with mock.patch("orders.views.order_list", side_effect=OperationalError("terminating connection")):
        response = op_client.get("/orders/")
    assert_page_503(response)


def test_the_page_speaks_the_viewers_language(op_client):
    with database_down():
        response = op_client.get("/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert_page_503(response, CHINESE)


def test_a_form_post_gets_the_page_without_a_retry_link(op_client):
    with database_down():
        response = op_client.post("/accounts/preferences/", {"timezone": "UTC"})
    assert_page_503(response)
    assert "<a " not in response.content.decode()


def test_the_login_page_still_shows_and_signing_in_is_a_503(client, operator):
    with database_down():
        page = client.get("/accounts/login/")
        signed_in = client.post("/accounts/login/", {"username": "op", "password": "correct horse battery staple"})
    assert page.status_code == 200
    assert_page_503(signed_in)


def test_the_api_answers_its_error_shape_with_a_token(operator):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=operator).key}")
    with database_down():
        response = api.get("/api/orders/")
    assert_api_503(response)


def test_the_api_answers_json_when_the_session_cannot_be_loaded(op_client):
    with database_down():
        response = op_client.get("/api/orders/")
    assert_api_503(response)


def test_the_500_handler_turns_a_database_failure_into_a_503():
    request = RequestFactory().get("/orders/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert_page_503(response)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500


PROBE = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"options": db.get("OPTIONS", {}), "health_checks": db.get("CONN_HEALTH_CHECKS")}))
"""


@pytest.mark.parametrize(("url", "timeout"), [
    ("postgres://u@db.example.com:5432/sellerops", 5),
    ("postgres://u@db.example.com:5432/sellerops?connect_timeout=2", 2),
])
def test_postgresql_connections_time_out_and_are_checked_before_reuse(url, timeout):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "sellerops.settings",
           "DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout.strip().splitlines()[-1])
    assert database["options"]["connect_timeout"] == timeout
    assert database["health_checks"] is True
    assert {name: database["options"][name] for name in ("keepalives", "keepalives_idle", "keepalives_interval",
                                                          "keepalives_count")} == {
        "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


@pytest.mark.django_db
def test_the_postgresql_connection_has_tcp_keepalives_on():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("TCP keepalives are a PostgreSQL connection setting.")
    connection.ensure_connection()
    parameters = connection.connection.get_dsn_parameters()
    assert (parameters["keepalives"], parameters["keepalives_idle"], parameters["keepalives_count"]) == ("1", "30", "3")
