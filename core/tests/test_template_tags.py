"""Dates on pages read naturally in each language and in the viewer's timezone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from core.templatetags.sellerops_tags import choice_label, when
from orders.models import Order, OrderStatus

INSTANT = datetime(2026, 11, 25, 3, 56, tzinfo=UTC)


def test_when_in_english_and_chinese_in_the_viewer_timezone():
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        assert when(INSTANT) == "Nov 25, 11:56"
        assert when(INSTANT, "year") == "Nov 25, 2026 11:56"
        with translation.override("zh-hans"):
            assert when(INSTANT) == "11月25日 11:56"
            assert when(INSTANT, "date") == "2026年11月25日"
    assert when(None) == ""


def test_choice_label_is_the_display_value_in_the_active_language():
    order = Order(status=OrderStatus.UNSHIPPED)
    assert choice_label(order, "status") == order.get_status_display() == "Unshipped"
    with translation.override("zh-hans"):
        assert choice_label(order, "status") == order.get_status_display() == "未发货"
    order.status = "SomethingNew"
    assert choice_label(order, "status") == order.get_status_display() == "SomethingNew"
