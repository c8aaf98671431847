"""Score weights in the admin: every change audited with a reason, closed months frozen.

"Today" is 2026-11-10 (conftest): October can be closed, December is the first month new
weights may start in.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from deqing_hub import ranking
from deqing_hub.models import RankingSnapshot, ScoreFormula
from members.audit import AuditEvent

OCTOBER = dt.date(2026, 10, 1)
WEIGHTS = {
    "duty_week": "10",
    "duty_report": "5",
    "service_record": "2",
    "wish_fulfilled": "3",
    "wish_confirmed": "2",
    "activity": "3",
    "rating_star": "0.2",
    "meeting": "5",
}
ADD = reverse("admin:deqing_hub_scoreformula_add")
CHANGELIST = reverse("admin:deqing_hub_scoreformula_changelist")


def _admin_changes(formula: ScoreFormula) -> list[dict]:
    return [
        event.details
        for event in AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(formula.pk)
        ).order_by("pk")
    ]


@pytest.fixture
def centre(client, staff):
    client.force_login(staff)
    return client


def test_new_weights_need_a_reason_and_their_saving_is_audited(centre, town, staff):
    december = {**WEIGHTS, "duty_week": "20", "effective_from": "2026-12-01"}

    no_reason = centre.post(ADD, december)
    assert no_reason.status_code == 200
    assert "note" in no_reason.context["adminform"].form.errors
    assert not ScoreFormula.objects.filter(effective_from=dt.date(2026, 12, 1)).exists()

    assert centre.post(ADD, {**december, "note": "加大轮值权重"}).status_code == 302
    formula = ScoreFormula.objects.get(effective_from=dt.date(2026, 12, 1))
    (added,) = _admin_changes(formula)
    assert added["action"] == "add"
    assert Decimal(added["changes"]["duty_week"]["after"]) == Decimal("20")
    assert added["changes"]["note"]["after"] == "加大轮值权重"
    assert AuditEvent.objects.get(object_id=str(formula.pk)).user == staff


def test_a_future_formula_can_be_corrected_and_the_change_is_audited(centre, town):
    formula = ranking.save_formula(
        formula=ScoreFormula(effective_from=dt.date(2026, 12, 1), duty_week=Decimal("20")), by=None
    )
    change = reverse("admin:deqing_hub_scoreformula_change", args=[formula.pk])

    response = centre.post(
        change, {**WEIGHTS, "duty_week": "15", "effective_from": "2026-12-01", "note": "改为15"}
    )

    assert response.status_code == 302
    assert ScoreFormula.objects.get(pk=formula.pk).duty_week == Decimal("15")
    (changed,) = _admin_changes(formula)
    assert changed["action"] == "change"
    weights = changed["changes"]["duty_week"]
    assert (Decimal(weights["before"]), Decimal(weights["after"])) == (Decimal(20), Decimal(15))


def test_a_formula_in_force_is_view_only_and_never_deleted(centre, town, first_formula):
    change = reverse("admin:deqing_hub_scoreformula_change", args=[first_formula.pk])

    page = centre.get(change).content.decode()
    assert 'name="_save"' not in page and 'name="duty_week"' not in page
    edited = centre.post(change, {**WEIGHTS, "duty_week": "99", "effective_from": "2016-10-01"})
    assert edited.status_code == 403
    delete = reverse("admin:deqing_hub_scoreformula_delete", args=[first_formula.pk])
    assert centre.post(delete, {"post": "yes"}).status_code == 403
    # No bulk delete either: it would skip the per-formula check.
    assert "delete_selected" not in centre.get(CHANGELIST).content.decode()
    assert ScoreFormula.objects.get(pk=first_formula.pk).duty_week == Decimal("10")
    assert _admin_changes(first_formula) == []


def test_a_closed_month_stays_as_it_was_published(centre, town):
    snapshot, _created = ranking.close_month(month=OCTOBER)
    published = centre.get("/ranking/2026/10/?format=json").json()

    # Weights backdated into the closed month are refused ...
    backdated = centre.post(
        ADD, {**WEIGHTS, "duty_week": "50", "effective_from": "2026-10-01", "note": "追溯"}
    )
    assert backdated.status_code == 200
    assert "effective_from" in backdated.context["adminform"].form.errors
    # ... and weights from December on leave October's snapshot and page untouched.
    future = {**WEIGHTS, "duty_week": "50", "effective_from": "2026-12-01", "note": "下月起"}
    assert centre.post(ADD, future).status_code == 302

    frozen = RankingSnapshot.objects.get(pk=snapshot.pk)
    assert (frozen.payload, frozen.content_hash) == (snapshot.payload, snapshot.content_hash)
    assert frozen.hash_matches()
    assert centre.get("/ranking/2026/10/?format=json").json() == published


def test_dropping_a_future_formula_is_audited(centre, town):
    formula = ranking.save_formula(
        formula=ScoreFormula(effective_from=dt.date(2027, 1, 1), note="草稿"), by=None
    )
    delete = reverse("admin:deqing_hub_scoreformula_delete", args=[formula.pk])

    assert centre.post(delete, {"post": "yes"}).status_code == 302

    assert not ScoreFormula.objects.filter(pk=formula.pk).exists()
    (deleted,) = _admin_changes(formula)
    assert deleted["action"] == "delete"
    assert deleted["changes"]["effective_from"]["before"] == "2027-01-01"


def test_a_correction_without_a_new_reason_is_refused(centre, town):
    formula = ranking.save_formula(
        formula=ScoreFormula(
            effective_from=dt.date(2026, 12, 1), duty_week=Decimal("20"), note="加大轮值权重"
        ),
        by=None,
    )
    change = reverse("admin:deqing_hub_scoreformula_change", args=[formula.pk])
    same_note = {**WEIGHTS, "duty_week": "15", "effective_from": "2026-12-01"}

    response = centre.post(change, {**same_note, "note": "加大轮值权重"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["note"] == ["请写明本次修改的原因。"]
    assert ScoreFormula.objects.get(pk=formula.pk).duty_week == Decimal("20")
    assert _admin_changes(formula) == []
