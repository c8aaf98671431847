"""A visitor on a phone and on a desktop reads the ranking and subscribes to the rota.

At 390x844 and 1366x768: no table is wider than the screen unless it can be scrolled and says
so; rank, name and score stay on screen; axe-core finds no serious or critical violation on
any page visited. Screenshots go to the test's tmp_path. Runs on any date (the clock sweep):
the data are dated from the portal's "today".
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from deqing_hub import ranking
from members import periods
from members.models import Branch
from rota.models import DutyWeek
from tests.axe import assert_accessible
from tests.ranking.conftest import award, make_member
from tests.rota.conftest import make_org, make_week

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": (390, 844), "desktop": (1366, 768)}

# Per table: wider than the screen? and if so, can it scroll, is it focusable, is a hint shown?
TABLES = """() => [...document.querySelectorAll('table')].map(t => {
  const wrap = t.closest('.table-wrap');
  const hint = wrap && wrap.nextElementSibling;
  return {
    wide: t.scrollWidth > window.innerWidth || t.getBoundingClientRect().right > window.innerWidth,
    scrolls: !!wrap && getComputedStyle(wrap).overflowX === 'auto'
      && wrap.scrollWidth > wrap.clientWidth,
    focusable: !!wrap && wrap.getAttribute('tabindex') === '0',
    hinted: !!hint && hint.classList.contains('scroll-hint') && !hint.hidden,
    label: wrap ? wrap.getAttribute('aria-label') : t.outerHTML.slice(0, 60),
  };
})"""
# Within the screen sideways (ON_SCREEN) and, for this week's row, also top to bottom (IN_VIEW).
ON_SCREEN = (
    "el => { const r = el.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; }"
)
IN_VIEW = (
    "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
)


@pytest.fixture(autouse=True)
def _async_unsafe(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def town(db):
    """Last month's points, published; this week's duty and its neighbours."""
    today = timezone.localdate()
    ended = periods.previous_month(periods.current_month(today))
    branch = Branch.objects.create(name="地信产业园联合支部", kind=Branch.Kind.JOINT)
    names = ("王小明", "李四海", "张三丰", "陈七星", "赵六合", "孙九龄")
    for i, name in enumerate(names):
        member = make_member(name, branch, consent=i != 1)
        award(
            member,
            5 + i,
            dt.datetime.combine(ended, dt.time(12), tzinfo=timezone.get_current_timezone()),
        )
    orgs = [make_org(f"德清县第{i}志愿服务联合会", contacts=False) for i in range(1, 9)]
    monday = today - dt.timedelta(days=today.weekday())
    for i, org in enumerate(orgs):
        make_week(org, monday + dt.timedelta(weeks=i - 4), status=DutyWeek.Status.PLANNED)
    ranking.refresh_member_totals(month=ended)
    ranking.close_month(month=ended)
    return {"ended": ended, "monday": monday, "orgs": orgs}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, phone):
    if request.param == "phone":
        yield phone
        return
    width, height = SCREENS["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _check(page, shots, name: str) -> None:
    """No table wider than the screen without a visible way to scroll; axe; a screenshot."""
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        "the page scrolls sideways"
    )
    for table in page.evaluate(TABLES):
        if table["wide"]:
            assert table["scrolls"] and table["focusable"] and table["hinted"], table
    assert_accessible(page)


def test_visitor_reads_the_ranking_and_subscribes_to_the_rota(live_server, town, screen, tmp_path):
    page = screen
    ended = town["ended"]
    running = periods.current_month()

    # The ranking opens on the month that ended.
    page.goto(f"{live_server.url}/ranking/")
    assert f"{ended.year}年{ended.month}月月度排名" in page.locator("h1").inner_text()
    _check(page, tmp_path, "ranking")
    first = page.locator("section.card").nth(0).locator("tbody tr").first
    for role in ("rank", "name", "score"):
        cell = first.locator(f"td.cell-{role}")
        assert cell.is_visible() and cell.evaluate(ON_SCREEN), role
    volunteer = page.locator("#volunteers tbody tr").first
    assert volunteer.locator("td.cell-name").inner_text() == "孙*龄"  # 10 points, the most

    # The running month is one tap away, marked in progress.
    link = page.locator(".running-month a")
    assert "进行中" in link.inner_text()
    link.click()
    page.wait_for_url(f"**/ranking/{running.year}/{running.month}/")
    assert page.locator("h1 .badge-running").inner_text() == "进行中"
    _check(page, tmp_path, "ranking-running")

    # The year of the month that ended, at a glance: its months a tap each.
    page.goto(f"{live_server.url}/ranking/{ended.year}/")
    assert page.locator("ol.month-strip li").count() == 12
    assert (
        page.locator(f"ol.month-strip a[href='/ranking/{ended.year}/{ended.month}/']").count() == 1
    )
    _check(page, tmp_path, "ranking-year")

    # The rota opens at this week and says how to subscribe.
    page.goto(f"{live_server.url}/rota/")
    current = page.locator('tr[aria-current="date"]')
    assert current.get_attribute("id") == f"week-{town['monday']:%Y-%m-%d}"
    assert current.is_visible(), "this week's row is missing"
    assert current.evaluate(IN_VIEW), "this week is not in view when the page opens"
    assert page.get_by_role("link", name="跳到本周").count() == 1
    subscribe = page.locator("#subscribe a[href^='webcal://']")
    assert subscribe.get_attribute("href").endswith("/rota/feed.ics")
    page.locator("#subscribe summary").click()
    for text in ("iPhone / iPad", "安卓手机", "Outlook"):
        assert page.locator("#subscribe dt", has_text=text).is_visible()
    _check(page, tmp_path, "rota")
    assert getattr(page, "js_errors", []) == []
