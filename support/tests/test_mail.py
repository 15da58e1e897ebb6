"""Parsing real-shaped relay mail, and storing it as threads and messages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from support.inbox_services import mail_ingest
from support.mail import decode_header_value, html_to_text, parse_mail
from support.models import Attachment, Message, MessageThread
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "mail_corpus"
NOW = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)


def raw(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def test_multipart_alternative_takes_the_plain_part_and_decodes_headers():
    mail = parse_mail(raw("multipart_alternative_de.eml"))
    assert mail.subject == "Wo ist meine Bestellung? (Bestellung: 302-1183920-5521877)"
    assert mail.from_address == "kx8m2p4r7t9w1z3@marketplace.amazon.de"
    assert mail.body.endswith("Grüße")
    assert "<p>" not in mail.body and mail.body.count("Wann kommt mein Paket an?") == 1
    assert mail.sent_at == datetime(2025, 11, 22, 8, 14, 5, tzinfo=UTC)
    assert mail.message_id == "<0102019a.de-001@email.amazonses.com>"
    assert mail.order_ids == ["302-1183920-5521877"]


def test_html_only_mail_becomes_text_without_markup_scripts_or_styles():
    mail = parse_mail(raw("html_only_en.eml"))
    assert "Hi, I ordered the black charger but got white." in mail.body
    assert "alert" not in mail.body and "color:red" not in mail.body
    assert "<" not in mail.body.replace("<urgent>", "")  # only the buyer's own escaped text comes back
    assert "please help <urgent>" in mail.body
    assert "my photos (https://evil.example/phish)" in mail.body
    assert "pixel.gif" not in mail.body
    assert "• Color: white" in mail.body


def test_html_to_text_drops_dangerous_content():
    text = html_to_text('<svg onload="alert(1)"><text>x</text></svg><iframe src="//evil"></iframe>'
                        '<a href="javascript:alert(1)">click</a><div style="x:expression(alert(1))">ok</div>')
    assert text == "click\nok"


@pytest.mark.parametrize(("name", "subject", "sender", "body_part"), [
    ("gb2312.eml", "关于我的订单", "王丽", "还没有收到，请问什么时候发货？"),
    ("gbk.eml", "退货申请（镕）", "buyer", "朱镕基同名的买家"),
    ("shift_jis.eml", "配送日について", "佐藤 花子", "①午前中希望です"),
    ("iso2022jp.eml", "商品の破損", "鈴木 一郎", "箱が破損していました"),
])
def test_chinese_and_japanese_charsets(name, subject, sender, body_part):
    mail = parse_mail(raw(name))
    assert mail.subject == subject
    assert mail.from_name == sender
    assert body_part in mail.body
    assert "\ufffd" not in mail.body + mail.subject


def test_gb2312_label_on_gbk_text_still_decodes():
    assert decode_header_value("=?gb2312?b?6UY=?=") == "镕"  # GBK-only character under a GB2312 label


def test_attachments_are_kept_with_their_names():
    mail = parse_mail(raw("attachments.eml"))
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("box.jpg", "image/jpeg"), ("Bestellung über PO.pdf", "application/pdf")]
    assert mail.attachments[0].data.startswith(b"\xff\xd8")
    assert mail.attachments[1].data.startswith(b"%PDF-1.4")
    assert mail.body.startswith("Please send a VAT invoice")


def test_ingest_links_the_order_of_the_store_and_needs_a_reply():
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    order = OrderFactory(store=store, amazon_order_id="302-1183920-5521877", buyer_name="K. Schmidt")
    message, created = mail_ingest(store=store, raw=raw("multipart_alternative_de.eml"), now=NOW)
    assert created
    assert message.needs_reply and message.direction == Message.Direction.INBOUND
    assert message.thread.order == order
    thread = MessageThread.objects.get(pk=message.thread_id)
    assert thread.language == "de"
    assert message.sender == "kx8m2p4r7t9w1z3@marketplace.amazon.de"


def test_an_order_id_of_another_store_is_not_linked():
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    OrderFactory(store=StoreFactory(code="OTHER"), amazon_order_id="302-1183920-5521877")
    message, _ = mail_ingest(store=store, raw=raw("multipart_alternative_de.eml"), now=NOW)
    assert message.thread.order is None
    assert message.thread.buyer_email == "kx8m2p4r7t9w1z3@marketplace.amazon.de"


def test_duplicate_message_id_is_stored_once():
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    first, created = mail_ingest(store=store, raw=raw("multipart_alternative_de.eml"), now=NOW)
    again, created_again = mail_ingest(store=store, raw=raw("duplicate_of_multipart_alternative_de.eml"), now=NOW)
    assert created and not created_again
    assert again.pk == first.pk
    assert Message.objects.filter(store=store).count() == 1


def test_a_follow_up_from_the_same_relay_address_joins_the_thread():
    store = StoreFactory(code="ACME-JP", marketplace="JP")
    first, _ = mail_ingest(store=store, raw=raw("iso2022jp.eml"), now=NOW)
    follow_up = (b"From: jp9buyer8765432@marketplace.amazon.co.jp\r\nTo: acme-jp@example.com\r\n"
                 b"Subject: Re: photo\r\nMessage-ID: <iso2022jp-002@x>\r\nDate: Mon, 24 Nov 2025 12:00:00 +0900\r\n"
                 b"Content-Type: text/plain; charset=utf-8\r\n\r\nHere is more.\r\n")
    second, _ = mail_ingest(store=store, raw=follow_up, now=NOW)
    assert second.thread_id == first.thread_id
    first.thread.refresh_from_db()
    assert first.thread.language == "ja"


def test_a_reply_to_our_message_joins_its_thread_by_in_reply_to():
    store = StoreFactory(code="ACME-US", marketplace="US")
    first, _ = mail_ingest(store=store, raw=raw("html_only_en.eml"), now=NOW)
    other_address = (b"From: someone-else@marketplace.amazon.com\r\nTo: acme-us@example.com\r\n"
                     b"Subject: Re: Wrong color\r\nMessage-ID: <reply-2@x>\r\n"
                     b"In-Reply-To: <html-only-001@marketplace.amazon.com>\r\n"
                     b"Date: Sat, 22 Nov 2025 12:00:00 -0800\r\nContent-Type: text/plain\r\n\r\nThanks.\r\n")
    second, _ = mail_ingest(store=store, raw=other_address, now=NOW)
    assert second.thread_id == first.thread_id


def test_attachments_are_stored_as_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    store = StoreFactory(code="ACME-US", marketplace="US")
    message, _ = mail_ingest(store=store, raw=raw("attachments.eml"), now=NOW)
    files = list(Attachment.objects.filter(message=message).order_by("id"))
    assert [(f.filename, f.size) for f in files] == [("box.jpg", 22), ("Bestellung über PO.pdf", 45)]
    assert files[0].file.read().startswith(b"\xff\xd8")


def test_a_date_in_the_future_is_clamped_to_arrival_and_missing_message_id_still_dedupes():
    store = StoreFactory(code="ACME-US", marketplace="US")
    mail = (b"From: b@marketplace.amazon.com\r\nSubject: hi\r\nDate: Thu, 01 Jan 2099 00:00:00 +0000\r\n"
            b"Content-Type: text/plain\r\n\r\nHello\r\n")
    message, created = mail_ingest(store=store, raw=mail, now=NOW)
    assert message.sent_at == NOW
    assert message.message_id.endswith("@no-message-id.invalid>")
    assert mail_ingest(store=store, raw=mail, now=NOW) == (message, False)
