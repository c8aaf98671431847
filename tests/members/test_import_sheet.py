"""Importing members from real xlsx/csv files: a dry run first, then all rows or none."""

import time

import pytest
from django.core.exceptions import PermissionDenied

from members import figures_version
from members.models import Member, pinyin_search_text
from members.sheets import roll
from members.sheets.files import SheetRejected
from tests.concurrency import run_together
from tests.conftest import make_user
from tests.members.conftest import ID_NUMBERS, MEMBER_HEADERS, grant, xlsx_bytes


def good_rows(count: int, branch_name: str = "中测新图党支部") -> list[list]:
    return [
        ["", f"张{i}", "男" if i % 2 else "女", f"139{i:08d}", "", "否", branch_name]
        for i in range(count)
    ]


def rejected(content: bytes, by, file_name: str = "members.xlsx", dry_run: bool = True):
    with pytest.raises(SheetRejected) as caught:
        roll.import_sheet(
            kind="member", content=content, file_name=file_name, by=by, dry_run=dry_run
        )
    return caught.value.problems


def test_dry_run_previews_and_saves_nothing(staff, branch):
    content = xlsx_bytes(MEMBER_HEADERS, good_rows(3))
    report = roll.import_sheet(kind="member", content=content, file_name="a.xlsx", by=staff)
    assert (report.new, report.updated, report.dry_run) == (3, 0, True)
    assert Member.objects.count() == 0


def test_confirmed_import_saves_every_row(staff, branch):
    rows = good_rows(3)
    rows[0][4], rows[0][5] = ID_NUMBERS[1], "是"
    content = xlsx_bytes(MEMBER_HEADERS, rows)
    report = roll.import_sheet(
        kind="member", content=content, file_name="a.xlsx", by=staff, dry_run=False
    )
    assert report.new == 3
    saved = Member.objects.get(name="张0")
    assert (saved.gender, saved.mobile, saved.branch) == ("f", "13900000000", branch)
    assert saved.id_number == ID_NUMBERS[1] and saved.id_number_consent


def test_rows_inserted_in_batches_get_what_a_save_derives_and_move_the_figures(staff, branch):
    content = xlsx_bytes(MEMBER_HEADERS, good_rows(1_001))  # more than one batch of new members
    before = figures_version.version()
    roll.import_sheet(kind="member", content=content, file_name="a.xlsx", by=staff, dry_run=False)
    assert Member.objects.count() == 1_001
    assert Member.objects.get(name="张1000").name_pinyin == pinyin_search_text("张1000")
    assert not Member.objects.filter(name_pinyin="").exists()
    assert figures_version.version() != before


@pytest.mark.parametrize("dry_run", [True, False])
def test_one_bad_row_imports_nothing_and_names_row_column_reason(staff, branch, dry_run):
    rows = good_rows(10)
    rows[6][3] = "1391234567a"  # sheet line 8 (line 1 is the header)
    problems = rejected(xlsx_bytes(MEMBER_HEADERS, rows), staff, dry_run=dry_run)
    assert [(p.row, p.column) for p in problems] == [(8, "手机号")]
    assert "不是 11 位中国大陆手机号" in problems[0].message
    assert str(problems[0]).startswith("第 8 行“手机号”列：")
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "consent", "expected"),
    [
        ("身份证号", "110105194912310021", "是", "校验码不正确"),
        ("身份证号", "11010519491231002", "是", "应为 18 位"),
        ("身份证号", ID_NUMBERS[1], "否", "须经党员同意"),
        ("手机号", "138abc45678", "否", "不是 11 位中国大陆手机号"),
        ("所在支部", "不存在的党支部", "否", "不存在名为“不存在的党支部”的支部"),
        ("性别", "未知", "否", "请填写以下之一：男、女"),
    ],
)
def test_bad_cells_are_reported_in_chinese_and_nothing_saved(
    staff, branch, column, value, consent, expected
):
    rows = good_rows(2)
    rows[1][MEMBER_HEADERS.index(column)] = value
    rows[1][5] = consent
    problems = rejected(xlsx_bytes(MEMBER_HEADERS, rows), staff, dry_run=False)
    assert [(p.row, p.column) for p in problems] == [(3, column)]
    assert expected in problems[0].message
    assert Member.objects.count() == 0


def test_duplicate_id_numbers_within_a_sheet_are_refused(staff, branch):
    rows = good_rows(3)
    for row in (rows[0], rows[2]):
        row[4], row[5] = ID_NUMBERS[2], "是"
    problems = rejected(xlsx_bytes(MEMBER_HEADERS, rows), staff, dry_run=False)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (4, "身份证号", "已有其他党员使用此身份证号。")
    ]
    assert Member.objects.count() == 0


def test_an_id_number_already_on_file_is_refused(staff, member):
    rows = good_rows(1)
    rows[0][4], rows[0][5] = ID_NUMBERS[0], "是"
    problems = rejected(xlsx_bytes(MEMBER_HEADERS, rows), staff)
    assert problems[0].message == "已有其他党员使用此身份证号。"


