"""Import 10,000 members from a real xlsx file, against writing the same rows with bulk_create.

Both run in the same process on the same database, so the ratio says what the import's checks
(parsing, validation, duplicate and scope checks, one savepoint per row) cost over a raw write.
"""

from __future__ import annotations

import io
import time

ROWS = 10_000


def _sheet(branch_name: str) -> tuple[bytes, list[list]]:
    import openpyxl

    from members.validators import id_number_check_character

    headers = [
        "编号",
        "姓名",
        "性别",
        "手机号",
        "身份证号",
        "同意保存身份证号",
        "所在支部",
        "党员身份",
    ]
    rows = []
    for i in range(ROWS):
        id_number = ""
        if i % 4 == 0:  # a quarter of the members consented to keep their ID number
            first17 = f"330521{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
            id_number = first17 + id_number_check_character(first17)
        rows.append(
            [
                "",
                f"党员{i:05d}",
                "男" if i % 2 else "女",
                f"139{i:08d}",
                id_number,
                "是" if id_number else "否",
                branch_name,
                "正式党员",
            ]
        )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def run() -> None:
    from django.contrib.auth import get_user_model

    from members.models import Branch, Member, pinyin_search_text
    from members.sheets import roll

    staff = get_user_model().objects.create_superuser(
        email="bench-members@example.cn", password="bench-only-password-123"
    )
    branch = Branch.objects.create(name="基准测试党支部", kind=Branch.Kind.CENTRE)
    content, rows = _sheet(branch.name)
    print(f"xlsx: {ROWS} rows, {len(content) / 1024 / 1024:.2f} MB", flush=True)

    started = time.perf_counter()
    roll.import_sheet(
        kind="member", content=content, file_name="bench.xlsx", by=staff, dry_run=True
    )
    preview = time.perf_counter() - started

    started = time.perf_counter()
    report = roll.import_sheet(
        kind="member", content=content, file_name="bench.xlsx", by=staff, dry_run=False
    )
    imported = time.perf_counter() - started
    assert report.new == ROWS and Member.objects.count() == ROWS

    started = time.perf_counter()
    again = roll.import_sheet(
        kind="member",
        content=roll.export_sheet(kind="member", by=staff),
        file_name="bench.xlsx",
        by=staff,
        dry_run=False,
    )
    round_trip = time.perf_counter() - started
    assert again.unchanged == ROWS
    Member.objects.all().delete()

    # Reference: the same rows, the same derived fields (pinyin, encrypted ID), bulk_create.
    started = time.perf_counter()
    members = []
    for _number, name, gender, mobile, id_number, consent, _branch, _status in rows:
        member = Member(
            name=name,
            gender="m" if gender == "男" else "f",
            mobile=mobile,
            branch=branch,
            id_number_consent=consent == "是",
        )
        member.id_number = id_number
        member.name_pinyin = pinyin_search_text(name)
        members.append(member)
    Member.objects.bulk_create(members, batch_size=1000)
    reference = time.perf_counter() - started

    print(f"reference bulk_create of the same rows: {reference:.2f} s", flush=True)
    print(f"import preview (dry run): {preview:.2f} s = {preview / reference:.1f}x reference")
    print(
        f"import of {ROWS} members from xlsx: {imported:.2f} s = {imported / reference:.1f}x "
        f"reference ({ROWS / imported:.0f} rows/s)"
    )
    print(
        f"export + re-import, nothing changed: {round_trip:.2f} s = {round_trip / reference:.1f}x"
    )
    Member.objects.all().delete()
    branch.delete()
    staff.delete()
