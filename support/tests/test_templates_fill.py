from __future__ import annotations

import pytest

from support.models import ReplyTemplate
from support.reply_templates import DEFAULT_TEMPLATES, LANGUAGES
from support.selectors import reply_templates
from support.templates_fill import fill, template_fill
from tests.factories import OrderFactory, ShipmentFactory, StoreFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def test_fills_order_facts():
    order = OrderFactory(amazon_order_id="302-1183920-5521877", buyer_name="K. Schmidt", status="shipped")
    ShipmentFactory(order=order, carrier="DHL", tracking_number="00340434161094042557")
    thread = ThreadFactory(store=order.store, order=order)
    filled = template_fill("Hallo {buyer_name}, Bestellung {order_id}: {tracking_url}", thread=thread, order=order)
    assert filled.text == ("Hallo K. Schmidt, Bestellung 302-1183920-5521877: "
                           "https://www.dhl.com/global-en/home/tracking.html?tracking-id=00340434161094042557")
    assert filled.missing == ()


def test_missing_values_stay_visible_and_nothing_else_is_interpreted():
    filled = fill("{buyer_name} {order_id.__class__} {0} {tracking_url} {unknown}", {"buyer_name": "Ann"})
    assert filled.text == "Ann {order_id.__class__} {0} {tracking_url} {unknown}"
    assert filled.missing == ("tracking_url",)


def test_values_are_inserted_as_text_not_reinterpreted():
    assert fill("{buyer_name}", {"buyer_name": "{order_id}"}).text == "{order_id}"


def test_default_templates_exist_in_every_language_and_the_buyers_language_comes_first():
    for name in DEFAULT_TEMPLATES:
        assert set(DEFAULT_TEMPLATES[name]) == set(LANGUAGES)
        for body in DEFAULT_TEMPLATES[name].values():
            assert "{order_id}" in body
    assert ReplyTemplate.objects.filter(store=None).count() == len(DEFAULT_TEMPLATES) * len(LANGUAGES)
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    ordered = reply_templates(store=store, language="de")
    shared = len(DEFAULT_TEMPLATES)
    assert {t.language for t in ordered[:shared]} == {"de"}
    assert ordered[shared].language == "en"
