"""A store's catalogue from Amazon, daily: the All Listings and FBA Manage Inventory reports, and the FBA
inventory's health (Inventory Planning, Reserved and Stranded Inventory reports, which write the day's FBA
inventory snapshots), fetched through the Selling Partner API and imported exactly as if the seller had uploaded
them (``imports``, the layer below).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.errors import ApplicationError
from core.models import Store
from imports.kinds import all_listings, fba_inventory, fba_planning, fba_reserved, fba_stranded
from imports.models import ImportJob
from imports.services import import_job_create_fetched

from .client import Sleep
from .reports import MAX_POLLS, POLL_SECONDS, spapi_fetch_report

logger = logging.getLogger(__name__)

#: The reports that bring a store's catalogue in, in the order they are imported: listings, then FBA stock (which
#: creates the FBA listings), then what describes the FBA stock (the stranded report last: it reads the day whole).
CATALOGUE_REPORT_TYPES = (all_listings.REPORT_TYPE, fba_inventory.REPORT_TYPE, fba_planning.REPORT_TYPE,
                          fba_reserved.REPORT_TYPE, fba_stranded.REPORT_TYPE)


@dataclass
class CatalogueFetch:
    store: str
    jobs: list[int] = field(default_factory=list)
    #: Reports Amazon cancelled for want of data (an FBA report of a store without FBA stock).
    empty: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def catalogue_fetch(*, store: Store, sleep: Sleep | None = None, poll_seconds: float = POLL_SECONDS,
                    max_polls: int = MAX_POLLS) -> CatalogueFetch:
    """Fetch each catalogue report of ``store`` and queue its import; a report that fails does not stop the
    other (the failure is on the credentials and in the result)."""
    outcome = CatalogueFetch(store=store.code)
    for report_type in CATALOGUE_REPORT_TYPES:
        try:
            fetched = spapi_fetch_report(store=store, report_type=report_type, sleep=sleep,
                                         poll_seconds=poll_seconds, max_polls=max_polls)
            if fetched is None:
                outcome.empty.append(report_type)
                continue
            job: ImportJob = import_job_create_fetched(
                store=store, report_type=report_type, data=fetched.data,
                file_name=f"{report_type}-{fetched.report_id}.txt")
        except ApplicationError as exc:
            logger.warning("Catalogue report %s of %s not imported: %s", report_type, store.code, exc.message)
            outcome.errors.append(f"{report_type}: {exc.message}")
            continue
        outcome.jobs.append(job.pk)
    return outcome
