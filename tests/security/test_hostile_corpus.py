"""Hostile values in every parameter of every page and API endpoint, and a NUL byte in every path: never a 5xx,
and every streamed answer (CSV exports, files) streams to its end.

Pages are found by walking the URL configuration (``urlwalk``) and read the parameter names of every filter form of
the site plus every name a view reads from the query string; each page gets every value in every parameter, the
values rotated over the parameters (as many requests as there are values, alternately full page and htmx
partial). API endpoints take their parameters from the OpenAPI schema (plus ``store`` and ``format``, which every
endpoint reads); the filters get the values rotated alike (a refused filter still lets every other filter be read),
the paginator's and the format's parameters each value on its own.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from core.models import Profile
from fulfillment.forms import InboundFilterForm
from listings.forms import ListingFilterForm
from metrics.forms import DrilldownForm, HealthForm
from orders.forms import OrderFilterForm
from returns.forms import ReturnFilterForm
from support.forms import InboxFilterForm

from .conftest import StoreBWorld
from .urlwalk import all_routes, read, route_url

pytestmark = pytest.mark.django_db

NUL = "\x00"
#: One value of each kind that has failed somewhere: the calendar's edges (with offsets), a long text, a lone
#: percent sign, digits of other scripts, negative, overflowing and non-finite numbers, a huge integer.
HOSTILE = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "x" * 10_000,
    "%",
    "１２３-1234567-1234567",
    "٣",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999",
    "0001-01-01T00:00:00",
]

FILTER_FORMS = [OrderFilterForm, InboxFilterForm, ReturnFilterForm, ListingFilterForm, InboundFilterForm, HealthForm,
                DrilldownForm]
#: Names views read from the query string directly (``request.GET.get(...)``), and the usual suspects.
READ_DIRECTLY = ["store", "q", "status", "as_of", "ship_to", "ship_from", "ship_by", "date_from", "date_to", "page",
                 "cursor", "sort", "channel", "metric", "ids", "tab", "lang", "language", "known", "state", "days",
                 "template", "carrier", "tracking_number", "next", "part", "format", "page_size", "order", "thread"]
PAGE_PARAMS = sorted({*READ_DIRECTLY, *(name for form in FILTER_FORMS for name in form.base_fields)})


@pytest.fixture
def browser(world_b: StoreBWorld) -> Client:
    """An admin of store B, who reads times in Tokyo (+09:00): a day's start there is the day before in UTC."""
    Profile.objects.update_or_create(user=world_b.user, defaults={"timezone": "Asia/Tokyo"})
    client = Client(raise_request_exception=False)
    client.force_login(world_b.user)
    return client


SITE_ROUTES = [route for route in all_routes() if route.namespace != "admin" and route.name != "logout"]
PAGE_ROUTES = [route for route in SITE_ROUTES if not route.template.startswith("api/")]


def test_the_corpus_reaches_every_filter_and_every_page():
    assert {"ship_to", "ship_from", "as_of", "store", "q", "page", "part", "language", "assigned"} <= set(PAGE_PARAMS)
    assert len(PAGE_ROUTES) > 40


def test_every_page_parameter_takes_hostile_values(browser: Client, world_b: StoreBWorld):
    failures = []
    for route in PAGE_ROUTES:
        url = route_url(route, world_b)
        for k in range(len(HOSTILE)):
            params = {name: HOSTILE[(i + k) % len(HOSTILE)] for i, name in enumerate(PAGE_PARAMS)}
            headers = {"HX-Request": "true"} if k % 2 else {}
            response = browser.get(f"{url}?{urlencode(params)}", headers=headers)
            read(response)
            if response.status_code >= 500:
                failures.append((url, k, headers, response.status_code))
        # A raw query string no form would send: a lone "%", a broken escape, a bare name.
        response = browser.get(f"{url}?q=%&store=%E0%A4%A&page&as_of=%ZZ")
        read(response)
        if response.status_code >= 500:
            failures.append((url, "raw", {}, response.status_code))
    assert not failures, failures


