"""The admin site, walked as a staff member of store A who holds every model permission: nothing of store B
appears on any page, list filter, search, date drill-down, autocomplete, raw-id popup, form or inline, and
every object URL of store B answers as for a missing object.

The walk reads ``admin.site._registry`` and every model's relations, so a model registered later is walked
without anyone remembering to; it must then have rows in store B (``populate``), or be named in
``GLOBAL_MODELS`` with the reason it belongs to no store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token, TokenProxy

from core.models import Profile, Role, Store
from fulfillment.models import (
    CarrierTrace,
    FbaAccountSnapshot,
    FbaInventorySnapshot,
    InboundShipment,
    InboundShipmentItem,
    ShipmentItem,
)
from listings.models import StockMovement
from metrics.definitions import DEFINITIONS, MetricKey
from metrics.models import Breach, MetricSnapshot
from orders.models import OrderEvent
from returns.models import Refund
from spapi.models import SellerCredentials, SellerPerformanceReport
from support.models import Mailbox, ReplyTemplate
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

from .conftest import SECRET, StoreBWorld

pytestmark = pytest.mark.django_db

User = get_user_model()

#: Registered models whose rows belong to no store, and why every staff member may list them.
GLOBAL_MODELS = {
    "auth.group": "permission groups are site-wide roles for the back office; they name no store's data",
}

B_ADDRESS = "198.51.100.66"
A_ADDRESS = "203.0.113.10"

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


# --- the two stores' rows --------------------------------------------------------------------------------------

def populate(store: Store, user, word: str, prefix: str, address: str) -> None:
    """One row of every kind the admin shows, in ``store``; every text carries ``word``."""
    now = timezone.now()
    listing = ListingFactory(store=store, sku=f"{word}-SKU-9", title=f"{word} gadget", brand=word)
    fba = ListingFactory(store=store, sku=f"{word}-FBA-9", title=f"{word} FBA gadget", fulfillment_channel="AFN")
    order = OrderFactory(store=store, amazon_order_id=f"{prefix}-7777777-7777771", buyer_name=f"{word} Client",
                         ship_name=f"{word} Client", buyer_email=f"{word.lower()}-client@example.com")
    OrderItemFactory(order=order, sku=listing.sku, listing=listing, title=f"{word} gadget")
    shipment = ShipmentFactory(order__store=store, order__amazon_order_id=f"{prefix}-7777777-7777772",
                               order__buyer_name=f"{word} Shipped", tracking_number=f"1Z{word.upper()}0001")
    shipped_item = OrderItemFactory(order=shipment.order, sku=listing.sku, listing=listing, quantity=1,
                                    quantity_shipped=1)
    ShipmentItem.objects.create(store=store, shipment=shipment, order_item=shipped_item, quantity=1)
    CarrierTrace.objects.create(store=store, shipment=shipment, filed_at=now, reference=f"{word}-TRACE",
                                note=f"{word} trace", actor=user)
    OrderEvent.objects.create(store=store, order=order, kind=OrderEvent.Kind.NOTE, actor=user, source="ui",
                              note=f"{word} note", at=now)
    StockMovement.objects.create(store=store, listing=listing, reason=StockMovement.Reason.ADJUST,
                                 available_delta=1, order=order, actor=user, note=f"{word} count", at=now)
    inbound = InboundShipment.objects.create(store=store, shipment_id=f"FBA{word.upper()[:8]}", name=f"{word} box",
                                             destination_fc=word.upper()[:5] + "1", created_at=now)
    InboundShipmentItem.objects.create(store=store, inbound_shipment=inbound, listing=fba, quantity_expected=2)
    return_request = ReturnRequestFactory(order=shipment.order, order_item=shipped_item, sku=listing.sku,
                                          amazon_rma_id=f"{word}RMA", buyer_comment=f"{word} return",
                                          replacement_order=order)
    Refund.objects.create(store=store, order=shipment.order, return_request=return_request, kind="partial",
                          amount=Decimal("1.00"), currency="USD", reason=f"{word} refund", refunded_at=now,
                          actor=user)
    thread = ThreadFactory(store=store, order=order, buyer_name=f"{word} Client", subject=f"{word} question",
                           assigned_to=user, last_message_at=now)
    MessageFactory(thread=thread, subject=f"{word} question", body=f"{word} body", sender=f"{word} Client")
    ReplyTemplate.objects.create(store=store, name=f"{word} template", subject=f"{word} reply", body="Hello")
    FeedbackFactory(order=order, rating=2, comment=f"{word} comment")
    ClaimFactory(order=order, reason=f"{word} claim")
    Mailbox.objects.create(store=store, imap_host=f"imap.{word.lower()}.example", imap_user=f"{word.lower()}-inbox",
                           from_address=f"{word.lower()}-shop@example.com")
    definition = DEFINITIONS[MetricKey.ODR]
    channel, window = definition.channels[0], definition.window_days[0]
    MetricSnapshot.objects.create(store=store, metric=MetricKey.ODR, channel=channel, window_days=window,
                                  as_of=now, window_start=now - timedelta(days=window), window_end=now,
                                  numerator=1, denominator=50, rate=Decimal("0.02"), status="red",
                                  definition={"note": word})
    Breach.objects.create(store=store, metric=MetricKey.ODR, channel=channel, window_days=window,
                          opened_at=now - timedelta(days=3), opening_rate=Decimal("0.02"),
                          peak_rate=Decimal("0.02"), peak_at=now, resolved_at=now)
    SellerCredentials.objects.create(store=store, refresh_token=f"Atzr|{word}", lwa_client_id=f"amzn1.{word}",
                                     lwa_client_secret=f"{word}-secret", last_error=f"{word} error")
    SellerPerformanceReport.objects.create(store=store, fetched_at=now, report_id=f"{word}-report",
                                           account_status="NORMAL", raw={"seller": word})
    FbaInventorySnapshot.objects.create(store=store, listing=fba, day=now.date(), fulfillable=3,
                                        stranded_reason=f"{word} stranded")
    FbaAccountSnapshot.objects.create(store=store, day=now.date(), amazon_index=420, note=f"{word} index")
    Profile.objects.update_or_create(user=user, defaults={"store": store})
    Profile.objects.get_or_create(user=user, defaults={"timezone": "Europe/Berlin"})
    Token.objects.get_or_create(user=user)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        extra = {"get_data": "", "post_data": f"username={user.username}", "failures_since_start": 1} \
            if model is AccessAttempt else {}
        model.objects.create(username=user.username, ip_address=address, user_agent=f"{word} browser",
                             http_accept="*/*", path_info="/accounts/login/", **extra)


def _owner(model: type[models.Model]) -> str | None:
    """How a row of ``model`` is found to be one store's: through the store itself, a ``store`` relation, a user
    who belongs to that store alone, that user's relation or username; None when the test does not know."""
    if model is Store:
        return "itself"
    if model is User:
        return "user"
    field_names = {field.name for field in model._meta.get_fields()}
    if "store" in field_names and model._meta.get_field("store").related_model is Store:
        return "store"
    if "user" in field_names and model._meta.get_field("user").related_model is User:
        return "user__in"
    if "username" in field_names:
        return "username__in"
    return None


