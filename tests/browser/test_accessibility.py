"""Every main page checked by axe-core in real Chromium, in English and in Chinese: no violation of WCAG 2.0/2.1
level A or AA. axe is not part of the site: the test injects the vendored copy (static/vendor/axe.min.js) into
each page it opens. The pages are those of ``test_every_page_fits.PAGES``, filled as the demo fills them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.security.conftest import world_b  # noqa: F401  (the fixture: one of everything in store B)

from .conftest import ARTIFACTS
from .test_every_page_fits import PAGES, PASSWORD, crowded, log_in, page_url  # noqa: F401  (crowded: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Screenshots of the pages whose details these checks made us change, at a desktop's width, in both languages.
SCREENSHOTS = {"orders:list": "queue", "metrics:health": "health", "metrics:trend": "trend",
               "returns:list": "returns", "support:thread": "inbox", "orders:detail": "order"}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n')[1]),
    count: v.nodes.length,
  }));
}"""


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG_A_AA)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_main_page_passes_axe_at_wcag_2_1_aa(chromium, live_server, crowded, language):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1280, "height": 860}, bypass_csp=True,
                                   locale="zh-CN" if language == "zh-hans" else "en-US", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    failures: list[str] = []
    try:
        login = context.new_page()
        login.goto(f"{live_server.url}/accounts/login/")
        failures += [f"login: {v['id']} ({v['impact']}) {v['help']}: {v['nodes']}" for v in axe_violations(login)]
        login.close()
        page, _problem = log_in(context, live_server, crowded, language)
        ARTIFACTS.mkdir(exist_ok=True)
        for name, query in PAGES:
            url = page_url(crowded, name, query)
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            for v in axe_violations(page):
                failures.append(f"{url}: {v['id']} ({v['impact']}, {v['count']}×) {v['help']}: {v['nodes']}")
            if name in SCREENSHOTS and not query.startswith("?ids"):
                page.screenshot(path=str(ARTIFACTS / f"a11y-{SCREENSHOTS[name]}-{language}.png"), full_page=True)
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_single_key_shortcuts_can_be_turned_off_and_stay_off(page, live_server, crowded):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", crowded.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")
    page.keyboard.press("j")
    assert page.locator("tr.order-row.is-focused").count() == 1
    assert page.locator("tr.order-row.is-focused").get_attribute("aria-current") == "true"
    assert page.locator("tr.order-row[aria-selected]").count() == 0
    page.keyboard.press("?")
    toggle = page.locator("#kbd-help [data-kbd-toggle]")
    assert toggle.is_checked()
    toggle.uncheck()
    page.click("#kbd-help form[method=dialog] button")
    page.reload()
    page.keyboard.press("j")
    page.keyboard.press("?")
    assert page.locator("tr.order-row.is-focused").count() == 0
    assert not page.locator("#kbd-help").evaluate("(dialog) => dialog.open")
    assert page.locator("[data-kbd-off]").is_visible() and not page.locator("[data-kbd-hint]").is_visible()
    # The button still opens the help, where they are turned on again.
    page.click("[data-kbd-off]")
    page.locator("#kbd-help [data-kbd-toggle]").check()
    page.click("#kbd-help form[method=dialog] button")
    page.keyboard.press("j")
    assert page.locator("tr.order-row.is-focused").count() == 1
