"""The FBA customer returns report: units buyers sent back to Amazon's warehouses land as received returns of the
orders Amazon fulfilled, with Amazon's disposition and license plate number. No real file was found: the one here
is constructed on the real shipments file's orders (see files/real/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from imports.kinds import fba_returns
from imports.models import ImportJob
from imports.services import KINDS, import_file
from metrics.engine import rdr_rows
from metrics.windows import window
from returns.models import Disposition, ReturnReason, ReturnRequest, ReturnStatus
from returns.selectors import return_reasons_by_sku

from .conftest import FILES, db_state, sample

pytestmark = pytest.mark.django_db

SHIPMENTS = "real/amazon_fulfilled_shipments_US.txt"
RETURNS = "real/fba_customer_returns_US_CONSTRUCTED.txt"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def run(store, kind: str, data: bytes, **kwargs):
    return import_file(store=store, kind=kind, data=data, **kwargs)


def imported(store, kind: str, data: bytes, **kwargs):
    result = run(store, kind, data, **kwargs)
    assert result.errors == [], result.errors
    return result


@pytest.fixture
def fba_orders(store):
    """The orders of the real shipments file, which the constructed returns file returns units of."""
    imported(store, "afn_shipments", sample(SHIPMENTS))


def test_fba_customer_returns_land_received_with_amazons_disposition_and_license_plate(store, fba_orders, op_client):
    result = imported(store, "fba_returns", sample(RETURNS))

    assert (result.total_rows, result.created) == (3, 3)
    rows = sorted(ReturnRequest.objects.values_list(
        "order__amazon_order_id", "sku", "quantity", "status", "fulfillment_channel", "reason", "reason_code",
        "disposition", "detailed_disposition", "license_plate_number", "fnsku", "fulfillment_center_id",
        "requested_at", "received_at", "buyer_comment"))
    assert rows == [
        ("100-3590565-0113041", "XD-41TE-U8PF", 1, ReturnStatus.RECEIVED, "AFN", ReturnReason.NO_LONGER_NEEDED,
         "UNWANTED_ITEM", Disposition.SELLABLE, "SELLABLE", "LPNRR0000000001", "X002EXAMP1", "CMH1",
         at("2020-12-28T09:41:07+00:00"), at("2020-12-28T09:41:07+00:00"), ""),
        ("101-4340462-1457012", "XD-41TE-U8PF", 1, ReturnStatus.RECEIVED, "AFN", ReturnReason.TOO_SMALL,
         "APPAREL_TOO_SMALL", Disposition.SELLABLE, "SELLABLE", "", "X002EXAMP1", "MDW7",
         at("2021-01-06T11:20:00+00:00"), at("2021-01-06T11:20:00+00:00"), ""),
        ("102-7910932-2381033", "XD-41TE-U8PF", 1, ReturnStatus.RECEIVED, "AFN", ReturnReason.DEFECTIVE,
         "DEFECTIVE", Disposition.DAMAGED, "CUSTOMER_DAMAGED", "LPNRR0000000002", "X002EXAMP1", "PHX6",
         at("2021-01-04T16:02:55+00:00"), at("2021-01-04T16:02:55+00:00"), "The lid was cracked when it arrived"),
    ]

    html = op_client.get(reverse("orders:detail", args=["102-7910932-2381033"])).content.decode()
    assert "LPNRR0000000002" in html and "CUSTOMER_DAMAGED" in html and 'data-channel="AFN"' in html

    before = db_state(), ReturnRequest.objects.values_list("pk", flat=True).count()
    again = imported(store, "fba_returns", sample(RETURNS))
    assert (again.created, again.skipped) == (0, 3)
    assert (db_state(), ReturnRequest.objects.count()) == before


def test_fba_returns_wait_in_no_queue_of_the_seller_and_show_with_their_channel(store, fba_orders, operator,
                                                                              op_client):
    imported(store, "fba_returns", sample(RETURNS))
    fba = ReturnRequest.objects.get(license_plate_number="LPNRR0000000001")
    url = reverse("returns:list")

    for tab in ("needs_response", "authorized", "to_refund", "closed"):
        assert "LPNRR0000000001" not in op_client.get(f"{url}?tab={tab}").content.decode(), tab
    html = op_client.get(f"{url}?tab=fba").content.decode()
    assert "LPNRR0000000001" in html and "CUSTOMER_DAMAGED" in html and "Amazon handles it" in html
    assert f'id="return-{fba.pk}"' in html and 'data-tab="fba"' in html
    # Returns by SKU count them, Amazon's apart.
    [by_sku] = return_reasons_by_sku(user=operator, now=at("2021-01-10T00:00:00+00:00"))
    assert (by_sku.sku, by_sku.total, by_sku.fba, by_sku.seller_fault) == ("XD-41TE-U8PF", 3, 3, 1)
    # No seller action is offered, nor taken when posted anyway.
    response = op_client.post(reverse("returns:action", args=[fba.pk, "refund"]), {"kind": "full"})
    assert response.status_code == 400 and not fba.refunds.exists()
    fba.refresh_from_db()
    assert fba.status == ReturnStatus.RECEIVED
    # Amazon handles them: none is in the Return Dissatisfaction Rate.
    as_of = at("2021-02-01T00:00:00+00:00")
    assert rdr_rows(store, as_of, window(as_of=as_of, tz=store.tz, days=60, lag=0)).rows.count() == 0


def test_a_return_of_an_order_not_held_names_the_report_to_import_first(store):
    result = run(store, "fba_returns", sample(RETURNS))

    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "order-id"), (3, "order-id"), (4, "order-id")]
    assert "Amazon-fulfilled shipments report" in result.errors[0]["message"]
    assert "100-3590565-0113041" in result.errors[0]["message"]
    assert ReturnRequest.objects.count() == 0


def test_a_bad_fba_return_line_refuses_the_file_and_writes_nothing(store, fba_orders):
    lines = sample(RETURNS).decode().split("\r\n")
    cells = lines[2].split("\t")
    cells[6] = "2"  # quantity: two units of an order that shipped one
    lines[2] = "\t".join(cells)
    cells = lines[3].split("\t")
    cells[0] = "06-01-2021 11:20"
    lines[3] = "\t".join(cells)

    result = run(store, "fba_returns", "\r\n".join(lines).encode())

    assert [(e["line"], e["column"]) for e in result.errors] == [(4, "return-date")]
    lines[3] = sample(RETURNS).decode().split("\r\n")[3]
    result = run(store, "fba_returns", "\r\n".join(lines).encode())
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "quantity")]
    assert "cannot be returned" in result.errors[0]["message"]
    assert ReturnRequest.objects.count() == 0


def test_the_kind_is_offered_with_seller_centrals_name(op_client):
    assert KINDS["fba_returns"] is fba_returns and "fba_returns" in ImportJob.Kind.values
    assert str(fba_returns.LABEL) and "›" in str(fba_returns.SELLER_CENTRAL_NAME)
    assert 'value="fba_returns"' in op_client.get(reverse("imports:list")).content.decode()


def test_the_command_imports_the_returns_report(store, capsys):
    call_command("import_report", "afn_shipments", str(FILES / SHIPMENTS), "--store", store.code)
    call_command("import_report", "fba_returns", str(FILES / RETURNS), "--store", store.code)

    assert "created: 3" in capsys.readouterr().out
    assert ReturnRequest.objects.filter(fulfillment_channel="AFN").count() == 3
