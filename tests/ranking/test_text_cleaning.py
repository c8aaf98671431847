"""Bidi control characters in the ranking's texts are never stored (members/text.py).

Given staff stating the reason for new score weights with U+202E (which shows it reversed),
when it goes through the admin, then the formula and its audit record keep it clean; a reason
of nothing but controls is refused.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from deqing_hub.models import ScoreFormula
from members.audit import AuditEvent
from tests.ranking.test_formula_admin import WEIGHTS

RLO, PDF, LRM = "\u202e", "\u202c", "\u200e"


def test_the_reason_for_new_weights_is_stored_and_audited_clean(client, staff, today):
    client.force_login(staff)
    add = reverse("admin:deqing_hub_scoreformula_add")
    december = {**WEIGHTS, "duty_week": "20", "effective_from": "2026-12-01"}

    refused = client.post(add, {**december, "note": f"{RLO}{LRM}"})
    assert "note" in refused.context["adminform"].form.errors

    assert client.post(add, {**december, "note": f"加大{RLO}重权值轮{PDF}"}).status_code == 302
    formula = ScoreFormula.objects.get(effective_from=dt.date(2026, 12, 1))
    assert formula.note == "加大重权值轮"
    audited = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(formula.pk))
    assert audited.details["changes"]["note"]["after"] == "加大重权值轮"
