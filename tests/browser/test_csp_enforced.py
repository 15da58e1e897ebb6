"""The pages work in real Chromium under the enforced Content-Security-Policy: no violation, htmx still runs."""

from __future__ import annotations

import pytest

from tests.security.conftest import StoreBWorld, world_b  # noqa: F401  (the fixture: store B and its admin)

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_pages_raise_no_csp_violation(chromium, live_server, world_b: StoreBWorld):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", world_b.user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].btn-primary")
        page.wait_for_url(f"{live_server.url}/orders/")
        # htmx is loaded and allowed to work: typing in the filter asks for the partial.
        with page.expect_response(lambda r: "q=Brav" in r.url and r.request.headers.get("hx-request") == "true"):
            page.fill("input[name=q]", "Brav")
        w = world_b
        for path in [f"/orders/{w.order.amazon_order_id}/", "/returns/", "/listings/", f"/listings/{w.listing.pk}/",
                     "/fulfillment/", f"/fulfillment/inbound/{w.inbound.pk}/", "/health/", "/health/breaches/",
                     f"/health/breaches/{w.breach.pk}/", "/health/alerts/", "/health/notifications/", "/inbox/",
                     f"/inbox/{w.thread.pk}/", "/inbox/claims/", "/inbox/feedback/", "/imports/",
                     f"/imports/{w.import_job.pk}/", "/accounts/preferences/", "/api/docs/"]:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
        page.wait_for_selector("#swagger-ui .information-container")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs-under-csp.png"))
    finally:
        context.close()
    assert not problems, "\n".join(problems)