def rows_of(model: type[models.Model], store: Store, other: Store) -> models.QuerySet | None:
    """The rows of ``model`` that are ``store``'s alone, or None if the test does not know how to find them."""
    owner = _owner(model)
    manager = model._default_manager
    own_users = User.objects.filter(memberships__store=store).exclude(memberships__store=other)
    if owner == "itself":
        return manager.filter(pk=store.pk)
    if owner == "user":
        return own_users
    if owner == "store":
        return manager.filter(store=store)
    if owner == "user__in":
        return manager.filter(user__in=own_users)
    if owner == "username__in":
        return manager.filter(username__in=own_users.values("username"))
    return None


@dataclass
class Walk:
    a: Store
    b: Store
    staff: object
    markers: list[str]

    def rows(self, model, store: Store):
        queryset = rows_of(model, store, self.b if store == self.a else self.a)
        return list(queryset) if queryset is not None else []

    def b_state(self) -> dict[str, list]:
        """Every row of store B, as values: a write through any URL changes it."""
        state = {}
        for model, _model_admin in REGISTRY:
            queryset = rows_of(model, self.b, self.a)
            if queryset is not None:
                state[_label(model)] = list(queryset.order_by("pk").values())
        return state


@pytest.fixture
def walk(world_b: StoreBWorld, store_a: Store, user_a) -> Walk:
    b = world_b.store
    populate(b, world_b.user, SECRET, "305", B_ADDRESS)
    user_a.is_staff = True
    user_a.save(update_fields=["is_staff"])
    user_a.user_permissions.set(Permission.objects.all())
    populate(store_a, user_a, "Alpha", "111", A_ADDRESS)
    MembershipFactory(user=UserFactory(username="alpha-agent"), store=store_a, role=Role.AGENT)
    # Carol works in both stores: store A's staff sees her account, never her membership of B.
    carol = UserFactory(username="carol", email="carol@example.com")
    MembershipFactory(user=carol, store=store_a, role=Role.AGENT)
    MembershipFactory(user=carol, store=b, role=Role.ADMIN)
    markers = ["bravissimo", "bravo", B_ADDRESS]
    markers += list(b.orders.values_list("amazon_order_id", flat=True))
    markers += list(b.shipments.values_list("tracking_number", flat=True))
    markers += list(b.listings.values_list("asin", flat=True))
    markers += list(b.threads.values_list("buyer_email", flat=True))
    markers += list(Token.objects.filter(user__memberships__store=b).values_list("key", flat=True))
    return Walk(a=store_a, b=b, staff=user_a, markers=[marker.lower() for marker in markers if marker])


