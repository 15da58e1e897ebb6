"""Load-test the site under gunicorn: operators, managers, agents and API clients at once, with latency percentiles.

    pip install -e ".[bench]"                       # locust
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerops_load .venv/bin/python benchmarks/load.py
    ... benchmarks/load.py --users 50 --duration 120 --workers 2 --threads 8 --wait 1,5

It reads realistic ids from the database (orders, threads and metrics of the demo users' stores), starts
gunicorn on 127.0.0.1 with production settings (``DEBUG`` off), lets ``--users`` virtual users sign in as the
demo users, then measures for ``--duration`` seconds or ``--max-requests`` requests, whichever ends first, and
prints throughput, p50/p95/p99 and errors per endpoint, for pages and for the API. Target: pages p95 under
300 ms with 50 users on 1,000,000 orders, and no errors.

The database must hold the demo users (``seed_demo``, or ``benchmarks/metrics.py`` at scale). Stores without
daily snapshots get 90 days of them and a live recompute first, as ``seed_demo`` gives them; the script
also creates API tokens. Use a database of its own: it writes those rows, never orders.
"""

from __future__ import annotations

# locust patches the standard library for gevent: it must come first.
from locust import FastHttpUser, between, constant, events, task  # isort: skip

import argparse
import json
import os
import random
import re
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust.env import Environment
from locust.stats import RequestStats, StatsEntry

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "sellerops-demo"
TARGET_PAGES_P95_MS = 300
#: What the script reads from the database for the virtual users to ask for; filled by ``prepare``.
PLAN: dict = {}


# --- Reading realistic ids ---------------------------------------------------------------------------------

