"""Only members who consented appear by (masked) name: in HTML, JSON and xlsx, open or closed."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from deqing_hub import ranking
from members.masking import mask_name
from members.models import Member

OCTOBER = dt.date(2026, 10, 1)
URL = "/ranking/2026/10/"


def outputs(client) -> dict[str, str]:
    html = client.get(URL).content.decode()
    data = client.get(f"{URL}?format=json").content.decode()
    book = load_workbook(io.BytesIO(client.get(f"{URL}?format=xlsx").content), read_only=True)
    cells = " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    return {"html": html, "json": data, "xlsx": cells}


def names_of(member: Member) -> list[str]:
    """Every form in which a member's name could leak: full, masked, family name + given."""
    return [member.name, mask_name(member.name), member.name[1:]]


@pytest.fixture(params=["open", "closed"])
def month_state(request, town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        if request.param == "closed":
            ranking.close_month(month=OCTOBER)
        else:
            ranking.refresh_member_totals(month=OCTOBER)
    return town


def test_member_without_consent_is_counted_not_named(client, month_state):
    li = month_state["members"]["li"]  # 李四海: 15 points, no consent

    for fmt, text in outputs(client).items():
        for form in names_of(li):
            assert form not in text, (fmt, form)
    for fmt, text in outputs(client).items():
        assert "王*明" in text, fmt  # consenting members are named, masked
        assert "王小明" not in text, fmt

    data = json.loads(client.get(f"{URL}?format=json").content)
    unnamed = [row for row in data["volunteers"]["top"] if row["name"] is None]
    assert unnamed == [{"rank": 2, "name": None, "branch": None, "points": 15, "entries": 1}]
    assert data["volunteers"]["unnamed"] == 1
    assert all(
        set(row) == {"rank", "name", "branch", "points", "entries"}
        for row in data["volunteers"]["top"]
    )


def test_breakdown_of_a_member_without_consent_is_404(client, month_state):
    li = month_state["members"]["li"]
    response = client.get(reverse("ranking_volunteer", args=[2026, 10, li.pk]))
    assert response.status_code == 404

    branch = client.get(reverse("ranking_branch", args=[2026, 10, li.branch_id])).content.decode()
    assert "李四海" not in branch and "李*海" not in branch
    assert "（未公开姓名）" in branch


def test_withdrawn_consent_hides_the_name_even_in_a_published_month(
    client, month_state, django_capture_on_commit_callbacks
):
    wang = month_state["members"]["wang"]
    Member.objects.filter(pk=wang.pk).update(ranking_consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.invalidate_cache()

    for fmt, text in outputs(client).items():
        for form in names_of(wang):
            assert form not in text, (fmt, form)
    assert client.get(reverse("ranking_volunteer", args=[2026, 10, wang.pk])).status_code == 404


def test_names_are_masked():
    assert mask_name("王小明") == "王*明"
    assert mask_name("王明") == "王*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("") == ""