def test_a_nul_byte_in_any_page_parameter_form_field_or_path_is_refused(browser: Client, world_b: StoreBWorld):
    answers = []
    for route in PAGE_ROUTES:
        url = route_url(route, world_b)
        for name in ("store", "as_of"):
            answers.append((url, name, browser.get(f"{url}?{urlencode({name: 'A' + NUL})}")))
        answers.append((url, "POST", browser.post(f"{url}?ok=1", {"note": "a" + NUL, "body": NUL})))
        answers.extend((path, "path", browser.get(path)) for path in _paths_with_nul(route, world_b))
    wrong = [(url, where, response.status_code) for url, where, response in answers
             if response.status_code != 400 or b"NUL character" not in read(response)]
    assert not wrong, wrong


def _paths_with_nul(route, world: StoreBWorld) -> list[str]:
    url = route_url(route, world)
    if not route.arguments:
        return [url + "%00", url.rstrip("/") + "%00/"]
    segments = url.rstrip("/").split("/")
    return ["/".join(segments[:i] + [segments[i] + "%00"] + segments[i + 1:]) + "/"
            for i in range(1, len(segments))]


# --- The API, from its OpenAPI schema ---------------------------------------------------------------------------

def _api_operations() -> list[tuple[str, list[str]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        if "get" not in methods:
            continue
        names = [p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"]
        operations.append((path, sorted({*names, "store", "format"})))
    return operations


API_OPERATIONS = _api_operations()


def _api_url(template: str, w: StoreBWorld) -> str:
    ids = {"shipments": w.shipped_order.shipments.get().pk, "feedback": w.feedback.pk, "claims": w.claim.pk,
           "messages": w.message.pk, "returns": w.return_request.pk, "listings": w.listing.pk}
    resource = template.split("/")[2]
    return (template.replace("{code}", w.store.code).replace("{amazon_order_id}", w.order.amazon_order_id)
            .replace("{id}", str(ids.get(resource, 0))))


def test_the_api_corpus_covers_every_endpoint_and_filter():
    paths = {path for path, _ in API_OPERATIONS}
    assert {"/api/orders/", "/api/orders/{amazon_order_id}/", "/api/stores/{code}/metrics/", "/api/claims/",
            "/api/feedback/", "/api/messages/", "/api/returns/", "/api/shipments/", "/api/stores/"} <= paths
    orders = dict(API_OPERATIONS)["/api/orders/"]
    assert {"cursor", "purchase_date_after", "purchase_date_before", "page_size", "store"} <= set(orders)


#: Read only once the filters have passed (the paginator), or before anything else (DRF's format override): a
#: refused filter would hide them in a rotated request, so each gets the values on its own. ``format`` only picks
#: a renderer by name, so it gets the texts alone.
API_SOLO = {"cursor": None, "page_size": None, "format": ["x" * 10_000, "%", "A\x00"]}


def test_every_api_parameter_takes_hostile_values(browser: Client, world_b: StoreBWorld):
    failures = []

    def send(url: str, params: dict[str, str]) -> None:
        response = browser.get(f"{url}?{urlencode(params)}")
        read(response)
        if response.status_code >= 500:
            failures.append((url, {k: v[:40] for k, v in params.items()}, response.status_code,
                             response.content[:200]))
        elif response.status_code == 400:
            assert response.json(), (url, params)

    values = [*HOSTILE, "A" + NUL]
    for template, params in API_OPERATIONS:
        url = _api_url(template, world_b)
        assert browser.get(url).status_code == 200, url
        rotated = [name for name in params if name not in API_SOLO]
        for k in range(len(values)):
            send(url, {name: values[(i + k) % len(values)] for i, name in enumerate(rotated)})
        for name in API_SOLO.keys() & set(params):
            for value in API_SOLO[name] or values:
                send(url, {name: value})
        segments = url.rstrip("/").split("/")
        for i in range(2, len(segments)):
            path = "/".join(segments[:i] + [segments[i] + quote(NUL)] + segments[i + 1:]) + "/"
            response = browser.get(path)
            if response.status_code != 400 or response.json()["code"] != "invalid":
                failures.append((path, response.status_code))
    assert not failures, failures
