"""The FBA inventory-health pages: the manager's page, each figure's SKUs and CSV, the restock list that plans an
inbound shipment; scoped to the viewer's stores, the main page's queries flat in the number of SKUs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fulfillment.fba_health import fba_store_day_refresh
from fulfillment.models import FbaAccountSnapshot, FbaInventorySnapshot, InboundShipment
from listings.models import Channel
from tests.factories import ListingFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2025, 7, 14)


def build(store, skus: int, days: int = 3) -> None:
    listings = [ListingFactory(store=store, sku=f"FBA-{n:03d}", fulfillment_channel=Channel.AFN,
                               price=Decimal("20")) for n in range(skus)]
    FbaInventorySnapshot.objects.bulk_create([
        FbaInventorySnapshot(store=store, listing=listing, day=DAY - timedelta(days=back), fulfillable=10 + 50 * n,
                             age_0_90=5 + 20 * n, age_271_365=5 + 30 * n, units_shipped_t7=7, units_shipped_t30=30,
                             units_shipped_t60=60, units_shipped_t90=90, stranded_units=n % 2,
                             item_volume=Decimal("0.2"), volume_unit="cubic feet", size_tier="Standard",
                             source="planning")
        for n, listing in enumerate(listings) for back in range(days)])
    for back in range(days):
        fba_store_day_refresh(store=store, day=DAY - timedelta(days=back))
    FbaAccountSnapshot.objects.create(store=store, day=DAY, amazon_index=350)


@pytest.fixture
def manager_client(client, store):
    user = UserFactory(username="mgr")
    MembershipFactory(user=user, store=store, role="manager")
    client.force_login(user)
    return client


def test_manager_page_shows_parts_index_aged_stock_and_fees(manager_client, store):
    build(store, 3)

    response = manager_client.get(reverse("fba:health"), {"store": store.code})

    html = response.content.decode()
    assert response.status_code == 200
    for key in ("excess", "sell_through", "stranded", "in_stock"):
        assert f'id="part-{key}"' in html
        assert reverse("fba:part", args=[store.code, key]) in html
    assert 'id="amazon-index"' in html and "350" in html
    assert 'class="bar-chart"' in html and "sparkline" in html
    assert 'class="fee-action"' in html


def test_page_queries_do_not_grow_with_skus(manager_client, store, other_store, django_assert_max_num_queries):
    build(store, 2)
    build(other_store, 40)
    MembershipFactory(user=UserFactory(username="m2"), store=other_store, role="manager")
    manager_client.force_login(UserFactory(username="both", is_superuser=True))
    with django_assert_max_num_queries(12) as small:
        manager_client.get(reverse("fba:health"), {"store": store.code})
    with django_assert_max_num_queries(len(small.captured_queries)):
        manager_client.get(reverse("fba:health"), {"store": other_store.code})


def test_part_drilldown_lists_skus_with_their_figures_and_csv(manager_client, store):
    build(store, 3)
    url = reverse("fba:part", args=[store.code, "stranded"])

    page = manager_client.get(url).content.decode()
    csv = b"".join(manager_client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")

    assert 'data-sku="FBA-001"' in page and 'data-sku="FBA-000"' not in page
    lines = csv.strip().splitlines()
    assert lines[0].startswith("SKU,listing_id,numerator,denominator")
    assert len(lines) == 2 and lines[1].startswith("FBA-001,")
    assert manager_client.get(reverse("fba:part", args=[store.code, "nope"])).status_code == 404


def test_aged_and_fee_drilldowns_and_csv(manager_client, store):
    build(store, 2)
    for name in ("fba:aged", "fba:fees"):
        url = reverse(name, args=[store.code])
        assert 'data-sku="FBA-001"' in manager_client.get(url).content.decode()
        csv = b"".join(manager_client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
        assert "FBA-001" in csv


def test_another_stores_pages_are_not_found(manager_client, store, other_store):
    build(other_store, 1)
    assert manager_client.get(reverse("fba:health"), {"store": other_store.code}).status_code == 404
    for name in ("fba:aged", "fba:fees", "fba:restock"):
        assert manager_client.get(reverse(name, args=[other_store.code])).status_code == 404


def test_operator_creates_an_inbound_plan_from_the_restock_list(op_client, store):
    build(store, 2)
    url = reverse("fba:restock", args=[store.code])
    page = op_client.get(url).content.decode()
    assert 'name="sku" value="FBA-000"' in page

    response = op_client.post(url, {"sku": ["FBA-000"]})

    inbound = InboundShipment.objects.get(store=store)
    assert response.status_code == 302 and response.url == reverse("fulfillment:detail", args=[inbound.pk])
    assert [item.listing.sku for item in inbound.items.all()] == ["FBA-000"]


def test_restock_needs_a_selection_and_the_permission(op_client, store):
    build(store, 1)
    url = reverse("fba:restock", args=[store.code])
    assert op_client.post(url, {}).status_code == 400
    manager = UserFactory(username="mgr")
    MembershipFactory(user=manager, store=store, role="manager")
    manager_client = Client()
    manager_client.force_login(manager)
    assert manager_client.post(url, {"sku": ["FBA-000"]}).status_code == 403
    assert 'name="sku"' not in manager_client.get(url).content.decode()
    assert not InboundShipment.objects.exists()
