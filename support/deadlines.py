"""Support's deadlines: how long a buyer message may wait for an answer.

Other apps (the account-health metrics among them) read the deadline from here; this module imports nothing.
"""

from __future__ import annotations

from datetime import timedelta

#: Amazon expects an answer to a buyer within 24 hours, weekends included; a reply at exactly 24 h is on time.
RESPONSE_DEADLINE = timedelta(hours=24)
