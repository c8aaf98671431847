"""A visitor opens a home figure and lands on its public list, then the covenant page, on a
phone and on a laptop (axe-core on every page visited)."""

from __future__ import annotations

import pytest

from members.models import Enterprise
from tests.axe import assert_accessible
from tests.dashboard.test_home import make_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit_figure(page, base_url: str) -> None:
    page.goto(base_url + "/")
    assert_accessible(page)
    figure = page.locator('[data-figure="enterprises"]')
    assert figure.locator(".stat-value").inner_text() == "3"

    with page.expect_navigation():
        figure.locator(".stat-value").click()
    assert page.url.endswith("/figures/enterprises/")
    assert page.locator("h1").inner_text() == "企业"
    assert page.locator(".figure-row").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)

    with page.expect_navigation():
        page.locator('.chip[data-kind="gis"]').click()
    assert page.url.endswith("/figures/enterprises/?kind=gis")
    assert page.locator(".figure-total").inner_text() == "共 3 项，其中 2 项"
    assert page.locator(".figure-row-title").all_inner_texts() == ["企业1", "企业2"]
    assert_accessible(page)

    page.goto(base_url + "/wishes/?status=granted")
    assert_accessible(page)

    page.goto(base_url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="按单位查看践约情况").click()
    assert page.url.endswith("/covenant/")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)


@pytest.fixture
def enterprises(db):
    make_enterprise(1, Enterprise.Industry.GEOINFORMATION)
    make_enterprise(2, Enterprise.Industry.GEOINFORMATION)
    make_enterprise(3, Enterprise.Industry.FINANCE_BACK_OFFICE)


def test_a_visitor_opens_a_home_figure_on_a_phone(live_server, phone, enterprises):
    _visit_figure(phone, live_server.url)
    assert phone.js_errors == [], "\n".join(phone.js_errors)


def test_a_visitor_opens_a_home_figure_on_a_laptop(live_server, browser, enterprises):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        _visit_figure(context.new_page(), live_server.url)
    finally:
        context.close()
