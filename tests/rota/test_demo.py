"""The demo data reproduces the article's alliance and is idempotent."""

from __future__ import annotations

from django.db.models import Sum

from rota import demo
from rota.models import DutyReport, DutyWeek, ExchangeMeeting, MonthlyTheme, Organisation


def snapshot() -> tuple:
    return (
        list(Organisation.objects.values_list("pk", "name", "duty_contact_id")),
        list(
            DutyWeek.objects.values_list(
                "pk", "week_start", "organisation_id", "status", "updated_at"
            )
        ),
        list(DutyReport.objects.values_list("pk", "services_delivered")),
        list(MonthlyTheme.objects.values_list("pk", "title")),
        list(ExchangeMeeting.objects.values_list("pk", "year", "quarter")),
    )


def test_seed_builds_the_alliance_of_49_and_34_past_weeks(db):
    demo.seed()
    kinds = {k: Organisation.objects.filter(kind=k).count() for k in Organisation.Kind.values}
    assert kinds == {"bureau": 18, "social": 30, "centre": 1}
    assert (
        Organisation.objects.filter(
            short_name__in=["团县委", "县运管局", "县人力社保局", "晨曦社工"]
        ).count()
        == 4
    )
    assert DutyWeek.objects.filter(status="done").count() == 34
    assert DutyReport.objects.aggregate(total=Sum("services_delivered"))["total"] >= 160
    assert MonthlyTheme.objects.count() == 12
    assert ExchangeMeeting.objects.count() == 8
    assert DutyWeek.objects.filter(status="planned").exists()
    assert all(o.duty_contact_id and o.backup_contact_id for o in Organisation.objects.all())


def test_seed_twice_changes_nothing(db):
    demo.seed()
    before = snapshot()
    demo.seed()
    assert snapshot() == before
