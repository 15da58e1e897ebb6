"""A store's own days of silence per carrier (``CarrierSilence``): what each carrier is allowed in the store, and
setting it. The rule that reads them is ``fulfillment.delivery_risk``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store

from .carriers import CARRIERS
from .delivery_risk import follow_days, silent_days, store_silent_days
from .models import SILENT_DAYS_MAX, Carrier, CarrierSilence, Shipment


@dataclass(frozen=True)
class CarrierAllowance:
    carrier: str
    label: str
    #: The days the carrier gets in the store without days of its own: the settings', else the carrier table's.
    usual_days: int
    #: The store's own days, if it set them.
    own_days: int | None
    #: Whether the carrier delivers to the store's marketplace (else the store shipped with it, or set its days).
    delivers_there: bool

    @property
    def days(self) -> int:
        return self.own_days if self.own_days is not None else self.usual_days


def carrier_allowances(*, store: Store, now: datetime) -> list[CarrierAllowance]:
    """The carriers that matter to ``store``, each with its days of silence: those delivering to its marketplace,
    those its followed parcels went with, and those it set days for; the ones delivering there first."""
    own = store_silent_days(store_ids=[store.pk]).get(store.pk, {})
    used = set(Shipment.objects.filter(store=store, shipped_at__gte=now - timedelta(days=follow_days()))
               .order_by().values_list("carrier", flat=True).distinct())
    delivering = {code for code, spec in CARRIERS.items() if store.marketplace in spec.countries}
    labels = dict(Carrier.choices)
    carriers = (delivering | used | set(own)) & set(labels)
    return sorted((CarrierAllowance(carrier=code, label=str(labels[code]),
                                    usual_days=silent_days(carrier=code, marketplace=store.marketplace),
                                    own_days=own.get(code), delivers_there=code in delivering)
                   for code in carriers), key=lambda a: (not a.delivers_there, a.label.casefold()))


def carrier_days_refusal(*, carrier: str, days: int | None) -> str:
    """Why ``days`` cannot be ``carrier``'s days of silence ("" when it can; None clears them)."""
    if carrier not in Carrier.values:
        return _("Unknown carrier %(carrier)s.") % {"carrier": carrier}
    if days is not None and not 1 <= days <= SILENT_DAYS_MAX:
        return _("Days of silence must be between 1 and %(max)s.") % {"max": SILENT_DAYS_MAX}
    return ""


def carrier_days_set(*, store: Store, days: Mapping[str, int | None], actor: User | None) -> int:
    """Set ``store``'s own days of silence per carrier; None gives a carrier back its usual days. All or nothing:
    one refused value writes none. Returns how many carriers changed."""
    refusals = [refusal for carrier, value in days.items() if (refusal := carrier_days_refusal(carrier=carrier,
                                                                                               days=value))]
    if refusals:
        raise ApplicationError(" ".join(refusals))
    changed = 0
    with transaction.atomic():
        current = {row.carrier: row for row in CarrierSilence.objects.select_for_update().filter(store=store)}
        for carrier, value in sorted(days.items()):
            row = current.get(carrier)
            if value is None:
                if row is not None:
                    row.delete()
                    changed += 1
            elif row is None:
                CarrierSilence.objects.create(store=store, carrier=carrier, days=value, updated_by=actor)
                changed += 1
            elif row.days != value:
                row.days, row.updated_by = value, actor
                row.save(update_fields=["days", "updated_by", "updated_at"])
                changed += 1
    return changed
