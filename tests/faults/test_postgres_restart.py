"""PostgreSQL restarted under load: while it is down every request fails cleanly, and once it is back all succeed.

A private PostgreSQL cluster (``services.postgres_start_private``) and a real gunicorn serving the site on it
with the production settings: DEBUG off, persistent connections (``CONN_MAX_AGE``), two worker processes of four
threads. Client threads request pages, an htmx partial, the API, a static file and the login form while an
operator ships orders through the page and the API; meanwhile the server is stopped (``fast``, as a service
restart does, then ``immediate``, as a crash does) and started again, and restarted once more while the site is
idle. A second case points the site at a port that never answers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path

import pytest
import requests
from django.conf import settings

from .services import PrivatePostgres, free_port, postgres_missing, postgres_start_private
from .site_state import OPERATOR, OPERATOR_PASSWORD

BASE_DIR = Path(settings.BASE_DIR)
#: Every request gets an answer within this, or the test fails: a request must never hang.
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 60.0
#: The load goes on until every kind of request has succeeded (before the first stop, after each start) or has
#: been refused (while the server is down, at least this long): each phase within its deadline.
OUTAGE_SECONDS = 2.0
PHASE_TIMEOUT = 20.0
ORDERS = 150
UPS = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
ENGLISH = "The database is unavailable; try again shortly."
CHINESE = "数据库暂时无法访问，请稍后再试。"
#: What each kind of request answers while the database is up.
SUCCESS = {"page": 200, "partial": 200, "page-zh": 200, "api": 200, "static": 200, "login-page": 200,
           "sign-in": 302, "ship-page": 302, "ship-api": 201}
#: These need no database: they answer as usual while it is down.
NO_DATABASE = {"static", "login-page"}

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the fault tests restart a PostgreSQL server; this run is on SQLite",
)


# The site under test ------------------------------------------------------------------------------------------

def _die_with_parent() -> None:
    """In the child: receive SIGTERM if the test process dies without its finalizers (Linux only)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``: a gunicorn master's workers."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(after_name[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@dataclass
class LiveSite:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    workers: set[int] = field(default_factory=set)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]


def site_environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Production settings on plain HTTP; no REDIS_URL, so tasks run in the web process and nothing is shared."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "PYTEST_XDIST_WORKER"}}
    (tmp_path / "static").mkdir(exist_ok=True)
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "tests.faults.site_settings",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }


