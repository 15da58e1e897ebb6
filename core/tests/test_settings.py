"""Settings come from the environment: each case starts a fresh interpreter with only its own variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from sellerops.celery import app
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "app_eager": app.conf.task_always_eager,
    "app_broker": app.conf.broker_url,
}))
"""

pytestmark = pytest.mark.skipif(
    (BASE_DIR / ".env").exists(),
    reason="a local .env file fills in variables these cases leave unset",
)


def _run(**environ: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "sellerops.settings",
           "PYTHONDONTWRITEBYTECODE": "1", **environ}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)


def _settings(**environ: str) -> dict:
    result = _run(**environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_without_a_secret_key_refuses_to_start():
    result = _run(DEBUG="false", ALLOWED_HOSTS="ops.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = _run(DEBUG="false", SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_with_its_secrets_starts():
    found = _settings(DEBUG="false", SECRET_KEY="s" * 50, ALLOWED_HOSTS="ops.example.com")
    assert found["debug"] is False


def test_nothing_set_means_sqlite_eager_celery_and_local_memory_cache():
    found = _settings()
    assert found["debug"] is True
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db_name"].endswith("db.sqlite3")
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert (found["eager"], found["app_eager"]) == (True, True)
    assert found["broker"] == found["app_broker"] == "memory://"


def test_database_url_switches_to_postgresql():
    found = _settings(DATABASE_URL="postgres://ops:secret@db.internal:5432/sellerops")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["db_name"] == "sellerops"
    assert found["eager"] is True


def test_redis_url_makes_redis_the_broker_results_and_cache_and_stops_eager_tasks():
    url = "redis://cache.internal:6379/2"
    found = _settings(REDIS_URL=url)
    assert found["broker"] == found["app_broker"] == url
    assert found["result_backend"] == url
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["cache_location"] == url
    assert (found["eager"], found["app_eager"]) == (False, False)
