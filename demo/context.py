"""What every part of one demo store's generation shares: its profile, its clock, its random stream, its writer,
and the order timeline every part writes to, moving orders only as ``ORDER_TRANSITIONS`` allows.

Every random choice comes from the store's own ``random.Random`` and every instant is derived from ``now``;
the parts draw from the one stream in a fixed order, so a seed and an instant always give the same rows.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.models import Store
from listings.models import Channel
from orders.models import ORDER_STATES, OrderEvent, OrderStatus

from . import locales
from .writer import Row, Writer

HOUR = timedelta(hours=1)
CENT = Decimal("0.01")
DAY = timedelta(days=1)
S = OrderStatus
Kind = OrderEvent.Kind
MFN, AFN = Channel.MFN.value, Channel.AFN.value


@dataclass(frozen=True)
class Profile:
    """How well a store operates: the share of rows that go wrong, per metric."""

    late_ship: float
    late_ship_recent: float  # ship-by in the last 10 days: a store can be slipping now
    cancel_seller: float
    cancel_system: float
    invalid_tracking: float
    late_delivery: float
    negative_feedback: float  # share of feedback with 1 or 2 stars
    a_to_z: float
    chargeback: float
    late_reply: float
    late_reply_recent: float  # first messages of the last 8 days
    never_reply: float
    return_bad: float
    cancel_buyer: float = 0.012
    feedback: float = 0.10
    feedback_removed: float = 0.12
    returns: float = 0.05
    threads: float = 0.12
    out_of_stock_listing: bool = False
    #: FBA stock sent far too early: old, slow, stranded units and a poor Inventory Performance Index.
    fba_excess: bool = False


HEALTHY = Profile(
    late_ship=0.007,
    late_ship_recent=0.007,
    cancel_seller=0.003,
    cancel_system=0.001,
    invalid_tracking=0.008,
    late_delivery=0.008,
    negative_feedback=0.05,
    a_to_z=0.0003,
    chargeback=0.0001,
    late_reply=0.008,
    late_reply_recent=0.0,
    never_reply=0.002,
    return_bad=0.025,
    feedback_removed=0.15,
)
#: Slipping lately: LSR red over 10 days and amber over 30, ODR in the warning band.
STRUGGLING = Profile(
    late_ship=0.026,
    late_ship_recent=0.05,
    cancel_seller=0.006,
    cancel_system=0.002,
    invalid_tracking=0.02,
    late_delivery=0.015,
    negative_feedback=0.07,
    a_to_z=0.0011,
    chargeback=0.0005,
    late_reply=0.04,
    late_reply_recent=0.06,
    never_reply=0.008,
    return_bad=0.055,
    feedback_removed=0.08,
    out_of_stock_listing=True,
    fba_excess=True,
)


class Quota:
    """Pick about ``rate`` of a stream, evenly: any run of n draws holds close to ``rate × n`` hits."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rng, self.rate, self.level = rng, rate, rng.random()

    def __call__(self) -> bool:
        self.level += self.rate
        if self.level >= 1:
            self.level -= 1 + (self.rng.random() - 0.5) * 0.5
            return True
        return False


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def add_business_days(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def secs(dt: datetime) -> datetime:
    return dt.replace(microsecond=0)


@dataclass(frozen=True)
class Actors:
    operator_id: int | None = None
    agent_id: int | None = None
    agent_email: str = ""


class StoreContext:
    """One store's generation: the store and its locale, ``now``, the random stream, the writer, the actors."""

    def __init__(
        self,
        *,
        store: Store,
        profile: Profile,
        orders: int,
        days: int,
        seed: int,
        now: datetime,
        writer: Writer,
        actors: Actors,
    ) -> None:
        self.store, self.profile, self.n_orders, self.days, self.seed = store, profile, orders, days, seed
        self.now, self.writer, self.actors = secs(now.astimezone(UTC)), writer, actors
        self.start = self.now - timedelta(days=days)
        self.rng = random.Random(f"sellerops-demo:{seed}:{store.code}")
        self.tz = ZoneInfo(store.timezone)
        self.market = store.marketplace_info
        self.locale = locales.LOCALES[store.marketplace]
        self.lang = self.locale.language
        self.relay_domain = f"marketplace.{self.market.domain}"

    def between(self, low: datetime, high: datetime) -> datetime:
        if high <= low:
            return low
        return secs(low + (high - low) * self.rng.random())

    def after(self, at: datetime, low_hours: float, high_hours: float) -> datetime:
        return secs(at + timedelta(hours=self.rng.uniform(low_hours, high_hours)))

    def token(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))

    # ------------------------------------------------------------------------------------- order timeline
    def event(
        self,
        order: Row,
        kind: str,
        at: datetime,
        *,
        old: str = "",
        new: str = "",
        note: str = "",
        actor_id: int | None = None,
    ) -> None:
        """Write one entry of the order's timeline, as ``order_event_record`` would."""
        self.writer.add(
            OrderEvent,
            store_id=self.store.pk,
            order_id=order.id,
            kind=kind,
            from_status=old,
            to_status=new,
            actor_id=actor_id,
            source="demo",
            note=note,
            at=at,
        )
        if at > order.last_update_date:
            order.last_update_date = at

    def move_order(
        self, order: Row, new: str, kind: str, at: datetime, *, note: str = "", actor_id: int | None = None
    ) -> None:
        """Move the order to ``new`` along ``ORDER_TRANSITIONS`` (stamping its time field) and record the move."""
        old = ORDER_STATES.move(order, new, what=order.amazon_order_id, at=at)
        self.event(order, kind, at, old=old, new=new, note=note, actor_id=actor_id)
