"""Bidi control characters in the members' texts are never stored or shown (members/text.py).

Given names typed or imported with U+202E (which shows them reversed), when they go through
the admin's forms and the member sheet import, then the rows and the admin pages are clean,
and a pasted branch name in a sheet still finds its branch.
"""

from __future__ import annotations

from django.urls import reverse

from members.models import Branch, Member
from members.sheets import roll
from members.text import BIDI_CONTROLS
from tests.members.conftest import MEMBER_HEADERS, xlsx_bytes

RLO, PDF, RLI, PDI, LRM = "\u202e", "\u202c", "\u2067", "\u2069", "\u200e"


def test_a_branch_name_typed_in_the_admin_is_stored_and_shown_clean(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:members_branch_add"),
        {"name": f"服务中心{RLO}部支党{PDF}", "kind": Branch.Kind.CENTRE},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Branch.objects.get().name == "服务中心部支党"
    page = client.get(reverse("admin:members_branch_changelist")).content.decode()
    assert "服务中心部支党" in page and not BIDI_CONTROLS.intersection(page)


def test_a_member_sheet_import_stores_names_clean_and_finds_a_pasted_branch(staff, branch):
    # Given a sheet whose name cells carry an override and whose branch cell a mark
    rows = [
        ["", f"张{RLO}三", "男", "13900000001", "", "否", f"{branch.name}{LRM}"],
        ["", f"{RLI}李四{PDI}", "女", "13900000002", "", "否", branch.name],
    ]
    # When it is imported
    report = roll.import_sheet(
        kind="member",
        content=xlsx_bytes(MEMBER_HEADERS, rows),
        file_name="members.xlsx",
        by=staff,
        dry_run=False,
    )
    # Then both rows are saved in the named branch, their names clean
    assert report.new == 2
    assert sorted(Member.objects.values_list("name", "branch")) == [
        ("张三", branch.pk),
        ("李四", branch.pk),
    ]
