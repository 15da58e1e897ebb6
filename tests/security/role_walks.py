"""Every write of ``core.permissions.ROLE_PERMISSIONS``, attempted for real: each walk performs the write as one
user, through a page, the API, the back office or the service, and reports whether it happened and whether it was
refused. ``test_roles.py`` runs every walk for every role against the table.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.errors import ApplicationError
from core.models import Membership, Role, Store
from core.permissions import ROLE_PERMISSIONS
from fulfillment.inbound import InboundLine, inbound_create, inbound_set_status
from fulfillment.models import CarrierEvent, CarrierSilence, CarrierTrace, InboundShipment, InboundStatus, Shipment
from imports.models import ImportJob
from imports.services import import_job_confirm, import_job_create
from listings.models import Listing
from metrics.alerts import AlertRuleData, alert_rule_create
from metrics.definitions import MetricKey
from metrics.models import AlertRule
from orders.models import Order, OrderEvent, OrderStatus
from returns.models import ReturnRequest, ReturnStatus
from spapi.models import Reconciliation, SellerCredentials, SellerPerformanceReport
from spapi.reconciliation.services import reconciliation_request
from support.models import Claim, Feedback, Mailbox, Message, MessageThread
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    ListingFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    ThreadFactory,
    UserFactory,
)

UPS = "1Z999AA10123456784"
CANCEL = {"initiator": "buyer", "reason": "Buyer changed their mind"}
HTMX = {"HX-Request": "true"}


@dataclass
class Actor:
    """The user attempting a write, in ``store``; ``capture`` is pytest-django's on-commit capture."""

    store: Store
    user: AbstractBaseUser
    capture: Callable

    @cached_property
    def page(self) -> Client:
        client = Client()
        client.force_login(self.user)
        return client

    @cached_property
    def api(self) -> APIClient:
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=self.user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    def staff(self) -> Actor:
        """Give the user the back office and every model permission: only the role table may refuse."""
        self.user.is_staff = True
        self.user.save(update_fields=["is_staff"])
        self.user.user_permissions.set(Permission.objects.filter(
            content_type__app_label__in=["sellerops", "spapi", "support"]))
        return self


@dataclass(frozen=True)
class Attempt:
    done: bool
    refused: bool
    detail: str = ""


def answered(response: HttpResponse, done: bool, *, refused: bool | None = None) -> Attempt:
    """A page's or the API's answer: refused is a 403 unless the walk says otherwise."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Attempt(done=done, refused=response.status_code == 403 if refused is None else refused,
                   detail=f"{response.status_code}: {body[:400].decode(errors='replace')}")


def called(service: Callable[[], object], done: Callable[[], bool]) -> Attempt:
    """A service's answer: refused is an ``ApplicationError``."""
    try:
        service()
    except ApplicationError as error:
        return Attempt(done=done(), refused=True, detail=error.message)
    return Attempt(done=done(), refused=False, detail="no error")


#: permission -> via -> walk.
WALKS: dict[str, dict[str, Callable[[Actor], Attempt]]] = {}


def walk(permission: str, via: str):
    def register(attempt: Callable[[Actor], Attempt]) -> Callable[[Actor], Attempt]:
        WALKS.setdefault(permission, {})[via] = attempt
        return attempt
    return register


# --- Rows to act on -------------------------------------------------------------------------------------------


def unshipped_order(store: Store) -> Order:
    listing = ListingFactory(store=store, quantity_available=10)
    order = OrderFactory(store=store, purchase_date=timezone.now() - timedelta(hours=6))
    OrderItemFactory(order=order, sku=listing.sku, listing=listing, quantity=1)
    return order


def status_of(order: Order) -> str:
    order.refresh_from_db()
    return order.status


def delivered_order(store: Store, sku: str = "RT-1") -> Order:
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED, purchase_date=timezone.now() - timedelta(days=15))
    OrderItemFactory(order=order, sku=sku, quantity=2, quantity_shipped=2, item_price="40.00",
                     listing=ListingFactory(store=store, sku=sku, quantity_available=0))
    return order


def open_return(store: Store, status: str = ReturnStatus.REQUESTED, sku: str = "RT-1") -> ReturnRequest:
    order = delivered_order(store, sku)
    responded = timezone.now() - timedelta(hours=9) if status != ReturnStatus.REQUESTED else None
    return ReturnRequestFactory(order=order, order_item=order.items.get(), sku=sku, status=status,
                                requested_at=timezone.now() - timedelta(hours=10), responded_at=responded)


def return_status(return_request: ReturnRequest) -> str:
    return_request.refresh_from_db()
    return return_request.status


