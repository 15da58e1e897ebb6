"""Our own 403, 404, 500 and 503 pages and the CSRF refusal: the site's layout, the viewer's language, a way back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation

from core.database import server_error
from core.models import Role
from sellerops import urls as site_urls
from tests.factories import MembershipFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans"]


def boom(request: HttpRequest):
    raise RuntimeError("a bug")


def refuse(request: HttpRequest):
    raise PermissionDenied


# The site's URL configuration and handlers, and two views that fail.
urlpatterns = [path("boom/", boom), path("refuse/", refuse), *site_urls.urlpatterns]
handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.database.server_error"


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def member(store, role: str) -> Client:
    user = UserFactory(username=f"{role}-user")
    MembershipFactory(user=user, store=store, role=role)
    client = Client()
    client.force_login(user)
    return client


def assert_our_page(response, status: int, language: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert 'class="card error-card"' in body and 'class="brand"' in body
    assert f"<p class=\"error-code\">{status}</p>" in body
    assert "Traceback" not in body
    return body


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_page_is_our_404_in_the_viewers_language_with_the_way_back(store, language):
    client = member(store, Role.MANAGER)
    body = assert_our_page(client.get("/orders/no-such-page/", HTTP_ACCEPT_LANGUAGE=language), 404, language)
    assert in_language(language, "Page not found") in body
    # The top bar of the site, in the same language, and the way back to the manager's own workspace.
    assert f'<a href="/health/">{in_language(language, "Account health")}</a>' in body
    back = in_language(language, "Back to %(name)s") % {"name": in_language(language, "Account health")}
    assert f'href="/health/">{back}</a>' in body


def test_an_anonymous_visitor_is_sent_back_to_the_login_page(client):
    body = assert_our_page(client.get("/no-such-page/"), 404, "en")
    assert 'href="/accounts/login/">Back to Log in</a>' in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_page_is_our_403_with_the_reason_in_the_viewers_language(store, language):
    client = member(store, Role.AGENT)
    client.cookies["django_language"] = language
    response = client.get("/fulfillment/inbound/new/")
    body = assert_our_page(response, 403, language)
    assert in_language(language, "Your role does not allow planning shipments.") in body
    assert in_language(language, "Not allowed") in body
    back = in_language(language, "Back to %(name)s") % {"name": in_language(language, "Inbox")}
    assert f'href="/inbox/">{back}</a>' in body
    assert "403 Forbidden" not in body


def test_the_reason_of_a_refused_write_is_translated(store):
    order = OrderFactory(store=store)
    client = member(store, Role.AGENT)
    response = client.post(f"/orders/{order.amazon_order_id}/confirm/?store={store.code}",
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = assert_our_page(response, 403, "zh-hans")
    expected = in_language("zh-hans", "Your role in store %(store)s does not allow this.") % {"store": store.code}
    assert expected != "Your role in store ACME-US does not allow this."  # the catalogue has it
    assert expected in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_without_a_reason_says_what_happened(settings, store, language):
    settings.ROOT_URLCONF = __name__
    body = assert_our_page(member(store, Role.OPERATOR).get("/refuse/", HTTP_ACCEPT_LANGUAGE=language), 403, language)
    assert in_language(language, "Your role does not allow this page or action.") in body
    assert 'href="/orders/"' in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_with_a_stale_csrf_token_gets_our_page_not_djangos(store, language):
    user = UserFactory(username="op-csrf")
    MembershipFactory(user=user, store=store, role=Role.OPERATOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/accounts/preferences/", {"timezone": "UTC"}, HTTP_ACCEPT_LANGUAGE=language)
    body = assert_our_page(response, 403, language)
    assert in_language(language, "Form expired") in body
    assert in_language(language, "Reload the page") in body
    assert "CSRF verification failed" not in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_failing_view_is_our_500_in_the_viewers_language(settings, language):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    body = assert_our_page(client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language), 500, language)
    assert in_language(language, "Something went wrong") in body
    assert 'href="/"' in body


def test_the_500_page_needs_neither_the_request_nor_the_database(django_assert_num_queries):
    request = RequestFactory().get("/orders/")
    with translation.override("zh-hans"), django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_api_answers_its_own_404_as_json(store):
    client = member(store, Role.AGENT)
    response = client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
