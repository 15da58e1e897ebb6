"""The inbox pages: buyer text rendered harmless, a strict CSP, replies, notes, assignment, claims, feedback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from support.inbox_services import mail_ingest
from support.models import Feedback, Message, ReplyTemplate
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

XSS_CORPUS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click me</a>',
    '<svg onload="alert(1)"></svg>',
    '<div style="width: expression(alert(1))">css</div>',
    '<iframe src="https://evil.example"></iframe>',
    '"><script src="https://evil.example/x.js"></script>',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "{{ 7*7 }} {% csrf_token %}",
    "<body onload=alert(1)>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
]


@pytest.fixture
def store():
    return StoreFactory(code="ACME-DE", marketplace="DE")


@pytest.fixture
def agent(store, client):
    user = UserFactory(username="agent")
    MembershipFactory(user=user, store=store, role="agent")
    client.force_login(user)
    return user


@pytest.fixture
def thread(store):
    order = OrderFactory(store=store, amazon_order_id="302-1183920-5521877", buyer_name="K. Schmidt",
                         status="shipped", buyer_email="kx8m2p4r7t9w1z3@marketplace.amazon.de")
    ShipmentFactory(order=order, carrier="DHL", tracking_number="00340434161094042557")
    thread = ThreadFactory(store=store, order=order, buyer_name="K. Schmidt", language="de",
                           buyer_email="kx8m2p4r7t9w1z3@marketplace.amazon.de", subject="Wo ist meine Bestellung?",
                           last_message_at=timezone.now() - timedelta(hours=26))
    MessageFactory(thread=thread, body="Hallo, wo ist mein Paket?", sent_at=timezone.now() - timedelta(hours=26),
                   message_id="<buyer-1@marketplace.amazon.de>")
    return thread


def test_xss_corpus_is_rendered_as_text_under_a_strict_csp(client, agent, store, thread):
    for i, payload in enumerate(XSS_CORPUS):
        MessageFactory(thread=thread, body=payload, sent_at=timezone.now() - timedelta(minutes=60 - i))
    thread.subject = "<script>alert('subject')</script>"
    thread.buyer_name = '<img src=x onerror="alert(2)">'
    thread.save()
    response = client.get(reverse("support:thread", args=[thread.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "img-src 'self' data:", "script-src 'self'", "style-src 'self'",
                      "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    # The page's own scripts are files; nothing executable or remote comes from buyer text.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(re.fullmatch(r'<script src="/static/[^"]+"( defer)?>', tag) for tag in scripts)
    for needle in ("<img src=x", "<svg onload", "<iframe src", "<link rel=stylesheet href=https", "onerror=\"alert",
                   "<meta http", 'href="javascript:', "<body onload", "expression(alert(1))\">"):
        assert needle not in html
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html
    assert "&lt;svg onload=&quot;alert(1)&quot;&gt;" in html
    assert "{{ 7*7 }} {% csrf_token %}" in html  # shown, not evaluated
    assert not re.search(r"<[^>]+\sstyle=", html)  # no inline style attributes the CSP would block


def test_html_mail_is_stored_as_text_and_shown_escaped(client, agent, store):
    raw = (b"From: x@marketplace.amazon.de\r\nSubject: hi\r\nMessage-ID: <h@x>\r\nContent-Type: text/html\r\n\r\n"
           b"<p>Hello</p><script>alert(1)</script><img src=https://evil.example/t.gif onerror=alert(1)>"
           b"<p>&lt;b&gt;bold&lt;/b&gt;</p>")
    message, _ = mail_ingest(store=store, raw=raw)
    assert message.body == "Hello\n\n<b>bold</b>"
    html = client.get(reverse("support:thread", args=[message.thread_id])).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "evil.example" not in html


def test_inbox_lists_the_most_urgent_first_with_counts(client, agent, store, thread, django_assert_max_num_queries):
    fresh = ThreadFactory(store=store, subject="Fresh question", last_message_at=timezone.now())
    MessageFactory(thread=fresh, sent_at=timezone.now() - timedelta(hours=1))
    for _ in range(5):
        t = ThreadFactory(store=store)
        MessageFactory(thread=t, sent_at=timezone.now() - timedelta(hours=3))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("support:inbox"))
    html = response.content.decode()
    assert html.index("Wo ist meine Bestellung?") < html.index("Fresh question")
    assert re.search(r'data-tab="overdue"[^>]*>\s*<span>Overdue</span> <strong>1</strong>', html)
    partial = client.get(reverse("support:inbox") + "?tab=overdue", headers={"HX-Request": "true",
                                                                            "HX-Target": "inbox-list"})
    assert b"<html" not in partial.content and b"Fresh question" not in partial.content
    assert partial["Vary"] == "HX-Request, Cookie" or "HX-Request" in partial["Vary"]


def test_waiting_tabs_are_counted_and_the_history_tabs_are_not(client, agent, store, thread):
    html = client.get(reverse("support:inbox")).content.decode()
    assert re.search(r'data-tab="needs_reply"[^>]*>\s*<span>Needs reply</span> <strong>1</strong>', html)
    assert re.search(r'data-tab="answered"[^>]*>\s*<span>Answered</span>\s*</a>', html)
    assert re.search(r'data-tab="all"[^>]*>\s*<span>All</span>\s*</a>', html)


def test_the_language_filter_offers_the_threads_languages_and_a_list_swap_does_not_read_them(
        client, agent, store, thread):
    ThreadFactory(store=store, subject="Where is it?", language="en", last_message_at=timezone.now())
    html = client.get(reverse("support:inbox") + "?tab=all").content.decode()
    assert '<option value="de">German</option>' in html and '<option value="en">English</option>' in html
    filtered = client.get(reverse("support:inbox") + "?tab=all&language=de").content.decode()
    assert "Wo ist meine Bestellung?" in filtered and "Where is it?" not in filtered
    # The swap draws no select and checks no language, so it does not ask which languages there are.
    with CaptureQueriesContext(connection) as queries:
        partial = client.get(reverse("support:inbox") + "?tab=all",
                             headers={"HX-Request": "true", "HX-Target": "inbox-list"})
    assert b"Where is it?" in partial.content
    assert not any('"language"' in query["sql"] and "DISTINCT" in query["sql"] for query in queries)


def test_template_is_filled_in_the_buyers_language(client, agent, thread):
    template = ReplyTemplate.objects.get(store=None, name="Where is my order", language="de")
    response = client.get(reverse("support:thread", args=[thread.pk]) + f"?template={template.pk}",
                          headers={"HX-Request": "true", "HX-Target": "reply-box"})
    html = response.content.decode()
    assert "Hallo K. Schmidt" in html and "302-1183920-5521877" in html
    assert "tracking-id=00340434161094042557" in html
    assert b"<html" not in response.content


def test_reply_is_sent_with_threading_headers_and_recorded(client, agent, thread, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves once the reply is committed
        response = client.post(reverse("support:reply", args=[thread.pk]),
                               {"body": "Hallo, Ihr Paket kommt morgen. Sendung 00340434161094042557",
                                "action": "send"})
    assert response.status_code == 302
    sent = mailoutbox[0]
    assert sent.to == ["kx8m2p4r7t9w1z3@marketplace.amazon.de"]
    assert sent.subject == "Re: Wo ist meine Bestellung?"
    assert sent.extra_headers["In-Reply-To"] == "<buyer-1@marketplace.amazon.de>"
    assert sent.extra_headers["References"] == "<buyer-1@marketplace.amazon.de>"
    reply = Message.objects.get(thread=thread, direction="outbound")
    assert reply.message_id == sent.extra_headers["Message-ID"] and reply.author == agent
    assert thread.messages.get(direction="inbound").replied_at == reply.sent_at


def test_a_reply_breaking_the_rules_is_not_sent_and_says_why(client, agent, thread, mailoutbox):
    response = client.post(reverse("support:reply", args=[thread.pk]),
                           {"body": "Bitte eine positive Bewertung! Mail: a@b.de", "action": "send"},
                           headers={"HX-Request": "true", "HX-Target": "reply-box"})
    html = response.content.decode()
    assert "Not sent" in html and "E-mail addresses are not allowed" in html and "feedback manipulation" in html
    assert mailoutbox == []
    assert not Message.objects.filter(thread=thread, direction="outbound").exists()


def test_check_only_shows_the_result(client, agent, thread, mailoutbox):
    response = client.post(reverse("support:reply", args=[thread.pk]), {"body": "Danke!", "action": "check"},
                           headers={"HX-Request": "true"})
    assert "Checked against Amazon" in response.content.decode() and mailoutbox == []


def test_a_check_without_htmx_is_an_answer_not_an_error(client, agent, thread, mailoutbox):
    """Only checking is not a refusal: the page answers 200, as the message to a buyer at risk does."""
    checked = client.post(reverse("support:reply", args=[thread.pk]), {"body": "Danke!", "action": "check"})
    refused = client.post(reverse("support:reply", args=[thread.pk]), {"body": "", "action": "send"})
    assert checked.status_code == 200 and "Checked against Amazon" in checked.content.decode()
    assert refused.status_code == 400 and mailoutbox == []


def test_no_reply_needed_note_and_assign(client, agent, thread):
    client.post(reverse("support:note", args=[thread.pk]), {"body": "Carrier says Monday."})
    note = Message.objects.get(thread=thread, is_internal_note=True)
    assert note.body == "Carrier says Monday." and thread.messages.get(direction="inbound").replied_at is None
    client.post(reverse("support:assign", args=[thread.pk]), {"assignee": "me"})
    thread.refresh_from_db()
    assert thread.assigned_to == agent
    client.post(reverse("support:no_reply", args=[thread.pk]))
    inbound = thread.messages.get(direction="inbound")
    assert not inbound.needs_reply and inbound.no_reply_needed_by == agent


def test_a_manager_reads_but_cannot_answer_and_strangers_see_nothing(client, store, thread):
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, store=store, role="manager")
    client.force_login(manager)
    assert client.get(reverse("support:thread", args=[thread.pk])).status_code == 200
    assert client.post(reverse("support:no_reply", args=[thread.pk])).status_code == 403
    client.force_login(UserFactory(username="stranger"))
    assert client.get(reverse("support:thread", args=[thread.pk])).status_code == 404


def test_attachments_download_only_and_sandboxed(client, agent, store, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = (b"From: x@marketplace.amazon.de\r\nSubject: pic\r\nMessage-ID: <a@x>\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n'
           b'--b\r\nContent-Type: text/html; name="x.html"\r\n'
           b'Content-Disposition: attachment; filename="x.html"\r\n\r\n'
           b"<script>alert(1)</script>\r\n--b--\r\n")
    message, _ = mail_ingest(store=store, raw=raw)
    attachment = message.attachments.get()
    response = client.get(reverse("support:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_claims_page_lists_open_claims_by_deadline(client, agent, store):
    now = timezone.now()
    late = ClaimFactory(order=OrderFactory(store=store), filed_at=now - timedelta(days=2), reason="Not received",
                        respond_by=now + timedelta(hours=5))
    soon = ClaimFactory(order=OrderFactory(store=store), filed_at=now - timedelta(days=1),
                        kind="chargeback", respond_by=now + timedelta(hours=2))
    response = client.get(reverse("support:claims"))
    html = response.content.decode()
    assert html.index(f'data-claim="{soon.pk}"') < html.index(f'data-claim="{late.pk}"')
    assert "Content-Security-Policy" in response


def test_feedback_page_flags_removable_and_records_the_request(client, agent, store):
    fba = FeedbackFactory(order=OrderFactory(store=store, fulfillment_channel="AFN", status="shipped"), rating=1,
                          comment="Package arrived late and the box was crushed.")
    seller = FeedbackFactory(order=OrderFactory(store=store), rating=2, comment="Seller never answered.")
    FeedbackFactory(order=OrderFactory(store=store), rating=5, comment="Great!")
    html = client.get(reverse("support:feedback")).content.decode()
    assert f'class="feedback-row removable" data-feedback="{fba.pk}"' in html
    assert f'class="feedback-row" data-feedback="{seller.pk}"' in html
    assert "Great!" not in html
    client.post(reverse("support:feedback_removal", args=[fba.pk]))
    assert Feedback.objects.get(pk=fba.pk).removal_requested_at is not None
    client.post(reverse("support:feedback_removal", args=[seller.pk]))
    assert Feedback.objects.get(pk=seller.pk).removal_requested_at is None


def test_amazon_s_claim_reasons_are_shown_in_the_reader_s_language():
    from django.utils import translation

    from support.models import CLAIM_REASON_LABELS, Claim

    assert Claim(reason="Item not received").reason_label == "Item not received"
    assert Claim(reason="A reason of its own").reason_label == "A reason of its own"
    assert Claim(reason="").reason_label == ""
    with translation.override("zh-hans"):
        expected = str(CLAIM_REASON_LABELS["Unauthorised transaction"])
        assert Claim(reason=" Unauthorized transaction ").reason_label == expected


def test_the_login_lockouts_section_of_the_back_office_has_a_translatable_name():
    from django.apps import apps
    from django.utils.functional import Promise

    config = apps.get_app_config("axes")
    assert isinstance(config.verbose_name, Promise) and str(config.verbose_name) == "Login lockouts"