def buyer_thread(store: Store) -> MessageThread:
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED, buyer_email="buyer-7@marketplace.amazon.com")
    thread = ThreadFactory(store=store, order=order, buyer_email="buyer-7@marketplace.amazon.com",
                           last_message_at=timezone.now() - timedelta(hours=3))
    MessageFactory(thread=thread, body="Where is my parcel?", sent_at=timezone.now() - timedelta(hours=3),
                   message_id="<buyer-7@marketplace.amazon.com>")
    return thread


def removable_feedback(store: Store) -> Feedback:
    order = OrderFactory(store=store, fulfillment_channel="AFN", status=OrderStatus.SHIPPED)
    return FeedbackFactory(order=order, rating=1, comment="Package arrived late and the box was crushed.")


def fba_plan(store: Store, status: str = InboundStatus.WORKING) -> InboundShipment:
    listing = ListingFactory(store=store, fulfillment_channel="AFN", quantity_available=5)
    inbound = inbound_create(store=store, lines=[InboundLine(listing, 10)], name="Restock")
    if status == InboundStatus.SHIPPED:
        inbound_set_status(inbound=inbound, status=InboundStatus.SHIPPED, carrier="UPS", tracking_number=UPS)
    inbound.refresh_from_db()
    return inbound


def inbound_status(inbound: InboundShipment) -> str:
    inbound.refresh_from_db()
    return inbound.status


def ship_confirm_file(store: Store) -> SimpleUploadedFile:
    """A shipping confirmation file that ships one order of ``store`` without a doubt."""
    order = OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=3))
    OrderItemFactory(order=order, sku="FILE-1", quantity=1, order_item_id="10000000000001",
                     listing=ListingFactory(store=store, sku="FILE-1", quantity_available=20))
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    text = ("order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\t"
            f"ship-method\n{order.amazon_order_id}\t\t\t{day}\tUPS\t\t{UPS}\tGround\n")
    return SimpleUploadedFile("ship.txt", text.encode())


def previewed_job(actor: Actor) -> ImportJob:
    """A ship-confirm file its dry run found clean, uploaded by an admin of the store, awaiting confirmation."""
    uploader = UserFactory(username="uploading-admin")
    MembershipFactory(user=uploader, store=actor.store, role=Role.ADMIN)
    with actor.capture(execute=True):
        job = import_job_create(store=actor.store, kind=ImportJob.Kind.SHIP_CONFIRM, actor=uploader,
                                upload=ship_confirm_file(actor.store), preview=True)
    job.refresh_from_db()
    assert job.preview and not job.preview.get("error_count"), job.preview
    return job


