"""Export then import of the same file changes nothing, masked or not, xlsx or csv."""

import pytest

from members.models import Branch, Enterprise, Member
from members.sheets import roll
from members.sheets.files import SheetRejected
from tests.factories import EnterpriseFactory, MemberFactory
from tests.members.conftest import ID_NUMBERS, grant


def snapshot():
    return (
        list(Enterprise.objects.order_by("pk").values()),
        [
            (b["id"], b["name"], b["kind"], b["secretary_id"])
            for b in Branch.objects.order_by("pk").values()
        ],
        sorted(Branch.enterprises.through.objects.values_list("branch_id", "enterprise_id")),
        list(Member.objects.order_by("pk").values()),
    )


@pytest.fixture
def roster(member, other_branch, branch):
    EnterpriseFactory(name="=危险名称", signed_on="2026-03-01")
    joint = Branch.objects.create(name="联建党支部", kind=Branch.Kind.JOINT)
    joint.enterprises.set([EnterpriseFactory(), EnterpriseFactory()])
    second = MemberFactory(
        name="+李四",
        branch=joint,
        email="li@example.cn",
        status=Member.Status.PROBATIONARY,
        joined_on="2025-07-01",
        id_number_consent=True,
    )
    second.id_number = ID_NUMBERS[1]
    second.save()
    MemberFactory(name="赵五", branch=other_branch, mobile="")


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("reveal", [False, True], ids=["masked", "revealed"])
def test_member_sheet_round_trip_changes_nothing(clerk, roster, file_format, reveal):
    if reveal:
        grant(clerk, "members.reveal_personal_data")
    before = snapshot()
    content = roll.export_sheet(kind="member", by=clerk, file_format=file_format)
    report = roll.import_sheet(
        kind="member",
        content=content,
        file_name=f"members.{file_format}",
        by=clerk,
        dry_run=False,
    )
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["enterprise", "branch"])
def test_enterprise_and_branch_sheets_round_trip(staff, roster, kind):
    before = snapshot()
    content = roll.export_sheet(kind=kind, by=staff)
    report = roll.import_sheet(
        kind=kind, content=content, file_name="sheet.xlsx", by=staff, dry_run=False
    )
    assert report.new == report.updated == 0
    assert snapshot() == before


def test_a_masked_cell_that_no_longer_matches_is_refused(clerk, member):
    content = roll.export_sheet(kind="member", by=clerk)
    Member.objects.filter(pk=member.pk).update(mobile="13999999999")
    with pytest.raises(SheetRejected) as caught:
        roll.import_sheet(kind="member", content=content, file_name="a.xlsx", by=clerk)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "手机号")]
    assert "脱敏" in caught.value.problems[0].message


def test_an_edited_row_updates_only_that_member(clerk, roster):
    import io

    import openpyxl

    content = roll.export_sheet(kind="member", by=clerk)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    sheet["B2"] = "王小明明"  # the first data row is 王小明 (ordered by branch, name)
    out = io.BytesIO()
    book.save(out)
    report = roll.import_sheet(
        kind="member", content=out.getvalue(), file_name="a.xlsx", by=clerk, dry_run=False
    )
    assert (report.updated, report.unchanged) == (1, 2)
    renamed = Member.objects.get(name="王小明明")
    assert renamed.mobile == "13812345678" and renamed.id_number == ID_NUMBERS[0]
