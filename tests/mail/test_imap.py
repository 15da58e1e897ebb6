"""Polling a live Dovecot: messages APPENDed to the mailbox become threads, once, however often we poll."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.imap import mailbox_poll
from support.models import Mailbox, Message
from support.tasks import support_poll_mailboxes_task
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2] / "support" / "tests" / "mail_corpus"


@pytest.fixture
def mailbox(dovecot, imap_folder):
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    return Mailbox.objects.create(store=store, imap_host=dovecot.host, imap_port=dovecot.port, imap_use_ssl=False,
                                  imap_user=dovecot.user, imap_password=dovecot.password, folder=imap_folder,
                                  from_address="acme-de@example.com")


def test_poll_reads_every_message_once_and_remembers_the_last_uid(dovecot, mailbox):
    order = OrderFactory(store=mailbox.store, amazon_order_id="302-1183920-5521877")
    names = ["multipart_alternative_de.eml", "gb2312.eml", "shift_jis.eml", "iso2022jp.eml", "attachments.eml",
             "html_only_en.eml"]
    for name in names:
        dovecot.append((CORPUS / name).read_bytes(), folder=mailbox.folder)

    first = mailbox_poll(mailbox=mailbox)
    assert (first.fetched, first.created) == (6, 6)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == first.last_uid > 0 and mailbox.uidvalidity and mailbox.last_error == ""

    second = mailbox_poll(mailbox=mailbox)
    assert (second.fetched, second.created) == (0, 0)
    assert Message.objects.filter(store=mailbox.store).count() == 6

    german = Message.objects.get(message_id="<0102019a.de-001@email.amazonses.com>")
    assert german.thread.order == order and german.needs_reply
    assert Message.objects.get(message_id="<sjis-001@marketplace.amazon.co.jp>").subject == "配送日について"
    assert "还没有收到" in Message.objects.get(message_id="<gb2312-001@marketplace.amazon.com>").body


def test_the_same_message_delivered_twice_is_stored_once(dovecot, mailbox):
    dovecot.append((CORPUS / "multipart_alternative_de.eml").read_bytes(), folder=mailbox.folder)
    mailbox_poll(mailbox=mailbox)
    dovecot.append((CORPUS / "duplicate_of_multipart_alternative_de.eml").read_bytes(), folder=mailbox.folder)
    result = mailbox_poll(mailbox=mailbox)
    assert (result.fetched, result.created) == (1, 0)
    assert Message.objects.filter(store=mailbox.store).count() == 1


def test_a_new_uidvalidity_rereads_the_folder_without_duplicates(dovecot, mailbox):
    dovecot.append((CORPUS / "gbk.eml").read_bytes(), folder=mailbox.folder)
    mailbox_poll(mailbox=mailbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=1, last_uid=999)
    mailbox.refresh_from_db()
    result = mailbox_poll(mailbox=mailbox)
    assert (result.fetched, result.created) == (1, 0)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == result.last_uid


def test_the_beat_task_polls_every_active_mailbox(dovecot, mailbox):
    dovecot.append((CORPUS / "iso2022jp.eml").read_bytes(), folder=mailbox.folder)
    assert support_poll_mailboxes_task.delay().get() == 1
    assert Message.objects.filter(store=mailbox.store).count() == 1


def test_a_wrong_password_is_recorded_on_the_mailbox(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="wrong")
    mailbox.refresh_from_db()
    assert support_poll_mailboxes_task.delay().get() == 1  # the failure does not break the beat
    mailbox.refresh_from_db()
    assert mailbox.last_error
