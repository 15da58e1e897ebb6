"""Realistic, deterministic demo data: stores on several marketplaces, their operations and the demo users.

``seed_demo(stores=3, orders=6000, days=120, seed=1, now=...)`` builds everything in one transaction. The
same seed and the same ``now`` always give the same rows; ``now`` is the only clock the generator reads.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from core.models import Membership, Profile, Role, Store
from fulfillment.fba_health import fba_store_days_refresh, fba_store_recent_days
from fulfillment.models import (
    CarrierEvent,
    CarrierTrace,
    FbaAccountSnapshot,
    FbaInventorySnapshot,
    FbaStoreDay,
    InboundShipment,
    InboundShipmentItem,
    Shipment,
    ShipmentItem,
)
from imports.models import ImportJob
from listings.models import Listing, StockMovement
from metrics.services import metrics_backfill_daily, metrics_inputs_changed
from orders.models import Order, OrderEvent, OrderItem
from returns.models import Refund, ReturnRequest
from support.models import Claim, Feedback, Message, MessageThread

from . import catalog
from .alerts import demo_alert_rules
from .context import HEALTHY, STRUGGLING, Actors
from .generator import StoreGenerator
from .images import demo_listing_photos
from .import_history import demo_import_history
from .performance import demo_performance_reports
from .remedies import demo_carrier_days, demo_delivery_remedies
from .writer import WRITE_ORDER, Writer

DEMO_PASSWORD = "sellerops-demo"
FBA_SUMMARY_DAYS = 91
DEMO_TIMEZONE = "Asia/Shanghai"
DEMO_EMAIL_DOMAIN = "example.com"
#: username → (role on every demo store, superuser)
DEMO_USERS: dict[str, tuple[str, bool]] = {
    "admin": (Role.ADMIN, True),
    "operator": (Role.OPERATOR, False),
    "manager": (Role.MANAGER, False),
    "agent": (Role.AGENT, False),
}
#: The demo stores in the order ``--stores`` takes them; the first one is the one with a problem to show.
DEMO_MARKETPLACES = ("US", "DE", "JP", "UK", "FR", "IT", "ES", "CA")
#: Relative order volume of each marketplace.
MARKET_WEIGHT = {"US": 1.0, "DE": 0.75, "JP": 0.55, "UK": 0.6, "FR": 0.4, "IT": 0.35, "ES": 0.3, "CA": 0.3}
#: Tables wiped by ``reset``, children first.
DEMO_TABLES = (
    FbaStoreDay,
    FbaAccountSnapshot,
    FbaInventorySnapshot,
    Message,
    MessageThread,
    Feedback,
    Claim,
    Refund,
    ReturnRequest,
    CarrierTrace,
    ShipmentItem,
    CarrierEvent,
    Shipment,
    OrderEvent,
    StockMovement,
    OrderItem,
    Order,
    InboundShipmentItem,
    InboundShipment,
    Listing,
)


def demo_store_code(marketplace: str) -> str:
    return f"ACME-{marketplace}"


@dataclass
class DemoResult:
    stores: list[Store]
    counts: Counter[str] = field(default_factory=Counter)
    skipped: bool = False
    users: list[str] = field(default_factory=list)
    password: str = DEMO_PASSWORD
    imports: list[ImportJob] = field(default_factory=list)


def demo_stores(count: int) -> list[Store]:
    """Get or create the first ``count`` demo stores."""
    if not 1 <= count <= len(DEMO_MARKETPLACES):
        raise ValueError(f"The demo has 1 to {len(DEMO_MARKETPLACES)} stores, not {count}.")
    stores = []
    for marketplace in DEMO_MARKETPLACES[:count]:
        code = demo_store_code(marketplace)
        token = "A" + hashlib.sha256(code.encode()).hexdigest().upper()[:13]
        store, _ = Store.objects.get_or_create(
            code=code,
            defaults={
                "name": f"ACME Outdoor & Home ({marketplace})",
                "marketplace": marketplace,
                "seller_id": token,
            },
        )
        stores.append(store)
    return stores


def demo_users(stores: list[Store], *, password: str = DEMO_PASSWORD) -> dict[str, int]:
    """Create or update the demo users, their profiles and memberships of ``stores``; return their ids."""
    user_model = get_user_model()
    ids = {}
    for username, (role, superuser) in DEMO_USERS.items():
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@{DEMO_EMAIL_DOMAIN}"}
        )
        user.set_password(password)
        user.is_active = True
        user.is_staff = user.is_superuser = superuser
        user.save()
        Profile.objects.get_or_create(user=user, defaults={"timezone": DEMO_TIMEZONE})
        for store in stores:
            Membership.objects.update_or_create(user=user, store=store, defaults={"role": role})
        ids[username] = user.pk
    return ids


def wipe_demo_data(stores: list[Store]) -> None:
    """Delete every row of ``stores`` except the stores themselves and their memberships."""
    store_ids = [s.pk for s in stores]
    known = set(DEMO_TABLES)
    # Rows of other tables (snapshots, breaches, anything added later) go through the ORM, and first,
    # since they may point at the rows below.
    for relation in Store._meta.related_objects:
        model = relation.related_model
        if model not in known and model is not Membership and relation.field.name == "store":
            model._default_manager.filter(store_id__in=store_ids).delete()
    placeholders = ", ".join(["%s"] * len(store_ids))
    with connection.cursor() as cursor:
        for model in DEMO_TABLES:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608
                f"WHERE store_id IN ({placeholders})",
                store_ids,
            )


def _split(total: int, weights: list[float]) -> list[int]:
    """Share ``total`` out in proportion to ``weights`` (largest remainder), summing exactly to ``total``."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    for index in sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])[: total - sum(counts)]:
        counts[index] += 1
    return counts


