"""Telling Amazon's notices from buyers' messages, and reading what each notice says (pure: no database)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from returns.models import ReturnReason
from support.mail import parse_mail
from support.notifications import (
    RETURN_REASONS,
    RULES,
    Kind,
    claim_amount,
    claim_respond_days,
    classify,
    is_relay_address,
    is_system_address,
    return_is_authorized,
    return_lines,
    return_reason,
    return_shipment,
)

RELAY = Path(__file__).parent / "fixtures" / "relay"


def relay_mail(name: str):
    return parse_mail((RELAY / name).read_bytes())


def notice_bytes(subject: str, *, sender: str = "donotreply@amazon.com", header: str | None = None,
                 html: str = "<p>Amazon</p>", message_id: str = "<n-1@amazonses.com>",
                 date: str = "Mon, 24 Nov 2025 08:00:00 +0000") -> bytes:
    """A notice in the shape of the real ones (HTML only, quoted-printable not needed for plain ASCII)."""
    from email.header import Header

    lines = [f"From: {sender}", "To: seller@example.com", f"Subject: {Header(subject, 'utf-8').encode()}",
             f"Date: {date}", f"Message-ID: {message_id}", "MIME-Version: 1.0",
             "Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: 8bit"]
    if header:
        lines.append(f"X-Space-Notification-Type: {header}")
    return ("\r\n".join(lines) + "\r\n\r\n" + html + "\r\n").encode("utf-8")


@pytest.mark.parametrize(("name", "kind"), [
    ("real_it_cancel_request_BRC_SELLER_NOTIFICATION.eml", Kind.CANCEL_REQUEST),
    ("real_it_a_to_z_claim_A_Z_CLAIM_RESPONDENT_NOTIFY.eml", Kind.CLAIM),
    ("real_it_return_request_RETURN_REQUEST.eml", Kind.RETURN_REQUEST),
    ("real_it_message_not_delivered_BUYER_OPTED_OUT_redacted.eml", Kind.AMAZON),
    ("real_it_buyer_message_BBC_redacted.eml", Kind.MESSAGE),
    ("real_body_CA_bilingual_markers_constructed_headers.eml", Kind.MESSAGE),
    ("constructed_ja_buyer_message_iso2022jp.eml", Kind.MESSAGE),
])
def test_real_mails_are_classified_by_their_header_and_sender(name, kind):
    assert classify(relay_mail(name)).kind == kind


@pytest.mark.parametrize(("subject", "kind"), [
    # Cancellation requests
    ("Cancellation request for order 113-1234567-1234567", Kind.CANCEL_REQUEST),
    ("Stornierungsanfrage für Bestellung 302-1234567-1234567", Kind.CANCEL_REQUEST),
    ("Demande d'annulation pour la commande 171-1234567-1234567", Kind.CANCEL_REQUEST),
    ("Richiesta di annullamento per l'ordine numero: 404-1296441-3120351", Kind.CANCEL_REQUEST),
    ("Solicitud de cancelación del pedido 403-1234567-1234567", Kind.CANCEL_REQUEST),
    ("注文のキャンセルリクエスト（注文番号: 503-1234567-1234567）", Kind.CANCEL_REQUEST),
    # A-to-z claims
    ("A-to-z Guarantee claim filed for order 113-1234567-1234567", Kind.CLAIM),
    ("A-bis-z-Garantieantrag für Bestellung 302-1234567-1234567", Kind.CLAIM),
    ("Réclamation au titre de la Garantie A à Z : commande 171-1234567-1234567", Kind.CLAIM),
    ("Nuovo reclamo dalla A alla Z per l'ordine 402-3427577-1965903", Kind.CLAIM),
    ("Reclamación de la Garantía de la A a la Z del pedido 403-1234567-1234567", Kind.CLAIM),
    ("Amazonマーケットプレイス保証の申請（注文番号: 503-1234567-1234567）", Kind.CLAIM),
    # Return requests
    ("Return authorization notification for Order #113-1234567-1234567", Kind.RETURN_REQUEST),
    ("Rücksendeanfrage für Bestellung 302-1234567-1234567", Kind.RETURN_REQUEST),
    ("Demande de retour pour la commande 171-1234567-1234567", Kind.RETURN_REQUEST),
    ("Notifica di autorizzazione del reso per l'ordine 403-1049451-9270721", Kind.RETURN_REQUEST),
    ("Solicitud de devolución del pedido 403-1234567-1234567", Kind.RETURN_REQUEST),
    ("返品リクエスト（注文番号: 503-1234567-1234567）", Kind.RETURN_REQUEST),
    # Feedback notices
    ("New feedback received for order 113-1234567-1234567", Kind.FEEDBACK),
    ("Neue Bewertung für Bestellung 302-1234567-1234567", Kind.FEEDBACK),
    ("Nouvelle évaluation pour la commande 171-1234567-1234567", Kind.FEEDBACK),
    ("Nuovo feedback per l'ordine 404-1234567-1234567", Kind.FEEDBACK),
    ("Nueva valoración del pedido 403-1234567-1234567", Kind.FEEDBACK),
    ("新しい評価が投稿されました（注文番号: 503-1234567-1234567）", Kind.FEEDBACK),
    # Anything else from Amazon's system senders
    ("Your payout is on its way", Kind.AMAZON),
])
def test_system_mail_is_classified_by_its_subject_in_every_language(subject, kind):
    assert classify(parse_mail(notice_bytes(subject))).kind == kind


@pytest.mark.parametrize("sender", ["donotreply@amazon.com", "seller-notification@amazon.de",
                                    "no-reply@amazon.co.jp", "donotreply@marketplace.amazon.com.br",
                                    "auto-communication@amazon.com"])
def test_unknown_mail_from_amazons_system_senders_is_a_notice(sender):
    assert classify(parse_mail(notice_bytes("Something we never saw", sender=sender))).kind == Kind.AMAZON


def test_the_sender_decides_a_claim_notice_whose_subject_speaks_of_a_refund():
    # Amazon.it titles its A-to-z notice "Richiesta di rimborso ricevuta…"; its sender says what it is.
    mail = parse_mail(notice_bytes("Richiesta di rimborso ricevuta per l'ordine 402-3427577-1965903",
                                   sender="atoz-guarantee-no-reply@amazon.it"))
    assert classify(mail).kind == Kind.CLAIM


@pytest.mark.parametrize("sender", ["mallory@example.net", "donotreply@amazon.com.example.net",
                                    "donotreply@notamazon.com", "donotreply@amazon.evil"])
def test_a_stranger_cannot_pass_for_amazon_by_header_or_subject(sender):
    raw = notice_bytes("Cancellation request for order 113-1234567-1234567", sender=sender,
                       header="BRC_SELLER_NOTIFICATION")
    assert classify(parse_mail(raw)).kind == Kind.MESSAGE


def test_a_buyer_subject_that_sounds_like_a_notice_stays_a_buyer_message():
    raw = notice_bytes("Return policy inquiry from Amazon customer Cherri (Order: 111-3958185-1645065)",
                       sender="abc123@marketplace.amazon.com")
    assert classify(parse_mail(raw)).kind == Kind.MESSAGE


def test_the_buyer_message_header_from_a_no_reply_address_is_not_a_buyer():
    raw = notice_bytes("Hello", sender="donotreply@amazon.com", header="BBC_MESSAGE_SENT_TO_MERCHANT")
    assert classify(parse_mail(raw)).kind == Kind.AMAZON


@pytest.mark.parametrize(("address", "relay", "system"), [
    ("abc123@marketplace.amazon.com", True, False),
    ("a0952547w2gonh17wevw@marketplace.amazon.it", True, False),
    ("x@marketplace.amazon.co.jp", True, False),
    ("x@marketplace.amazon.com.br", True, False),
    ("donotreply@marketplace.amazon.com.br", False, True),
    ("donotreply@amazon.com", False, True),
    ("atoz-guarantee-no-reply@amazon.it", False, True),
    ("buyer@gmail.com", False, False),
    ("abc@marketplace.amazon.com.example.net", False, False),
])
def test_relay_and_system_addresses(address, relay, system):
    assert (is_relay_address(address), is_system_address(address)) == (relay, system)


def test_the_rules_table_names_its_sources():
    assert {rule.source for rule in RULES} <= {"real", "code", "layout"}
    assert {rule.field for rule in RULES} == {"header", "sender", "subject"}
    headers = [rule.pattern for rule in RULES if rule.field == "header"]
    assert len(headers) == len(set(headers))


def test_the_real_return_notice_gives_sku_quantity_reason_and_comment():
    mail = relay_mail("real_it_return_request_RETURN_REQUEST.eml")
    [line] = return_lines(mail)
    assert (line.sku, line.asin, line.quantity) == ("INN-681IS", "B0CF2SK1VM", 1)
    assert line.reason == "Prestazioni o qualità non adeguate"
    assert line.comment == "Prestazioni o qualità non adeguate. Durante l'uso perde acqua."
    assert return_reason(line.reason) == ReturnReason.QUALITY
    assert return_is_authorized(mail)
    assert return_shipment(mail) == ("POSTE_ITALIANE", "1UW1URV000000")


def test_a_return_notice_without_its_table_names_no_item():
    mail = parse_mail(notice_bytes("Return request for order 113-1234567-1234567",
                                   html="<p>A buyer asked to return an item of order 113-1234567-1234567.</p>"))
    assert return_lines(mail) == []
    assert not return_is_authorized(mail)


def test_every_mapped_return_reason_is_one_of_ours():
    assert set(RETURN_REASONS.values()) <= set(ReturnReason.values)
    assert return_reason("Something else entirely") is None


def test_the_real_claim_notice_gives_amount_and_deadline():
    mail = relay_mail("real_it_a_to_z_claim_A_Z_CLAIM_RESPONDENT_NOTIFY.eml")
    assert claim_amount(mail.body) == Decimal("119.00")
    assert claim_respond_days(mail.body) == 3


@pytest.mark.parametrize(("text", "amount"), [
    ("a claim of $24.99 for order", Decimal("24.99")),
    ("claim of 1,024.50 USD", Decimal("1024.50")),
    ("Antrag über 1.024,50 € für", Decimal("1024.50")),
    ("réclamation de 19,90 € pour", Decimal("19.90")),
    ("申請金額：￥1,980", Decimal("1980")),
    ("no amount here, order 113-1234567-1234567", None),
])
def test_claim_amounts_in_each_marketplaces_format(text, amount):
    assert claim_amount(text) == amount


@pytest.mark.parametrize(("text", "days"), [
    ("You must respond within 3 calendar days.", 3),
    ("Deve rispondere entro 3 giorni di calendario.", 3),
    ("Bitte antworten Sie innerhalb von 3 Kalendertagen.", 3),
    ("Vous devez répondre sous 3 jours.", 3),
    ("Debe responder en un plazo de 3 días.", 3),
    ("3日以内にご回答ください。", 3),
    ("No deadline given.", None),
])
def test_the_claims_answer_deadline_in_each_language(text, days):
    assert claim_respond_days(text) == days
