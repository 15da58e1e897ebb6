"""The order page's sections: the apps above orders add theirs, in their slot and order, without orders
importing them."""

from __future__ import annotations

import pytest
from django.template import Context, Engine

from orders import sections
from orders.sections import Section, Slot, section_add, sections_of


@pytest.fixture
def registry(monkeypatch):
    """A registry of the test's own, so that the sections the apps registered stay as they are."""
    monkeypatch.setattr(sections, "_sections", {})
    return sections._sections


def _section(name: str, slot: str = Slot.AFTER_SALE, position: int = 10, **context) -> Section:
    return Section(name=name, slot=slot, position=position, template="unused.html",
                   context=lambda page: context)


def test_sections_come_in_position_order_per_slot(registry):
    section_add(_section("b", position=20))
    section_add(_section("a", position=10))
    section_add(_section("m", slot=Slot.MAIN))
    assert [s.name for s in sections_of(Slot.AFTER_SALE)] == ["a", "b"]
    assert [s.name for s in sections_of(Slot.MAIN)] == ["m"]
    assert sections_of(Slot.ACTIONS) == []


def test_adding_a_section_again_replaces_it(registry):
    section_add(_section("a", position=10))
    section_add(_section("a", position=30))
    assert [s.position for s in sections_of(Slot.AFTER_SALE)] == [30]


def test_an_unknown_slot_is_refused(registry):
    with pytest.raises(ValueError, match="sidebar"):
        section_add(_section("a", slot="sidebar"))


def test_the_tag_renders_each_section_with_the_page_context_and_its_own(registry):
    section_add(Section(name="greeting", slot=Slot.MAIN, position=10, template="greeting.html",
                        context=lambda page: {"greeting": f"Hello {page['order']}"}))
    section_add(Section(name="sign-off", slot=Slot.MAIN, position=20, template="sign_off.html",
                        context=lambda page: {}))
    engine = Engine(loaders=[("django.template.loaders.locmem.Loader", {
        "greeting.html": "<p>{{ greeting }}, {{ now }}</p>",
        "sign_off.html": "<p>Bye {{ order }}{% if greeting %}{{ greeting }}{% endif %}</p>",
        "page.html": '{% load orders_tags %}{% order_sections "main" %}|{% order_sections "actions" %}',
    })], libraries={"orders_tags": "orders.templatetags.orders_tags"})
    html = engine.get_template("page.html").render(Context({"order": "113-0000000-0000001", "now": "<today>"}))
    # Escaped as any template is; what one section adds is not seen by the next.
    assert html == "<p>Hello 113-0000000-0000001, &lt;today&gt;</p><p>Bye 113-0000000-0000001</p>|"


def test_fulfillment_returns_and_support_register_their_sections():
    assert [s.template for s in sections_of(Slot.MAIN)] == ["fulfillment/order_shipments.html",
                                                           "fulfillment/order_delivery.html"]
    assert [s.template for s in sections_of(Slot.ACTIONS)] == ["fulfillment/order_ship_form.html"]
    assert [s.template for s in sections_of(Slot.AFTER_SALE)] == [
        "returns/order_returns.html", "support/order_messages.html", "support/order_feedback.html"]
