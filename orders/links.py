"""The one address of an order's page, for every page that names an order."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse


def order_url(amazon_order_id: str, store_code: str | None = None) -> str:
    """The order's page; the store is named, since the same Amazon id may exist in two stores.

    An id stored before ids were checked strictly (other scripts' digits) has no page: it is found in the queue.
    """
    query = {"store": store_code} if store_code else {}
    try:
        url = reverse("orders:detail", args=[amazon_order_id])
    except NoReverseMatch:
        return f"{reverse('orders:list')}?{urlencode({'tab': 'all', **query, 'q': amazon_order_id})}"
    return f"{url}?{urlencode(query)}" if query else url