def png() -> bytes:
    image = Image.new("RGB", (1200, 1200), (255, 255, 255))
    ImageDraw.Draw(image).rectangle([60, 60, 1139, 1139], fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- The store and its back office ----------------------------------------------------------------------------


@walk("store.create", "api")
def _store_create(actor: Actor) -> Attempt:
    response = actor.api.post("/api/stores/", {"code": "NEW-US", "name": "New", "marketplace": "US"}, format="json")
    return answered(response, Store.objects.filter(code="NEW-US").exists())


@walk("store.manage", "admin-store")
def _store_rename(actor: Actor) -> Attempt:
    store = actor.store
    response = actor.staff().page.post(f"/admin/sellerops/store/{store.pk}/change/", {
        "code": store.code, "name": "Renamed", "marketplace": store.marketplace, "timezone": store.timezone,
        "currency": store.currency, "is_active": "on",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    store.refresh_from_db()
    return answered(response, store.name == "Renamed")


@walk("store.manage", "admin-members")
def _store_members(actor: Actor) -> Attempt:
    colleague = MembershipFactory(store=actor.store, role=Role.AGENT)
    response = actor.staff().page.post(f"/admin/sellerops/membership/{colleague.pk}/change/",
                                       {"user": colleague.user_id, "store": actor.store.pk, "role": Role.OPERATOR})
    colleague.refresh_from_db()
    return answered(response, colleague.role == Role.OPERATOR)


@walk("store.manage", "admin-credentials")
def _store_credentials(actor: Actor) -> Attempt:
    credentials = SellerCredentials.objects.create(store=actor.store, refresh_token="r", lwa_client_id="i",
                                                   lwa_client_secret="s")
    response = actor.staff().page.post(f"/admin/spapi/sellercredentials/{credentials.pk}/delete/", {"post": "yes"})
    return answered(response, not SellerCredentials.objects.filter(pk=credentials.pk).exists())


@walk("mailbox.manage", "admin")
def _mailbox(actor: Actor) -> Attempt:
    mailbox = Mailbox.objects.create(store=actor.store, imap_host="imap.relay.example", imap_user="relay@example.com",
                                     imap_password="imap-secret", smtp_host="smtp.relay.example",
                                     smtp_user="relay@example.com", smtp_password="smtp-secret",
                                     from_address="relay@example.com")
    response = actor.staff().page.post(f"/admin/support/mailbox/{mailbox.pk}/delete/", {"post": "yes"})
    return answered(response, not Mailbox.objects.filter(pk=mailbox.pk).exists())


# --- Orders and shipments -------------------------------------------------------------------------------------


def _order_page(actor: Actor, order: Order, action: str, data: dict | None = None, *, htmx: bool = False):
    return actor.page.post(f"/orders/{order.amazon_order_id}/{action}/", data or {}, headers=HTMX if htmx else {})


def _bulk(response: HttpResponse, done: bool) -> Attempt:
    """The bulk pages report each order's outcome on the result page; a role's refusal is one of them."""
    return answered(response, done, refused=b"does not allow this" in response.content)


@walk("order.create", "api")
def _order_create(actor: Actor) -> Attempt:
    from tests.api.test_orders import ORDER_ID, payload

    response = actor.api.post("/api/orders/", payload(actor.store), format="json")
    return answered(response, Order.objects.filter(store=actor.store, amazon_order_id=ORDER_ID).exists())


@walk("order.confirm", "page")
def _order_confirm(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    return answered(_order_page(actor, order, "confirm"), status_of(order) == OrderStatus.CONFIRMED)


@walk("order.confirm", "bulk")
def _order_confirm_bulk(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = actor.page.post("/orders/bulk/", {"action": "confirm", "ids": [order.pk], "next": "/orders/"})
    return _bulk(response, status_of(order) == OrderStatus.CONFIRMED)


@walk("order.pack", "page")
def _order_pack(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    return answered(_order_page(actor, order, "pack"), status_of(order) == OrderStatus.PACKED)


@walk("order.ship", "page")
def _order_ship(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = _order_page(actor, order, "ship", {"carrier": "UPS", "tracking_number": UPS})
    return answered(response, status_of(order) == OrderStatus.SHIPPED)


@walk("order.ship", "htmx")
def _order_ship_htmx(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = _order_page(actor, order, "ship", {"carrier": "UPS", "tracking_number": UPS}, htmx=True)
    return answered(response, status_of(order) == OrderStatus.SHIPPED)


@walk("order.ship", "api")
def _order_ship_api(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = actor.api.post(f"/api/orders/{order.amazon_order_id}/ship/",
                              {"carrier": "UPS", "tracking_number": UPS}, format="json")
    return answered(response, status_of(order) == OrderStatus.SHIPPED)


@walk("order.ship", "bulk")
def _order_ship_bulk(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = actor.page.post("/orders/bulk/ship/", {"ids": str(order.pk), "carrier": "UPS",
                                                      f"tracking_{order.pk}": UPS})
    return _bulk(response, status_of(order) == OrderStatus.SHIPPED)


@walk("order.cancel", "page")
def _order_cancel(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    return answered(_order_page(actor, order, "cancel", CANCEL), status_of(order) == OrderStatus.CANCELED)


@walk("order.cancel", "api")
def _order_cancel_api(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = actor.api.post(f"/api/orders/{order.amazon_order_id}/cancel/", CANCEL, format="json")
    return answered(response, status_of(order) == OrderStatus.CANCELED)


@walk("order.cancel", "bulk")
def _order_cancel_bulk(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = actor.page.post("/orders/bulk/cancel/", {"ids": str(order.pk), **CANCEL})
    return _bulk(response, status_of(order) == OrderStatus.CANCELED)


@walk("order.note", "page")
def _order_note(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = _order_page(actor, order, "note", {"note": "Called the buyer"})
    return answered(response, OrderEvent.objects.filter(order=order, note="Called the buyer").exists())


def shipped_parcel(store: Store) -> Shipment:
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED, purchase_date=timezone.now() - timedelta(days=3))
    return ShipmentFactory(order=order, shipped_at=timezone.now() - timedelta(days=2), tracking_number=UPS)


def _event(shipment: Shipment) -> dict:
    return {"at": (shipment.shipped_at + timedelta(hours=5)).isoformat(), "status": "in_transit",
            "description": "Origin Scan"}


def _tracked(shipment: Shipment) -> bool:
    return CarrierEvent.objects.filter(shipment=shipment).exists()


def _track_page(actor: Actor, *, htmx: bool) -> Attempt:
    shipment = shipped_parcel(actor.store)
    at = timezone.localtime(shipment.shipped_at + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    response = _order_page(actor, shipment.order, "track", {"shipment": shipment.pk, "status": "in_transit", "at": at},
                           htmx=htmx)
    return answered(response, _tracked(shipment))


@walk("order.track", "page")
def _order_track(actor: Actor) -> Attempt:
    return _track_page(actor, htmx=False)


@walk("order.track", "htmx")
def _order_track_htmx(actor: Actor) -> Attempt:
    return _track_page(actor, htmx=True)


@walk("order.track", "api")
def _order_track_api(actor: Actor) -> Attempt:
    shipment = shipped_parcel(actor.store)
    response = actor.api.post(f"/api/shipments/{shipment.pk}/events/", {"events": [_event(shipment)]}, format="json")
    return answered(response, _tracked(shipment))


@walk("order.track", "api-bulk")
def _order_track_api_bulk(actor: Actor) -> Attempt:
    shipment = shipped_parcel(actor.store)
    response = actor.api.post("/api/tracking-events/", {"store": actor.store.code, "events": [
        {"tracking_number": shipment.tracking_number, **_event(shipment)}]}, format="json")
    return answered(response, _tracked(shipment))


@walk("shipment.create", "api")
def _shipment_create(actor: Actor) -> Attempt:
    order = unshipped_order(actor.store)
    response = actor.api.post("/api/shipments/", {"store": actor.store.code, "order": order.amazon_order_id,
                                                  "carrier": "UPS", "tracking_number": UPS}, format="json")
    return answered(response, Shipment.objects.filter(order=order).exists())


def lost_parcel(store: Store) -> Shipment:
    """A seller's parcel shipped nine days ago and never delivered, its units in stock to send again."""
    from fulfillment.services import order_ship

    order = unshipped_order(store)
    order.purchase_date = timezone.now() - timedelta(days=10)
    order.save(update_fields=["purchase_date"])
    return order_ship(order=order, carrier="UPS", tracking_number=UPS, shipped_at=timezone.now() - timedelta(days=9))


REPLACEMENT = {"carrier": "UPS", "tracking_number": "1Z12345E6605272234"}


@walk("delivery.silence", "page")
def _delivery_silence(actor: Actor) -> Attempt:
    response = actor.page.post(f"/orders/at-risk/carriers/{actor.store.code}/", {"days:YunExpress": "10"})
    return answered(response, CarrierSilence.objects.filter(store=actor.store, carrier="YunExpress", days=10).exists())


@walk("delivery.silence", "api")
def _delivery_silence_api(actor: Actor) -> Attempt:
    response = actor.api.put(f"/api/stores/{actor.store.code}/carrier-days/", {"days": {"4PX": 9}}, format="json")
    return answered(response, CarrierSilence.objects.filter(store=actor.store, carrier="4PX", days=9).exists())


@walk("shipment.trace", "page")
def _shipment_trace(actor: Actor) -> Attempt:
    shipment = lost_parcel(actor.store)
    response = _order_page(actor, shipment.order, "trace", {"shipment": shipment.pk, "reference": "W-1"}, htmx=True)
    return answered(response, CarrierTrace.objects.filter(shipment=shipment).exists())


@walk("shipment.trace", "answer")
def _shipment_trace_answer(actor: Actor) -> Attempt:
    from fulfillment.remedies import carrier_trace_file

    trace = carrier_trace_file(shipment=lost_parcel(actor.store))
    response = _order_page(actor, trace.shipment.order, "trace/status", {"trace": trace.pk, "status": "lost"},
                           htmx=True)
    trace.refresh_from_db()
    return answered(response, trace.status == "lost")


@walk("shipment.trace", "api")
def _shipment_trace_api(actor: Actor) -> Attempt:
    shipment = lost_parcel(actor.store)
    response = actor.api.post(f"/api/shipments/{shipment.pk}/trace/", {"reference": "W-1"}, format="json")
    return answered(response, CarrierTrace.objects.filter(shipment=shipment).exists())


@walk("shipment.replace", "page")
def _shipment_replace(actor: Actor) -> Attempt:
    shipment = lost_parcel(actor.store)
    response = _order_page(actor, shipment.order, "replacement", {"shipment": shipment.pk, **REPLACEMENT},
                           htmx=True)
    return answered(response, Shipment.objects.filter(replacement_of=shipment).exists())


@walk("shipment.replace", "api")
def _shipment_replace_api(actor: Actor) -> Attempt:
    shipment = lost_parcel(actor.store)
    response = actor.api.post(f"/api/shipments/{shipment.pk}/replacement/", REPLACEMENT, format="json")
    return answered(response, Shipment.objects.filter(replacement_of=shipment).exists())


# --- Returns --------------------------------------------------------------------------------------------------


def _return_page(actor: Actor, status: str, action: str, data: dict | None, reached: str) -> Attempt:
    return_request = open_return(actor.store, status)
    response = actor.page.post(f"/returns/{return_request.pk}/{action}/", data or {}, headers=HTMX)
    return answered(response, return_status(return_request) == reached)


def _return_api(actor: Actor, status: str, **fields) -> Attempt:
    order = delivered_order(actor.store)
    response = actor.api.post("/api/returns/", {"store": actor.store.code, "order": order.amazon_order_id,
                                                "sku": "RT-1", "reason": "DEFECTIVE", "status": status, **fields},
                              format="json")
    return answered(response, ReturnRequest.objects.filter(order=order, status=status).exists())


@walk("return.create", "api")
def _return_create(actor: Actor) -> Attempt:
    return _return_api(actor, ReturnStatus.REQUESTED)


@walk("return.authorize", "page")
def _return_authorize(actor: Actor) -> Attempt:
    return _return_page(actor, ReturnStatus.REQUESTED, "authorize", {}, ReturnStatus.AUTHORIZED)


@walk("return.authorize", "api")
def _return_authorize_api(actor: Actor) -> Attempt:
    return _return_api(actor, ReturnStatus.AUTHORIZED)


@walk("return.reject", "page")
def _return_reject(actor: Actor) -> Attempt:
    return _return_page(actor, ReturnStatus.REQUESTED, "reject", {"reason": "Used", "confirm": "on"},
                        ReturnStatus.REJECTED)


@walk("return.reject", "api")
def _return_reject_api(actor: Actor) -> Attempt:
    return _return_api(actor, ReturnStatus.REJECTED, rejected_reason="Used")


@walk("return.receive", "page")
def _return_receive(actor: Actor) -> Attempt:
    return _return_page(actor, ReturnStatus.AUTHORIZED, "receive", {"disposition": "sellable"},
                        ReturnStatus.RECEIVED)


@walk("return.receive", "api")
def _return_receive_api(actor: Actor) -> Attempt:
    return _return_api(actor, ReturnStatus.RECEIVED, disposition="sellable")


@walk("return.refund", "page")
def _return_refund(actor: Actor) -> Attempt:
    return _return_page(actor, ReturnStatus.AUTHORIZED, "refund", {"kind": "full"}, ReturnStatus.REFUNDED)


@walk("return.refund", "api")
def _return_refund_api(actor: Actor) -> Attempt:
    return _return_api(actor, ReturnStatus.REFUNDED)


@walk("return.replace", "page")
def _return_replace(actor: Actor) -> Attempt:
    return _return_page(actor, ReturnStatus.REQUESTED, "replace", {}, ReturnStatus.CLOSED)


@walk("return.close", "page")
def _return_close(actor: Actor) -> Attempt:
    return _return_page(actor, ReturnStatus.REQUESTED, "close", {}, ReturnStatus.CLOSED)


@walk("return.close", "api")
def _return_close_api(actor: Actor) -> Attempt:
    return _return_api(actor, ReturnStatus.CLOSED)


# --- Buyer contact --------------------------------------------------------------------------------------------


def _message_api(actor: Actor, direction: str) -> Attempt:
    order = OrderFactory(store=actor.store)
    response = actor.api.post("/api/messages/", {"store": actor.store.code, "order": order.amazon_order_id,
                                                 "direction": direction, "body": "Where is it?",
                                                 "message_id": "<walk-1@relay>"}, format="json")
    return answered(response, Message.objects.filter(thread__order=order, direction=direction).exists())


@walk("message.create", "api")
def _message_create(actor: Actor) -> Attempt:
    return _message_api(actor, Message.Direction.INBOUND)


@walk("message.reply", "api")
def _message_reply_api(actor: Actor) -> Attempt:
    return _message_api(actor, Message.Direction.OUTBOUND)


@walk("message.reply", "page")
def _message_reply(actor: Actor) -> Attempt:
    thread = buyer_thread(actor.store)
    response = actor.page.post(f"/inbox/{thread.pk}/reply/", {"body": "It arrives tomorrow.", "action": "send"})
    return answered(response, thread.messages.filter(direction=Message.Direction.OUTBOUND).exists())


@walk("message.reply", "deliveries at risk")
def _message_reply_at_risk(actor: Actor) -> Attempt:
    now = timezone.now()
    order = OrderFactory(store=actor.store, status=OrderStatus.SHIPPED, buyer_email="buyer-8@marketplace.amazon.com",
                         purchase_date=now - timedelta(days=10))
    shipment = Shipment.objects.create(store=actor.store, order=order, carrier="UPS", tracking_number=UPS,
                                       shipped_at=now - timedelta(days=9), last_event_at=now - timedelta(days=8),
                                       last_event_status="in_transit")
    with actor.capture(execute=True):
        response = actor.page.post(f"/orders/at-risk/{shipment.pk}/message/",
                                   {"body": "Your parcel is delayed; we are on it.", "action": "send"})
    shipment.refresh_from_db()
    return answered(response, Message.objects.filter(thread__order=order, direction="outbound").exists()
                    and shipment.follow_up == "buyer_messaged")


@walk("thread.no_reply", "page")
def _thread_no_reply(actor: Actor) -> Attempt:
    thread = buyer_thread(actor.store)
    response = actor.page.post(f"/inbox/{thread.pk}/no-reply/")
    return answered(response, not thread.messages.get(direction=Message.Direction.INBOUND).needs_reply)


@walk("thread.note", "page")
def _thread_note(actor: Actor) -> Attempt:
    thread = buyer_thread(actor.store)
    response = actor.page.post(f"/inbox/{thread.pk}/note/", {"body": "Carrier says Monday."})
    return answered(response, thread.messages.filter(is_internal_note=True).exists())


@walk("thread.assign", "page")
def _thread_assign(actor: Actor) -> Attempt:
    thread = buyer_thread(actor.store)
    response = actor.page.post(f"/inbox/{thread.pk}/assign/", {"assignee": "me"})
    thread.refresh_from_db()
    return answered(response, thread.assigned_to_id == actor.user.pk)


@walk("feedback.create", "api")
def _feedback_create(actor: Actor) -> Attempt:
    order = OrderFactory(store=actor.store)
    response = actor.api.post("/api/feedback/", {"store": actor.store.code, "order": order.amazon_order_id,
                                                 "rating": 2, "comment": "Slow"}, format="json")
    return answered(response, Feedback.objects.filter(order=order).exists())


@walk("feedback.request_removal", "page")
def _feedback_removal(actor: Actor) -> Attempt:
    feedback = removable_feedback(actor.store)
    response = actor.page.post(f"/inbox/feedback/{feedback.pk}/request-removal/")
    feedback.refresh_from_db()
    return answered(response, feedback.removal_requested_at is not None)


@walk("claim.create", "api")
def _claim_create(actor: Actor) -> Attempt:
    order = OrderFactory(store=actor.store, purchase_date=timezone.now() - timedelta(days=20))
    response = actor.api.post("/api/claims/", {"store": actor.store.code, "order": order.amazon_order_id,
                                               "kind": "a_to_z"}, format="json")
    return answered(response, Claim.objects.filter(order=order).exists())


@walk("claim.respond", "page")
def _claim_respond(actor: Actor) -> Attempt:
    order = OrderFactory(store=actor.store, purchase_date=timezone.now() - timedelta(days=20))
    claim = ClaimFactory(order=order, respond_by=timezone.now() + timedelta(hours=30))
    response = actor.page.post(f"/inbox/claims/{claim.pk}/respond/", {"response": "Delivered on time."})
    claim.refresh_from_db()
    return answered(response, claim.responded_at is not None)


# --- Listings and FBA inbound ---------------------------------------------------------------------------------


@walk("listing.edit", "page")
def _listing_image(actor: Actor) -> Attempt:
    listing = ListingFactory(store=actor.store)
    upload = SimpleUploadedFile("main.png", png(), content_type="image/png")
    response = actor.page.post(f"/listings/{listing.pk}/image/", {"image": upload})
    return answered(response, bool(Listing.objects.get(pk=listing.pk).main_image))


@walk("listing.edit", "api-create")
def _listing_create_api(actor: Actor) -> Attempt:
    response = actor.api.post("/api/listings/", {"store": actor.store.code, "sku": "NEW-SKU-1", "title": "Yoga mat",
                                                 "price": "19.99"}, format="json")
    return answered(response, Listing.objects.filter(store=actor.store, sku="NEW-SKU-1").exists())


@walk("listing.edit", "api-edit")
def _listing_edit_api(actor: Actor) -> Attempt:
    listing = ListingFactory(store=actor.store, price=Decimal("10.00"))
    response = actor.api.patch(f"/api/listings/{listing.pk}/", {"price": "12.00"}, format="json")
    return answered(response, Listing.objects.get(pk=listing.pk).price == Decimal("12.00"))


@walk("listing.edit", "bulk")
def _listing_price_bulk(actor: Actor) -> Attempt:
    listing = ListingFactory(store=actor.store, price=Decimal("10.00"))
    response = actor.page.post("/listings/bulk/apply/", {"ids": [listing.pk], f"old-{listing.pk}": "10.00",
                                                         "operation": "price_set", "amount": "12.00"})
    return _bulk(response, Listing.objects.get(pk=listing.pk).price == Decimal("12.00"))


@walk("stock.adjust", "api")
def _stock_adjust_api(actor: Actor) -> Attempt:
    listing = ListingFactory(store=actor.store, quantity_available=3)
    response = actor.api.post(f"/api/listings/{listing.pk}/adjust-stock/", {"available": 5, "note": "Counted"},
                              format="json")
    return answered(response, Listing.objects.get(pk=listing.pk).quantity_available == 8)


@walk("stock.adjust", "bulk")
def _stock_adjust_bulk(actor: Actor) -> Attempt:
    listing = ListingFactory(store=actor.store, quantity_available=3)
    response = actor.page.post("/listings/bulk/apply/", {"ids": [listing.pk], f"old-{listing.pk}": "3",
                                                         "operation": "qty_add", "amount": "5"})
    return _bulk(response, Listing.objects.get(pk=listing.pk).quantity_available == 8)


def _publishable(actor: Actor, sku: str) -> Listing:
    """A listing our checks pass, in a store with SP-API credentials aimed at an address that refuses at once."""
    from tests.spapi.listing_world import clean_listing

    SellerCredentials.objects.get_or_create(store=actor.store, defaults={
        "refresh_token": "r", "lwa_client_id": "i", "lwa_client_secret": "s", "seller_id": "A2EXAMPLESELLER"})
    return clean_listing(actor.store, sku=sku, others=0)


@walk("listing.publish", "page")
def _listing_publish(actor: Actor) -> Attempt:
    listing = _publishable(actor, "PUB-1")
    with actor.capture(execute=False) as queued:
        response = actor.page.post(f"/listings/{listing.pk}/publish/", headers=HTMX)
    return answered(response, bool(queued) and listing.amazon_publications.exists())


@walk("listing.publish", "bulk")
def _listing_publish_bulk(actor: Actor) -> Attempt:
    listing = _publishable(actor, "PUB-2")
    with actor.capture(execute=False) as queued:
        response = actor.page.post("/listings/publish/", {"listing": [listing.pk]})
    return answered(response, bool(queued) and actor.store.listing_feeds.exists())


@walk("listing.publish", "service")
def _listing_publish_service(actor: Actor) -> Attempt:
    from spapi.publish import listing_publish_request

    listing = _publishable(actor, "PUB-3")
    with actor.capture(execute=False):
        return called(lambda: listing_publish_request(listing=listing, user=actor.user),
                      lambda: listing.amazon_publications.exists())


@walk("stock.adjust", "page")
def _stock_adjust(actor: Actor) -> Attempt:
    listing = ListingFactory(store=actor.store, quantity_available=3)
    response = actor.page.post(f"/listings/{listing.pk}/adjust/", {"available": "5", "inbound": "0",
                                                                   "reason": "adjust", "note": "Counted"})
    return answered(response, Listing.objects.get(pk=listing.pk).quantity_available == 8)


@walk("inbound.create", "page")
def _inbound_create(actor: Actor) -> Attempt:
    listing = ListingFactory(store=actor.store, fulfillment_channel="AFN")
    response = actor.page.post("/fulfillment/inbound/new/", {"store": actor.store.code, "name": "Restock",
                                                             "destination_fc": "", f"qty-{listing.pk}": "12"})
    return answered(response, InboundShipment.objects.filter(store=actor.store).exists())


@walk("inbound.ship", "page")
def _inbound_ship(actor: Actor) -> Attempt:
    inbound = fba_plan(actor.store)
    response = actor.page.post(f"/fulfillment/inbound/{inbound.pk}/ship/", {"carrier": "UPS",
                                                                           "tracking_number": UPS})
    return answered(response, inbound_status(inbound) == InboundStatus.SHIPPED)


@walk("inbound.receive", "page")
def _inbound_receive(actor: Actor) -> Attempt:
    inbound = fba_plan(actor.store, InboundStatus.SHIPPED)
    item = inbound.items.get()
    response = actor.page.post(f"/fulfillment/inbound/{inbound.pk}/receive/", {f"received-{item.pk}": "4"})
    item.refresh_from_db()
    return answered(response, item.quantity_received == 4)


@walk("inbound.close", "page")
def _inbound_close(actor: Actor) -> Attempt:
    inbound = fba_plan(actor.store, InboundStatus.SHIPPED)
    response = actor.page.post(f"/fulfillment/inbound/{inbound.pk}/close/")
    return answered(response, inbound_status(inbound) == InboundStatus.CLOSED)


@walk("inbound.cancel", "page")
def _inbound_cancel(actor: Actor) -> Attempt:
    inbound = fba_plan(actor.store)
    response = actor.page.post(f"/fulfillment/inbound/{inbound.pk}/cancel/")
    return answered(response, inbound_status(inbound) == InboundStatus.CANCELLED)


# --- Report imports -------------------------------------------------------------------------------------------


def _upload_page(actor: Actor, url: str, data: dict) -> Attempt:
    """The upload form offers only the stores the user may import into: another is not a valid choice."""
    response = actor.page.post(url, {"store": actor.store.code, "file": ship_confirm_file(actor.store),
                                     "encoding": "", **data})
    not_offered = response.status_code == 400 and "store" in response.context["form"].errors
    return answered(response, ImportJob.objects.filter(store=actor.store).exists(), refused=not_offered)


@walk("import.upload", "page")
def _import_upload(actor: Actor) -> Attempt:
    return _upload_page(actor, "/imports/", {"kind": ImportJob.Kind.SHIP_CONFIRM})


@walk("import.upload", "ship-confirm-page")
def _import_upload_ship_confirm(actor: Actor) -> Attempt:
    return _upload_page(actor, "/imports/ship-confirm/", {})


@walk("import.upload", "service")
def _import_upload_service(actor: Actor) -> Attempt:
    return called(lambda: import_job_create(store=actor.store, kind=ImportJob.Kind.SHIP_CONFIRM, actor=actor.user,
                                            upload=ship_confirm_file(actor.store), preview=True),
                  lambda: ImportJob.objects.filter(created_by=actor.user).exists())


@walk("import.confirm", "page")
def _import_confirm(actor: Actor) -> Attempt:
    job = previewed_job(actor)
    response = actor.page.post(f"/imports/ship-confirm/{job.pk}/confirm/")
    job.refresh_from_db()
    return answered(response, job.status != ImportJob.Status.PREVIEW)


@walk("import.confirm", "service")
def _import_confirm_service(actor: Actor) -> Attempt:
    job = previewed_job(actor)
    return called(lambda: import_job_confirm(job=job, actor=actor.user),
                  lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.PREVIEW)


# --- Alert rules ----------------------------------------------------------------------------------------------


@walk("alert.set", "page")
def _alert_set(actor: Actor) -> Attempt:
    response = actor.page.post("/health/alerts/", {"metric": MetricKey.ODR, "band": "red", "store": actor.store.pk,
                                                   "recipients": [actor.user.pk], "email": "on",
                                                   "is_active": "on"})
    return answered(response, AlertRule.objects.filter(owner=actor.user).exists())


@walk("alert.set", "service")
def _alert_set_service(actor: Actor) -> Attempt:
    data = AlertRuleData(metric=MetricKey.ODR, band="red", store=actor.store, recipients=[actor.user])
    return called(lambda: alert_rule_create(owner=actor.user, data=data),
                  lambda: AlertRule.objects.filter(owner=actor.user).exists())


# --- Amazon's figures set beside ours again ------------------------------------------------------------------


def _kept_report(store: Store) -> SellerPerformanceReport:
    return SellerPerformanceReport.objects.create(store=store, report_id="WALK-R1", fetched_at=timezone.now(),
                                                  marketplace_id=store.marketplace_info.marketplace_id, raw={
        "performanceMetrics": [{"marketplaceId": store.marketplace_info.marketplace_id, "lateShipmentRate": {
            "reportingDateRange": {"reportingDateFrom": "2025-06-21T00:00Z", "reportingDateTo": "2025-07-20T23:59Z"},
            "orderCount": 0, "lateShipmentCount": 0, "rate": 0}}]})


@walk("reconciliation.run", "page")
def _reconciliation_run(actor: Actor) -> Attempt:
    report = _kept_report(actor.store)
    with actor.capture(execute=True):
        response = actor.page.post("/health/reconciliation/run/", {"store": actor.store.code})
    return answered(response, Reconciliation.objects.filter(report=report).exists())


@walk("reconciliation.run", "service")
def _reconciliation_run_service(actor: Actor) -> Attempt:
    report = _kept_report(actor.store)

    def run() -> None:
        with actor.capture(execute=True):
            reconciliation_request(store=actor.store, actor=actor.user)

    return called(run, lambda: Reconciliation.objects.filter(report=report).exists())


#: Every role, and a superuser (a member of nothing, who may do everything).
ACTORS = [*Role.values, "superuser"]


def allows(role: str, permission: str) -> bool:
    """What the table says of ``role`` (or a superuser) and ``permission``."""
    return role == "superuser" or role in ROLE_PERMISSIONS[permission]


def member(store: Store, role: str) -> AbstractBaseUser:
    """A user of ``role`` in ``store`` (``"superuser"``: a superuser, member of nothing)."""
    if role == "superuser":
        return UserFactory(username="root", is_superuser=True)
    user = UserFactory(username=f"{role}-of-{store.code}".lower())
    Membership.objects.create(user=user, store=store, role=role)
    return user
