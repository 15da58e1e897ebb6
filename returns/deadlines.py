"""The returns deadlines: how long a return request may wait for the seller's response.

Other apps (the account-health metrics among them) read the deadline from here; this module imports nothing.
"""

from __future__ import annotations

from datetime import timedelta

#: Amazon expects a response to a return request (authorise, reject, refund or close) within 48 hours; a
#: response at exactly 48 h is on time (Return Dissatisfaction Rate).
RESPONSE_DEADLINE = timedelta(hours=48)
