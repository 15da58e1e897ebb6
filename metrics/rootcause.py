"""Root cause of a metric's defects: where they concentrate (SKU, carrier, ship-service level, weekday) and why.

Every figure is a conditional aggregate over the same rows the metric counted (``metric_rows``), grouped in
the database; nothing here writes or reads the clock. A *defect* is a counted row of a ceiling metric (a late
order) and an uncounted row of a floor metric (a shipment without a carrier scan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, ExtractIsoWeekDay, NullIf
from django.utils import translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.i18n import language_is_catalogued
from core.marketplaces import marketplace
from core.models import Store
from core.timefmt import store_time
from fulfillment.models import AMAZON_KNOWN_SHIPMENTS, Shipment

from .definitions import DEFINITIONS, Direction, MetricDefinition, MetricKey
from .engine import Result, compute, metric_rows

#: How many buckets of each dimension, and how many order ids, a breakdown keeps.
TOP_BUCKETS = 10
MAX_ORDER_IDS = 200

#: From a row of each scope to its order ("" when the row is the order).
ORDER_PATH = {"orders": "", "shipments": "order__", "messages": "thread__order__", "returns": "order__"}
DIMENSION_LABELS = {
    "sku": gettext_lazy("SKU"),
    "carrier": gettext_lazy("Carrier"),
    "service": gettext_lazy("Ship-service level"),
    "weekday": gettext_lazy("Weekday (store time)"),
}


@dataclass(frozen=True)
class Bucket:
    value: str
    label: str
    defects: int
    rows: int

    @property
    def defect_rate(self) -> Decimal:
        return Decimal(self.defects) / Decimal(self.rows) if self.rows else Decimal(0)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    buckets: list[Bucket]

    @property
    def top(self) -> Bucket | None:
        return self.buckets[0] if self.buckets else None


@dataclass(frozen=True)
class RootCause:
    result: Result
    defects: int
    dimensions: list[Dimension]
    reasons: list[tuple[str, int]]
    order_ids: list[str]
    orders_affected: int
    #: The defects of each reason by its key, in the definition's order: ``reasons`` without the language.
    reason_counts: dict[str, int] = field(default_factory=dict)

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)


def defect_q(definition: MetricDefinition) -> Q:
    return Q(is_counted=True) if definition.direction is Direction.CEILING else Q(is_counted=False)


def _dimension_expressions(definition: MetricDefinition, store: Store) -> dict:
    order = ORDER_PATH[definition.scope]
    sku = "sku" if definition.scope == "returns" else f"{order}items__sku"
    # An order's carrier is its first shipment Amazon knows of: a replacement the seller sent on their own is
    # not the carrier of the defect.
    carrier = F("carrier") if definition.scope == "shipments" else Subquery(
        Shipment.objects.filter(AMAZON_KNOWN_SHIPMENTS, order_id=OuterRef(f"{order}pk"))
        .order_by("shipped_at", "pk").values("carrier")[:1])
    service = Coalesce(NullIf(F(f"{order}ship_service_level"), Value("")),
                       F(f"{order}shipment_service_level_category"), output_field=CharField())
    weekday = Cast(ExtractIsoWeekDay(definition.window_field, tzinfo=store.tz), output_field=CharField())
    return {"sku": F(sku), "carrier": carrier, "service": service, "weekday": weekday}


def _label(key: str, value: str | None) -> str:
    if key == "weekday" and value:
        return str(WEEKDAYS[int(value) - 1])
    if value in (None, ""):
        return {"sku": _("no SKU"), "carrier": _("no shipment"), "service": _("not set"),
                "weekday": _("unknown")}[key]
    return str(value)


def breakdown(*, rows: QuerySet, definition: MetricDefinition, store: Store, key: str,
              limit: int = TOP_BUCKETS) -> Dimension:
    """The defects of ``rows`` grouped by one dimension, worst bucket first, with each bucket's row count."""
    expression = _dimension_expressions(definition, store)[key]
    # Joins to items and shipments repeat a row once per item or shipment: count each row once per bucket.
    groups = (rows.values(bucket=expression)
              .annotate(defects=Count("pk", filter=defect_q(definition), distinct=True),
                        total=Count("pk", distinct=True))
              .filter(defects__gt=0)
              .order_by("-defects", "bucket")[:limit])
    buckets = [Bucket(value="" if g["bucket"] is None else str(g["bucket"]), label=_label(key, g["bucket"]),
                      defects=g["defects"], rows=g["total"]) for g in groups]
    return Dimension(key=key, label=str(DIMENSION_LABELS[key]), buckets=buckets)


