"""Support's deadlines: how long a buyer message may wait for an answer, and an A-to-z claim for a response.

Other apps (the account-health metrics among them) read the deadline from here; this module imports nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: Amazon expects an answer to a buyer within 24 hours, weekends included; a reply at exactly 24 h is on time.
RESPONSE_DEADLINE = timedelta(hours=24)

#: Amazon gives the seller 72 hours from its notice of an A-to-z Guarantee claim to respond.
CLAIM_RESPONSE_DEADLINE = timedelta(hours=72)
#: Less time left than this to respond to a claim and its people are alerted (once per claim).
CLAIM_ALERT_BEFORE = timedelta(hours=24)


def claim_respond_by(filed_at: datetime, given: datetime | None = None) -> datetime:
    """A claim's respond-by time: the one Amazon's notice, the API or a person gave, else the 72 hours' end."""
    return given if given is not None else filed_at + CLAIM_RESPONSE_DEADLINE
