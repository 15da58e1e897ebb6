"""The poller and the reply go out with the decrypted password, and only ever to the server it was entered for.

A staff member who may change a mailbox points it at a server of their own (a trap that keeps every byte it is
sent) and leaves the password empty: the stored password never reaches the trap, whether the switch is made in
the admin, through the model or past ``save()``.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.errors import ApplicationError
from core.models import Role
from support.imap import mailbox_poll
from support.inbox_services import reply_send
from support.models import Mailbox, Message
from support.tasks import support_poll_mailboxes_task
from tests.factories import MembershipFactory, MessageFactory, StoreFactory, ThreadFactory, UserFactory

from .conftest import SmtpSink, _free_port

pytestmark = pytest.mark.django_db

SMTP_SECRET = "smtp-Kx2$vPassword-5519"
BUYER_MAIL = Path(__file__).resolve().parents[2] / "support" / "tests" / "mail_corpus" / "iso2022jp.eml"


class Trap:
    """A server of the attacker's on 127.0.0.1: greets like an IMAP server and keeps everything it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.received = bytearray()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _address = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(5)
                conn.sendall(b"* OK IMAP4rev1 ready\r\n")
                buffer = b""
                try:
                    while chunk := conn.recv(4096):
                        self.received += chunk
                        buffer += chunk
                        while b"\r\n" in buffer:
                            line, buffer = buffer.split(b"\r\n", 1)
                            tag = line.split(b" ", 1)[0]
                            if b"CAPABILITY" in line.upper():
                                conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                            else:
                                conn.sendall(tag + b" NO denied\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    server = Trap()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def mailbox(dovecot, imap_folder) -> Mailbox:
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    return Mailbox.objects.create(store=store, imap_host=dovecot.host, imap_port=dovecot.port, imap_use_ssl=False,
                                  imap_user=dovecot.user, imap_password=dovecot.password, folder=imap_folder,
                                  from_address="acme-de@example.com")


def _raw_imap_password() -> str:
    table = connection.ops.quote_name(Mailbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT imap_password FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def _manager_client(mailbox: Mailbox) -> Client:
    manager = UserFactory(is_staff=True)
    MembershipFactory(user=manager, store=mailbox.store, role=Role.MANAGER)
    manager.user_permissions.set(Permission.objects.filter(codename__endswith="_mailbox"))
    client = Client()
    client.force_login(manager)
    return client


def _form(mailbox: Mailbox, **changes) -> dict:
    data = {"store": mailbox.store_id, "imap_host": mailbox.imap_host, "imap_port": mailbox.imap_port,
            "imap_user": mailbox.imap_user, "imap_password": "", "folder": mailbox.folder,
            "last_uid": mailbox.last_uid, "smtp_host": "", "smtp_port": 587, "smtp_user": "", "smtp_password": "",
            "from_address": mailbox.from_address, "is_active": "on", **changes}
    return data


def test_the_trap_keeps_what_a_client_sends_it(trap):
    """The trap works: a login sent to it is kept (so its silence below means something)."""
    client = imaplib.IMAP4("127.0.0.1", trap.port, timeout=5)
    with pytest.raises(imaplib.IMAP4.error):
        client.login("someone", "caught-password")
    assert b"caught-password" in trap.received


def test_the_poller_logs_in_with_the_password_decrypted(dovecot, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    dovecot.append(BUYER_MAIL.read_bytes(), folder=mailbox.folder)

    assert dovecot.password not in _raw_imap_password()
    assert support_poll_mailboxes_task.delay().get() == 1
    assert Message.objects.filter(store=mailbox.store).count() == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert dovecot.password not in caplog.text


def test_a_server_switched_in_the_admin_never_gets_the_stored_password(dovecot, mailbox, trap):
    client = _manager_client(mailbox)
    url = reverse("admin:support_mailbox_change", args=[mailbox.pk])

    refused = client.post(url, _form(mailbox, imap_host="127.0.0.1", imap_port=trap.port))
    assert refused.status_code == 200 and "enter the password again" in refused.content.decode()
    mailbox_poll(mailbox=mailbox)  # still reads its own server
    assert trap.connections == 0

    # Typed again for the new server, only what was typed goes there.
    saved = client.post(url, _form(mailbox, imap_host="127.0.0.1", imap_port=trap.port,
                                   imap_password="typed-for-the-trap"))
    assert saved.status_code == 302
    with pytest.raises(ApplicationError, match="failed"):
        mailbox_poll(mailbox=mailbox)
    assert b"typed-for-the-trap" in trap.received
    assert dovecot.password.encode() not in trap.received

    # And back to the real server: the trap's password is not sent there, the real one has to be typed again.
    back = client.post(url, _form(mailbox, imap_host=dovecot.host, imap_port=dovecot.port,
                                  imap_password=dovecot.password))
    assert back.status_code == 302
    mailbox_poll(mailbox=mailbox)
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


@pytest.mark.parametrize("how", ["save", "queryset_update"])
def test_a_server_switched_through_the_model_never_gets_the_stored_password(dovecot, mailbox, trap, how, caplog):
    caplog.set_level(logging.DEBUG)
    mailbox_poll(mailbox=mailbox)
    if how == "save":
        mailbox.imap_port = trap.port
        mailbox.save()
    else:
        Mailbox.objects.filter(pk=mailbox.pk).update(imap_port=trap.port)

    with pytest.raises(ApplicationError, match="No IMAP password") as refused:
        mailbox_poll(mailbox=mailbox)
    assert support_poll_mailboxes_task.delay().get() == 1  # the beat carries on

    assert trap.connections == 0 and trap.received == b""
    mailbox.refresh_from_db()
    assert "No IMAP password" in mailbox.last_error
    for text in (mailbox.last_error, str(refused.value), caplog.text):
        assert dovecot.password not in text


@pytest.fixture
def auth_smtp() -> Iterator[callable]:
    """Real SMTP servers (aiosmtpd) that accept any login and keep every (user, password) they are sent."""
    controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra")
    smtp_module = pytest.importorskip("aiosmtpd.smtp")
    controllers = []

    def start() -> SmtpSink:
        sink = SmtpSink("127.0.0.1", _free_port())
        sink.logins = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                sink.received.append(envelope)
                return "250 Message accepted for delivery"

        def authenticator(server, session, envelope, mechanism, auth_data):
            sink.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            return smtp_module.AuthResult(success=True)

        controller = controller_module.Controller(Handler(), hostname=sink.host, port=sink.port,
                                                  authenticator=authenticator, auth_require_tls=False)
        controller.start()
        controllers.append(controller)
        return sink

    try:
        yield start
    finally:
        for controller in controllers:
            controller.stop()


def test_a_reply_logs_in_with_the_smtp_password_only_where_it_was_entered(auth_smtp,
                                                                         django_capture_on_commit_callbacks):
    relay, attacker = auth_smtp(), auth_smtp()
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    thread = ThreadFactory(store=store, buyer_email="kx8m2p4r7t9w1z3@marketplace.amazon.de")
    MessageFactory(thread=thread)
    mailbox = Mailbox.objects.create(store=store, imap_host="127.0.0.1", imap_user="x", smtp_host=relay.host,
                                     smtp_port=relay.port, smtp_use_tls=False, smtp_user="acme-de@example.com",
                                     smtp_password=SMTP_SECRET, from_address="acme-de@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        reply_send(thread=thread, body="Ihr Paket ist unterwegs.", author=None)
    assert relay.logins == [("acme-de@example.com", SMTP_SECRET)] and len(relay.received) == 1

    mailbox.smtp_port = attacker.port
    mailbox.save()
    with pytest.raises(ApplicationError, match="No SMTP password") as refused, \
            django_capture_on_commit_callbacks(execute=True):
        reply_send(thread=thread, body="Noch eine Antwort.", author=None)

    assert attacker.logins == [] and attacker.received == []
    assert SMTP_SECRET not in str(refused.value)
    assert thread.messages.filter(direction="outbound").count() == 1  # the refused reply was taken back