def _gunicorn_options() -> list[str]:
    import gunicorn.config

    # gunicorn 27 opens a control socket at one path per user; two sites at once would share it.
    known = {setting.name for setting in gunicorn.config.KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in known else []


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[dict[str, str], int], LiveSite]]:
    """Start ``gunicorn sellerops.wsgi`` with an environment; every site started is stopped afterwards."""
    started: list[LiveSite] = []

    def start(env: dict[str, str], workers: int = 2) -> LiveSite:
        port = free_port()
        log_path = tmp_path / f"gunicorn-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "sellerops.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(workers), "--worker-class", "gthread", "--threads", "4", "--timeout", "30",
                 "--graceful-timeout", "5", *_gunicorn_options()],
                cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        site = LiveSite(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
        started.append(site)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{site.log()}")
            site.workers = _children(process.pid)
            if len(site.workers) == workers:
                try:
                    if requests.get(f"{site.url}/accounts/login/", timeout=REQUEST_TIMEOUT).status_code == 200:
                        return site
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not serve within {START_TIMEOUT:.0f} s:\n{site.log()}")

    yield start
    for site in started:
        if site.process.poll() is None:
            site.process.send_signal(signal.SIGTERM)
            try:
                site.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                site.process.kill()
                site.process.wait(timeout=15)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    missing = postgres_missing()
    if missing:
        pytest.skip(f"No private PostgreSQL for the fault tests: {missing}.")
    server = postgres_start_private()
    try:
        yield server
    finally:
        server.destroy()


def site_state(env: dict[str, str], command: str, *args: str) -> dict:
    """Run ``tests.faults.site_state`` against the site's database and return what it prints."""
    result = subprocess.run([sys.executable, "-m", "tests.faults.site_state", command, *args], cwd=BASE_DIR, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# Requests and their answers -------------------------------------------------------------------------------------

@dataclass
class Answer:
    kind: str
    method: str
    path: str
    started: float
    ended: float
    status: int | None = None
    content_type: str = ""
    retry_after: str | None = None
    body: str = ""
    error: str = ""

    def __str__(self) -> str:
        outcome = self.error or f"{self.status} {self.content_type} Retry-After={self.retry_after} {self.body[:300]!r}"
        return f"{self.kind} {self.method} {self.path} [{self.started:.2f}–{self.ended:.2f} s]: {outcome}"


class Recorder:
    """Sends requests for the client threads and keeps every answer, with when it was asked and answered.

    ``pause()`` holds every client before its next request and returns once none is waiting for an answer.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.origin = time.monotonic()
        self.answers: list[Answer] = []
        self.flowing = threading.Event()
        self.flowing.set()
        self._lock = threading.Lock()
        self._in_flight = 0

    def now(self) -> float:
        return time.monotonic() - self.origin

    def pause(self) -> None:
        self.flowing.clear()
        deadline = time.monotonic() + REQUEST_TIMEOUT + 5
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.05)

    def send(self, session: requests.Session, kind: str, method: str, path: str, **kwargs) -> Answer:
        self.flowing.wait()
        with self._lock:
            self._in_flight += 1
        started = self.now()
        try:
            response = session.request(method, self.base_url + path, timeout=REQUEST_TIMEOUT, allow_redirects=False,
                                       **kwargs)
        except requests.RequestException as error:
            answer = Answer(kind, method, path, started, self.now(), error=repr(error))
        else:
            answer = Answer(kind, method, path, started, self.now(), response.status_code,
                            response.headers.get("Content-Type", ""), response.headers.get("Retry-After"),
                            response.text[:3000])
        finally:
            with self._lock:
                self._in_flight -= 1
        self.answers.append(answer)
        return answer


def login_form(session: requests.Session) -> dict[str, str]:
    """The login form as the operator fills it in, with the CSRF token the login page set."""
    return {"username": OPERATOR, "password": OPERATOR_PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}


def signed_in(base_url: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base_url}/accounts/login/", timeout=REQUEST_TIMEOUT).raise_for_status()
    response = session.post(f"{base_url}/accounts/login/", timeout=REQUEST_TIMEOUT, allow_redirects=False,
                            data=login_form(session))
    assert response.status_code == 302, response.text[:2000]
    return session


def copy_of(session: requests.Session, **headers: str) -> requests.Session:
    clone = requests.Session()
    clone.cookies.update(session.cookies)
    clone.headers.update(headers)
    return clone


def is_clean_refusal(answer: Answer) -> bool:
    """503, Retry-After, and the short page (or the API's ``{"detail", "code"}``) saying so; no stack trace."""
    if answer.status != 503 or answer.retry_after != "5" or "Traceback" in answer.body:
        return False
    if answer.path.startswith("/api/"):
        try:
            body = json.loads(answer.body)
        except ValueError:
            return False
        return answer.content_type == "application/json" and body == {"detail": ENGLISH,
                                                                      "code": "database_unavailable"}
    text = CHINESE if answer.kind == "page-zh" else ENGLISH
    return answer.content_type.startswith("text/html") and text in answer.body


@dataclass
class Outage:
    mode: str
    under_load: bool
    stopping: float
    down: float
    starting: float
    up: float


def test_postgresql_restarted_under_load(private_postgres: PrivatePostgres, serve, tmp_path: Path):
    private_postgres.create_database("sellerops")
    env = site_environment(private_postgres.url("sellerops"), tmp_path)
    with ThreadPoolExecutor(1) as pool:
        # gunicorn needs no database to boot: it starts while the data is made.
        preparing = pool.submit(site_state, env, "prepare", str(ORDERS))
        site = serve(env)
        data = preparing.result()
    store, token, orders = data["store"], data["token"], data["orders"]
    workers = set(site.workers)
    recorder = Recorder(site.url)
    operator = signed_in(site.url)
    stop = threading.Event()

    # The last order is never shipped: its page and API resource are read all along.
    unshipped = orders[-1]
    htmx = {"HX-Request": "true"}
    readers = [
        (copy_of(operator), [("page", "/orders/", {}), ("page", f"/orders/{unshipped}/?store={store}", {}),
                             ("static", "/static/css/app.css", {})]),
        (copy_of(operator), [("partial", "/orders/?tab=unshipped", htmx), ("page", "/health/", {})]),
        (copy_of(operator, **{"Accept-Language": "zh-hans"}), [("page-zh", "/health/", {}),
                                                                ("page-zh", "/orders/", {})]),
        (copy_of(requests.Session(), Authorization=f"Token {token}"),
         [("api", f"/api/orders/?store={store}", {}), ("api", f"/api/orders/{unshipped}/?store={store}", {}),
          ("api", "/api/stores/", {})]),
    ]

    def read(session: requests.Session, targets: list[tuple[str, str, dict[str, str]]]) -> None:
        for kind, path, headers in cycle(targets):
            if stop.is_set():
                return
            recorder.send(session, kind, "GET", path, headers=headers)

    def sign_in() -> None:
        while not stop.is_set():
            session = requests.Session()
            page = recorder.send(session, "login-page", "GET", "/accounts/login/")
            if page.status == 200:
                recorder.send(session, "sign-in", "POST", "/accounts/login/", data=login_form(session))
            time.sleep(0.5)  # each sign-in hashes the password: a CPU-second on a small machine

    shipper = copy_of(operator)
    api = copy_of(requests.Session(), Authorization=f"Token {token}")
    attempted: dict[str, Answer] = {}

    def ship() -> None:
        for number, order in enumerate(orders[:-1]):
            if stop.is_set():
                return
            if number % 2:
                answer = recorder.send(api, "ship-api", "POST", f"/api/orders/{order}/ship/?store={store}", json=UPS)
            else:
                answer = recorder.send(shipper, "ship-page", "POST", f"/orders/{order}/ship/?store={store}",
                                       data={**UPS, "csrfmiddlewaretoken": shipper.cookies["csrftoken"]})
            attempted[order] = answer
            # Refused, it moves on to the next order after a pause; the refused ones are sent again at the end.
            time.sleep(0.5 if answer.status == 503 else 0.2)

    def wait_for(kinds: set[str], status: Callable[[str], int], since: float, what: str) -> None:
        """Until each of ``kinds`` has been answered with ``status(kind)`` by a request sent after ``since``."""
        deadline = time.monotonic() + PHASE_TIMEOUT
        while missing := kinds - {a.kind for a in list(recorder.answers)
                                  if a.started >= since and a.status == status(a.kind)}:
            if time.monotonic() > deadline:
                recent = "\n".join(str(a) for a in recorder.answers if a.kind in missing and a.started >= since)
                pytest.fail(f"{what} within {PHASE_TIMEOUT:.0f} s: {sorted(missing)}\n{recent[-3000:]}\n{site.log()}")
            time.sleep(0.1)

    threads = [threading.Thread(target=read, args=reader, daemon=True) for reader in readers]
    threads += [threading.Thread(target=sign_in, daemon=True), threading.Thread(target=ship, daemon=True)]
    outages: list[Outage] = []
    try:
        for thread in threads:
            thread.start()
        wait_for(set(SUCCESS), SUCCESS.get, 0, "not every kind of request succeeded before the first stop")
        # Under load, as a service restart (fast) and as a crash (immediate); then once while the site is idle, so
        # that every worker thread holds a kept connection the server has dropped.
        for mode, under_load in (("fast", True), ("immediate", True), ("fast", False)):
            if not under_load:
                recorder.pause()
            stopping = recorder.now()
            private_postgres.stop(mode)
            down = recorder.now()
            if under_load:
                time.sleep(OUTAGE_SECONDS)
                wait_for(set(SUCCESS) - NO_DATABASE, lambda kind: 503, down, f"not every request was refused ({mode})")
            starting = recorder.now()
            private_postgres.start()
            up = recorder.now()
            outages.append(Outage(mode, under_load, stopping, down, starting, up))
            recorder.flowing.set()
            # Recovery is bounded: every kind of request succeeds again within the phase's deadline.
            wait_for(set(SUCCESS), SUCCESS.get, up, f"not every kind of request succeeded after the {mode} restart")
    finally:
        stop.set()
        recorder.flowing.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
    assert not any(thread.is_alive() for thread in threads), "a client thread is still waiting for an answer"
    answers = list(recorder.answers)
    context = f"\n--- gunicorn log ---\n{site.log()}"

    # Never a hang, never a 500: every answer is the usual one or the deliberate 503.
    assert not [a for a in answers if a.error], "\n".join(str(a) for a in answers if a.error) + context
    odd = [a for a in answers if a.status != SUCCESS[a.kind] and not is_clean_refusal(a)]
    assert not odd, "\n".join(map(str, odd[:20])) + context

    assert all(a.status == SUCCESS[a.kind] for a in answers if a.ended < outages[0].stopping)
    for outage, next_stop in zip(outages, [o.stopping for o in outages[1:]] + [float("inf")], strict=True):
        if outage.under_load:
            # While the server is down, whatever needs the database is refused, and the rest is served as usual.
            during = [a for a in answers if a.started >= outage.down and a.ended <= outage.starting]
            refused = {a.kind for a in during if a.status == 503}
            assert refused == set(SUCCESS) - NO_DATABASE, f"{outage}: only {refused}"
            assert all(a.status == 503 for a in during if a.kind not in NO_DATABASE), outage
            assert all(a.status == 200 for a in during if a.kind in NO_DATABASE), outage
        # Once it accepts connections again, every request succeeds: no kept connection fails on its way out.
        after = [a for a in answers if outage.up <= a.started and a.ended < next_stop]
        failed = [a for a in after if a.status != SUCCESS[a.kind]]
        assert not failed, f"after the restart {outage}:\n" + "\n".join(map(str, failed[:20])) + context

    assert site.process.poll() is None, context
    assert _children(site.process.pid) == workers, f"a worker process was replaced{context}"

    # A shipment sent while the server went away either landed whole or not at all; sending it again says which.
    refused_ships = [order for order, answer in attempted.items() if answer.status == 503]
    assert refused_ships
    for order in refused_ships:
        again = recorder.send(api, "ship-api", "POST", f"/api/orders/{order}/ship/?store={store}", json=UPS)
        assert again.status in (201, 409), str(again)
        if again.status == 409:
            assert "is Shipped and cannot be shipped" in again.body
    state = site_state(env, "inspect", *orders)
    before = data["state"]
    for order in orders:
        row = state["orders"][order]
        if order in attempted:
            assert row == {**row, "status": "Shipped", "shipped": row["ordered"], "reserved": 0, "shipments": 1,
                           "shipment_units": row["ordered"], "shipment_events": 1, "consumed": row["ordered"]}, order
        else:
            assert row == before["orders"][order], order
    # Every change to a listing's stock has its movement, and no movement lacks its change.
    for sku, listing in state["listings"].items():
        was = before["listings"][sku]
        assert listing["available"] - was["available"] == listing["moved_available"] - was["moved_available"], sku
        assert listing["reserved"] - was["reserved"] == listing["moved_reserved"] - was["moved_reserved"], sku


def test_a_database_that_does_not_answer_is_a_503_not_a_hang(serve, tmp_path: Path):
    """A server that accepts the connection and never replies (a network black hole): connect_timeout ends it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        env = site_environment(f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/sellerops", tmp_path)
        site = serve(env, 1)
        recorder = Recorder(site.url)
        browser = requests.Session()
        recorder.send(browser, "login-page", "GET", "/accounts/login/")
        api = copy_of(requests.Session(), Authorization="Token 0123456789abcdef0123456789abcdef01234567")
        calls = [
            (browser, "sign-in", "POST", "/accounts/login/", {"data": login_form(browser)}),
            (api, "api", "GET", "/api/orders/", {}),
            (copy_of(requests.Session()), "static", "GET", "/static/css/app.css", {}),
        ]
        threads = [threading.Thread(target=recorder.send, args=call[:4], kwargs=call[4]) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
    answers = {a.kind: a for a in recorder.answers}
    context = f"\n--- gunicorn log ---\n{site.log()}"
    assert answers["login-page"].status == 200, str(answers["login-page"]) + context
    assert answers["static"].status == 200, str(answers["static"]) + context
    for kind in ("sign-in", "api"):
        assert is_clean_refusal(answers[kind]), str(answers[kind]) + context
    assert "timeout expired" in site.log()
