"""Project-wide pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import MembershipFactory, StoreFactory, UserFactory


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request leaves its language active in the thread (the browser's, or the one a profile chose); the next
    test starts in the site's own."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploaded and generated files (images, attachments, the demo's photos) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


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


@pytest.fixture
def op_client(client, operator):
    """The test client, logged in as an operator of ``store``."""
    client.force_login(operator)
    return client


@pytest.fixture
def agent_client(client, store):
    """The test client, logged in as a support agent of ``store``."""
    agent = UserFactory(username="agent")
    MembershipFactory(user=agent, store=store, role="agent")
    client.force_login(agent)
    return client


@pytest.fixture(autouse=True, scope="session")
def _tests_run_tasks_eagerly_on_a_private_cache():
    """Run Celery tasks in-process and cache in local memory, even when REDIS_URL is set.

    REDIS_URL in the environment serves the tests that start a real worker; every other test expects
    the embedded defaults and must not leave keys behind in a shared Redis.
    """
    from django.test.utils import override_settings

    from sellerops.celery import app as celery_app

    overrides = {"task_always_eager": True, "broker_url": "memory://", "result_backend": "cache+memory://"}
    saved = {key: celery_app.conf[key] for key in overrides}
    celery_app.conf.update(overrides)
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache = override_settings(CACHES=locmem)
    cache.enable()
    yield
    cache.disable()
    celery_app.conf.update(saved)


@pytest.fixture(autouse=True, scope="session")
def _compiled_translations():
    """Compile the catalogues once if a .mo is missing or older than its .po (.mo files are not committed)."""
    import fcntl
    import tempfile

    from django.conf import settings
    from django.core.management import call_command

    def stale() -> bool:
        for locale_path in settings.LOCALE_PATHS:
            for po in Path(locale_path).glob("*/LC_MESSAGES/*.po"):
                mo = po.with_suffix(".mo")
                if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                    return True
        return False

    if not stale():
        return
    lock_path = Path(tempfile.gettempdir()) / "sellerops-compilemessages.lock"
    with open(lock_path, "w") as lock:
        # Parallel test workers wait for the one that compiles instead of writing the same files at once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stale():
            call_command("compilemessages", ignore_patterns=[".venv", "staticfiles"], verbosity=0)


@pytest.fixture(autouse=True)
def _background_work_finished_within_the_test():
    """Without a broker, an upload's import runs after the response in a thread of this process: no test leaves one
    running for the next (whose database it would write to)."""
    yield
    from core.background import background_wait

    assert background_wait(timeout=120), "background work still running after the test"
