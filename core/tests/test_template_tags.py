"""Dates on pages read naturally in each language and in the viewer's timezone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from core.models import Store
from core.templatetags.sellerops_tags import choice_label, when
from orders.models import Order, OrderStatus

INSTANT = datetime(2026, 11, 25, 3, 56, tzinfo=UTC)


def test_when_in_english_and_chinese_in_the_viewer_timezone_with_its_offset():
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        assert when(INSTANT) == "Nov 25, 11:56 UTC+8"
        assert when(INSTANT, "year") == "Nov 25, 2026 11:56 UTC+8"
        with translation.override("zh-hans"):
            assert when(INSTANT) == "11月25日 11:56 UTC+8"
            assert when(INSTANT, "date") == "2026年11月25日"
    assert when(None) == ""


def test_when_a_store_is_given_the_time_is_the_stores_never_an_ambiguous_abbreviation():
    us, jp, india = (Store(code="US", timezone="America/Los_Angeles"), Store(code="JP", timezone="Asia/Tokyo"),
                     Store(code="IN", timezone="Asia/Kolkata"))
    with timezone.override(ZoneInfo("Asia/Shanghai")):  # the viewer's zone does not matter
        assert when(INSTANT, us) == "Nov 24, 19:56 UTC\u22128"
        assert when(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), us) == "Jul 1, 05:00 UTC\u22127"
        assert when(INSTANT, jp) == "Nov 25, 12:56 UTC+9"
        assert when(INSTANT, india) == "Nov 25, 09:26 UTC+5:30"
    assert when(INSTANT, Store(code="UTC", timezone="UTC")) == "Nov 25, 03:56 UTC"


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="Unknown time style"):
        when(INSTANT, "long")


def test_choice_label_is_the_display_value_in_the_active_language():
    order = Order(status=OrderStatus.UNSHIPPED)
    assert choice_label(order, "status") == order.get_status_display() == "Unshipped"
    with translation.override("zh-hans"):
        assert choice_label(order, "status") == order.get_status_display() == "未发货"
    order.status = "SomethingNew"
    assert choice_label(order, "status") == order.get_status_display() == "SomethingNew"
