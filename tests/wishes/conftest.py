"""Fixtures of the wish-wall tests: personas, organisations, wishes in each state, real images."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import make_user
from tests.factories import CategoryFactory, OrganisationFactory
from tests.photo_uploads import gps_exif, image_bytes, upload  # noqa: F401 - used by tests
from wishes import actions
from wishes.models import Wish


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Argon2 is slow on purpose; these tests log in through force_login only."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Start each test in Chinese: a request of an earlier test may leave English active."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Run Celery tasks in-process even when REDIS_URL is set (the real task code, no worker)."""
    from deqing_hub.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def category(db):
    return CategoryFactory(code="volunteer")


@pytest.fixture
def alliance_contact(db):
    return make_user(
        email="contact@bureau.cn", phone="13600000001", last_name="李", first_name="华"
    )


@pytest.fixture
def other_contact(db):
    return make_user(
        email="contact@chenxi.cn", phone="13600000002", last_name="陈", first_name="晨"
    )


@pytest.fixture
def organisation(alliance_contact):
    return OrganisationFactory(
        name="德清县道路运输管理局",
        short_name="县运管局",
        kind="bureau",
        duty_contact=alliance_contact,
    )


@pytest.fixture
def other_organisation(other_contact):
    return OrganisationFactory(
        name="德清县晨曦社会工作服务中心",
        short_name="晨曦社工",
        kind="social",
        backup_contact=other_contact,
    )


def future(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def make_wish(member_user, category, staff, organisation, alliance_contact):
    """Build a wish and move it through the real actions up to `status`."""

    def build(
        status: str = Wish.Status.SUBMITTED, *, wisher=None, title="通勤班车", **extra
    ) -> Wish:
        wish = actions.submit_wish(
            wisher=wisher or member_user,
            title=title,
            text=extra.pop("text", "希望开通小镇到城区和高铁站的公交线路。"),
            category=category,
            show_name=extra.pop("show_name", False),
        )
        if status == Wish.Status.SUBMITTED:
            return wish
        if status == Wish.Status.REJECTED:
            return actions.reject_wish(wish=wish, by=staff, reason="重复提交")
        if status == Wish.Status.WITHDRAWN:
            return actions.withdraw_wish(wish=wish, by=wish.wisher)
        wish = actions.verify_wish(wish=wish, by=staff)
        if status == Wish.Status.PUBLISHED:
            return wish
        actions.claim_wish(
            wish=wish, organisation=organisation, by=alliance_contact, promised_on=future()
        )
        wish.refresh_from_db()
        if status == Wish.Status.CLAIMED:
            return wish
        actions.post_update(
            wish=wish, organisation=organisation, by=alliance_contact, text="已与公交公司对接"
        )
        wish.refresh_from_db()
        if status == Wish.Status.IN_PROGRESS:
            return wish
        wish = actions.fulfil_wish(
            wish=wish, organisation=organisation, by=alliance_contact, evidence="121路公交已开通"
        )
        if status == Wish.Status.FULFILLED:
            return wish
        return actions.confirm_wish(wish=wish, by=wish.wisher)

    return build


# --- real image files, made with Pillow (the makers are shared with the other apps' tests) ----
def jpeg_upload(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    return upload(name, image_bytes("JPEG", **kwargs))
