"""Account-health pages: the dashboard of every store's metrics and the drill-down to the rows behind them.

Each view serves its full page and, for htmx requests, only the named partial.
"""

from .dashboard import health_view
from .drilldown import drilldown_view

__all__ = ["drilldown_view", "health_view"]
