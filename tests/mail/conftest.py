"""Real mail servers on 127.0.0.1 for the mail tests: Dovecot (IMAP) and aiosmtpd (SMTP)."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

IMAP_USER = "acme-de@example.com"
IMAP_PASSWORD = "relay-secret"
START_TIMEOUT = 20.0

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{tmp}/mail/%u
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={tmp}/mail/%u
}}
"""


def _dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    tmp: Path

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message into the mailbox as the relay would."""
        client = self.client()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def log(self) -> str:
        path = self.tmp / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture(scope="session")
def dovecot() -> Iterator[ImapServer]:
    """A Dovecot of our own on a free port, from a temporary folder: no system service, stopped afterwards."""
    binary = _dovecot_binary()
    if binary is None:
        pytest.skip("The dovecot binary is missing: install Debian's dovecot-imapd to run the IMAP tests.")
    # Dovecot's own users must reach the folder, so it lives outside pytest's private (0700) temp tree.
    tmp = Path(tempfile.mkdtemp(prefix="sellerops-dovecot-"))
    tmp.chmod(0o755)
    port = _free_port()
    for sub in ("run", "state", "mail"):
        (tmp / sub).mkdir()
    (tmp / "dovecot.conf").write_text(DOVECOT_CONF.format(tmp=tmp, port=port))
    (tmp / "users").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
    try:
        shutil.chown(tmp / "mail", "dovecot", "dovecot")
    except (LookupError, PermissionError) as error:
        pytest.skip(f"Dovecot needs its 'dovecot' user and root to hand it the mail folder: {error}")
    subprocess.run([binary, "-c", str(tmp / "dovecot.conf")], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    server = ImapServer("127.0.0.1", port, IMAP_USER, IMAP_PASSWORD, tmp)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            server.client().logout()
            break
        except (OSError, imaplib.IMAP4.error):
            if time.monotonic() > deadline:
                pytest.fail(f"Dovecot did not answer on port {port}:\n{server.log()}")
            time.sleep(0.2)
    try:
        yield server
    finally:
        pid_file = tmp / "run" / "master.pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def imap_folder(dovecot) -> Iterator[str]:
    """A fresh folder per test, so tests do not see each other's messages."""
    name = f"relay-{time.monotonic_ns()}"
    client = dovecot.client()
    try:
        assert client.create(name)[0] == "OK"
    finally:
        client.logout()
    yield name


@dataclass
class SmtpSink:
    host: str
    port: int
    received: list = field(default_factory=list)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.sink.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) in a thread on 127.0.0.1 that keeps every message it accepts."""
    controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra")
    sink = SmtpSink("127.0.0.1", _free_port())
    controller = controller_module.Controller(_Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
