"""Every public page, as a visitor sees it on a phone and on a laptop, with the demo data.

axe-core finds no serious or critical violation, the page never scrolls sideways, and a table
wider than its box sits in a scroller a keyboard can reach (a labelled, focusable region), so
on a 390 px screen nothing is cut off without a visible way to reach it.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/ranking/",
    "/covenant/",
    "/figures/enterprises/",
    "/figures/redeemed/",
    "/rota/",
    "/services/",
    "/activities/",
    "/activities/?past=1",
    "/wishes/",
    "/wishes/?status=granted",
    "/accounts/login/",
    "/accounts/signup/",
]
# Each list's first item, so the detail pages are walked too.
FIRST_DETAIL = {
    "/services/": "main .card h2 a",
    "/activities/?past=1": "main .card h2 a",
    "/wishes/": "main .card a[href^='/wishes/']",
}

# Tables that do not fit must be inside a scroller: an element with overflow-x auto/scroll
# that takes keyboard focus and has an accessible name.
UNREACHABLE_TABLES = """() => [...document.querySelectorAll('main table')].filter(table => {
    const box = table.parentElement;
    if (table.scrollWidth <= box.clientWidth + 1) return false;
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
        const overflow = getComputedStyle(el).overflowX;
        if ((overflow === 'auto' || overflow === 'scroll') && el.tabIndex >= 0
            && (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))) return false;
    }
    return true;
}).map(table => table.outerHTML.slice(0, 120))"""


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def _walk(page, base_url: str, tmp_path, size: str) -> None:
    for path in PUBLIC_PAGES:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        _check(page, path, tmp_path, size)
        if path in FIRST_DETAIL:
            href = page.locator(FIRST_DETAIL[path]).first.get_attribute("href")
            assert page.goto(base_url + href).status == 200, href
            _check(page, href, tmp_path, size)


def _check(page, path: str, tmp_path, size: str) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"{path} scrolls sideways"
    )
    assert page.evaluate(UNREACHABLE_TABLES) == [], f"{path}: a table is cut off"
    assert_accessible(page)
    name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"
    page.screenshot(path=str(tmp_path / f"{name}-{size}.png"), full_page=True)


def test_every_public_page_on_a_phone(live_server, phone, demo, tmp_path):
    _walk(phone, live_server.url, tmp_path, "390")
    assert phone.js_errors == [], "\n".join(phone.js_errors)


def test_every_public_page_on_a_laptop(live_server, browser, demo, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _walk(page, live_server.url, tmp_path, "1366")
    finally:
        context.close()
    assert errors == [], "\n".join(errors)
