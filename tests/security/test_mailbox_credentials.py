"""A store's relay mailbox: its passwords are encrypted, write-only and only ever sent to the server they were
entered for; only the store's managers and admins (and superusers) see or change the mailbox.

The poller against a real Dovecot with a switched server is ``tests/mail/test_mailbox_credentials.py``.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import crypto
from core.models import Role, Store
from support.models import Mailbox
from tests.factories import MembershipFactory, StoreFactory, UserFactory

from .conftest import StoreBWorld
from .urlwalk import PUBLIC, URL_ARGUMENTS, all_routes, read, route_url

pytestmark = pytest.mark.django_db

IMAP_SECRET = "imap-Zq8!wPassword-7731"
SMTP_SECRET = "smtp-Kx2$vPassword-5519"
SECRETS = (IMAP_SECRET, SMTP_SECRET)


def _absent(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a mailbox password is shown in {where}"


def new_mailbox(store: Store, **fields) -> Mailbox:
    return Mailbox.objects.create(**{
        "store": store, "imap_host": "imap.relay.example", "imap_port": 993, "imap_user": "relay@example.com",
        "imap_password": IMAP_SECRET, "smtp_host": "smtp.relay.example", "smtp_port": 587,
        "smtp_user": "relay@example.com", "smtp_password": SMTP_SECRET, "from_address": "relay@example.com",
        **fields})


def staff_member(store: Store, role: str, *codenames: str):
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, store=store, role=role)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="support", codename__in=codenames)
                              if codenames else Permission.objects.filter(content_type__app_label="support"))
    return user


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(mailbox: Mailbox, **changes) -> dict:
    data = {"store": mailbox.store_id, "imap_host": mailbox.imap_host, "imap_port": mailbox.imap_port,
            "imap_use_ssl": "on" if mailbox.imap_use_ssl else "", "imap_user": mailbox.imap_user,
            "imap_password": "", "folder": mailbox.folder, "last_uid": mailbox.last_uid,
            "smtp_host": mailbox.smtp_host, "smtp_port": mailbox.smtp_port, "smtp_user": mailbox.smtp_user,
            "smtp_password": "", "smtp_use_tls": "on" if mailbox.smtp_use_tls else "",
            "from_address": mailbox.from_address, "is_active": "on"}
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""
            or key in ("imap_password", "smtp_password", "smtp_host", "smtp_user")}


def _raw_passwords() -> list[str]:
    table = connection.ops.quote_name(Mailbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT imap_password, smtp_password FROM {table}")  # noqa: S608
        return [value for row in cursor.fetchall() for value in row]


def test_passwords_are_encrypted_at_rest_and_printed_masked(store):
    mailbox = new_mailbox(store)

    stored = _raw_passwords()
    assert all(stored)
    _absent(" ".join(stored), "the database")
    reloaded = Mailbox.objects.get(pk=mailbox.pk)
    assert (reloaded.login_password("imap"), reloaded.login_password("smtp")) == SECRETS
    _absent(" ".join([str(reloaded), repr(reloaded), str(reloaded.imap_password), repr(reloaded.smtp_password),
                      f"{reloaded.imap_password}", str(vars(reloaded))]), "a repr")
    assert crypto.MASK in repr(reloaded.imap_password)


def _text(response) -> str:
    return read(response).decode(errors="replace")


def _walk_site(client: Client, api: APIClient, world: StoreBWorld) -> list[tuple[str, str]]:
    answers = []
    for route in all_routes():
        if route.namespace == "admin" or route.name in PUBLIC or "<" in route.template and (
                route.name not in URL_ARGUMENTS):
            continue
        url = route_url(route, world)
        caller = api if url.startswith("/api/") else client
        response = caller.get(url)
        answers.append((url, _text(response)))
        if not url.startswith("/api/"):
            response = client.get(url, headers={"HX-Request": "true"})
            answers.append((f"{url} (htmx)", _text(response)))
    return answers


def _walk_admin(client: Client, mailbox: Mailbox, *, every_model: bool) -> list[tuple[str, str]]:
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["support"])]
    for model in admin.site._registry if every_model else [Mailbox]:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    urls += [reverse("admin:support_mailbox_change", args=[mailbox.pk]),
             reverse("admin:support_mailbox_history", args=[mailbox.pk]),
             reverse("admin:support_mailbox_delete", args=[mailbox.pk]),
             reverse("admin:support_mailbox_add"),
             reverse("admin:support_mailbox_changelist") + f"?q={IMAP_SECRET}"]
    answers = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        answers.append((url, response.content.decode()))
    return answers


def test_no_page_admin_page_api_answer_or_log_shows_a_password(world_b, caplog):
    caplog.set_level(logging.DEBUG)
    mailbox = new_mailbox(world_b.store)
    manager = UserFactory(is_staff=True)
    MembershipFactory(user=manager, store=world_b.store, role=Role.MANAGER)
    manager.user_permissions.set(Permission.objects.filter(codename__endswith="_mailbox"))
    superuser = UserFactory(is_staff=True, is_superuser=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world_b.user).key}")

    answers = _walk_site(page_client(world_b.user), api, world_b)
    # The back office, as a superuser and as the store's manager; a change (with a new SMTP password) is in the
    # history, and a form sent back with an error is shown again without the password typed into it.
    for user in (superuser, manager):
        client = page_client(user)
        saved = client.post(reverse("admin:support_mailbox_change", args=[mailbox.pk]),
                            form_data(mailbox, folder="Amazon", smtp_password=SMTP_SECRET))
        assert saved.status_code == 302, saved.content.decode()[:2000]
        refused = client.post(reverse("admin:support_mailbox_change", args=[mailbox.pk]),
                              form_data(mailbox, imap_port="not a port", imap_password=IMAP_SECRET,
                                        smtp_password=SMTP_SECRET))
        assert refused.status_code == 200 and "errornote" in refused.content.decode()
        answers.append(("admin form sent back", refused.content.decode()))
        answers += _walk_admin(client, mailbox, every_model=user.is_superuser)
    mailbox.refresh_from_db()
    assert mailbox.folder == "Amazon" and mailbox.login_password("smtp") == SMTP_SECRET

    assert len(answers) > 100
    assert any("Mailbox" in text or "mailbox" in text for _url, text in answers)
    for url, text in answers:
        _absent(text, url)
    assert caplog.records
    _absent(caplog.text, "the log")


@pytest.mark.parametrize(("role", "allowed"), [(Role.OPERATOR, False), (Role.AGENT, False),
                                               (Role.MANAGER, True), (Role.ADMIN, True)])
def test_only_the_stores_managers_and_admins_reach_its_mailbox_in_the_admin(store, role, allowed):
    mailbox = new_mailbox(store)
    user = staff_member(store, role)  # every model permission of the support app
    client = page_client(user)

    changelist = client.get(reverse("admin:support_mailbox_changelist"))
    change = client.get(reverse("admin:support_mailbox_change", args=[mailbox.pk]))
    history = client.get(reverse("admin:support_mailbox_history", args=[mailbox.pk]))
    add = client.get(reverse("admin:support_mailbox_add"))
    post = client.post(reverse("admin:support_mailbox_change", args=[mailbox.pk]),
                       form_data(mailbox, imap_host="imap.attacker.example", imap_password="attacker-typed"))
    delete = client.post(reverse("admin:support_mailbox_delete", args=[mailbox.pk]), {"post": "yes"})
    index = client.get(reverse("admin:index"))

    reloaded = Mailbox.objects.get(pk=mailbox.pk) if Mailbox.objects.filter(pk=mailbox.pk).exists() else None
    if allowed:
        assert changelist.status_code == change.status_code == history.status_code == add.status_code == 200
        assert store.code in changelist.content.decode()
        assert post.status_code == 302 and delete.status_code == 302 and reloaded is None
    else:
        assert changelist.status_code == 403 and add.status_code == 403
        for response in (change, history, post, delete):
            # 403, or "no such mailbox" (a redirect to the admin's index): never the mailbox.
            assert response.status_code in (302, 403)
            if response.status_code == 302:
                assert response["Location"] == reverse("admin:index")
        assert reverse("admin:support_mailbox_changelist") not in index.content.decode()
        assert reloaded.imap_host == "imap.relay.example" and reloaded.login_password("imap") == IMAP_SECRET
    for response in (changelist, change, history, add, index):
        _absent(response.content.decode(), "the admin")


def test_a_manager_of_another_store_sees_nothing_of_this_mailbox(store):
    mailbox = new_mailbox(store)
    other = StoreFactory(code="OTHER-DE", marketplace="DE")
    user = staff_member(other, Role.MANAGER)
    MembershipFactory(user=user, store=store, role=Role.AGENT)  # a member here too, but only an agent
    client = page_client(user)

    changelist = client.get(reverse("admin:support_mailbox_changelist"))
    change = client.get(reverse("admin:support_mailbox_change", args=[mailbox.pk]))
    add = client.get(reverse("admin:support_mailbox_add"))

    assert changelist.status_code == 200 and store.code not in changelist.content.decode()
    assert change.status_code == 302
    assert list(add.context["adminform"].form.fields["store"].queryset) == [other]


@pytest.mark.parametrize(("role", "allowed"), [(Role.AGENT, False), (Role.OPERATOR, False), (Role.MANAGER, True)])
def test_a_view_only_staff_member_never_sees_a_password(store, role, allowed):
    mailbox = new_mailbox(store)
    user = staff_member(store, role, "view_mailbox")
    client = page_client(user)

    change = client.get(reverse("admin:support_mailbox_change", args=[mailbox.pk]))
    post = client.post(reverse("admin:support_mailbox_change", args=[mailbox.pk]),
                       form_data(mailbox, imap_host="imap.attacker.example"))

    html = change.content.decode()
    _absent(html, "the view-only page")
    assert post.status_code in (302, 403) and post.status_code != 200
    if allowed:
        assert change.status_code == 200 and post.status_code == 403
        assert "imap.relay.example" in html and "IMAP password stored" in html
        assert 'type="password"' not in html and crypto.MASK not in html
    else:
        assert change.status_code in (302, 403)
        assert "imap.relay.example" not in html
    assert Mailbox.objects.get(pk=mailbox.pk).imap_host == "imap.relay.example"


def test_a_new_server_in_the_admin_needs_the_password_again(store):
    mailbox = new_mailbox(store)
    manager = staff_member(store, Role.MANAGER)
    client = page_client(manager)
    url = reverse("admin:support_mailbox_change", args=[mailbox.pk])

    # The attack: the stored password kept, the server pointed elsewhere.
    refused = {name: client.post(url, form_data(mailbox, **change)) for name, change in {
        "host": {"imap_host": "imap.attacker.example"}, "port": {"imap_port": 1143},
        "tls": {"imap_use_ssl": ""}, "user": {"imap_user": "someone@attacker.example"},
        "smtp host": {"smtp_host": "smtp.attacker.example"}, "smtp tls": {"smtp_use_tls": ""},
    }.items()}
    for name, response in refused.items():
        assert response.status_code == 200, name
        assert "enter the password again" in response.content.decode(), name
    reloaded = Mailbox.objects.get(pk=mailbox.pk)
    assert (reloaded.imap_host, reloaded.smtp_host) == ("imap.relay.example", "smtp.relay.example")
    assert (reloaded.login_password("imap"), reloaded.login_password("smtp")) == SECRETS

    # With the new server's password typed in, the change is saved, and the SMTP password (another server) kept.
    saved = client.post(url, form_data(mailbox, imap_host="imap2.relay.example", imap_password="the-new-one"))
    assert saved.status_code == 302
    reloaded = Mailbox.objects.get(pk=mailbox.pk)
    assert reloaded.imap_host == "imap2.relay.example"
    assert (reloaded.login_password("imap"), reloaded.login_password("smtp")) == ("the-new-one", SMTP_SECRET)

    # Other fields change without the password: it stays.
    assert client.post(url, form_data(reloaded, folder="Archive")).status_code == 302
    assert Mailbox.objects.get(pk=mailbox.pk).login_password("imap") == "the-new-one"


def test_a_new_mailbox_in_the_admin_needs_its_passwords(store):
    manager = staff_member(store, Role.MANAGER)
    client = page_client(manager)
    data = form_data(Mailbox(store=store, imap_host="imap.relay.example", imap_user="relay@example.com",
                             smtp_host="smtp.relay.example", smtp_user="relay@example.com",
                             from_address="relay@example.com"))

    refused = client.post(reverse("admin:support_mailbox_add"), data)
    created = client.post(reverse("admin:support_mailbox_add"),
                          {**data, "imap_password": IMAP_SECRET, "smtp_password": SMTP_SECRET})

    assert refused.status_code == 200 and "Enter the password of this user." in refused.content.decode()
    assert created.status_code == 302
    mailbox = Mailbox.objects.get(store=store)
    assert (mailbox.login_password("imap"), mailbox.login_password("smtp")) == SECRETS
    _absent(" ".join(_raw_passwords()), "the database")


CONNECTION_CHANGES = {
    "IMAP host": ("imap", {"imap_host": "imap.attacker.example"}),
    "IMAP host, other case": ("imap", {"imap_host": "IMAP.Attacker.Example"}),
    "IMAP port": ("imap", {"imap_port": 143}),
    "IMAP TLS": ("imap", {"imap_use_ssl": False}),
    "IMAP user": ("imap", {"imap_user": "other@relay.example"}),
    "SMTP host": ("smtp", {"smtp_host": "smtp.attacker.example"}),
    "SMTP port": ("smtp", {"smtp_port": 25}),
    "SMTP TLS": ("smtp", {"smtp_use_tls": False}),
    "SMTP user": ("smtp", {"smtp_user": "other@relay.example"}),
}


@pytest.mark.parametrize("change", CONNECTION_CHANGES)
@pytest.mark.parametrize("how", ["save", "update_fields", "loaded_with_only", "queryset_update"])
def test_a_new_server_through_the_model_never_gets_the_stored_password(store, change, how):
    side, fields = CONNECTION_CHANGES[change]
    other = "smtp" if side == "imap" else "imap"
    mailbox = new_mailbox(store)
    if how == "queryset_update":
        # Past ``save()`` altogether: the password stays stored, but is never used for the new server.
        Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    else:
        loaded = Mailbox.objects.only("pk", *fields) if how == "loaded_with_only" else Mailbox.objects
        mailbox = loaded.get(pk=mailbox.pk)
        for name, value in fields.items():
            setattr(mailbox, name, value)
        mailbox.save(**({"update_fields": list(fields)} if how == "update_fields" else {}))

    reloaded = Mailbox.objects.get(pk=mailbox.pk)
    assert reloaded.login_password(side) == ""
    assert not reloaded.has_password(side)
    assert reloaded.login_password(other) == {"imap": IMAP_SECRET, "smtp": SMTP_SECRET}[other]
    if how != "queryset_update":
        assert getattr(reloaded, f"{side}_password").reveal() == ""  # cleared, not merely unused
    # Switching back does not bring it back either: a password cleared is gone.
    if how != "queryset_update":
        original = {"imap_host": "imap.relay.example", "imap_port": 993, "imap_use_ssl": True,
                    "imap_user": "relay@example.com", "smtp_host": "smtp.relay.example", "smtp_port": 587,
                    "smtp_use_tls": True, "smtp_user": "relay@example.com"}
        for name in fields:
            setattr(reloaded, name, original[name])
        reloaded.save()
        assert Mailbox.objects.get(pk=mailbox.pk).login_password(side) == ""


def test_a_password_entered_with_the_new_server_is_kept(store):
    mailbox = new_mailbox(store)

    mailbox.imap_host, mailbox.imap_password = "imap2.relay.example", IMAP_SECRET  # the same one, typed again
    mailbox.save()
    mailbox.smtp_password = "rotated"
    mailbox.save(update_fields=["smtp_password"])
    mailbox.last_error = "a poll failed"
    mailbox.save(update_fields=["last_error"])

    reloaded = Mailbox.objects.get(pk=mailbox.pk)
    assert (reloaded.login_password("imap"), reloaded.login_password("smtp")) == (IMAP_SECRET, "rotated")
    reloaded.refresh_from_db()
    reloaded.smtp_host = "smtp.attacker.example"
    reloaded.save()
    assert Mailbox.objects.get(pk=mailbox.pk).login_password("smtp") == ""
