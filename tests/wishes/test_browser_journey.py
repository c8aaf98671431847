"""A member on a phone in WeChat's browser posts a wish with a photo (Debian's Chromium)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from PIL import Image

from tests.wishes.conftest import gps_exif, image_bytes
from wishes.models import Wish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_a_member_posts_a_wish_with_a_photo_on_a_phone(
    live_server,
    phone,
    member_user,
    category,
    settings,
    tmp_path,
):
    settings.WISHES_MIN_FILL_SECONDS = 1
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(300, 200), exif=gps_exif(6).tobytes()))
    page = phone
    log_in(page, live_server, member_user)

    page.goto(live_server.url + "/wishes/new/")
    assert page.locator("h1").inner_text() == "发布微心愿"
    honeypot = page.locator("#id_website").bounding_box()
    assert honeypot["x"] + honeypot["width"] < 0  # out of sight, still in the form
    page.fill("#id_title", "通勤公交")
    page.fill("#id_text", "希望开通到高铁站的公交。<script>alert(1)</script>")
    page.select_option("#id_category", str(category.pk))
    page.set_input_files("#id_photos", str(photo))
    page.check("#id_consent")
    page.wait_for_timeout(1200)
    with page.expect_navigation():
        page.get_by_role("button", name="发布心愿").click()

    assert "中心核实后" in page.locator(".messages").inner_text()
    assert "<script>alert(1)</script>" in page.locator(".wish-text").first.inner_text()
    wish = Wish.objects.get()
    with Image.open(wish.photos.get().image.path) as stored:
        assert dict(stored.getexif()) == {} and stored.size == (200, 300)
    assert page.js_errors == [], "\n".join(page.js_errors)


def test_a_wisher_changes_a_wish_sent_back_on_a_phone(
    live_server, phone, member_user, make_wish, staff, tmp_path
):
    from tests.axe import assert_accessible
    from wishes import actions

    wish = make_wish(Wish.Status.SUBMITTED, text="希望开通公交，电话13812345678。")
    actions.ask_for_changes(wish=wish, by=staff, note="请删去心愿中的手机号码")
    page = phone
    log_in(page, live_server, member_user)

    page.goto(f"{live_server.url}/wishes/{wish.pk}/")
    assert "请删去心愿中的手机号码" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="修改并重新提交").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "修改心愿"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "wish-edit-390.png"), full_page=True)
    page.fill("#id_text", "希望开通到高铁站的公交。")
    with page.expect_navigation():
        page.get_by_role("button", name="重新提交心愿").click()

    assert "重新核实" in page.locator(".messages").inner_text()
    wish.refresh_from_db()
    assert (wish.status, wish.text) == (Wish.Status.SUBMITTED, "希望开通到高铁站的公交。")
    assert page.js_errors == [], "\n".join(page.js_errors)
