from __future__ import annotations

import pytest

from orders.addresses import address_lines, city_line
from tests.factories import OrderFactory


@pytest.mark.parametrize(("country", "expected"), [
    ("CA", "Toronto, ON M5V 2T6"),
    ("DE", "10115 Berlin"),
    ("ES", "28013 Madrid"),
    ("FR", "75001 Paris"),
    ("GB", "London, Greater London SW1A 1AA"),
    ("IT", "00184 Roma (RM)"),
    ("JP", "〒150-0001 東京都 渋谷区"),
    ("US", "Austin, TX 73301"),
])
def test_the_city_line_is_written_in_the_country_s_order(country, expected):
    parts = {
        "CA": ("Toronto", "ON", "M5V 2T6"), "DE": ("Berlin", "", "10115"), "ES": ("Madrid", "", "28013"),
        "FR": ("Paris", "", "75001"), "GB": ("London", "Greater London", "SW1A 1AA"), "IT": ("Roma", "RM", "00184"),
        "JP": ("渋谷区", "東京都", "150-0001"), "US": ("Austin", "TX", "73301"),
    }[country]
    city, state, postal_code = parts
    assert city_line(city=city, state=state, postal_code=postal_code, country=country) == expected


def test_missing_parts_leave_no_stray_separators():
    assert city_line(city="Austin", state="", postal_code="", country="US") == "Austin"
    assert city_line(city="", state="TX", postal_code="73301", country="US") == "TX 73301"
    assert city_line(city="Berlin", state="", postal_code="", country="DE") == "Berlin"
    assert city_line(city="渋谷区", state="", postal_code="", country="JP") == "渋谷区"
    assert city_line(city="", state="", postal_code="", country="") == ""


def test_a_us_address_puts_the_street_first_and_the_postcode_after_the_state():
    assert address_lines(line1="1 Congress Ave", line2="Suite 5", city="Austin", state="TX", postal_code="73301",
                         country="us") == ["1 Congress Ave", "Suite 5", "Austin, TX 73301", "US"]


def test_a_japanese_address_starts_with_the_postcode_and_the_prefecture():
    assert address_lines(line1="神南1-2-3", line2="", city="渋谷区", state="東京都", postal_code="150-0001",
                         country="JP") == ["〒150-0001 東京都 渋谷区", "神南1-2-3", "JP"]


def test_a_german_address_writes_the_postcode_before_the_city():
    assert address_lines(line1="Unter den Linden 1", line2="", city="Berlin", state="", postal_code="10115",
                         country="DE") == ["Unter den Linden 1", "10115 Berlin", "DE"]


@pytest.mark.django_db
def test_the_order_page_writes_a_us_address_city_state_postcode(op_client, store):
    OrderFactory(store=store, amazon_order_id="113-0000000-0000009", ship_line1="1 Congress Ave", ship_line2="",
                 ship_city="Austin", ship_state="TX", ship_postal_code="73301", ship_country="US")
    html = op_client.get("/orders/113-0000000-0000009/").content.decode()
    assert "Austin, TX 73301" in html and "73301 Austin" not in html