def root_cause(*, store: Store, metric: str, channel: str, window_days: int, as_of: datetime) -> RootCause:
    """Where and why one result's defects happened: its breakdowns, reasons and the orders affected."""
    definition = DEFINITIONS[MetricKey(metric)]
    result = next(r for r in compute(store, metric, as_of, definition)
                  if r.channel == channel and r.window_days == window_days)
    rows = metric_rows(store=store, metric=metric, channel=channel, window_days=window_days, as_of=as_of,
                       definition=definition)
    dimensions = [breakdown(rows=rows, definition=definition, store=store, key=key) for key in DIMENSION_LABELS]
    defect_rows = rows.filter(defect_q(definition))
    # Each reason is a flag the engine set on every row: the same reasons the drill-down shows.
    counts = defect_rows.aggregate(**{f"n_{reason.key}": Count("pk", filter=Q(**{reason.key: True}))
                                      for reason in definition.reasons})
    labels = definition.reason_labels()
    order_field = f"{ORDER_PATH[definition.scope]}amazon_order_id"
    order_ids = (defect_rows.filter(**{f"{order_field}__isnull": False}).values_list(order_field, flat=True)
                 .order_by(order_field).distinct())
    listed = list(order_ids[:MAX_ORDER_IDS + 1])
    defects = result.numerator if definition.direction is Direction.CEILING else result.denominator - result.numerator
    return RootCause(
        result=result,
        defects=defects,
        dimensions=dimensions,
        reasons=[(labels[reason.key], counts[f"n_{reason.key}"]) for reason in definition.reasons
                 if counts[f"n_{reason.key}"]],
        order_ids=listed[:MAX_ORDER_IDS],
        orders_affected=len(listed) if len(listed) <= MAX_ORDER_IDS else order_ids.count(),
        reason_counts={reason.key: counts[f"n_{reason.key}"] for reason in definition.reasons
                       if counts[f"n_{reason.key}"]},
    )


# --- The plan of action Amazon asks for to reinstate an account, drafted from the facts ----------------------

#: (what the defects were, actions taken, preventive measures) per metric; %(sku)s, %(carrier)s, %(service)s
#: and %(weekday)s name the top bucket of each dimension.
PLAN_TEXTS = {
    MetricKey.ODR: (
        gettext_lazy("%(defects)s of %(rows)s orders had a defect (negative feedback, an A-to-z claim or a "
                     "chargeback)."),
        [gettext_lazy("Contacted every buyer behind the orders listed above and resolved their issue with a "
                      "refund or a replacement."),
         gettext_lazy("Inspected the stock of %(sku)s for damage and defects, and removed faulty units.")],
        [gettext_lazy("Every unit of %(sku)s is checked before dispatch."),
         gettext_lazy("Listing descriptions and images are reviewed so that buyers receive what they expect."),
         gettext_lazy("Buyer messages are answered within 24 hours, before a complaint becomes a claim.")],
    ),
    MetricKey.LSR: (
        gettext_lazy("%(defects)s of %(rows)s orders were not confirmed as shipped by their ship-by date."),
        [gettext_lazy("Confirmed the shipment of every overdue order listed above with its carrier and tracking "
                      "number."),
         gettext_lazy("Compared the handling time of %(sku)s with the time it really takes us to ship it.")],
        [gettext_lazy("The order queue is worked by ship-by time twice a day; orders due today are confirmed "
                      "before the carrier's last pickup."),
         gettext_lazy("Staffing covers %(weekday)s, the day most late shipments fell on (store time)."),
         gettext_lazy("Shipments are confirmed as soon as the label is printed, not at the end of the day.")],
    ),
    MetricKey.CANCEL: (
        gettext_lazy("%(defects)s of %(rows)s orders were cancelled by us, or by Amazon for want of a "
                     "confirmation, before shipment."),
        [gettext_lazy("Reconciled the stock of %(sku)s between our warehouse and the listing."),
         gettext_lazy("Confirmed every open order that can still ship.")],
        [gettext_lazy("Stock is synchronised with Amazon several times a day, with safety stock on %(sku)s."),
         gettext_lazy("Listings go inactive before stock runs out instead of selling what we cannot ship.")],
    ),
    MetricKey.VTR: (
        gettext_lazy("%(defects)s of %(rows)s shipments had no carrier scan."),
        [gettext_lazy("Asked %(carrier)s to trace every shipment listed above and corrected wrong tracking "
                      "numbers."),
         gettext_lazy("Checked that the carrier name sent with each confirmation matches the label.")],
        [gettext_lazy("Parcels are handed to %(carrier)s only against a pickup scan."),
         gettext_lazy("Only carriers whose tracking Amazon integrates are used, with the tracking number sent "
                      "with every confirmation.")],
    ),
    MetricKey.OTDR: (
        gettext_lazy("%(defects)s of %(rows)s tracked shipments were not delivered by the promised date."),
        [gettext_lazy("Reviewed the late deliveries with %(carrier)s."),
         gettext_lazy("Checked the transit times promised for %(service)s against the carrier's real ones.")],
        [gettext_lazy("Transit times in our shipping settings match what %(carrier)s really achieves."),
         gettext_lazy("Orders ship on the day they are confirmed, with a faster service where the promise is "
                      "tight.")],
    ),
    MetricKey.RESPONSE: (
        gettext_lazy("%(defects)s of %(rows)s buyer messages were not answered within %(hours)s hours."),
        [gettext_lazy("Answered every open buyer message."),
         gettext_lazy("Marked messages that need no reply as such.")],
        [gettext_lazy("The inbox is checked at least every 12 hours, weekends included (%(weekday)s most of "
                      "all)."),
         gettext_lazy("Reply templates cover the common questions, so that every agent answers quickly.")],
    ),
    MetricKey.RDR: (
        gettext_lazy("%(defects)s of %(rows)s return requests ended with a dissatisfied buyer."),
        [gettext_lazy("Answered every open return request and refunded the returns received."),
         gettext_lazy("Reviewed the return reasons of %(sku)s.")],
        [gettext_lazy("Return requests are answered within 24 hours; returns within policy are authorised "
                      "without delay."),
         gettext_lazy("The listing of %(sku)s is corrected where buyers say it misled them.")],
    ),
}


