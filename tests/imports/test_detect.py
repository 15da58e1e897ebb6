"""Which report is this? Every kind is listed with its Seller Central name, and a file's kind is recognised
from its header: the kind whose required columns are all there and which reads the most of the file's columns.
A kind added to ``KINDS`` joins the list, the help and the detection with no other change."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from imports.detect import ReportNotRecognised, detect_kind, kind_matches
from imports.engine import KINDS
from imports.models import ImportJob
from imports.parsers import Column, head_lines
from tests.factories import StoreFactory

from .conftest import FILES, sample

pytestmark = pytest.mark.django_db
URL = "/imports/"


def header_of(name: str, marketplace: str = "US") -> list[list[str]]:
    return head_lines(io.BytesIO(sample(name)), marketplace=marketplace)


@pytest.mark.parametrize(("name", "marketplace", "kind"), [
    ("all_orders_us.txt", "US", "all_orders"),
    ("all_orders_bom_reordered.txt", "US", "all_orders"),
    ("all_orders_de_cp1252.txt", "DE", "all_orders"),
    ("all_orders_jp_sjis.txt", "JP", "all_orders"),
    ("real/all_orders_UK_EU_2025.txt", "UK", "all_orders"),
    ("real/all_orders_US_empty_crlf.txt", "US", "all_orders"),
    ("unshipped_orders.txt", "US", "unshipped_orders"),
    ("real/unshipped_orders_US_2025_redacted.txt", "US", "unshipped_orders"),
    ("real/new_orders_US_amazon_doc_example.tsv", "US", "unshipped_orders"),
    ("ship_confirm.txt", "US", "ship_confirm"),
    ("real/ship_confirm_template_JP_cp932.txt", "JP", "ship_confirm"),
    ("real/ship_confirm_template_DE_labels_cp1252.txt", "DE", "ship_confirm"),
    ("feedback.txt", "US", "feedback"),
    ("returns.txt", "US", "returns"),
    ("real/returns_US_current_header_constructed.txt", "US", "returns"),
    ("real/returns_UK_old_layout_constructed.txt", "UK", "returns"),
])
def test_every_sample_is_recognised_as_its_report(name, marketplace, kind):
    assert detect_kind(header_of(name, marketplace), KINDS) == kind


def test_an_all_orders_report_fits_the_unshipped_columns_too_but_all_orders_reads_more_of_it():
    matches = {m.kind: m for m in kind_matches(header_of("real/all_orders_UK_EU_2025.txt", "UK"), KINDS)}
    assert matches["all_orders"].fits and matches["unshipped_orders"].fits
    assert matches["all_orders"].found > matches["unshipped_orders"].found


def test_a_header_no_report_fits_is_an_error_naming_every_report_and_what_it_lacks():
    with pytest.raises(ReportNotRecognised) as error:
        detect_kind([["sku", "asin", "price", "quantity"]], KINDS)
    message = error.value.message
    for module in KINDS.values():
        assert str(module.SELLER_CENTRAL_NAME) in message
    assert "Seller Fulfilled Returns (Return Reports) needs Order ID, Return request date, Return quantity" in message


def _kind(name: str, *columns: Column) -> SimpleNamespace:
    return SimpleNamespace(SELLER_CENTRAL_NAME=gettext_lazy(name), COLUMNS=list(columns))


def test_a_header_two_reports_fit_equally_well_is_an_error_naming_both():
    kinds = {"a": _kind("Report A", Column("order_id", "order-id", required=True), Column("sku", "sku")),
             "b": _kind("Report B", Column("order_id", "order-id", required=True), Column("qty", "quantity"))}
    with pytest.raises(ReportNotRecognised, match="Report A and Report B equally well"):
        detect_kind([["order-id", "sku", "quantity"]], kinds)
    assert detect_kind([["order-id", "sku"]], kinds) == "a"


FBA_RETURNS = _kind("FBA customer returns (Fulfillment › Customer Returns)",
                    Column("returned_at", "return-date", required=True), Column("order_id", "order-id", required=True),
                    Column("sku", "sku", required=True), Column("fnsku", "fnsku", required=True),
                    Column("disposition", "detailed-disposition", required=True))
FBA_RETURNS_FILE = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
                    "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n")


def test_a_kind_added_to_kinds_is_listed_named_and_recognised(monkeypatch, client, operator, store, capsys):
    monkeypatch.setitem(KINDS, "fba_returns", FBA_RETURNS)

    assert detect_kind([FBA_RETURNS_FILE.rstrip("\n").split("\t")], KINDS) == "fba_returns"
    client.force_login(operator)
    assert "FBA customer returns (Fulfillment › Customer Returns)" in client.get(URL).content.decode()
    with pytest.raises(SystemExit):
        call_command("import_report", "--help")
    assert "fba_returns        FBA customer returns (Fulfillment › Customer Returns)" in capsys.readouterr().out


# --- The upload page ---


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_upload_page_offers_detection_first_and_every_report_by_its_seller_central_name(client, operator):
    client.force_login(operator)
    html = client.get(URL).content.decode()

    assert '<option value="" selected>Detect from the file</option>' in html
    for module in KINDS.values():
        assert f">{module.SELLER_CENTRAL_NAME}</option>" in html


def test_a_file_uploaded_without_a_report_chosen_is_imported_as_the_report_it_is(
        client, operator, store, django_capture_on_commit_callbacks):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"store": store.code, "kind": "",
                                     "file": SimpleUploadedFile("orders.txt", sample("all_orders_us.txt"))})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.kind, job.status, job.created_count) == ("all_orders", "done", 4)


def test_a_japanese_template_is_recognised_below_its_preamble(client, django_capture_on_commit_callbacks):
    from tests.factories import MembershipFactory, UserFactory

    store = StoreFactory(code="SHOP-JP", marketplace="JP")
    user = UserFactory(username="jp-op")
    MembershipFactory(user=user, store=store, role="operator")
    client.force_login(user)
    response = client.post(URL, {"store": store.code, "file": SimpleUploadedFile(
        "Flat.File.ShippingConfirm.jp.txt", sample("real/ship_confirm_template_JP_cp932.txt"))})

    assert response.status_code == 302 and ImportJob.objects.get().kind == "ship_confirm"


def test_a_file_no_report_fits_is_refused_at_the_report_field_and_no_job_is_made(client, operator, store):
    client.force_login(operator)
    response = client.post(URL, {"store": store.code, "kind": "", "file": SimpleUploadedFile(
        "listings.txt", b"sku\tasin\tprice\tquantity\nBOTTLE-750\tB0BOTTLE01\t12.99\t4\n")})

    assert response.status_code == 400
    assert "could not be recognised from its header" in response.context["form"].errors["kind"][0]
    assert ImportJob.objects.count() == 0


# --- The command ---


def test_the_command_lists_every_report_by_its_seller_central_name(capsys):
    with pytest.raises(SystemExit):
        call_command("import_report", "--help")
    out = capsys.readouterr().out
    for kind, module in KINDS.items():
        assert f"{kind:<18} {module.SELLER_CENTRAL_NAME}" in out


def test_the_command_detects_the_report(store, capsys):
    call_command("import_report", "detect", str(FILES / "all_orders_us.txt"), "--store", store.code)
    out = capsys.readouterr().out
    assert "all_orders_us.txt: recognised as All Orders (Order Reports › All Orders)." in out
    assert "created: 4" in out
