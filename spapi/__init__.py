"""Amazon Selling Partner API: per-store credentials, the order sync and the daily seller-performance report.

``client`` builds the ``python-amazon-sp-api`` clients for one store, ``sync`` maps Orders API v0 JSON onto
``orders.services`` and pulls what changed, ``performance`` fetches and keeps the account-health report.
"""
