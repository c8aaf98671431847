"""A standalone branch has one enterprise, a joint branch several, the centre's branch none."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import actions
from members.models import Branch
from members.sheets import roll
from members.sheets.files import SheetRejected
from tests.factories import BranchFactory, EnterpriseFactory


@pytest.mark.parametrize(
    ("kind", "count", "ok"),
    [
        ("standalone", 1, True),
        ("standalone", 0, False),
        ("standalone", 2, False),
        ("joint", 2, True),
        ("joint", 5, True),
        ("joint", 1, False),
        ("centre", 0, True),
        ("centre", 1, False),
    ],
)
def test_kind_decides_how_many_enterprises(db, staff, kind, count, ok):
    branch = BranchFactory(kind=kind)
    enterprises = [EnterpriseFactory() for _ in range(count)]
    if ok:
        actions.set_branch_enterprises(branch=branch, enterprises=enterprises, by=staff)
        assert branch.enterprises.count() == count
    else:
        with pytest.raises(ValidationError):
            actions.set_branch_enterprises(branch=branch, enterprises=enterprises, by=staff)
        assert branch.enterprises.count() == 0


def test_an_enterprise_belongs_to_one_branch(branch, enterprise, staff):
    other = BranchFactory(kind=Branch.Kind.STANDALONE)
    with pytest.raises(ValidationError) as caught:
        actions.set_branch_enterprises(branch=other, enterprises=[enterprise], by=staff)
    assert "中测新图党支部" in caught.value.messages[0]


def test_admin_form_enforces_the_rule(client, staff, enterprise):
    client.force_login(staff)
    second = EnterpriseFactory()
    response = client.post(
        reverse("admin:members_branch_add"),
        {"name": "新单建支部", "kind": "standalone", "enterprises": [enterprise.pk, second.pk]},
    )
    assert response.status_code == 200
    assert "单建企业支部只能对应一家企业（当前填写了 2 家）。" in response.content.decode()
    assert not Branch.objects.filter(name="新单建支部").exists()


def test_branch_sheet_import_enforces_the_rule(staff, enterprise):
    from tests.members.conftest import xlsx_bytes

    content = xlsx_bytes(
        ["支部名称", "支部类型", "所属企业", "支部书记账号"],
        [["联建一支部", "联建支部", enterprise.credit_code, ""]],
    )
    with pytest.raises(SheetRejected) as caught:
        roll.import_sheet(kind="branch", content=content, file_name="b.xlsx", by=staff)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "所属企业")]
    assert "联建支部至少包含两家企业" in caught.value.problems[0].message