@pytest.mark.parametrize(
    ("content", "file_name", "expected"),
    [
        (b"", "a.xlsx", "文件是空的。"),
        (xlsx_bytes(MEMBER_HEADERS, [])[:0] + b"   ", "a.csv", "文件是空的。"),
        (xlsx_bytes(MEMBER_HEADERS, []), "a.xlsx", "文件只有表头，没有数据行。"),
        (xlsx_bytes(MEMBER_HEADERS, good_rows(50))[:1500], "a.xlsx", "无法读取文件"),
        (b"a,b\n1,2\n", "members.txt", "请上传 Excel 工作簿"),
        (b"x" * (20 * 1024 * 1024), "big.xlsx", "文件大小为 20.0 MB，超过了 10 MB 的上限。"),
    ],
    ids=["empty", "blank-csv", "header-only", "truncated-xlsx", "wrong-type", "20-MB"],
)
def test_unusable_files_get_one_clear_message(staff, branch, content, file_name, expected):
    problems = rejected(content, staff, file_name=file_name)
    assert len(problems) == 1 and problems[0].row is None
    assert expected in problems[0].message
    assert Member.objects.count() == 0


def test_an_empty_workbook_is_an_empty_file(staff, branch):
    problems = rejected(xlsx_bytes([], []), staff)
    assert problems[0].message == "文件是空的。"


def test_a_sheet_with_wrong_headers_is_refused_whole(staff, branch):
    problems = rejected(xlsx_bytes(["姓名", "电话"], [["张三", "13912345678"]]), staff)
    assert len(problems) == 1  # one reason for the file, not one per row
    assert "表头与模板不一致" in problems[0].message
    assert "缺少列：编号、性别、所在支部" in problems[0].message
    assert "无法识别的列：电话" in problems[0].message


def test_a_gbk_csv_from_chinese_excel_imports(staff, branch):
    text = ",".join(MEMBER_HEADERS) + "\n" + ",".join(good_rows(1)[0]) + "\n"
    report = roll.import_sheet(
        kind="member", content=text.encode("gb18030"), file_name="a.csv", by=staff, dry_run=False
    )
    assert report.new == 1 and Member.objects.get().name == "张0"


def test_full_width_mobiles_and_excel_numbers_are_normalised(staff, branch):
    rows = good_rows(2)
    rows[0][3] = "１３９１２３４５６７８"
    rows[1][3] = 13912345679  # typed as a number in Excel
    roll.import_sheet(
        kind="member",
        content=xlsx_bytes(MEMBER_HEADERS, rows),
        file_name="a.xlsx",
        by=staff,
        dry_run=False,
    )
    assert sorted(Member.objects.values_list("mobile", flat=True)) == [
        "13912345678",
        "13912345679",
    ]


def test_import_needs_its_own_permission(db, branch):
    exporter = grant(
        make_user(email="exporter@example.cn", staff=True),
        "members.export_member",
        "members.view_all_branches",
    )
    with pytest.raises(PermissionDenied):
        roll.import_sheet(
            kind="member",
            content=xlsx_bytes(MEMBER_HEADERS, good_rows(1)),
            file_name="a.xlsx",
            by=exporter,
        )


def test_a_secretary_cannot_import_into_another_branch(secretary, other_branch, member):
    grant(secretary, "members.import_member")
    rows = good_rows(1, branch_name=other_branch.name)
    rows.append([member.pk + 1000, "外人", "男", "13912345670", "", "否", member.branch.name])
    problems = rejected(xlsx_bytes(MEMBER_HEADERS, rows), secretary)
    assert [(p.row, p.column) for p in problems] == [(2, "所在支部"), (3, "编号")]


def test_ten_thousand_rows_with_one_bad_row_import_nothing(staff, branch):
    rows = good_rows(10_000)
    rows[9_876][6] = "没有这个支部"
    content = xlsx_bytes(MEMBER_HEADERS, rows)
    started = time.monotonic()
    problems = rejected(content, staff, dry_run=False)
    assert [(p.row, p.column) for p in problems] == [(9_878, "所在支部")]
    assert Member.objects.count() == 0
    assert time.monotonic() - started < 300


def test_problems_follow_the_users_language(staff, branch):
    from django.utils import translation

    rows = good_rows(2)
    rows[1][3] = "1391234567a"
    with translation.override("en"):
        problems = rejected(xlsx_bytes(MEMBER_HEADERS, rows), staff)
        assert str(problems[0]) == (
            "Row 3, column “手机号”: “1391234567a” is not an 11-digit mainland mobile number."
        )


def test_blank_rows_excel_leaves_below_the_data_are_skipped(staff, branch):
    rows = [*good_rows(2), [None] * len(MEMBER_HEADERS), ["", "", None, "", "", "", ""]]
    report = roll.import_sheet(
        kind="member",
        content=xlsx_bytes(MEMBER_HEADERS, rows),
        file_name="a.xlsx",
        by=staff,
        dry_run=False,
    )
    assert report.new == 2 and Member.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_one_id_number_save_one(postgres, staff, branch):
    def import_one(name, mobile):
        content = xlsx_bytes(
            MEMBER_HEADERS, [["", name, "男", mobile, ID_NUMBERS[2], "是", branch.name]]
        )
        return lambda: roll.import_sheet(
            kind="member", content=content, file_name="a.xlsx", by=staff, dry_run=False
        )

    race = run_together(import_one("甲", "13900000001"), import_one("乙", "13900000002"))
    [rejected] = race.errors
    assert isinstance(rejected, SheetRejected)
    assert rejected.problems[0].message == "已有其他党员使用此身份证号。"
    assert Member.objects.count() == 1
