"""The demo's listings have product photos that pass Amazon's main-image rules, but for a few with real faults."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from demo.seed import seed_demo
from listings.models import Listing
from listings.quality import check_image_file

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 3, 56, tzinfo=UTC)


def test_every_demo_listing_has_a_photo_and_a_few_have_the_faults_sellers_upload():
    seed_demo(now=NOW, stores=2, orders=200, days=30, history_days=0)
    faults = {}
    for listing in Listing.objects.select_related("store"):
        assert listing.main_image, listing.sku
        with listing.main_image.open("rb") as file:
            faults[(listing.store.code, listing.sku)] = sorted(p.code for p in check_image_file(file))
    by_store = {code: [f for (c, _sku), f in faults.items() if c == code and f] for code in ("ACME-US", "ACME-DE")}
    assert sorted(map(tuple, by_store["ACME-US"])) == [("image_background",), ("image_background",), ("image_small",)]
    assert len(by_store["ACME-DE"]) == 1


def test_seeding_again_replaces_the_photos_instead_of_adding_copies(settings):
    seed_demo(now=NOW, stores=1, orders=100, days=30, history_days=0)
    folder = settings.MEDIA_ROOT / "listings" / "demo"
    first = sorted(path.name for path in folder.iterdir())
    seed_demo(now=NOW, stores=1, orders=100, days=30, history_days=0, reset=True)
    assert sorted(path.name for path in folder.iterdir()) == first
