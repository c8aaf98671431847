"""Score weights: shown on the page, changed by staff from a future month on, never retroactive."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from deqing_hub import ranking
from deqing_hub.models import ScoreFormula
from rota.models import DutyWeek
from tests.ranking.conftest import SHANGHAI, duty_week, make_org

OCTOBER = dt.date(2026, 10, 1)


def test_weights_are_on_the_page(client, town):
    html = client.get("/ranking/2026/10/").content.decode()
    assert "成员单位如何计分" in html
    for label in ("已轮值周数", "获得评价星数", "参加交流会"):
        assert label in html
    assert "0.20" in html and "10.00" in html


def test_new_weights_must_start_in_a_future_month(town, staff):
    for start in (dt.date(2026, 11, 1), dt.date(2026, 10, 1), dt.date(2016, 10, 1)):
        with pytest.raises(ValidationError) as exc:
            ranking.save_formula(formula=ScoreFormula(effective_from=start), by=staff)
        assert "effective_from" in exc.value.message_dict
    with pytest.raises(ValidationError):
        ranking.save_formula(formula=ScoreFormula(effective_from=dt.date(2026, 12, 15)), by=staff)


def test_a_formula_in_force_is_never_edited(town, staff):
    formula = ScoreFormula.objects.get(effective_from=dt.date(2016, 10, 1))
    formula.duty_week = Decimal("99")
    with pytest.raises(ValidationError) as exc:
        ranking.save_formula(formula=formula, by=staff)
    assert exc.value.code == "in_force"
    assert ScoreFormula.objects.get(pk=formula.pk).duty_week == Decimal("10")


def test_future_weights_apply_from_their_month_only(town, staff):
    ranking.save_formula(
        formula=ScoreFormula(effective_from=dt.date(2026, 12, 1), duty_week=Decimal("20")),
        by=staff,
    )
    october = ranking.compute_month(OCTOBER)
    assert october["organisations"][0]["score"] == "20.00"  # still 10 per duty week

    with time_machine.travel(dt.datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI), tick=False):
        duty_week(make_org("十二月单位"), dt.date(2026, 12, 7), DutyWeek.Status.CONFIRMED)
        december = ranking.compute_month(dt.date(2026, 12, 1))
        assert december["formula"]["weights"]["duty_week"] == "20.00"
        assert december["organisations"][0]["score"] == "20.00"
        again = ranking.compute_month(OCTOBER)["organisations"]
        scores = {o["name"]: o["score"] for o in again if o["name"] != "十二月单位"}
        assert scores == {o["name"]: o["score"] for o in october["organisations"]}


def test_staff_add_future_weights_in_the_admin(client, town, staff):
    client.force_login(staff)
    url = reverse("admin:deqing_hub_scoreformula_add")
    fields = {
        "duty_week": "12",
        "duty_report": "5",
        "service_record": "2",
        "wish_fulfilled": "3",
        "wish_confirmed": "2",
        "activity": "3",
        "rating_star": "0.2",
        "meeting": "5",
        "note": "加大轮值权重",
    }
    past = client.post(url, {**fields, "effective_from": "2026-11-01"})
    assert past.status_code == 200
    assert "新权重只能从未来的月份开始" in past.content.decode()

    future = client.post(url, {**fields, "effective_from": "2027-01-01"})
    assert future.status_code == 302
    saved = ScoreFormula.objects.get(effective_from=dt.date(2027, 1, 1))
    assert saved.duty_week == Decimal("12") and saved.created_by == staff

    in_force = ScoreFormula.objects.get(effective_from=dt.date(2016, 10, 1))
    page = client.get(reverse("admin:deqing_hub_scoreformula_change", args=[in_force.pk]))
    assert page.status_code == 200
    assert 'name="duty_week"' not in page.content.decode()  # read-only once in force
