"""The parts of an order's page that the apps above orders fill in: its shipments, the shipment form, returns,
messages, feedback and claims.

``orders`` may not import those apps, yet the page shows what they hold. So each of them registers a
``Section`` here from its ``AppConfig.ready()``: a template of its own and a function that gives that template
its data. The order page's template marks where sections go with ``{% order_sections "main" %}`` (one tag per
``Slot``); the tag renders the sections registered for that slot, in ``position`` order, with the page's context
plus what the section's ``context`` function returns::

    # fulfillment/apps.py
    def ready(self):
        from orders.sections import Section, Slot, section_add
        section_add(Section(name="shipments", slot=Slot.MAIN, position=10,
                            template="fulfillment/order_shipments.html", context=shipments_context))

A section's ``context`` receives the page's context (``request``, ``order`` with its items and shipments,
``now``, ``can`` — the actions the viewer may take —, ``forms`` — the forms a refused action shows again, by
action —) and returns the names its template reads. A section outside the page's htmx partial (the after-sale
slot) is rendered, and its data read, only for the whole page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template import Context


class Slot:
    #: The main column, after the items.
    MAIN = "main"
    #: The actions card, after confirm and pack, before cancel.
    ACTIONS = "actions"
    #: The cards under "After the sale", outside the order panel.
    AFTER_SALE = "after_sale"

    ALL = (MAIN, ACTIONS, AFTER_SALE)


@dataclass(frozen=True)
class Section:
    #: Unique: registering a section of the same name again replaces it.
    name: str
    slot: str
    #: Sections of one slot are shown in increasing ``position``.
    position: int
    template: str
    context: Callable[[Context], dict[str, Any]]


_sections: dict[str, Section] = {}


def section_add(section: Section) -> None:
    """Show ``section`` on every order's page (called from an app's ``AppConfig.ready``)."""
    if section.slot not in Slot.ALL:
        raise ValueError(f"Unknown order page slot {section.slot!r}; choose one of {', '.join(Slot.ALL)}.")
    _sections[section.name] = section


def sections_of(slot: str) -> list[Section]:
    """The sections registered for ``slot``, in the order the page shows them."""
    return sorted((s for s in _sections.values() if s.slot == slot), key=lambda s: (s.position, s.name))
