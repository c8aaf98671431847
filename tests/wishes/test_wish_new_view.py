"""The submission form /wishes/new/: log-in, consent, anti-spam, photos, nothing half-saved."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from tests.photo_uploads import PHP
from tests.wishes.conftest import gps_exif, image_bytes, jpeg_upload, upload
from wishes import antispam
from wishes.models import Wish, WishEvent, WishPhoto

URL = "/wishes/new/"


@pytest.fixture
def post_wish(client, member_user, category):
    client.force_login(member_user)

    def post(photos=(), started=None, c=None, **overrides):
        data = {
            "title": "希望开通通勤公交",
            "text": "每天上下班没有公交，希望开通到城区的线路。",
            "category": category.pk,
            "consent": "on",
            "website": "",
            "started": started or antispam.new_fill_token(time.time() - 60),
        }
        data.update(overrides)
        if photos:
            data["photos"] = list(photos)
        return (c or client).post(URL, data)

    return post


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_form_shows_the_consent_notice_and_a_signed_start_time(client, member_user, category):
    client.force_login(member_user)
    response = client.get(reverse("wishes:wish_new"))
    assert response.status_code == 200
    assert "公开" in response.content.decode()  # the consent text in Chinese
    token = response.context["form"].initial["started"]
    assert antispam.seconds_since(token) < 5


def test_a_wish_with_photos_is_saved_waiting_for_verification(post_wish, member_user, tmp_path):
    gps = image_bytes("JPEG", size=(60, 30), exif=gps_exif().tobytes())
    response = post_wish(photos=[upload("../../x.jpg", gps), jpeg_upload("b.jpg")])
    wish = Wish.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wishes:wish_detail", args=[wish.pk])
    assert wish.status == Wish.Status.SUBMITTED and wish.wisher == member_user
    photos = list(wish.photos.all())
    assert len(photos) == 2
    for photo in photos:
        assert ".." not in photo.image.name and photo.image.name.startswith("wishes/photos/")
        with Image.open(photo.image.path) as stored:
            assert dict(stored.getexif()) == {}
    assert WishEvent.objects.filter(wish=wish, kind="submitted").count() == 1


@pytest.mark.parametrize(
    ("overrides", "photos", "message"),
    [
        ({"text": "愿" * 501}, [], "500"),
        ({"title": ""}, [], "请为您的心愿写一个简短的标题"),
        ({}, [jpeg_upload(f"p{i}.jpg") for i in range(4)], "您选择了 4 张"),
        ({}, [upload("shell.jpg", b"<?php echo 1; ?>")], "shell.jpg"),
        (
            {},
            [upload("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")],
            "logo.svg",
        ),
        ({}, [upload("anim.jpg", image_bytes("GIF"))], "anim.jpg"),
        ({}, [upload("cut.jpg", image_bytes("JPEG", size=(300, 200))[:600])], "cut.jpg"),
        ({"consent": ""}, [], "请先同意"),
    ],
    ids=[
        "text-over-500",
        "empty-title",
        "4-photos",
        "php",
        "svg",
        "gif",
        "truncated",
        "no-consent",
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    post_wish, overrides, photos, message
):
    response = post_wish(photos=photos, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Wish.objects.exists() and not WishPhoto.objects.exists()


def camera_jpeg() -> bytes:
    """A real camera-like JPEG: a gradient (not one flat colour), EXIF and a comment."""
    img = Image.linear_gradient("L").resize((320, 240)).convert("RGB")
    buffer = io.BytesIO()
    exif = gps_exif().tobytes()
    img.save(buffer, format="JPEG", quality=95, exif=exif, comment=b"camera-original")
    return buffer.getvalue()


# A "motion photo" as Samsung, Xiaomi and Google phones write it: the video follows the JPEG.
MOTION_PHOTO_VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


@pytest.mark.parametrize(
    ("trailer", "marker"),
    [(PHP, b"<?php"), (MOTION_PHOTO_VIDEO, b"ftypmp42")],
    ids=["php-payload", "motion-photo-video"],
)
def test_a_jpeg_with_bytes_after_its_end_is_accepted_and_stored_as_a_fresh_encode(
    post_wish, trailer, marker
):
    # Given a real JPEG followed by other bytes: a PHP script, or a phone's motion-photo video
    original = camera_jpeg()
    assert original.endswith(b"\xff\xd9") and marker not in original
    # When it is posted through the wish form
    response = post_wish(photos=[upload("IMG_20260301.jpg", original + trailer)])
    # Then the wish is accepted: ordinary phone photos carry such trailers (README, images.py)
    assert response.status_code == 302
    photo = WishPhoto.objects.get()
    for field in (photo.image, photo.thumbnail):
        stored = Path(field.path).read_bytes()
        # it decodes as a JPEG,
        with Image.open(io.BytesIO(stored)) as img:
            img.load()
            assert img.format == "JPEG"
        # it is a new encoding, not the uploaded bytes cut short: the comment and EXIF are gone,
        assert stored != original and not original.startswith(stored)
        assert b"camera-original" not in stored and b"PhoneMaker" not in stored
        # and nothing follows its end-of-image marker; the trailer is nowhere in it.
        assert stored.endswith(b"\xff\xd9")
        assert marker not in stored and b"<?php" not in stored
    assert "IMG_20260301" not in photo.image.name  # the stored name is generated


def test_a_re_rendered_form_keeps_the_typed_text_and_names_the_photos_to_choose_again(post_wish):
    response = post_wish(
        photos=[jpeg_upload("good.jpg"), upload("bad.jpg", image_bytes("GIF"))],
        title="",
        text="我的心愿：<b>保留</b>",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "我的心愿：&lt;b&gt;保留&lt;/b&gt;" in page
    assert response.context["photos_to_choose_again"] == ["good.jpg", "bad.jpg"]
    assert "请重新选择这些照片" in page
    assert "<li>good.jpg</li>" in page and "<li>bad.jpg</li>" in page


def test_script_tags_are_shown_escaped_on_the_wish_page(post_wish, client, staff, db):
    post_wish(title="<script>alert(1)</script>", text="<script>alert('x')</script>")
    wish = Wish.objects.get()
    from wishes.actions import verify_wish

    verify_wish(wish=wish, by=staff)
    for url in (reverse("wishes:wish_detail", args=[wish.pk]), reverse("wishes:wish_list")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_honeypot_refuses_the_post(post_wish):
    response = post_wish(website="http://spam.example")
    assert response.status_code == 400
    assert "自动填写" in response.content.decode()
    assert not Wish.objects.exists()


def test_a_form_sent_too_fast_is_refused_and_can_be_sent_again_later(post_wish):
    token = antispam.new_fill_token(time.time())
    response = post_wish(started=token)
    assert response.status_code == 400
    assert "太快" in response.content.decode()
    assert not Wish.objects.exists()
    later = antispam.new_fill_token(time.time() - 10)
    assert post_wish(started=later).status_code == 302


def test_a_forged_start_time_is_refused(post_wish):
    response = post_wish(started="12345:forged")
    assert response.status_code == 400
    assert not Wish.objects.exists()


def test_rate_limit_per_user(post_wish, settings):
    settings.WISHES_RATE_PER_USER_HOUR = 2
    assert post_wish().status_code == 302
    assert post_wish().status_code == 302
    response = post_wish(title="第三个", photos=[jpeg_upload("再选.jpg")])
    assert response.status_code == 429
    assert "请一小时后再试" in response.content.decode()
    assert "第三个" in response.content.decode()  # what was typed is kept
    assert response.context["photos_to_choose_again"] == ["再选.jpg"]
    assert Wish.objects.count() == 2


def test_rate_limit_per_ip_counts_the_trusted_proxy_header(settings, post_wish, public_user):
    from django.test import Client

    settings.TRUSTED_PROXY_IP_HEADER = "X-Real-IP"
    settings.WISHES_RATE_PER_IP_HOUR = 2
    settings.WISHES_RATE_PER_USER_HOUR = 100
    other = Client(HTTP_X_REAL_IP="203.0.113.9")
    other.force_login(public_user)
    first = Client(HTTP_X_REAL_IP="203.0.113.9")
    first.force_login(public_user)
    assert post_wish(c=first).status_code == 302
    assert post_wish(c=other).status_code == 302
    assert post_wish(c=other).status_code == 429
    # Another address (same REMOTE_ADDR, a different proxied client) is not blocked.
    third = Client(HTTP_X_REAL_IP="203.0.113.10")
    third.force_login(public_user)
    assert post_wish(c=third).status_code == 302


def test_a_spoofed_forwarded_header_is_ignored_without_a_trusted_proxy(
    settings, post_wish, public_user
):
    from django.test import Client

    settings.TRUSTED_PROXY_IP_HEADER = ""
    settings.WISHES_RATE_PER_IP_HOUR = 1
    settings.WISHES_RATE_PER_USER_HOUR = 100
    a = Client(HTTP_X_REAL_IP="198.51.100.1")
    a.force_login(public_user)
    b = Client(HTTP_X_REAL_IP="198.51.100.2")
    b.force_login(public_user)
    assert post_wish(c=a).status_code == 302
    assert post_wish(c=b).status_code == 429  # same socket address 127.0.0.1


def test_english_messages_when_english_is_chosen(post_wish, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_wish(title="")
    assert response.status_code == 400
    assert "Please give your wish a short title." in response.content.decode()


@pytest.mark.redis
def test_rate_limit_counters_live_in_the_shared_redis(redis_url, post_wish, member_user):
    """Several gunicorn instances share the limits only if the counters are in Redis."""
    import redis

    assert post_wish().status_code == 302
    client = redis.Redis.from_url(redis_url)
    keys = [k.decode() for k in client.keys("*wishes:rate:*")]
    assert any(f"wishes:rate:user:{member_user.pk}:" in k for k in keys)
    assert any("wishes:rate:ip:127.0.0.1:" in k for k in keys)
