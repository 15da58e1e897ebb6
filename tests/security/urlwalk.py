"""Every URL pattern of the site, found by walking the resolver, with its arguments filled from real objects."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from .conftest import StoreBWorld


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern text when unnamed
    namespace: str
    template: str  # the full pattern text, e.g. "orders/<amazon_id:amazon_order_id>/ship/"
    arguments: tuple[str, ...]

    def url(self, values: dict[str, object]) -> str:
        path = self.template
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), path)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
        return "/" + path.replace("^", "").replace("$", "")


def read(response) -> bytes:
    """The whole answer. A download is read to its end, where a late failure would raise, and that closes the
    database cursor its first rows came from: left unread, the garbage collector would close it only after the
    test's transaction is gone, and its error would surface in whichever test runs then."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _text(pattern) -> str:
    if isinstance(pattern, RoutePattern | RegexPattern):
        return str(pattern)
    return str(pattern)


def all_routes() -> Iterator[Route]:
    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
        for entry in resolver.url_patterns:
            text = prefix + _text(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace or ""])) if entry.namespace else namespace
                yield from walk(entry, text, inner)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or text)
                arguments = tuple(a or b for a, b in _ARGUMENT.findall(text))
                yield Route(name=name, namespace=namespace, template=text, arguments=arguments)

    yield from walk(get_resolver(), "", "")


def _drill(w: StoreBWorld) -> dict[str, object]:
    return {"store_code": w.store.code, "metric": w.breach.metric, "channel": w.breach.channel,
            "window_days": w.breach.window_days}


