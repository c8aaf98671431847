"""Exports: Chinese headers, formula cells defused, personal data masked unless permitted."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied

from members.models import Enterprise, PersonalDataReveal
from members.sheets import roll
from members.sheets.cells import escape_formula, unescape_formula
from tests.conftest import make_user
from tests.factories import EnterpriseFactory, MemberFactory
from tests.members.conftest import ID_NUMBERS, grant, read_xlsx

DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_triggers_get_an_apostrophe_and_lose_it_again(text):
    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text


@pytest.mark.parametrize("text", ["王小明", "'ordinary quote", "1+1", "a=b"])
def test_harmless_text_is_left_alone(text):
    assert escape_formula(text) == text
    assert unescape_formula(text) == text


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_exported_cells_never_start_a_formula(staff, branch, file_format):
    for index, text in enumerate(DANGEROUS):
        MemberFactory(name=text[:50], branch=branch, email=f"m{index}@example.cn")
    content = roll.export_sheet(kind="member", by=staff, file_format=file_format)
    if file_format == "xlsx":
        rows = read_xlsx(content)
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    names = sorted(row[1] for row in rows[1:])
    # xlsx stores a lone CR as a line break; what matters is the apostrophe in front.
    expected = ["'" + text for text in DANGEROUS]
    if file_format == "xlsx":
        expected = [text.replace("\r", "\n") for text in expected]
    assert names == sorted(expected)
    for row in rows[1:]:
        for cell in row:
            assert not (isinstance(cell, str) and cell and cell[0] in "=+-@\t\r"), cell


def test_xlsx_cells_are_text_not_formulas(staff):
    EnterpriseFactory(name="=1+1")
    content = roll.export_sheet(kind="enterprise", by=staff, file_format="xlsx")
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"


def test_headers_are_chinese(staff, member):
    rows = read_xlsx(roll.export_sheet(kind="member", by=staff))
    assert rows[0][:6] == ["编号", "姓名", "性别", "手机号", "电子邮箱", "身份证号"]
    assert rows[1][2] == "男" and rows[1][8] == "正式党员" and rows[1][11] == "南太湖精英计划"
    assert read_xlsx(roll.export_sheet(kind="enterprise", by=staff))[0] == [
        "企业名称",
        "统一社会信用代码",
        "行业",
        "签约日期",
        "在册",
    ]


def test_export_is_masked_without_the_reveal_permission(clerk, member):
    rows = read_xlsx(roll.export_sheet(kind="member", by=clerk))
    assert rows[1][3] == "138****5678"
    assert rows[1][5] == "110***********002X"
    assert not PersonalDataReveal.objects.exists()


def test_export_by_a_revealer_is_full_and_recorded(clerk, member):
    grant(clerk, "members.reveal_personal_data")
    rows = read_xlsx(roll.export_sheet(kind="member", by=clerk))
    assert rows[1][3] == "13812345678" and rows[1][5] == ID_NUMBERS[0]
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.member, reveal.revealed_by, reveal.channel) == (member, clerk, "export")


def test_export_needs_its_own_permission(db, member):
    importer = grant(
        make_user(email="importer@example.cn", staff=True),
        "members.import_member",
        "members.view_all_branches",
    )
    with pytest.raises(PermissionDenied):
        roll.export_sheet(kind="member", by=importer)


def test_a_secretary_exports_only_their_branch(secretary, member, other_branch):
    grant(secretary, "members.export_member")
    MemberFactory(name="外支部党员", branch=other_branch)
    rows = read_xlsx(roll.export_sheet(kind="member", by=secretary))
    assert [row[1] for row in rows[1:]] == ["王小明"]


def test_branch_sheet_lists_enterprise_codes(staff, branch, enterprise):
    rows = read_xlsx(roll.export_sheet(kind="branch", by=staff))
    assert rows[0] == ["支部名称", "支部类型", "所属企业", "支部书记账号"]
    assert rows[1][:3] == ["中测新图党支部", "单建企业支部", enterprise.credit_code]
    assert Enterprise.objects.count() == 1
