"""Tabs of the operator's order queue that the apps above orders add: pages of their own, shown as queue tabs.

``orders`` may not import those apps, yet the queue shows their work beside its own tabs (the deliveries at risk,
which read shipments and buyer messages). So each registers a ``QueueTab`` here from its ``AppConfig.ready()``: a
label, the page's URL name and, if cheap, a function that counts its rows for a viewer and a store::

    # support/apps.py
    def ready(self):
        from orders.queue_tabs import QueueTab, queue_tab_add
        queue_tab_add(QueueTab(key="at_risk", label=_("Deliveries at risk"), url_name="orders:at-risk",
                               after="unshipped", count=at_risk_count))

The queue (``orders.views.order_list_view``) and the tab's own page draw the same row of tabs with
``queue_tab_row`` and the template ``orders/queue_tabs.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse
from django.utils.functional import Promise

from core.models import Store

#: ``count(user=…, store=…, now=…)``: the rows of the tab the viewer would see, or None not to show a count.
Counter = Callable[..., int | None]


@dataclass(frozen=True)
class QueueTab:
    #: Unique: registering a tab of the same key again replaces it.
    key: str
    label: str | Promise
    #: The tab's page, reversed without arguments; the queue's store (``?store=``) follows the link.
    url_name: str
    #: The queue's own tab this one comes right after (``orders.selectors.Tab``).
    after: str
    count: Counter | None = None
    #: Shown as a warning when the count is not zero.
    alarming: bool = False


_tabs: dict[str, QueueTab] = {}


def queue_tab_add(tab: QueueTab) -> None:
    """Show ``tab`` in the order queue (called from an app's ``AppConfig.ready``)."""
    _tabs[tab.key] = tab


def queue_tabs() -> list[QueueTab]:
    return sorted(_tabs.values(), key=lambda t: t.key)


def queue_tab_row(*, own: list[dict], user: User | AnonymousUser, store: Store | None, now: datetime,
                  active: str, counted: dict[str, int] | None = None) -> list[dict]:
    """The queue's tabs (``own``: ``key``, ``label``, ``count``, ``url``) with the registered ones put in place,
    each marked ``active`` when it is ``active``. ``counted`` gives counts a page already knows (its own tab's)."""
    counted = counted or {}
    query = f"?{urlencode({'store': store.code})}" if store is not None else ""
    row = [dict(entry) for entry in own]
    for tab in queue_tabs():
        entry = {"key": tab.key, "label": tab.label, "url": reverse(tab.url_name) + query,
                 "count": counted[tab.key] if tab.key in counted
                 else tab.count(user=user, store=store, now=now) if tab.count else None,
                 "alarming": tab.alarming, "page": True}
        at = next((i for i, t in enumerate(row) if t["key"] == tab.after), len(row) - 1)
        row.insert(at + 1, entry)
    for shown in row:
        shown["active"] = shown["key"] == active
    return row