#: For each URL name with arguments: the arguments naming an object of store B. A new URL with arguments
#: must be added here, or the access tests fail and say so.
URL_ARGUMENTS: dict[str, Callable[[StoreBWorld], dict[str, object]]] = {
    "orders:detail": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "orders:confirm": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "orders:pack": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "orders:ship": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "orders:cancel": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "orders:note": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    # The parcel (and the trace) are named in the body: store B's shipped order, whose parcel has a trace.
    "orders:trace": lambda w: {"amazon_order_id": w.shipped_order.amazon_order_id},
    "orders:trace-status": lambda w: {"amazon_order_id": w.shipped_order.amazon_order_id},
    "orders:replacement": lambda w: {"amazon_order_id": w.shipped_order.amazon_order_id},
    "orders:track": lambda w: {"amazon_order_id": w.shipped_order.amazon_order_id},
    "orders:at-risk-message": lambda w: {"pk": w.shipped_order.shipments.get().pk},
    "metrics:alert_edit": lambda w: {"rule_id": w.alert_rule.pk},
    "metrics:alert_delete": lambda w: {"rule_id": w.alert_rule.pk},
    "metrics:notification_read": lambda w: {"notification_id": w.notification.pk},
    "metrics:breach_detail": lambda w: {"breach_id": w.breach.pk},
    "metrics:breach_plan": lambda w: {"breach_id": w.breach.pk},
    "metrics:drilldown": _drill,
    "metrics:trend": _drill,
    "metrics:reconciliation_detail": lambda w: {"pk": w.reconciliation.pk},
    "support:thread": lambda w: {"pk": w.thread.pk},
    "support:reply": lambda w: {"pk": w.thread.pk},
    "support:no_reply": lambda w: {"pk": w.thread.pk},
    "support:note": lambda w: {"pk": w.thread.pk},
    "support:assign": lambda w: {"pk": w.thread.pk},
    "support:attachment": lambda w: {"pk": w.attachment.pk},
    "support:feedback_removal": lambda w: {"pk": w.feedback.pk},
    "support:claim": lambda w: {"pk": w.claim.pk},
    "support:claim_respond": lambda w: {"pk": w.claim.pk},
    "support:claim_deadline": lambda w: {"pk": w.claim.pk},
    "returns:detail": lambda w: {"pk": w.return_request.pk},
    "returns:action": lambda w: {"pk": w.return_request.pk, "action": "authorize"},
    "listings:detail": lambda w: {"pk": w.listing.pk},
    "listings:adjust": lambda w: {"pk": w.listing.pk},
    "listings:image": lambda w: {"pk": w.listing.pk},
    "listings:image-file": lambda w: {"pk": w.listing.pk},
    "listings:edit": lambda w: {"pk": w.listing.pk},
    "listings:validate": lambda w: {"pk": w.listing.pk},
    "listings:attributes": lambda w: {"pk": w.listing.pk},
    "listings:main-image": lambda w: {"pk": w.listing.pk},
    "listings:image-add": lambda w: {"pk": w.listing.pk},
    "listings:image-remove": lambda w: {"pk": w.listing.pk, "image_id": w.listing_image.pk},
    "listings:image-move": lambda w: {"pk": w.listing.pk, "image_id": w.listing_image.pk},
    "listings:image-other-file": lambda w: {"pk": w.listing.pk, "image_id": w.listing_image.pk},
    "publish:publish": lambda w: {"pk": w.listing.pk},
    "publish:panel": lambda w: {"pk": w.listing.pk},
    "fulfillment:detail": lambda w: {"pk": w.inbound.pk},
    "fulfillment:ship": lambda w: {"pk": w.inbound.pk},
    "fulfillment:receive": lambda w: {"pk": w.inbound.pk},
    "fulfillment:close": lambda w: {"pk": w.inbound.pk},
    "fulfillment:cancel": lambda w: {"pk": w.inbound.pk},
    "fba:part": lambda w: {"store_code": w.store.code, "part": "stranded"},
    "fba:aged": lambda w: {"store_code": w.store.code},
    "fba:fees": lambda w: {"store_code": w.store.code},
    "fba:restock": lambda w: {"store_code": w.store.code},
    "orders:at-risk-carriers": lambda w: {"store_code": w.store.code},
    "imports:detail": lambda w: {"job_id": w.import_job.pk},
    "imports:ship_confirm_preview": lambda w: {"job_id": w.import_job.pk},
    "imports:ship_confirm_confirm": lambda w: {"job_id": w.import_job.pk},
    "api-store-metrics": lambda w: {"code": w.store.code},
    "api-store-carrier-days": lambda w: {"code": w.store.code},
    "api-store-detail": lambda w: {"code": w.store.code},
    "api-order-detail": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "api-order-cancel": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "api-order-ship": lambda w: {"amazon_order_id": w.order.amazon_order_id},
    "api-shipment-detail": lambda w: {"pk": w.shipped_order.shipments.get().pk},
    "api-shipment-trace": lambda w: {"pk": w.trace.shipment_id},
    "api-shipment-trace-status": lambda w: {"pk": w.trace.shipment_id},
    "api-shipment-replacement": lambda w: {"pk": w.trace.shipment_id},
    "api-shipment-events": lambda w: {"pk": w.shipped_order.shipments.get().pk},
    "api-feedback-detail": lambda w: {"pk": w.feedback.pk},
    "api-claim-detail": lambda w: {"pk": w.claim.pk},
    "api-message-detail": lambda w: {"pk": w.message.pk},
    "api-return-detail": lambda w: {"pk": w.return_request.pk},
    "api-listing-detail": lambda w: {"pk": w.listing.pk},
    "api-listing-adjust-stock": lambda w: {"pk": w.listing.pk},
}


def admin_arguments(w: StoreBWorld) -> dict[str, object]:
    """The admin site is for staff only; any object of B will do, the answer must be its login page."""
    return {"object_id": w.store.pk, "content_type_id": 1, "id": w.user.pk, "app_label": "orders",
            "url": "orders/order/"}


#: Patterns that answer without login, and why that is safe.
PUBLIC = {
    "login": "the login form itself",
    "logout": "ends a session; GET is refused (405) and shows nothing",
    "set_language": "stores a language choice in the session/cookie and redirects; no data",
    "api-schema": "the OpenAPI description of the API's shape, no store data; integrators read it before "
                  "they hold a token",
    "api-docs": "Swagger UI for that schema, served from our own static files; no store data",
    "admin:login": "the admin site's login form",
    "admin:logout": "ends a session; GET is refused (405)",
}


def route_url(route: Route, world: StoreBWorld) -> str:
    if not route.arguments:
        return route.url({})
    if route.namespace == "admin":
        return route.url(admin_arguments(world))
    if route.name not in URL_ARGUMENTS:
        raise LookupError(
            f"URL pattern {route.name!r} ({route.template}) takes {route.arguments} but tests/security/urlwalk.py "
            f"has no value for it: add an entry to URL_ARGUMENTS that names an object of store B.")
    return route.url(URL_ARGUMENTS[route.name](world))