def prepare(*, per_store: int, backfill: bool) -> dict:
    """Ids to request, per store: open orders at the head of the queue and random ones, threads, metrics."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from core.models import Membership, Store
    from metrics.definitions import DEFINITIONS, Direction, MetricKey
    from metrics.models import MetricSnapshot
    from metrics.services import metrics_backfill_daily, metrics_recompute
    from metrics.views.common import TILE_KEYS
    from orders.models import Order, OrderItem, OrderStatus
    from support.models import MessageThread

    call_command("migrate", verbosity=0)
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["operator", "manager", "agent", "admin"])}
    if len(users) < 4:
        sys.exit("The demo users are missing: seed the database first (manage.py seed_demo, "
                 "or benchmarks/metrics.py at scale).")
    store_ids = Membership.objects.filter(user=users["operator"]).values("store_id")
    stores = list(Store.objects.filter(pk__in=store_ids).order_by("code"))
    now = timezone.now()
    rng = random.Random(1)
    plan: dict = {"stores": [], "tiles": [], "tokens": {}}
    for name in ("admin", "operator"):
        plan["tokens"][name] = Token.objects.get_or_create(user=users[name])[0].key
    for metric, channel, days in TILE_KEYS:
        floor = DEFINITIONS[MetricKey(metric)].direction is Direction.FLOOR
        plan["tiles"].append({"metric": metric, "channel": channel, "days": days,
                              "parts": ["numerator", "denominator"] + (["missed"] if floor else [])})
    for store in stores:
        orders = Order.objects.filter(store=store)
        bounds = orders.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            continue
        if backfill and not MetricSnapshot.objects.filter(store=store, kind=MetricSnapshot.Kind.DAILY).exists():
            started = time.perf_counter()
            metrics_backfill_daily(store=store, days=90, now=now)
            metrics_recompute(store=store)
            print(f"  {store.code}: 90 days of daily snapshots and a live recompute in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
        # The head of the queue (what operators open most) and orders from anywhere in the store's history.
        head = list(orders.filter(fulfillment_channel="MFN", status__in=[OrderStatus.UNSHIPPED,
                                                                         OrderStatus.CONFIRMED])
                    .order_by("latest_ship_date", "pk").values_list("amazon_order_id", flat=True)[:per_store // 3])
        sample = [rng.randint(bounds["low"], bounds["high"]) for _ in range(per_store * 2)]
        anywhere = list(orders.filter(pk__in=sample).values_list("amazon_order_id", flat=True)[:per_store])
        threads = MessageThread.objects.filter(store=store)
        pending = list(threads.filter(messages__direction="inbound", messages__needs_reply=True,
                                      messages__replied_at__isnull=True)
                       .order_by("-last_message_at").values_list("pk", flat=True).distinct()[:per_store // 3])
        some = list(threads.order_by("?").values_list("pk", flat=True)[:per_store])
        # What operators type besides order ids: a buyer's surname, a SKU.
        names = orders.filter(pk__in=sample[:40]).exclude(buyer_name="").values_list("buyer_name", flat=True)
        skus = OrderItem.objects.filter(store=store, order_id__in=sample[:40]).values_list("sku", flat=True)
        texts = [name.split()[-1] for name in names[:10]] + list(skus[:10])
        plan["stores"].append({"code": store.code, "orders": head + anywhere, "threads": pending + some,
                               "texts": texts or ["—"]})
    plan["known"] = (MetricSnapshot.objects.filter(kind=MetricSnapshot.Kind.LIVE)
                     .aggregate(last=Max("computed_at"))["last"] or now).timestamp()
    plan["database"] = f"{connection.vendor} {connection.settings_dict['NAME']}"
    plan["orders"] = Order.objects.count()
    connection.close()
    return plan


# --- The virtual users -------------------------------------------------------------------------------------

def pick_store() -> dict:
    return random.choice(PLAN["stores"])


class SiteUser(FastHttpUser):
    """A person at a browser: signs in once, then clicks through pages and their htmx partials."""

    abstract = True
    username = ""
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        with self.client.get("/accounts/login/", name="login (form)", catch_response=True) as response:
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text or "")
            if response.status_code != 200 or not match:
                response.failure(f"HTTP {response.status_code}, no CSRF token")
                raise RuntimeError("cannot sign in")
        with self.client.post("/accounts/login/", name="login (post)", allow_redirects=False,
                              catch_response=True,
                              data={"username": self.username, "password": DEMO_PASSWORD,
                                    "csrfmiddlewaretoken": match.group(1)}) as response:
            if response.status_code != 302 or "/accounts/login/" in (response.headers.get("Location") or ""):
                response.failure(f"sign-in refused: HTTP {response.status_code}")
        RUN.signed_in += 1

    def page(self, url: str, name: str, *, htmx: bool = False, target: str = "", ok: tuple[int, ...] = (200,)) -> None:
        """GET ``url``; ``htmx`` asks as htmx does, for the partial that replaces ``target`` (an element id)."""
        headers = {"HX-Request": "true", **({"HX-Target": target} if target else {})} if htmx else {}
        with self.client.get(url, name=name + (" (htmx)" if htmx else ""), headers=headers, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code not in ok:
                response.failure(f"HTTP {response.status_code} {url}")


QUEUE_TABS = ("needs_action", "late", "due_today", "risky", "unshipped", "fba", "cancelled", "all")
QUEUE_FILTERS = ({"status": "Unshipped"}, {"channel": "MFN"}, {"channel": "AFN"}, {"ship_by": "overdue"},
                 {"ship_by": "today"}, {"ship_by": "next2"}, {"status": "Shipped"})


class Operator(SiteUser):
    """The order queue: tabs, filters, the next page, a search; then one order after another."""

    weight = 20
    username = "operator"

    @task(4)
    def queue(self) -> None:
        self.page("/orders/", "orders: queue")

    @task(4)
    def queue_tab(self) -> None:
        params = {"tab": random.choice(QUEUE_TABS)}
        if random.random() < 0.5:
            params["store"] = pick_store()["code"]
        self.page(f"/orders/?{urlencode(params)}", "orders: queue tab", htmx=True)

    @task(3)
    def queue_filtered(self) -> None:
        params = {"tab": random.choice(("needs_action", "all")), **random.choice(QUEUE_FILTERS)}
        if random.random() < 0.5:
            params["store"] = pick_store()["code"]
        self.page(f"/orders/?{urlencode(params)}", "orders: queue filtered", htmx=True)

    @task(1)
    def queue_next_page(self) -> None:
        params = {"tab": random.choice(("needs_action", "all")), "page": random.randint(2, 5)}
        self.page(f"/orders/?{urlencode(params)}", "orders: queue page 2-5", htmx=True)

    @task(1)
    def queue_search(self) -> None:
        store = pick_store()
        params = {"tab": "all", "store": store["code"], "q": random.choice(store["orders"])}
        self.page(f"/orders/?{urlencode(params)}", "orders: search order id", htmx=True)

    @task(1)
    def queue_search_text(self) -> None:
        store = pick_store()
        params = {"tab": "all", "store": store["code"], "q": random.choice(store["texts"])}
        self.page(f"/orders/?{urlencode(params)}", "orders: search name/SKU", htmx=True)

    @task(6)
    def order(self) -> None:
        store = pick_store()
        self.page(f"/orders/{random.choice(store['orders'])}/?store={store['code']}", "orders: detail")


class Manager(SiteUser):
    """Account health: every store, one store's tiles, the rows behind a number, a metric's trend."""

    weight = 10
    username = "manager"

    @task(2)
    def overview(self) -> None:
        self.page("/health/", "health: all stores")

    @task(3)
    def board(self) -> None:
        self.page(f"/health/?store={pick_store()['code']}", "health: store", htmx=random.random() < 0.5)

    @task(2)
    def poll(self) -> None:
        self.page(f"/health/poll/?{urlencode({'store': pick_store()['code'], 'known': PLAN['known']})}",
                  "health: poll", htmx=True, ok=(200, 204))

    @task(4)
    def drilldown(self) -> None:
        tile, store = random.choice(PLAN["tiles"]), pick_store()
        params = {"part": random.choice(tile["parts"])}
        if random.random() < 0.2:
            params["page"] = 2
        url = f"/health/{store['code']}/{tile['metric']}/{tile['channel']}/{tile['days']}/?{urlencode(params)}"
        self.page(url, "health: drill-down", htmx=random.random() < 0.5)

    @task(2)
    def trend(self) -> None:
        tile, store = random.choice(PLAN["tiles"]), pick_store()
        days = random.choice((90, 90, 30, 180, 365))
        self.page(f"/health/{store['code']}/{tile['metric']}/{tile['channel']}/{tile['days']}/trend/?days={days}",
                  "health: trend")

    @task(1)
    def breaches(self) -> None:
        self.page("/health/breaches/", "health: breaches")


INBOX_TABS = ("needs_reply", "overdue", "due_soon", "answered", "all")


class Agent(SiteUser):
    """The support inbox: tabs, one thread after another, claims and feedback."""

    weight = 10
    username = "agent"

    @task(2)
    def inbox(self) -> None:
        self.page("/inbox/", "inbox: list")

    @task(3)
    def inbox_tab(self) -> None:
        params = {"tab": random.choice(INBOX_TABS)}
        if random.random() < 0.5:
            params["store"] = pick_store()["code"]
        self.page(f"/inbox/?{urlencode(params)}", "inbox: list", htmx=True, target="inbox-list")

    @task(5)
    def thread(self) -> None:
        store = pick_store()
        if store["threads"]:
            self.page(f"/inbox/{random.choice(store['threads'])}/", "inbox: thread", htmx=random.random() < 0.5,
                      target="thread-pane")

    @task(1)
    def claims(self) -> None:
        self.page("/inbox/claims/", "inbox: claims")

    @task(1)
    def feedback(self) -> None:
        self.page("/inbox/feedback/", "inbox: feedback")


class ApiClient(FastHttpUser):
    """An integration with a token: order lists and syncs, single orders, messages, shipments, metrics."""

    weight = 10
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Token {PLAN['tokens'][random.choice(('admin', 'operator'))]}",
                        "Accept": "application/json"}
        RUN.signed_in += 1

    def call(self, url: str, name: str) -> dict | None:
        with self.client.get(url, name=name, headers=self.headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {url}")
                return None
            return response.json()

    @task(3)
    def orders(self) -> None:
        params = {"store": pick_store()["code"]}
        if random.random() < 0.5:
            params.update(order_status="Unshipped", fulfillment_channel="MFN")
        body = self.call(f"/api/orders/?{urlencode(params)}", "api: orders")
        if body and body.get("next") and random.random() < 0.3:
            self.call(body["next"], "api: orders next page")

    @task(2)
    def orders_since(self) -> None:
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
        params = {"store": pick_store()["code"], "last_update_date_after": since}
        self.call(f"/api/orders/?{urlencode(params)}", "api: orders changed since")

    @task(6)
    def order(self) -> None:
        store = pick_store()
        self.call(f"/api/orders/{random.choice(store['orders'])}/?store={store['code']}", "api: order")

    @task(1)
    def messages(self) -> None:
        self.call(f"/api/messages/?store={pick_store()['code']}", "api: messages")

    @task(1)
    def shipments(self) -> None:
        self.call(f"/api/shipments/?store={pick_store()['code']}", "api: shipments")

    @task(1)
    def metrics(self) -> None:
        self.call(f"/api/stores/{pick_store()['code']}/metrics/", "api: store metrics")


# --- Recording ---------------------------------------------------------------------------------------------

@dataclass
class Run:
    users: int = 0
    signed_in: int = 0
    measuring: bool = False
    started: float = 0.0
    ended: float = 0.0
    #: locust's statistics of the requests sent once every user had signed in, and before the end; the
    #: environment's own (``env.stats``) hold every request, sign-ins included.
    measured: RequestStats = field(default_factory=lambda: RequestStats(use_response_times_cache=False))


RUN = Run()


def on_request(request_type: str, name: str, response_time: float, response_length: int,
               exception: Exception | None, start_time: float, **_kw) -> None:
    if name.startswith("login") or not RUN.measuring or start_time < RUN.started:
        return
    RUN.measured.log_request(request_type, name, response_time, response_length)
    if exception is not None:
        RUN.measured.log_error(request_type, name, exception)


def combined(stats: RequestStats, label: str, names: list[str]) -> StatsEntry:
    """One locust entry for the requests of several endpoints together."""
    entry = StatsEntry(stats, label, "")
    for (name, _method), each in stats.entries.items():
        if name in names:
            entry.extend(each)
    return entry


#: Endpoints that compute metrics while the user waits (``metrics.engine.compute_all``, one store or all).
COMPUTING = ("health: all stores", "health: store", "health: drill-down", "api: store metrics")


def kind_of(name: str) -> str:
    return "api" if name.startswith("api:") else "pages"


# --- gunicorn ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(static_root: str, throttle: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false", SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0", STATIC_ROOT=static_root, LOG_LEVEL="WARNING",
        # Every API client shares the demo users' tokens: the per-token budget would answer 429 within a minute.
        API_TOKEN_THROTTLE_RATE=throttle,
    )
    return env


def start_gunicorn(args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("gunicorn")), "sellerops.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--timeout", "120", "--error-logfile", str(log)]
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    with log.open("ab") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"gunicorn did not answer within 60 s; see {log}")


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (gunicorn's master and workers)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        return sum(p.cpu_times().user + p.cpu_times().system for p in [parent, *parent.children(recursive=True)])
    except psutil.Error:
        return 0.0


# --- Running and reporting ---------------------------------------------------------------------------------

def run_load(args: argparse.Namespace, host: str) -> RequestStats:
    """Run the users; return the statistics of every request (``RUN.measured`` holds the measured ones)."""
    low, high = args.wait
    SiteUser.wait_time = ApiClient.wait_time = constant(0) if high == 0 else between(low, high)
    classes = {"operator": Operator, "manager": Manager, "agent": Agent, "api": ApiClient}
    for name, weight in args.mix.items():
        classes[name].weight = weight
    env = Environment(user_classes=[cls for cls in classes.values() if cls.weight], host=host, events=events)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    RUN.users = args.users
    runner.start(args.users, spawn_rate=args.spawn_rate)
    deadline = time.monotonic() + args.users / args.spawn_rate + 120
    while RUN.signed_in < args.users:
        if time.monotonic() > deadline:
            runner.quit()
            refusals = sorted(e.to_name() for e in env.stats.errors.values() if e.name.startswith("login"))
            sys.exit(f"only {RUN.signed_in} of {args.users} users signed in: {refusals[:3]}")
        gevent.sleep(0.1)
    RUN.measured.reset_all()
    RUN.started, RUN.measuring = time.time(), True
    end = time.monotonic() + args.duration
    while time.monotonic() < end and RUN.measured.num_requests < args.max_requests:
        gevent.sleep(0.1)
    RUN.ended, RUN.measuring = time.time(), False
    runner.quit()
    return env.stats


def report(args: argparse.Namespace, *, every_request: RequestStats, load_before: tuple, load_after: tuple,
           client_cpu: float, server_cpu: float) -> dict:
    elapsed = RUN.ended - RUN.started
    measured = RUN.measured
    rows = []
    groups: dict[str, list[str]] = {"pages": [], "api": []}
    for name in sorted({name for name, _method in measured.entries}, key=lambda n: (kind_of(n), n)):
        groups[kind_of(name)].append(name)
    header = f"{'endpoint':<32} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"

    def line(label: str, names: list[str]) -> str:
        entry = combined(measured, label, names)
        count, errors, longest = entry.num_requests, entry.num_failures, entry.max_response_time
        if not count:
            return f"{label:<32} {0:>8}"
        p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.50, 0.95, 0.99))
        rows.append({"endpoint": label, "requests": count, "rps": count / elapsed, "errors": errors,
                     "p50": p50, "p95": p95, "p99": p99, "max": longest})
        return (f"{label:<32} {count:>8} {count / elapsed:>7.1f} {errors:>6} {p50:>7.0f} {p95:>7.0f} "
                f"{p99:>7.0f} {longest:>7.0f}")

    print(f"\nmeasured {elapsed:.1f} s after {RUN.users} users signed in; times in ms")
    print(header)
    print("-" * len(header))
    for kind in ("pages", "api"):
        for name in groups[kind]:
            print(line(name, [name]))
        print("-" * len(header))
    print(line("ALL PAGES", groups["pages"]))
    print(line("ALL API", groups["api"]))
    print(line("ALL", groups["pages"] + groups["api"]))
    print(line("pages, no live metrics", [n for n in groups["pages"] if not n.startswith(COMPUTING)]))
    print(line("API, no live metrics", [n for n in groups["api"] if not n.startswith(COMPUTING)]))
    sign_in = combined(every_request, "sign-in", [n for n, _method in every_request.entries if n.startswith("login")])
    if sign_in.num_requests:
        print(f"sign-in (not measured above): {sign_in.num_requests} requests, "
              f"p50 {sign_in.get_response_time_percentile(0.5):.0f} ms, max {sign_in.max_response_time:.0f} ms, "
              f"{sign_in.num_failures} errors")
    for (name, _method), entry in sorted(measured.entries.items()):
        if entry.num_failures:
            examples = sorted({str(e.error) for e in measured.errors.values() if e.name == name})
            print(f"errors of {name}: {entry.num_failures}, e.g. {examples[:3]}")
    pages = next((r for r in rows if r["endpoint"] == "ALL PAGES"), None)
    total = next((r for r in rows if r["endpoint"] == "ALL"), None)
    print(f"\nload average before: {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after: {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"CPU seconds during the run: gunicorn {server_cpu:.0f}, load generator {client_cpu:.0f} "
          f"(of {elapsed * (os.cpu_count() or 1):.0f} available on {os.cpu_count()} cores)")
    if pages and total:
        verdict = "met" if pages["p95"] < TARGET_PAGES_P95_MS and total["errors"] == 0 else "NOT met"
        print(f"target (pages p95 < {TARGET_PAGES_P95_MS} ms, no errors): {verdict} — pages p95 "
              f"{pages['p95']:.0f} ms, {total['errors']} errors, {total['rps']:.1f} req/s in all")
    return {"rows": rows, "elapsed": elapsed, "load_before": load_before, "load_after": load_after}


def wait_range(text: str) -> tuple[float, float]:
    parts = [float(p) for p in text.split(",")]
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or parts[0] < 0 or parts[1] < parts[0]:
        raise argparse.ArgumentTypeError("give MIN,MAX seconds, e.g. 0.5,1.5 (or 0 for no pause)")
    return parts[0], parts[1]


def user_mix(text: str) -> dict[str, int]:
    mix = {"operator": 20, "manager": 10, "agent": 10, "api": 10}
    try:
        for part in filter(None, text.split(",")):
            name, weight = part.split("=")
            if name.strip() not in mix:
                raise ValueError(name)
            mix[name.strip()] = int(weight)
    except ValueError:
        raise argparse.ArgumentTypeError("give e.g. operator=20,manager=10,agent=10,api=10") from None
    if not any(mix.values()):
        raise argparse.ArgumentTypeError("at least one kind of user needs a weight")
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10, help="Users started per second.")
    parser.add_argument("--duration", type=float, default=60, help="Seconds measured once every user is in.")
    parser.add_argument("--max-requests", type=int, default=100_000, help="Stop measuring after this many.")
    parser.add_argument("--wait", type=wait_range, default=(1.0, 5.0),
                        help="Pause of each user between requests, MIN,MAX seconds (0: none).")
    parser.add_argument("--mix", type=user_mix, default=user_mix(""),
                        help="Share of each kind of user, e.g. operator=20,manager=10,agent=10,api=10 (0 leaves "
                             "one out).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--threads", type=int, default=8, help="Threads per worker (gthread when above 1).")
    parser.add_argument("--per-store", type=int, default=150, help="Orders and threads sampled per store.")
    parser.add_argument("--no-backfill", dest="backfill", action="store_false",
                        help="Leave stores without daily snapshots as they are.")
    parser.add_argument("--no-text-search", dest="text_search", action="store_false",
                        help="Operators search by order id only, not by name or SKU (a scan without trigram indexes).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    if not args.text_search:
        Operator.tasks = [t for t in Operator.tasks if t is not Operator.queue_search_text]
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of the load test's own (see the docstring).")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")

    print("reading ids from the database …", flush=True)
    PLAN.update(prepare(per_store=args.per_store, backfill=args.backfill))
    print(f"database: {PLAN['database']}, {PLAN['orders']:,} orders, {len(PLAN['stores'])} stores")
    with tempfile.TemporaryDirectory(prefix="sellerops-load-") as scratch:
        env = server_env(f"{scratch}/static", throttle="1000000/hour")
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)
        port = free_port()
        log = Path(scratch) / "gunicorn.log"
        kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
        print(f"gunicorn: {args.workers} workers ({kind}) on 127.0.0.1:{port}, DEBUG off")
        mix = " : ".join(f"{name} {weight}" for name, weight in args.mix.items())
        print(f"load: {args.users} users ({mix}), {args.spawn_rate:g}/s, "
              f"pause {args.wait[0]:g}–{args.wait[1]:g} s, {args.duration:g} s or {args.max_requests:,} requests",
              flush=True)
        server = start_gunicorn(args, env, port, log)
        try:
            load_before = os.getloadavg()
            client_before, server_before = resource.getrusage(resource.RUSAGE_SELF), cpu_seconds(server.pid)
            every_request = run_load(args, f"http://127.0.0.1:{port}")
            client_after, server_after = resource.getrusage(resource.RUSAGE_SELF), cpu_seconds(server.pid)
            figures = report(
                args, every_request=every_request, load_before=load_before, load_after=os.getloadavg(),
                server_cpu=server_after - server_before,
                client_cpu=(client_after.ru_utime + client_after.ru_stime)
                - (client_before.ru_utime + client_before.ru_stime))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            errors = log.read_text() if log.exists() else ""
            if "Traceback" in errors or "Internal Server Error" in errors:
                print(f"\ngunicorn's error log:\n{errors[-4000:]}")
    if args.json:
        figures.update(gunicorn={"workers": args.workers, "threads": args.threads}, users=args.users,
                       wait=args.wait, database=PLAN["database"], orders=PLAN["orders"])
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