def assert_nothing_of_b(walk: Walk, response, where: str, *, echo: str = "") -> None:
    """No text of store B in ``response`` (``echo``, a search term the page repeats back, is taken out)."""
    assert response.status_code < 500, (where, response.status_code)
    body = response.content.decode(errors="replace").lower()
    if echo:
        for form in {echo, quote(echo), quote(echo, safe=""), quote(quote(echo, safe=""), safe="")}:
            body = body.replace(form.lower(), "")
    found = [marker for marker in walk.markers if marker in body]
    assert not found, f"{where} shows store B's {found}"


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _object_ids(obj) -> list[str]:
    ids = [str(obj.pk)]
    if isinstance(obj, Token):
        ids.append(str(obj.user_id))  # the token admin's URLs name the token's user
    return ids


def _object_urls(model_admin, object_id: str) -> list[str]:
    """Every URL of ``model_admin`` that names one object: change, history, delete, and any of its own."""
    urls = []
    for pattern in model_admin.urls:
        route = str(pattern.pattern)
        if "<" not in route or pattern.name is None:
            continue
        arguments = dict.fromkeys(pattern.pattern.converters, object_id)
        urls.append(reverse(f"admin:{pattern.name}", kwargs=arguments))
    return urls


def _date_drilldowns(model_admin, objects) -> list[dict[str, str]]:
    field = model_admin.date_hierarchy
    if not field:
        return []
    queries = [{}]
    for obj in objects:
        value = obj
        for part in field.split("__"):
            value = getattr(value, part, None)
        if value is None:
            continue
        if hasattr(value, "astimezone"):
            value = timezone.localtime(value)
        queries += [{f"{field}__year": str(value.year)},
                    {f"{field}__year": str(value.year), f"{field}__month": str(value.month)},
                    {f"{field}__year": str(value.year), f"{field}__month": str(value.month),
                     f"{field}__day": str(value.day)}]
    return queries


def _scoped_fk_fields(model) -> list[models.Field]:
    """The relations of ``model`` that name a row owned by a store (or a user)."""
    return [field for field in model._meta.get_fields()
            if field.is_relation and not field.auto_created and field.concrete and field.related_model
            and _owner(field.related_model) is not None]


# --- the walk -----------------------------------------------------------------------------------------------

def test_every_registered_model_has_rows_in_store_b(walk: Walk):
    missing = []
    for model, _model_admin in REGISTRY:
        if _label(model) in GLOBAL_MODELS:
            continue
        if rows_of(model, walk.b, walk.a) is None:
            missing.append(f"{_label(model)}: rows_of() cannot tell which rows are store B's; add a rule, or name "
                           f"the model in GLOBAL_MODELS with the reason it belongs to no store")
        elif not walk.rows(model, walk.b) or not walk.rows(model, walk.a):
            missing.append(f"{_label(model)}: populate() makes no row of it in each store")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=[_label(model) for model, _ in REGISTRY])
