"""The returns queue: order by time left, tabs, every action (and its refusals) in place, roles, scoping."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import OrderEvent, OrderStatus
from returns.models import Refund, ReturnRequest, ReturnStatus
from returns.selectors import return_reasons_by_sku
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
)

pytestmark = pytest.mark.django_db

URL = "/returns/"
HX = {"HX-Request": "true"}


def make_return(store, *, sku="RT-1", hours_ago=10.0, status=ReturnStatus.REQUESTED, in_policy=True,
                price=Decimal("40.00"), quantity=1, reason="DEFECTIVE", listing=None, **kwargs) -> ReturnRequest:
    now = timezone.now()
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED, purchase_date=now - timedelta(days=15))
    item = OrderItemFactory(order=order, sku=sku, quantity=quantity, quantity_shipped=quantity, item_price=price,
                            listing=listing)
    requested = now - timedelta(hours=hours_ago)
    responded = requested + timedelta(hours=1) if status != ReturnStatus.REQUESTED else None
    return ReturnRequestFactory(order=order, order_item=item, sku=sku, quantity=quantity, status=status,
                                in_policy=in_policy, requested_at=requested, responded_at=responded, reason=reason,
                                **kwargs)


def row_of(html: str, return_request: ReturnRequest) -> str:
    start = html.index(f'id="return-{return_request.pk}"')
    return html[start:html.index("</tr>", start)]


def post(client, return_request, action, data=None, *, htmx=True, query=""):
    url = f"/returns/{return_request.pk}/{action}/{query}"
    return client.post(url, data or {}, headers=HX if htmx else {})


# The queue ------------------------------------------------------------------------------------------------

def test_login_is_required(client):
    assert client.get(URL).status_code == 302


def test_the_queue_lists_unanswered_requests_by_time_left_overdue_first(op_client, store, other_store):
    fresh = make_return(store, sku="FRESH", hours_ago=2)
    overdue = make_return(store, sku="LATE", hours_ago=53)
    soon = make_return(store, sku="SOON", hours_ago=40)
    make_return(store, sku="DONE", status=ReturnStatus.AUTHORIZED)
    make_return(other_store, sku="ELSEWHERE")
    response = op_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'id="return-{r.pk}"') for r in (overdue, soon, fresh)]
    assert positions == sorted(positions)
    assert "overdue 5 h" in row_of(html, overdue) and "row-overdue" in html
    assert "in 7 h 59 m" in row_of(html, soon)
    assert "UTC\u22128" in row_of(html, fresh) or "UTC\u22127" in row_of(html, fresh)
    table = html[:html.index('id="reasons-by-sku"')]
    assert "DONE" not in table and "ELSEWHERE" not in html
    assert "1 request is past its 48-hour response time." in html
    assert 'data-tab="needs_response"' in html and "HX-Request" in response["Vary"]


def test_tabs_have_counts_and_hold_their_statuses(op_client, store):
    for status, n in [(ReturnStatus.REQUESTED, 2), (ReturnStatus.AUTHORIZED, 1), (ReturnStatus.RECEIVED, 3),
                      (ReturnStatus.REFUNDED, 1), (ReturnStatus.REJECTED, 1), (ReturnStatus.CLOSED, 1)]:
        for _ in range(n):
            make_return(store, status=status, sku=f"S-{status}")
    html = op_client.get(URL, {"tab": "to_refund"}, headers=HX).content.decode()
    assert html.lstrip().startswith('<div id="return-results"') and "<html" not in html
    for tab, count in [("needs_response", 2), ("authorized", 1), ("to_refund", 3), ("closed", 3), ("all", 9)]:
        chunk = html[html.index(f'data-tab="{tab}"'):]
        assert f'<span class="count">{count}</span>' in chunk[:chunk.index("</a>")]
    assert html.count('class="return-row') == 3 and "S-received" in html
    closed = op_client.get(URL, {"tab": "closed"}).content.decode()
    table = closed[:closed.index('id="reasons-by-sku"')]
    assert table.count('class="return-row') == 3
    for sku in ("S-refunded", "S-rejected", "S-closed"):
        assert f'"mono">{sku}<' in table


def test_tabs_pager_and_action_forms_keep_the_filters(op_client, store):
    for n in range(51):
        make_return(store, sku=f"RT-{n}", hours_ago=1 + n / 10)
    first = op_client.get(URL, {"q": "RT", "page": "1"}).content.decode()
    assert 'href="?q=RT&amp;tab=authorized" hx-get="?q=RT&amp;tab=authorized"' in first
    assert 'href="?q=RT&amp;page=2" hx-get="?q=RT&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
    second = op_client.get(URL, {"q": "RT", "page": "2"}, headers=HX).content.decode()
    assert second.count('class="return-row') == 1
    assert 'href="?q=RT" hx-get="?q=RT" rel="prev"' in second and 'rel="next"' not in second
    last = ReturnRequest.objects.get(sku="RT-0")  # the most time left: last in the queue
    action = f"/returns/{last.pk}/authorize/?q=RT&amp;page=2"
    assert f'action="{action}" hx-post="{action}"' in second
    first_in_line = ReturnRequest.objects.get(sku="RT-50")
    bare = op_client.get(URL).content.decode()
    action = f"/returns/{first_in_line.pk}/authorize/"
    assert f'action="{action}" hx-post="{action}"' in bare


def test_search_and_store_filter(op_client, store, operator, other_store):
    MembershipFactory(user=operator, store=other_store, role="operator")
    mine = make_return(store, sku="FIND-ME")
    make_return(store, sku="OTHER")
    german = make_return(other_store, sku="DE-SKU")
    html = op_client.get(URL, {"q": "find"}).content.decode()
    assert f'id="return-{mine.pk}"' in html and html.count('class="return-row') == 1
    html = op_client.get(URL, {"store": "OTHER-DE"}).content.decode()
    assert f'id="return-{german.pk}"' in html and html.count('class="return-row') == 1


@pytest.mark.parametrize("rows", [2, 25])
def test_the_queue_reads_a_bounded_number_of_queries(op_client, store, rows, django_assert_max_num_queries):
    for n in range(rows):
        make_return(store, sku=f"Q-{n % 7}", hours_ago=n)
        make_return(store, sku=f"Q-{n % 7}", status=ReturnStatus.REFUNDED)
    with django_assert_max_num_queries(12):
        response = op_client.get(URL, {"tab": "all"})
    assert response.content.decode().count('class="return-row') == 2 * rows


def test_reasons_by_sku_counts_each_reason_top_skus_first(op_client, store, operator):
    for reason, n in [("DEFECTIVE", 3), ("UNWANTED_ITEM", 1)]:
        for _ in range(n):
            make_return(store, sku="MAT-1", reason=reason, hours_ago=24 * 5)
    make_return(store, sku="BOTTLE", reason="TOO_SMALL")
    make_return(store, sku="OLD", reason="DEFECTIVE", hours_ago=24 * 61)
    summary = return_reasons_by_sku(user=operator, now=timezone.now())
    assert [(s.sku, s.total, s.seller_fault) for s in summary] == [("MAT-1", 4, 3), ("BOTTLE", 1, 0)]
    assert [(code, n, fault) for code, _label, n, fault in summary[0].reasons] == [
        ("DEFECTIVE", 3, True), ("UNWANTED_ITEM", 1, False)]
    html = op_client.get(URL).content.decode()
    panel = html[html.index('id="reasons-by-sku"'):]
    assert panel.index('data-sku="MAT-1"') < panel.index('data-sku="BOTTLE"')
    assert "Defective or does not work <b>3</b>" in panel and 'data-sku="OLD"' not in panel


# Actions --------------------------------------------------------------------------------------------------

def test_authorise_with_a_label_moves_the_return_to_the_authorised_tab(op_client, store, operator):
    return_request = make_return(store)
    response = post(op_client, return_request, "authorize", {"label_provided": "on"}, query="?tab=needs_response")
    assert response.status_code == 200
    html = response.content.decode()
    assert "authorised." in html and f'id="return-{return_request.pk}"' not in html
    chunk = html[html.index('data-tab="authorized"'):]
    assert '<span class="count">1</span>' in chunk[:chunk.index("</a>")]
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.AUTHORIZED and return_request.label_provided
    assert return_request.responded_at is not None
    assert OrderEvent.objects.filter(order=return_request.order, kind="return", actor=operator).exists()


def test_authorising_a_closed_return_is_refused_in_place(op_client, store):
    return_request = make_return(store, status=ReturnStatus.CLOSED, closed_at=timezone.now())
    response = post(op_client, return_request, "authorize", query="?tab=closed")
    assert response.status_code == 200
    row = row_of(response.content.decode(), return_request)
    assert 'role="alert"' in row and "cannot go from Closed to Authorised" in row
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.CLOSED


def test_rejecting_needs_a_reason(op_client, store):
    return_request = make_return(store, in_policy=False)
    response = post(op_client, return_request, "reject", {"reason": "  "})
    row = row_of(response.content.decode(), return_request)
    assert "Give a reason for rejecting the return." in row and "act-reject" in row and " open>" in row
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REQUESTED


def test_rejecting_in_policy_warns_and_asks_to_confirm(op_client, store):
    return_request = make_return(store, in_policy=True)
    page = op_client.get(URL).content.decode()
    assert "Rejecting it counts against the Return Dissatisfaction Rate" in row_of(page, return_request)
    refused = post(op_client, return_request, "reject", {"reason": "Used item"})
    row = row_of(refused.content.decode(), return_request)
    assert "Tick “Reject anyway” to confirm." in row and 'value="Used item"' in row
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REQUESTED
    done = post(op_client, return_request, "reject", {"reason": "Used item", "confirm": "on"}).content.decode()
    assert "rejected." in done and "counts against the Return Dissatisfaction Rate" in done
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REJECTED and return_request.rejected_reason == "Used item"


def test_rejecting_out_of_policy_needs_no_confirmation(op_client, store):
    return_request = make_return(store, in_policy=False)
    post(op_client, return_request, "reject", {"reason": "Returned after 90 days"})
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REJECTED


def test_receiving_sellable_units_puts_them_back_in_stock(op_client, store):
    listing = ListingFactory(store=store, sku="RT-1", quantity_available=4)
    return_request = make_return(store, status=ReturnStatus.AUTHORIZED, listing=listing, quantity=2)
    response = post(op_client, return_request, "receive", {"disposition": "sellable"}, query="?tab=authorized")
    assert "recorded." in response.content.decode()
    return_request.refresh_from_db()
    listing.refresh_from_db()
    assert return_request.status == ReturnStatus.RECEIVED and return_request.disposition == "sellable"
    assert listing.quantity_available == 6


def test_receiving_damaged_units_leaves_stock_alone(op_client, store):
    listing = ListingFactory(store=store, sku="RT-1", quantity_available=4)
    return_request = make_return(store, status=ReturnStatus.AUTHORIZED, listing=listing)
    post(op_client, return_request, "receive", {"disposition": "damaged"})
    listing.refresh_from_db()
    assert listing.quantity_available == 4
    return_request.refresh_from_db()
    assert return_request.disposition == "damaged"


def test_refund_in_full_then_refunding_again_is_refused(op_client, store):
    return_request = make_return(store, status=ReturnStatus.RECEIVED, received_at=timezone.now())
    response = post(op_client, return_request, "refund", {"kind": "full"}, query="?tab=to_refund")
    assert "Refund of RT-1" in response.content.decode()
    refund = Refund.objects.get(return_request=return_request)
    assert (refund.kind, refund.amount) == ("full", Decimal("40.00"))
    again = post(op_client, return_request, "refund", {"kind": "full"}, query="?tab=all")
    row = row_of(again.content.decode(), return_request)
    assert "already been refunded in full" in row
    assert Refund.objects.filter(return_request=return_request).count() == 1


def test_a_partial_refund_is_checked_by_the_service(op_client, store):
    return_request = make_return(store, status=ReturnStatus.RECEIVED, received_at=timezone.now())
    too_much = post(op_client, return_request, "refund", {"kind": "partial", "amount": "55.00"}, query="?tab=all")
    assert "more than the 40.00 left to refund" in row_of(too_much.content.decode(), return_request)
    missing = post(op_client, return_request, "refund", {"kind": "partial"}, query="?tab=all")
    assert "needs an amount" in row_of(missing.content.decode(), return_request)
    assert not Refund.objects.exists()
    post(op_client, return_request, "refund", {"kind": "partial", "amount": "12.50"})
    assert Refund.objects.get().amount == Decimal("12.50")
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REFUNDED


def test_offering_a_replacement_notes_it_on_the_order_and_closes(op_client, store, operator):
    return_request = make_return(store)
    post(op_client, return_request, "replace", {"note": "Sending a new one by Prime"})
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.CLOSED and return_request.responded_at is not None
    note = OrderEvent.objects.get(order=return_request.order, kind=OrderEvent.Kind.NOTE)
    assert note.note == "Replacement offered for RT-1 × 1: Sending a new one by Prime" and note.actor == operator
    assert not Refund.objects.exists()


def test_close(op_client, store):
    return_request = make_return(store, status=ReturnStatus.REFUNDED)
    post(op_client, return_request, "close", {"note": "done"})
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.CLOSED and return_request.closed_at is not None


def test_without_htmx_an_action_redirects_back_to_the_queue(op_client, store):
    return_request = make_return(store)
    response = post(op_client, return_request, "authorize", htmx=False, query="?tab=needs_response&q=RT")
    assert response.status_code == 302 and response["Location"] == "/returns/?tab=needs_response&q=RT"
    assert "authorised" in op_client.get(response["Location"]).content.decode()


def test_without_htmx_a_refusal_shows_the_page_with_the_error(op_client, store):
    return_request = make_return(store, status=ReturnStatus.CLOSED, closed_at=timezone.now())
    response = post(op_client, return_request, "close", htmx=False, query="?tab=closed")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and "cannot go from Closed to Closed" in row_of(html, return_request)


def test_another_stores_return_is_not_found(op_client, other_store):
    return_request = make_return(other_store)
    assert post(op_client, return_request, "authorize").status_code == 404
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REQUESTED


def test_an_unknown_action_is_not_found(op_client, store):
    assert post(op_client, make_return(store), "explode").status_code == 404


def test_an_agent_reads_the_queue_but_cannot_act(agent_client, store):
    return_request = make_return(store)
    html = agent_client.get(URL).content.decode()
    assert f'id="return-{return_request.pk}"' in html and "act-authorize" not in row_of(html, return_request)
    for action, data in [("authorize", {}), ("reject", {"reason": "x", "confirm": "on"}), ("close", {}),
                         ("refund", {"kind": "full"}), ("replace", {})]:
        assert post(agent_client, return_request, action, data).status_code == 403
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REQUESTED and not Refund.objects.exists()


def test_get_on_an_action_is_not_allowed(op_client, store):
    assert op_client.get(f"/returns/{make_return(store).pk}/authorize/").status_code == 405


# FBA returns: Amazon received them and handles them ------------------------------------------------------

def make_fba_return(store, *, sku="FBA-1", lpn="LPNRR000000009"):
    from returns.services import AmazonReturnFacts, return_record_fba

    now = timezone.now()
    order = OrderFactory(store=store, fulfillment_channel="AFN", status=OrderStatus.SHIPPED,
                         purchase_date=now - timedelta(days=10))
    OrderItemFactory(order=order, sku=sku, quantity=1, quantity_shipped=1, item_price=Decimal("30.00"))
    return return_record_fba(order=order, sku=sku, quantity=1, returned_at=now - timedelta(days=2),
                             reason="DEFECTIVE", amazon=AmazonReturnFacts(
                                 reason_code="DEFECTIVE", license_plate_number=lpn, fulfillment_center_id="PHX7",
                                 detailed_disposition="CUSTOMER_DAMAGED"))


def test_an_fba_return_waits_in_none_of_the_sellers_queues_and_has_a_tab_of_its_own(op_client, store):
    fba = make_fba_return(store)
    received = make_return(store, sku="MFN-RECEIVED", status=ReturnStatus.RECEIVED)

    to_refund = op_client.get(URL + "?tab=to_refund", headers=HX).content.decode()
    assert f'id="return-{received.pk}"' in to_refund and f'id="return-{fba.pk}"' not in to_refund
    for tab in ("needs_response", "authorized", "closed"):
        assert f'id="return-{fba.pk}"' not in op_client.get(f"{URL}?tab={tab}").content.decode()

    html = op_client.get(URL + "?tab=fba").content.decode()
    row = row_of(html, fba)
    assert f'id="return-{received.pk}"' not in html
    assert "LPNRR000000009" in row and "CUSTOMER_DAMAGED" in row and "PHX7" in row and 'data-channel="AFN"' in row
    assert "Amazon handles it" in row and "act-form" not in row
    chunk = html[html.index('data-tab="fba"'):]
    assert chunk[:chunk.index("</a>")].split('class="count">')[1].startswith("1<")
    assert f'id="return-{fba.pk}"' in op_client.get(URL + "?tab=all").content.decode()


def test_an_action_posted_on_an_fba_return_is_refused(op_client, store):
    fba = make_fba_return(store)

    response = post(op_client, fba, "refund", {"kind": "full"}, query="?tab=fba")

    assert response.status_code == 200 and "nothing to do here" in response.content.decode()
    fba.refresh_from_db()
    assert fba.status == ReturnStatus.RECEIVED and not Refund.objects.exists()
    assert post(op_client, fba, "close", htmx=False).status_code == 400


def test_returns_by_sku_count_fba_returns_apart(operator, store):
    make_fba_return(store, sku="KETTLE", lpn="LPN1")
    make_fba_return(store, sku="KETTLE", lpn="LPN2")
    make_return(store, sku="KETTLE")

    [kettle] = return_reasons_by_sku(user=operator)

    assert (kettle.total, kettle.fba) == (3, 2)


def test_every_field_of_the_inline_forms_has_a_label_not_only_a_placeholder(op_client, store):
    import re

    from returns.models import Disposition

    for status in (ReturnStatus.REQUESTED, ReturnStatus.AUTHORIZED, ReturnStatus.RECEIVED):
        make_return(store, status=status)
    html = op_client.get(URL, {"tab": "all"}).content.decode()
    forms = re.findall(r'<form method="post"[^>]*class="act-form">(.*?)</form>', html, re.S)
    assert forms
    for form in forms:
        assert "placeholder=" not in form
        # Every visible field sits inside a <label> (or the fieldset of its radios, whose labels wrap them).
        bare = re.sub(r"<label[^>]*>.*?</label>", "", form, flags=re.S)
        assert not re.search(r'<(input|select|textarea)(?![^>]*type="hidden")', bare), bare
    options = re.findall(r'<select name="disposition">(.*?)</select>', html, re.S)[0]
    assert re.findall(r'<option value="([^"]+)">', options) == [value for value, _label in Disposition.choices]
    assert re.findall(r'name="kind" value="([^"]+)"', html)[:2] == [value for value, _label in Refund.Kind.choices]
