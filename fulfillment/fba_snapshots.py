"""Writing the daily FBA inventory snapshots: each report merges the figures it carries into the day's row of each
SKU, leaving the fields it does not carry as an earlier report of the same day left them.

A report of a later time on the same day overwrites what it carries; the same report twice changes nothing (a row
whose figures are already the report's is not written again, and is counted as unchanged).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils import timezone

from core.models import Store

from .fba_health import fba_store_day_refresh
from .models import FbaInventorySnapshot

#: What a report may write: every figure of a snapshot (not its keys, its source or its time).
WRITABLE = frozenset(
    f.name for f in FbaInventorySnapshot._meta.concrete_fields
    if f.name not in {"id", "store", "listing", "day", "source", "updated_at"}
)


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class SnapshotFigures:
    """What one report says of one SKU on one day: ``values`` maps snapshot fields to their figures."""

    listing_id: int
    day: date
    values: Mapping[str, Any]


def _sources(current: str, source: str) -> str:
    return ",".join(sorted({*filter(None, current.split(",")), source}))


def fba_snapshots_merge(*, store: Store, source: str, figures: Sequence[SnapshotFigures]) -> list[Outcome]:
    """Merge ``figures`` into the store's snapshots (one per listing and day) and say what became of each.

    Call it inside the caller's transaction; rows are read once and written in bulk.
    """
    unknown = {name for each in figures for name in each.values} - WRITABLE
    if unknown:
        raise ValueError(f"Not snapshot figures: {sorted(unknown)}")
    keys = {(each.listing_id, each.day) for each in figures}
    existing: dict[tuple[int, date], FbaInventorySnapshot] = {}
    if keys:
        days = {day for _, day in keys}
        rows = FbaInventorySnapshot.objects.filter(
            store=store, listing_id__in={listing_id for listing_id, _ in keys}, day__in=days)
        existing = {(row.listing_id, row.day): row for row in rows}
    outcomes: list[Outcome] = []
    created: dict[tuple[int, date], FbaInventorySnapshot] = {}
    changed: dict[tuple[int, date], FbaInventorySnapshot] = {}
    fields: set[str] = set()
    for each in figures:
        key = (each.listing_id, each.day)
        row = existing.get(key) or created.get(key)
        if row is None:
            row = FbaInventorySnapshot(store=store, listing_id=each.listing_id, day=each.day, source=source,
                                       **each.values)
            created[key] = row
            outcomes.append(Outcome.CREATED)
            continue
        differ = {name: value for name, value in each.values.items() if getattr(row, name) != value}
        sources = _sources(row.source, source)
        if not differ and sources == row.source:
            outcomes.append(Outcome.UNCHANGED)
            continue
        for name, value in differ.items():
            setattr(row, name, value)
        row.source = sources
        fields.update(differ)
        if key not in created:
            changed[key] = row
        outcomes.append(Outcome.UPDATED)
    if created:
        FbaInventorySnapshot.objects.bulk_create(created.values())
    if changed:
        now = timezone.now()  # bulk_update does not stamp auto_now fields
        for row in changed.values():
            row.updated_at = now
        FbaInventorySnapshot.objects.bulk_update(changed.values(), sorted(fields | {"source", "updated_at"}))
    # The store's day summary (totals, index parts, fees) follows its snapshots.
    for day in sorted({day for _listing_id, day in [*created, *changed]}):
        fba_store_day_refresh(store=store, day=day)
    return outcomes


def fba_stranded_clear(*, store: Store, days: Iterable[date], keep_listing_ids: Iterable[int]) -> int:
    """The Stranded Inventory report lists every stranded SKU: on ``days``, the store's rows of SKUs it no longer
    lists are stranded no more. Return how many rows changed."""
    days = sorted(set(days))
    changed = (FbaInventorySnapshot.objects
               .filter(store=store, day__in=days)
               .filter(Q(stranded_units__gt=0) | ~Q(stranded_reason="") | Q(stranded_since__isnull=False))
               .exclude(listing_id__in=list(keep_listing_ids))
               .update(stranded_units=0, stranded_reason="", stranded_since=None))
    if changed:
        for day in days:
            fba_store_day_refresh(store=store, day=day)
    return changed
