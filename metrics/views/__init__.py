"""Account-health pages: the dashboard of every store's metrics and the drill-down to the rows behind them,
breaches with their root cause, alert rules and notifications.

Each view serves its full page and, for htmx requests, only the named partial.
"""

from .alerts import (
    alert_delete_view,
    alert_edit_view,
    alert_list_view,
    notification_read_view,
    notifications_read_all_view,
    notifications_view,
)
from .breaches import breach_detail_view, breach_list_view, breach_plan_view
from .dashboard import health_poll_view, health_view
from .drilldown import drilldown_view
from .trend import trend_view

__all__ = [
    "alert_delete_view", "alert_edit_view", "alert_list_view", "breach_detail_view", "breach_list_view",
    "breach_plan_view", "drilldown_view", "health_poll_view", "health_view", "notification_read_view",
    "notifications_read_all_view", "notifications_view", "trend_view",
]
