"""Units sold come from the app that holds the orders; without one, the stock plan says what is missing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from listings import sales
from orders.selectors import units_sold_since as orders_units_sold_since


def test_the_orders_app_provides_the_units_sold():
    assert sales._provider is orders_units_sold_since


def test_without_a_provider_the_error_names_the_missing_app(monkeypatch):
    monkeypatch.setattr(sales, "_provider", None)
    with pytest.raises(ImproperlyConfigured, match="orders"):
        sales.units_sold_since(datetime(2030, 1, 1, tzinfo=UTC))
