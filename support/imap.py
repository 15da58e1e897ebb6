"""Polling a store's relay mailbox over IMAP (imaplib), by UID, remembering the last UID read.

Each poll asks only for UIDs above the last one stored; each message is ingested in its own transaction
and the mark moves forward after it, so a poll that fails half-way resumes where it stopped. Reading uses
``BODY.PEEK[]``: the mailbox's \\Seen flags stay as the seller's other mail clients left them. Should the
server renumber the folder (a new UIDVALIDITY), the whole folder is read again and Message-ID
deduplication keeps every message once.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .inbox_services import mail_ingest, mailbox_record_poll
from .models import Mailbox

logger = logging.getLogger(__name__)

IMAP_TIMEOUT = 60
FETCH_BATCH = 50
UIDVALIDITY_RE = re.compile(rb"UIDVALIDITY (\d+)")


@dataclass
class PollResult:
    fetched: int = 0
    created: int = 0
    last_uid: int = 0


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.imap_use_ssl:
        return imaplib.IMAP4_SSL(mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT)
    return imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT)


def _check(status: str, data: list, what: str) -> list:
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
    return data


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uidvalidity(client: imaplib.IMAP4, folder: str) -> int | None:
    _, data = client.response("UIDVALIDITY")  # the [UIDVALIDITY n] code of the SELECT answer
    for item in data or []:
        if item:
            return int(item)
    _, data = client.status(_quoted(folder), "(UIDVALIDITY)")
    match = UIDVALIDITY_RE.search(b" ".join(d for d in data if isinstance(d, bytes)))
    return int(match.group(1)) if match else None


def _new_uids(client: imaplib.IMAP4, after: int) -> list[int]:
    data = _check(*client.uid("SEARCH", None, f"UID {after + 1}:*"), "UID SEARCH")  # type: ignore[arg-type]  # no charset
    # "n:*" always matches the highest UID, even when it is not above n.
    return sorted(uid for uid in (int(x) for x in (data[0] or b"").split()) if uid > after)


def _fetch(client: imaplib.IMAP4, uids: list[int]) -> list[tuple[int, bytes]]:
    data = _check(*client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])"), "UID FETCH")
    messages = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        match = re.search(rb"UID (\d+)", item[0])
        if match:
            messages.append((int(match.group(1)), item[1]))
    return sorted(messages)


def mailbox_poll(*, mailbox: Mailbox) -> PollResult:
    """Read the messages that arrived since the last poll into the store's threads."""
    mailbox = Mailbox.objects.select_related("store").get(pk=mailbox.pk)  # the mark as stored, not as passed in
    result = PollResult(last_uid=mailbox.last_uid)
    password = mailbox.login_password("imap")
    if not password:
        # Never connect without the password entered for this very server: there is nothing to log in with,
        # and a password entered for another server is not sent here.
        message = _("No IMAP password is stored for %(user)s@%(host)s: enter it in the mailbox settings.") % {
            "user": mailbox.imap_user, "host": mailbox.imap_host}
        mailbox_record_poll(mailbox=mailbox, error=message)
        raise ApplicationError(message)
    try:
        client = _connect(mailbox)
    except (OSError, imaplib.IMAP4.error) as error:
        reason = mailbox.scrub(str(error))
        mailbox_record_poll(mailbox=mailbox, error=reason)
        raise ApplicationError(_("Cannot reach the IMAP server %(host)s: %(error)s")
                               % {"host": mailbox.imap_host, "error": reason}) from None
    try:
        client.login(mailbox.imap_user, password)
        _check(*client.select(_quoted(mailbox.folder), readonly=True), "SELECT")
        uidvalidity = _uidvalidity(client, mailbox.folder)
        after = mailbox.last_uid if uidvalidity is None or uidvalidity == mailbox.uidvalidity else 0
        mailbox_record_poll(mailbox=mailbox, uidvalidity=uidvalidity)
        uids = _new_uids(client, after)
        for start in range(0, len(uids), FETCH_BATCH):
            for uid, raw in _fetch(client, uids[start:start + FETCH_BATCH]):
                _message, created = mail_ingest(store=mailbox.store, raw=raw)
                result.fetched += 1
                result.created += int(created)
                result.last_uid = uid
                mailbox_record_poll(mailbox=mailbox, last_uid=uid)
    except (TimeoutError, OSError, UnicodeError, imaplib.IMAP4.error) as error:
        # The server's words (or a codec's, for a password imaplib cannot send) never carry the password.
        reason = mailbox.scrub(str(error))
        mailbox_record_poll(mailbox=mailbox, error=reason)
        raise ApplicationError(_("Reading the mailbox %(user)s@%(host)s failed: %(error)s")
                               % {"user": mailbox.imap_user, "host": mailbox.imap_host, "error": reason}) from None
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    logger.info("Polled %s: %d fetched, %d new, last UID %d", mailbox, result.fetched, result.created,
                result.last_uid)
    return result