def seed_demo(
    *,
    now: datetime,
    stores: int = 3,
    orders: int = 6000,
    days: int = 120,
    seed: int = 1,
    reset: bool = False,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
    history_days: int = 90,
) -> DemoResult:
    """Create the demo stores, users and ``orders`` orders over ``days`` days ending at ``now``."""
    if orders < 0 or days < 1:
        raise ValueError("orders must be ≥ 0 and days ≥ 1.")
    with transaction.atomic():
        store_objs = demo_stores(stores)
        result = DemoResult(stores=store_objs)
        user_ids = demo_users(store_objs)
        result.users = list(DEMO_USERS)
        has_data = Listing.objects.filter(store__in=store_objs).exists()
        if has_data and not reset:
            result.skipped = True
            return result
        if has_data:
            wipe_demo_data(store_objs)
        actors = Actors(
            operator_id=user_ids["operator"],
            agent_id=user_ids["agent"],
            agent_email=f"agent@{DEMO_EMAIL_DOMAIN}",
        )
        writer = Writer(stamp=now, batch_size=batch_size, flush_every=batch_size)
        weights = [MARKET_WEIGHT[s.marketplace] for s in store_objs]
        for index, (store, count) in enumerate(zip(store_objs, _split(orders, weights), strict=True)):
            if progress:
                progress(f"{store.code}: {count} orders")
            generator = StoreGenerator(
                store=store,
                profile=STRUGGLING if index == 0 else HEALTHY,
                orders=count,
                days=days,
                seed=seed,
                now=now,
                writer=writer,
                actors=actors,
            )
            listings = generator.run()
            writer.flush()
            Listing.objects.bulk_update(
                listings, ["quantity_available", "quantity_reserved", "quantity_inbound", "quantity_unfulfillable",
                           "safety_stock"]
            )
        writer.finish()
        result.counts.update(writer.counts)
        categories = {variant.sku: variant.product.category for variant in catalog.variants("en")}
        for index, store in enumerate(store_objs):
            # Photos for every listing; the store with a problem to show has a few with real faults.
            demo_listing_photos(list(Listing.objects.filter(store=store).order_by("sku")), categories,
                                rng=random.Random(f"{seed}-photos-{store.code}"), faulty=3 if index == 0 else 1)
        # One parcel with a trace open at its carrier, one replaced at no charge (the order page's remedies).
        operator = get_user_model().objects.filter(pk=user_ids["operator"]).first()
        demo_delivery_remedies(store=store_objs[0], now=now, actor=operator)
        demo_carrier_days(store=store_objs[0], actor=operator)
        # The team's alert rules exist before the metrics are computed, so the open breaches notify as they happened.
        demo_alert_rules(manager_id=user_ids["manager"], operator_id=user_ids["operator"])
        if connection.vendor == "postgresql":
            # The planner's statistics still describe the tables before these rows: refresh them, or the
            # history's metric queries are planned for empty tables.
            tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in WRITE_ORDER)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")
        for index, store in enumerate(store_objs):
            # Amazon's account-health report of each of the last days, set beside ours: all agree but one figure
            # of the store with a problem to show, explained down to its orders.
            demo_performance_reports(store=store, now=now, with_difference=index == 0, seed=seed)
            # The FBA pages read each day's summary: the last 91 days give the parts' trend and the latest day.
            fba_store_days_refresh(store=store, days=fba_store_recent_days(store=store, days=FBA_SUMMARY_DAYS))
            if history_days:
                metrics_backfill_daily(store=store, days=history_days, now=now)
            metrics_inputs_changed(store_id=store.pk)
    # After the commit, as an upload is: the imports page's history, through the import services.
    result.imports = demo_import_history(store=store_objs[0], operator_id=user_ids["operator"], now=now)
    return result