def test_changelists_show_nothing_of_store_b(walk: Walk, model, model_admin):
    client = Client()
    client.force_login(walk.staff)
    changelist = _url(model, "changelist")
    response = client.get(changelist)
    assert response.status_code == 200, changelist
    assert_nothing_of_b(walk, response, changelist)
    cl = response.context["cl"]
    if _label(model) not in GLOBAL_MODELS:
        # The test can fail: store A's own rows are listed.
        assert cl.result_count >= 1, f"{changelist} lists none of store A's rows"
    queries: list[dict[str, str]] = [{"_facets": "True"}, {"_popup": "1", "_to_field": model._meta.pk.attname},
                                     {"_popup": "1", "_to_field": model._meta.pk.attname, "_facets": "True"}]
    # Every choice of every list filter, as the sidebar offers it, and each relation filter set to B's rows.
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            queries.append(dict(parse_qsl(choice["query_string"].lstrip("?"), keep_blank_values=True)))
        if isinstance(spec, RelatedFieldListFilter):
            for obj in walk.rows(spec.field.related_model, walk.b):
                queries.append({spec.lookup_kwarg: str(obj.pk), "_facets": "True"})
    queries += _date_drilldowns(model_admin, walk.rows(model, walk.b) + walk.rows(model, walk.a))
    for query in queries:
        url = f"{changelist}?{urlencode(query)}"
        assert_nothing_of_b(walk, client.get(url), url)
    # Search: B's texts find nothing.
    if model_admin.get_search_fields(response.wsgi_request):
        for term in walk.markers:
            url = f"{changelist}?{urlencode({'q': term})}"
            response = client.get(url)
            assert_nothing_of_b(walk, response, url, echo=term)
            if response.status_code == 200:
                assert response.context["cl"].result_count == 0, url


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=[_label(model) for model, _ in REGISTRY])
def test_store_b_objects_are_not_found(walk: Walk, model, model_admin):
    client = Client()
    client.force_login(walk.staff)
    before = walk.b_state()
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    for obj in walk.rows(model, walk.b):
        for object_id in _object_ids(obj):
            for url in _object_urls(model_admin, admin_quote(object_id)):
                response = client.get(url, follow=True)
                assert_nothing_of_b(walk, response, url)
                # Missing, as far as store A knows: a 404, or Django's redirect to the index ("... doesn't exist");
                # 403 where the permission check comes first and answers the same for any id.
                assert response.status_code in (403, 404) or (
                    response.redirect_chain and response.resolver_match.view_name == "admin:index"), (
                    url, response.status_code, response.redirect_chain)
                response = client.post(url, {"post": "yes"}, follow=True)
                assert_nothing_of_b(walk, response, url)
                assert response.status_code in (403, 404) or response.resolver_match.view_name == "admin:index", (
                    "POST", url, response.status_code)
            url = reverse("admin:view_on_site", args=[content_type.pk, object_id])
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            assert_nothing_of_b(walk, response, url)
    # Actions on a selection naming B's rows act on nothing.
    changelist = _url(model, "changelist")
    request = client.get(changelist).wsgi_request
    selected = [str(obj.pk) for obj in walk.rows(model, walk.b)]
    for action in model_admin.get_actions(request):
        response = client.post(changelist, {"action": action, "_selected_action": selected, "index": "0"},
                               follow=True)
        assert_nothing_of_b(walk, response, f"{changelist} action {action}")
    assert walk.b_state() == before, f"the admin of {_label(model)} changed store B's rows"


def _b_value(walk: Walk, field: models.Field) -> str | None:
    rows = walk.rows(field.related_model, walk.b)
    if not rows:
        return None
    target = getattr(field, "target_field", None)
    attname = target.attname if target is not None and not field.many_to_many else "pk"
    return str(getattr(rows[0], attname))


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=[_label(model) for model, _ in REGISTRY])
def test_store_a_forms_offer_nothing_of_store_b(walk: Walk, model, model_admin):
    """Change, add, history and delete pages of A's rows, with their inlines; forms posted naming B's rows."""
    client = Client()
    client.force_login(walk.staff)
    before = walk.b_state()
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    b_values = {field.name: value for field in _scoped_fk_fields(model)
                if (value := _b_value(walk, field)) is not None}
    for obj in walk.rows(model, walk.a):
        object_id = _object_ids(obj)[-1]
        for url in _object_urls(model_admin, admin_quote(object_id)):
            assert_nothing_of_b(walk, client.get(url, follow=True), url)
        url = reverse("admin:view_on_site", args=[content_type.pk, obj.pk])
        assert_nothing_of_b(walk, client.get(url), url)
        change = _url(model, "change", admin_quote(object_id))
        response = client.get(change)
        if response.status_code != 200 or "adminform" not in response.context:
            continue
        _post_naming_b(walk, client, change, response, b_values)
    add = _url(model, "add")
    response = client.get(add)
    assert_nothing_of_b(walk, response, add)
    if response.status_code == 200:
        # Initial values from the query string, as "add another" and raw-id links pass them.
        url = f"{add}?{urlencode(b_values)}"
        assert_nothing_of_b(walk, client.get(url), url)
        _post_naming_b(walk, client, add, response, b_values)
    assert walk.b_state() == before


