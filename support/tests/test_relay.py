"""The buyer's own words out of Amazon's relay template, and every ``From:`` shape the relay writes.

Fixtures under ``fixtures/relay/``: ``real_*`` are real mails or real bodies (see the README beside them),
``constructed_*`` are built from the layout other projects document for that language.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.mail import parse_from, parse_mail
from support.relay import buyer_display_name, buyer_words

RELAY = Path(__file__).parent / "fixtures" / "relay"


def relay_mail(name: str):
    return parse_mail((RELAY / name).read_bytes())


@pytest.mark.parametrize(("name", "words"), [
    # Real: Amazon.it 2026, "Messaggio:" / "Fine messaggio" and its footer (survey, resolve case, retention note).
    ("real_it_buyer_message_BBC_redacted.eml", "Confermo! Grazie mille Buon lavoro"),
    # Real body: Amazon.ca, bilingual markers with 14 dashes, in HTML with <br />.
    ("real_body_CA_bilingual_markers_constructed_headers.eml", "Ordered wrong size. Please send 2t."),
    # Real body: Amazon.com, the buyer answered from Outlook; the markers belong to the quoted history.
    ("real_body_US_reply_from_mail_client_constructed_headers.eml",
     "Yes please, I'd like to exchange it for the 14/16."),
    ("constructed_en_us_buyer_message_numeric_name.eml", "Is the lid dishwasher safe?"),
    ("constructed_de_buyer_message.eml",
     "Hallo, das Paket ist seit einer Woche unterwegs.\nKönnen Sie bitte nachsehen?"),
    ("constructed_fr_buyer_message_unquoted_comma.eml",
     "Bonjour, la lampe ne s'allume plus depuis hier.\nMerci de votre aide."),
    ("constructed_es_buyer_message_encoded_comma.eml", "Hola, ¿me pueden enviar la factura del pedido?\nGracias."),
    ("constructed_ja_buyer_message_iso2022jp.eml", "届いた商品の箱が破損していました。\n交換をお願いできますか？"),
])
def test_the_buyers_words_are_taken_out_of_each_template_language(name, words):
    mail = relay_mail(name)
    extracted = buyer_words(mail.body)
    assert extracted.text == words
    assert extracted.cut and len(mail.body) > len(words)


def test_without_markers_amazons_preamble_and_footer_are_cut():
    text = ("You have received a message.\n\n# 111-3958185-1645065:\n1 / Travel Mug [ASIN: B0EXAMPLE3]\n\n"
            "Does it fit a car cup holder?\nThanks, Pat\n\n"
            "Was this email helpful?\nhttps://sellercentral.amazon.com/gp/satisfaction\n\n"
            "SPC-USAmazon-12345678")
    assert buyer_words(text).text == "Does it fit a car cup holder?\nThanks, Pat"


def test_a_plain_message_is_left_as_the_buyer_wrote_it():
    text = "Hello,\n\n------ please note ------\nThe box was open.\nCopyright is not the point here."
    result = buyer_words(text)
    assert (result.text, result.cut) == (text, False)


def test_quoted_history_inside_the_markers_is_not_the_buyers():
    text = ("------------- Begin message -------------\n\nThank you, that works.\n\n"
            "--- Original message ---\n\nWe can exchange it for you.\n\n------------- End message -------------")
    assert buyer_words(text).text == "Thank you, that works."


def test_only_amazons_frame_keeps_the_whole_text():
    text = "You have received a message.\n\n------------- Begin message -------------\n\n" \
           "------------- End message -------------"
    assert buyer_words(text).text == text


@pytest.mark.parametrize(("header", "name", "address"), [
    # Real: Amazon.it relay, quoted display name.
    ('"Acquirente Amazon" <a0952547@marketplace.amazon.it>', "Acquirente Amazon", "a0952547@marketplace.amazon.it"),
    ('"Jane Doe - Amazon Marketplace" <abc123@marketplace.amazon.com>', "Jane Doe", "abc123@marketplace.amazon.com"),
    ("Jane Doe - Amazon Marketplace <abc123@marketplace.amazon.com>", "Jane Doe", "abc123@marketplace.amazon.com"),
    ('"4815162342 - Amazon Marketplace" <n1@marketplace.amazon.com>', "4815162342", "n1@marketplace.amazon.com"),
    ("4815162342 <n1@marketplace.amazon.com>", "4815162342", "n1@marketplace.amazon.com"),
    ('"Doe, Jane - Amazon Marketplace" <c1@marketplace.amazon.co.uk>', "Doe, Jane", "c1@marketplace.amazon.co.uk"),
    ("Dupont, Marie - Marketplace Amazon <f1@marketplace.amazon.fr>", "Dupont, Marie", "f1@marketplace.amazon.fr"),
    ("=?UTF-8?B?R2FyY8OtYSwgTHVjw61hIC0gQW1hem9uIE1hcmtldHBsYWNl?= <e1@marketplace.amazon.es>", "García, Lucía",
     "e1@marketplace.amazon.es"),
    ('"=?UTF-8?Q?M=C3=BCller,_J=C3=BCrgen_-_Amazon_Marketplace?=" <d1@marketplace.amazon.de>', "Müller, Jürgen",
     "d1@marketplace.amazon.de"),
    ("=?iso-2022-jp?b?GyRCOzNFRBsoQiAbJEIyVjtSGyhCIC0gQW1hem9uIBskQiVeITwlMSVDGyhC?=\r\n"
     " =?iso-2022-jp?b?GyRCJUglVyVsJSQlORsoQg==?= <j1@marketplace.amazon.co.jp>", "山田 花子",
     "j1@marketplace.amazon.co.jp"),
    ("=?iso-2022-jp?B?GyRCOzNFRBsoQiAbJEIyVjtSGyhC?=\r\n <j2@marketplace.amazon.co.jp>", "山田 花子",
     "j2@marketplace.amazon.co.jp"),
    ("KX8M2P4R7T9W1Z3@Marketplace.Amazon.DE", "", "kx8m2p4r7t9w1z3@marketplace.amazon.de"),
    ("<only@marketplace.amazon.com>", "", "only@marketplace.amazon.com"),
])
def test_every_from_shape_gives_the_buyers_name_and_relay_address(header, name, address):
    raw_name, parsed_address = parse_from(header)
    assert (buyer_display_name(raw_name), parsed_address) == (name, address)


def test_an_unencoded_utf8_name_is_read_as_utf8():
    raw = ('From: "José Pérez - Amazon Marketplace" <p1@marketplace.amazon.es>\r\nSubject: hola\r\n'
           'Content-Type: text/plain; charset=utf-8\r\n\r\nHola\r\n').encode()
    mail = parse_mail(raw)
    assert (buyer_display_name(mail.from_name), mail.from_address) == ("José Pérez", "p1@marketplace.amazon.es")


@pytest.mark.parametrize(("name", "shown"), [
    ("Jane Doe - Amazon Marketplace", "Jane Doe"),
    ("Jane Doe – Amazon Marketplace", "Jane Doe"),
    ("Marie - Marketplace Amazon", "Marie"),
    ("山田 太郎 - Amazon マーケットプレイス", "山田 太郎"),
    ("山田 太郎 - Amazon.co.jp マーケットプレイス", "山田 太郎"),
    ("Jane", "Jane"),
    ("Amazon Marketplace", "Amazon Marketplace"),
])
def test_the_buyer_name_loses_the_relays_suffix_in_every_language(name, shown):
    assert buyer_display_name(name) == shown
