"""services.demo.seed: the article's catalogue, activities and 160+ records; twice = once."""

from __future__ import annotations

import pytest

from members import demo as members_demo
from points import demo as points_demo
from points.models import Entry
from rota import demo as rota_demo
from services import demo
from services.models import Activity, Attendance, Category, Service, ServiceRecord, SignUp

pytestmark = pytest.mark.django_db


def _counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (Category, Service, ServiceRecord, Activity, SignUp, Attendance, Entry)
    )


def test_alone_it_seeds_the_catalogue_only():
    demo.seed()
    assert Service.objects.count() == len(demo.CATALOGUE)
    assert not ServiceRecord.objects.exists()
    assert not Activity.objects.exists()


def test_after_the_lower_apps_it_reproduces_the_article_and_twice_changes_nothing():
    members_demo.seed()
    rota_demo.seed()
    points_demo.seed()

    demo.seed()
    first = _counts()
    demo.seed()

    assert _counts() == first
    assert Category.objects.count() == 6
    assert ServiceRecord.objects.count() >= 160
    assert (
        ServiceRecord.objects.filter(duty_week__isnull=False).values("duty_week").distinct().count()
        == 34
    )
    # Every record's organisation provides the service it recorded.
    for record in ServiceRecord.objects.select_related("service", "organisation"):
        assert record.service.providers.filter(pk=record.organisation_id).exists()
    titles = set(Activity.objects.values_list("title", flat=True))
    assert {
        "青年联谊会（第一场）",
        "青年联谊会（第二场）",
        "青年联谊会（第三场）",
        "小镇服务日",
    } <= titles
    assert any("人才沙龙" in t for t in titles) and any("红色论坛" in t for t in titles)
    mixers = Activity.objects.filter(title__startswith="青年联谊会")
    assert {a.organisation.short_name for a in mixers} == {"团县委", "晨曦社工"}
    assert Attendance.objects.filter(points_awarded__gt=0).exists()
    assert SignUp.objects.filter(status=SignUp.Status.WAITING).exists()