def _concentration(dimension: Dimension, defects: int, limit: int = 3) -> str:
    # Labels again in the active language: the cause may have been found in another one.
    parts = [_("%(label)s (%(count)s of %(defects)s defects)") % {"label": _label(dimension.key, b.value or None),
                                                                  "count": b.defects, "defects": defects}
             for b in dimension.buckets[:limit]]
    return f"- {DIMENSION_LABELS[dimension.key]}: {', '.join(parts)}"


def plan_language(marketplace_code: str) -> str:
    """The language a plan of action for ``marketplace_code`` is written in: the marketplace's own, where our
    catalogue translates into it, else English (Amazon reads plans in the marketplace's language)."""
    try:
        language = marketplace(marketplace_code).language
    except ValueError:
        return "en"
    return language if language_is_catalogued(language) else "en"


def plan_of_action(*, breach, cause: RootCause) -> str:
    """A plan-of-action draft for ``breach`` in its marketplace's language, whatever the reader's."""
    with translation.override(plan_language(breach.store.marketplace)):
        return _plan_of_action(breach=breach, cause=cause)


def _plan_of_action(*, breach, cause: RootCause) -> str:
    """A plan-of-action draft for ``breach``: root cause with the facts, actions taken, preventive measures."""
    from .alerts import rate_percent, result_title, target_text

    store, result = breach.store, cause.result
    definition = result.definition
    tops = {d.key: (_label(d.key, d.top.value or None) if d.top else _("not known")) for d in cause.dimensions}
    facts_text, actions, measures = PLAN_TEXTS[definition.key]
    title = result_title(result.metric, result.channel, result.window_days)
    lines = [
        _("Plan of action: %(metric)s") % {"metric": title},
        _("Store: %(name)s (%(code)s), marketplace %(marketplace)s") % {
            "name": store.name, "code": store.code, "marketplace": store.marketplace},
        "",
        _("1. Root cause"),
        _("%(metric)s was %(rate)s %% as of %(as_of)s (%(target)s).") % {
            "metric": definition.name, "rate": rate_percent(result.rate), "as_of": store_time(result.as_of, store),
            "target": target_text(definition)},
        str(facts_text) % {"defects": cause.defects, "rows": result.denominator, "hours": definition.deadline_hours},
        _("The breach opened on %(opened)s at %(opening)s %%; the worst rate was %(peak)s %% on %(peak_at)s.") % {
            "opened": store_time(breach.opened_at, store), "opening": rate_percent(breach.opening_rate),
            "peak": rate_percent(breach.peak_rate), "peak_at": store_time(breach.peak_at, store)},
        (_("It was resolved on %(resolved)s.") % {"resolved": store_time(breach.resolved_at, store)}
         if breach.resolved_at else _("It is still open.")),
    ]
    found = [d for d in cause.dimensions if d.buckets]
    if found:
        lines += ["", _("Where the defects concentrate:")]
        lines += [_concentration(d, cause.defects) for d in found]
    if cause.reason_counts:
        labels = definition.reason_labels()
        lines += ["", _("Why:") + " " + ", ".join(f"{labels[key]} ({count})"
                                                  for key, count in cause.reason_counts.items())]
    if cause.order_ids:
        lines += ["", _("Orders affected (%(count)s):") % {"count": cause.orders_affected},
                  ", ".join(cause.order_ids)]
        if cause.orders_affected > len(cause.order_ids):
            lines.append(_("… and %(count)s more.") % {"count": cause.orders_affected - len(cause.order_ids)})
    values = {"sku": tops["sku"], "carrier": tops["carrier"], "service": tops["service"],
              "weekday": tops["weekday"]}
    lines += ["", _("2. Actions taken")] + [f"- {str(text) % values}" for text in actions]
    lines += ["", _("3. Preventive measures")] + [f"- {str(text) % values}" for text in measures]
    return "\n".join(lines) + "\n"
