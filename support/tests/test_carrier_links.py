"""The one table of carriers: the link the order page shows is the link the inbox fills in, and the reply rules
let it through, for every carrier."""

from __future__ import annotations

import pytest

from fulfillment.carriers import CARRIERS
from fulfillment.models import Carrier
from fulfillment.order_page import shipments_context
from fulfillment.tests.test_carriers import SAMPLE_NUMBERS
from orders.models import OrderStatus
from support.rules import reply_check
from support.templates_fill import template_fill
from tests.factories import OrderFactory, ShipmentFactory, ThreadFactory

pytestmark = pytest.mark.django_db

LINKED = sorted(code for code, spec in CARRIERS.items() if spec.tracking_url)


def test_every_carrier_but_other_has_a_link():
    assert set(LINKED) == set(Carrier.values) - {Carrier.OTHER}


@pytest.mark.parametrize("code", LINKED)
def test_the_order_page_and_the_reply_template_give_the_same_link_and_the_rules_let_it_through(code):
    order = OrderFactory(status=OrderStatus.SHIPPED)
    number = SAMPLE_NUMBERS[code]
    ShipmentFactory(order=order, carrier=code, tracking_number=number)
    order_page_link = shipments_context({"order": order, "can": {}, "forms": {}})["shipments"][0]["url"]
    thread = ThreadFactory(store=order.store, order=order)
    filled = template_fill("Your parcel: {tracking_url}", thread=thread, order=order)
    assert order_page_link and filled.text == f"Your parcel: {order_page_link}"
    assert not filled.missing
    assert reply_check(filled.text, allowed_numbers=(number,)) == []


def test_a_link_to_a_look_alike_host_is_still_refused():
    assert [v.code for v in reply_check("See https://www.yuntrack.com.evil.example/x")] == ["external_link"]
