from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from orders.models import Order
from tests.factories import StoreFactory

from .conftest import FILES

pytestmark = pytest.mark.django_db


def test_command_prints_the_summary(store, capsys):
    call_command("import_report", "all_orders", str(FILES / "all_orders_us.txt"), "--store", store.code)
    out = capsys.readouterr().out
    assert "5 rows (utf-8) into ACME-US" in out
    assert "created: 4  updated: 0  skipped: 0" in out
    assert "ignored columns:" in out and "signature-confirmation-recommended" in out
    assert Order.objects.count() == 4

    call_command("import_report", "all_orders", str(FILES / "all_orders_us.txt"), "--store", store.code)
    assert "created: 0  updated: 0  skipped: 4" in capsys.readouterr().out


def test_command_exits_non_zero_and_names_line_and_column(store, capsys):
    with pytest.raises(CommandError) as raised:
        call_command("import_report", "all_orders", str(FILES / "bad_all_orders_date.txt"), "--store", store.code)
    assert raised.value.returncode == 1
    assert "nothing was imported" in str(raised.value)
    assert "error: line 3, column purchase-date:" in capsys.readouterr().err
    assert Order.objects.count() == 0


def test_command_encoding_option(capsys):
    store = StoreFactory(code="SHOP-JP", marketplace="JP")
    with pytest.raises(CommandError):
        call_command("import_report", "all_orders", str(FILES / "all_orders_jp_sjis.txt"), "--store", store.code,
                     "--encoding", "utf-8")
    assert "not valid UTF-8" in capsys.readouterr().err
    call_command("import_report", "all_orders", str(FILES / "all_orders_jp_sjis.txt"), "--store", store.code,
                 "--encoding", "shift_jis")
    assert "(cp932)" in capsys.readouterr().out


def test_command_unknown_store_and_file(store, tmp_path):
    with pytest.raises(CommandError, match="No store"):
        call_command("import_report", "feedback", str(FILES / "feedback.txt"), "--store", "NOPE")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_report", "feedback", str(tmp_path / "missing.txt"), "--store", store.code)