def _post_naming_b(walk: Walk, client: Client, url: str, response, b_values: dict[str, str]) -> None:
    """Post the form with every field that names a store-owned row set to one of B's: each is refused, and the
    page that says so names nothing of B."""
    form = response.context["adminform"].form
    fields = {name: value for name, value in b_values.items() if name in form.fields}
    data: dict[str, object] = dict(fields)
    inline_fields = []
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = formset.initial_form_count() + 1
        data[f"{formset.prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for inline_form in formset.initial_forms:
            data[f"{inline_form.prefix}-id"] = str(inline_form.instance.pk)
        extra = formset.initial_form_count()
        parent_link = getattr(getattr(formset, "fk", None), "name", None)
        for field in _scoped_fk_fields(formset.model):
            value = _b_value(walk, field)
            if value is not None and field.name in formset.empty_form.fields and field.name != parent_link:
                data[f"{formset.prefix}-{extra}-{field.name}"] = value
                inline_fields.append(field.name)
    if not fields and not inline_fields:
        return
    response = client.post(url, data)
    assert_nothing_of_b(walk, response, f"POST {url} {sorted(fields)} {inline_fields}")
    assert response.status_code in (200, 403), (url, response.status_code)
    if response.status_code == 200:
        errors = response.context["adminform"].form.errors
        assert set(fields) <= set(errors), f"{url} accepted store B's rows for {set(fields) - set(errors)}"


def _relations() -> list[tuple[type[models.Model], str]]:
    """Every relation of every installed model whose far side has an admin with a search box: the admin's
    autocomplete endpoint answers for each of them, registered as an autocomplete field or not."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not field.is_relation or field.related_model is None:
                continue
            remote = getattr(field.remote_field, "model", None)
            model_admin = admin.site._registry.get(remote)
            if model_admin is None or not model_admin.search_fields:
                continue
            try:
                model._meta.get_field(field.name)
            except FieldDoesNotExist:
                continue
            found.append((model, field.name))
    return found


RELATIONS = _relations()


def test_autocompletes_offer_nothing_of_store_b(walk: Walk):
    client = Client()
    client.force_login(walk.staff)
    answered = 0
    for model, field_name in RELATIONS:
        for term in ["", *walk.markers]:
            query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
                     "field_name": field_name, "term": term}
            url = f"/admin/autocomplete/?{urlencode(query)}"
            response = client.get(url)
            # A refusal is a page of the site, whose language switch carries the address (and so the term) back.
            assert_nothing_of_b(walk, response, url, echo=term if response.status_code != 200 else "")
            if response.status_code == 200 and not term:
                answered += bool(response.json()["results"])
    # The test can fail: store A's rows are offered.
    assert answered >= 5, answered


def test_autocomplete_relations_are_found():
    names = {(model._meta.label_lower, name) for model, name in RELATIONS}
    assert ("sellerops.membership", "user") in names
    assert ("fulfillment.inboundshipmentitem", "listing") in names
    assert ("metrics.alertrule", "owner") in names


def test_index_pages_show_nothing_of_store_b(walk: Walk):
    client = Client()
    client.force_login(walk.staff)
    urls = ["/admin/", "/admin/password_change/", "/admin/jsi18n/"]
    urls += sorted({reverse("admin:app_list", args=[model._meta.app_label]) for model, _ in REGISTRY})
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_nothing_of_b(walk, response, url)


def test_superuser_still_sees_store_b(walk: Walk):
    root = User.objects.create_superuser(username="root", password="pw", email="root@example.com")
    client = Client()
    client.force_login(root)
    response = client.get(_url(Store, "changelist"))
    assert walk.b.code in response.content.decode()
    order = walk.b.orders.first()
    assert client.get(_url(type(order), "change", order.pk)).status_code == 200
    response = client.get(f"/admin/autocomplete/?app_label=sellerops&model_name=membership&field_name=user"
                          f"&term={walk.staff.username[:3]}")
    assert response.status_code == 200
    assert client.get(_url(TokenProxy, "changelist")).status_code == 200


def test_view_on_site_leads_only_to_the_users_own_rows(walk: Walk, monkeypatch):
    """Django's shortcut fetches any row of any table and redirects to its page, naming it; ours answers 404
    for a row the user may not view. No model has a page of its own in the admin today, so one is given."""
    from orders.models import Order

    monkeypatch.setattr(Order, "get_absolute_url", lambda order: f"/orders/{order.amazon_order_id}/", raising=False)
    client = Client()
    client.force_login(walk.staff)
    content_type = ContentType.objects.get_for_model(Order)
    own, other = walk.a.orders.first(), walk.b.orders.first()
    response = client.get(reverse("admin:view_on_site", args=[content_type.pk, own.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/orders/{own.amazon_order_id}/")
    response = client.get(reverse("admin:view_on_site", args=[content_type.pk, other.pk]))
    assert response.status_code == 404
    assert other.amazon_order_id not in response.get("Location", "")
    # A table without an admin is not reached through it either, not even the user's own rows.
    from metrics.models import AlertRule

    monkeypatch.setattr(AlertRule, "get_absolute_url", lambda rule: f"/health/alerts/{rule.pk}/", raising=False)
    content_type = ContentType.objects.get_for_model(AlertRule)
    for rule in (AlertRule.objects.create(owner=walk.staff, store=walk.a, metric=MetricKey.ODR),
                 AlertRule.objects.get(store=walk.b)):
        assert client.get(reverse("admin:view_on_site", args=[content_type.pk, rule.pk])).status_code == 404


# --- accounts: scoping alone is not enough where an account reaches beyond the stores ---------------------------

def _user_form(user, **changes) -> dict[str, str]:
    joined = timezone.localtime(user.date_joined)
    return {"username": user.username, "first_name": "", "last_name": "", "email": user.email, "is_active": "on",
            "date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
            **changes}


def test_staff_cannot_grant_themself_privileges(walk: Walk):
    client = Client()
    client.force_login(walk.staff)
    permission = Permission.objects.get(codename="view_order")
    response = client.post(_url(User, "change", walk.staff.pk),
                           _user_form(walk.staff, first_name="Alpha", is_superuser="on",
                                      user_permissions=[str(permission.pk)]))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    walk.staff.refresh_from_db()
    assert walk.staff.first_name == "Alpha"  # the rest of the account is theirs to change
    assert not walk.staff.is_superuser
    assert walk.staff.user_permissions.count() == Permission.objects.count()


def test_an_account_that_also_belongs_to_another_store_is_only_viewed(walk: Walk):
    carol = User.objects.get(username="carol")
    client = Client()
    client.force_login(walk.staff)
    response = client.get(_url(User, "change", carol.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.get(_url(User, "password_change", carol.pk)).status_code == 403
    assert client.post(_url(User, "password_change", carol.pk),
                       {"password1": "taken-over-123", "password2": "taken-over-123"}).status_code == 403
    assert client.post(_url(User, "delete", carol.pk), {"post": "yes"}).status_code == 403
    carol.refresh_from_db()
    assert carol.check_password("correct horse battery staple")
    # A colleague of store A alone is the staff member's to manage.
    agent = User.objects.get(username="alpha-agent")
    assert client.get(_url(User, "password_change", agent.pk)).status_code == 200
    # New accounts belong to no store yet: a superuser creates them.
    assert client.get(_url(User, "add")).status_code == 403


def test_staff_see_and_issue_only_their_own_api_token(walk: Walk):
    client = Client()
    client.force_login(walk.staff)
    response = client.get(_url(TokenProxy, "changelist"))
    assert [token.user for token in response.context["cl"].result_list] == [walk.staff]
    colleague = User.objects.get(username="alpha-agent")
    response = client.get(_url(TokenProxy, "add"))
    assert list(response.context["adminform"].form.fields["user"].queryset) == [walk.staff]
    response = client.post(_url(TokenProxy, "add"), {"user": str(colleague.pk)})
    assert response.status_code == 200
    assert not Token.objects.filter(user=colleague).exists()
