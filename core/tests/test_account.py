"""A person's own account: where they land, the language and timezone kept with them, their password."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from core.models import Profile
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


def _member(store, username: str, *roles: str):
    """A user with the first role in ``store`` and each further role in a store of its own."""
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    for n, role in enumerate(roles):
        MembershipFactory(user=user, store=store if n == 0 else StoreFactory(code=f"MORE-{n}"), role=role)
    return user


@pytest.mark.parametrize(("roles", "landing"), [
    (("operator",), "/orders/"),
    (("manager",), "/health/"),
    (("agent",), "/inbox/"),
    (("admin",), "/orders/"),
    (("agent", "manager"), "/health/"),
    (("agent", "operator"), "/orders/"),
])
def test_each_role_lands_on_its_own_workspace_after_signing_in(client, store, roles, landing):
    _member(store, "someone", *roles)
    response = client.post("/accounts/login/", {"username": "someone", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == landing
    assert client.get("/")["Location"] == landing  # the site's address leads there too


def test_a_next_address_wins_over_the_landing_page(client, store):
    _member(store, "someone", "agent")
    response = client.post("/accounts/login/", {"username": "someone", "password": PASSWORD,
                                                "next": "/returns/"})
    assert response["Location"] == "/returns/"


def test_the_language_chosen_in_preferences_is_kept_on_the_user_and_wins_over_the_browser(client, store):
    user = _member(store, "someone", "operator")
    client.force_login(user)
    response = client.post("/accounts/preferences/", {"timezone": "Asia/Shanghai", "language": "zh-hans"})
    assert response.status_code == 302
    assert Profile.objects.get(user=user).language == "zh-hans"
    client.cookies.clear()  # another device: no cookie, a browser asking for English
    client.force_login(user)
    page = client.get("/accounts/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans"' in page and "偏好设置" in page


def test_as_my_browser_asks_leaves_the_language_to_the_browser(client, store):
    user = _member(store, "someone", "operator")
    Profile.objects.create(user=user, language="zh-hans")
    client.force_login(user)
    client.post("/accounts/preferences/", {"timezone": "UTC", "language": ""})
    assert Profile.objects.get(user=user).language == ""
    page = client.get("/accounts/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in page


def test_a_language_the_site_does_not_speak_is_refused_and_nothing_is_saved(client, store):
    user = _member(store, "someone", "operator")
    client.force_login(user)
    response = client.post("/accounts/preferences/", {"timezone": "UTC", "language": "fr"})
    assert response.status_code == 200 and "form-error" in response.content.decode()
    assert not Profile.objects.filter(user=user).exists()


def test_the_top_bar_language_switch_is_kept_on_a_signed_in_users_profile(client, store):
    user = _member(store, "someone", "operator")
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/orders/"})
    assert response.status_code == 302 and response["Location"] == "/orders/"
    assert Profile.objects.get(user=user).language == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"


def test_the_language_switch_works_signed_out_without_a_profile(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "zh-hans"
    assert not Profile.objects.exists()


def test_a_user_changes_their_password_and_stays_signed_in(client, store):
    user = _member(store, "someone", "agent")
    client.force_login(user)
    assert "Change password" in client.get("/accounts/preferences/").content.decode()
    wrong = client.post("/accounts/password/", {"old_password": "nope", "new_password1": "x9!Lk2#pq8Vz",
                                                "new_password2": "x9!Lk2#pq8Vz"})
    assert wrong.status_code == 200 and "form-error" in wrong.content.decode()
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "x9!Lk2#pq8Vz",
                                                   "new_password2": "x9!Lk2#pq8Vz"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert get_user_model().objects.get(pk=user.pk).check_password("x9!Lk2#pq8Vz")
    assert client.get("/accounts/password/done/").status_code == 200  # still signed in


def test_the_password_pages_need_a_signed_in_user(client):
    assert client.get("/accounts/password/")["Location"].startswith("/accounts/login/")
