"""Staff import the alliance members from Excel in the admin: preview, every row or none.

Given real .xlsx files written by openpyxl, when centre staff upload them on the organisation
import page, then a good file adds and updates organisations (contacts found by mobile or
e-mail), a file with one bad row saves nothing and says which row, column and why, and an
export imported again changes nothing. Each confirmed import is in the audit trail.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from rota.models import Organisation
from tests.conftest import make_user
from tests.rota.conftest import make_org

HEADERS = ["名称", "简称", "类型", "轮值联络人", "备份联络人", "启用", "加入日期"]
XLSX = "0"  # index of xlsx in the admin's formats


def xlsx_bytes(headers: list, rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_xlsx(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def centre_staff(db):
    roles.setup_roles()
    user = make_user(email="centre@example.cn", phone="13500000501", staff=True)
    user.groups.add(roles.group_of(roles.CENTRE_STAFF))
    return user


@pytest.fixture
def people(db):
    return {
        "wang": make_user(
            email="wang@example.cn", phone="13912345678", last_name="王", first_name="芳"
        ),
        "li": make_user(email="li@example.cn", phone=None, last_name="李", first_name="强"),
    }


def upload(client, content: bytes, name: str = "organisations.xlsx"):
    return client.post(
        reverse("admin:rota_organisation_import"),
        {"format": XLSX, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    assert form is not None, preview.content.decode()[-3000:]
    return client.post(reverse("admin:rota_organisation_process_import"), form.initial)


def snapshot() -> list[tuple]:
    return list(
        Organisation.objects.order_by("name").values_list(
            "name",
            "short_name",
            "kind",
            "duty_contact",
            "backup_contact",
            "is_active",
            "joined_on",
            "feed_token",
        )
    )


def test_a_good_file_imports_after_the_preview(client, centre_staff, people):
    existing = make_org("晨曦社工", short_name="晨曦")
    client.force_login(centre_staff)
    sheet = xlsx_bytes(
        HEADERS,
        [
            ["团县委", "", "县级机关部门", "13912345678", "li@example.cn", "是", "2016-10-08"],
            ["县运管局", "运管局", "bureau", "王芳（13912345678）", "", "是", "2016年10月8日"],
            ["晨曦社工", "晨曦社工站", "社会组织", "", "", "否", None],
        ],
    )
    preview = upload(client, sheet)
    assert preview.status_code == 200
    assert Organisation.objects.count() == 1  # the preview is a dry run
    assert confirm(client, preview).status_code == 302
    league = Organisation.objects.get(name="团县委")
    assert (league.kind, league.duty_contact, league.backup_contact) == (
        "bureau",
        people["wang"],
        people["li"],
    )
    assert str(league.joined_on) == "2016-10-08"
    transport = Organisation.objects.get(name="县运管局")
    assert (transport.short_name, transport.duty_contact) == ("运管局", people["wang"])
    existing.refresh_from_db()
    assert (existing.short_name, existing.is_active, existing.duty_contact) == (
        "晨曦社工站",
        False,
        None,
    )
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, success=True).get()
    assert event.user == centre_staff
    assert event.details["model"] == "rota.organisation"
    assert event.details["totals"] == {"new": 2, "update": 1}


def test_a_bad_row_imports_nothing_and_says_where(client, centre_staff, people):
    client.force_login(centre_staff)
    sheet = xlsx_bytes(
        HEADERS,
        [
            ["团县委", "", "县级机关部门", "13912345678", "", "是", ""],
            ["县运管局", "", "县级机关部门", "", "", "是", ""],
            ["县妇联", "", "群团组织", "13800000000", "", "是", ""],
        ],
    )
    response = upload(client, sheet)
    page = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "未导入任何数据" in page
    assert (
        "第 4 行“类型”列：不能填写“群团组织”，"
        "请填写以下之一：县级机关部门、社会组织、党群服务中心。"
    ) in page
    # The contact's problem is said without echoing the number (personal data).
    assert "第 4 行“轮值联络人”列：没有使用该手机号或电子邮箱的账号；请先创建账号。" in page
    assert "13800000000" not in page
    assert Organisation.objects.count() == 0


def test_a_repeated_name_is_a_bad_row(client, centre_staff, people):
    client.force_login(centre_staff)
    sheet = xlsx_bytes(
        HEADERS,
        [
            ["团县委", "", "县级机关部门", "", "", "是", ""],
            ["团县委 ", "团委", "县级机关部门", "", "", "是", ""],
        ],
    )
    page = upload(client, sheet).content.decode()
    assert "第 3 行“名称”列：该名称已在文件前面的行中出现。" in page
    assert Organisation.objects.count() == 0


def test_export_then_import_changes_nothing(client, centre_staff, people):
    make_org("团县委", kind=Organisation.Kind.COUNTY_BUREAU)
    odd = make_org("=SUM(A1)社工", short_name="+1 晨曦")
    odd.duty_contact, odd.backup_contact = people["wang"], people["li"]  # li has no mobile
    odd.save()
    make_org("德清地信小镇党群服务中心", kind=Organisation.Kind.CENTRE, contacts=False)
    before = snapshot()
    client.force_login(centre_staff)
    exported = client.post(
        reverse("admin:rota_organisation_export"),
        {
            "format": XLSX,
            **{f"organisationresource_{name}": "on" for name in _fields()},
        },
    )
    assert exported.status_code == 200
    rows = read_xlsx(exported.content)
    assert rows[0] == HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    # Formulas are defused; contacts show a name and a masked mobile or e-mail, never in clear.
    assert "'=SUM(A1)社工" in by_name
    assert by_name["'=SUM(A1)社工"][1] == "'+1 晨曦"
    assert by_name["'=SUM(A1)社工"][3] == "王芳（139****5678）"
    assert by_name["'=SUM(A1)社工"][4] == "李强（l***@example.cn）"
    assert "13912345678" not in str(rows)
    preview = upload(client, exported.content)
    assert confirm(client, preview).status_code == 302
    assert snapshot() == before
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).latest("created_at")
    assert event.details["totals"] == {"skip": 3}


def test_a_masked_contact_that_does_not_match_is_refused(client, centre_staff, people):
    org = make_org("团县委", kind=Organisation.Kind.COUNTY_BUREAU)
    client.force_login(centre_staff)
    row = ["团县委", "", "县级机关部门", "王芳（139****5678）", "", "是", ""]
    sheet = xlsx_bytes(HEADERS, [row])
    page = upload(client, sheet).content.decode()
    assert "第 2 行“轮值联络人”列：该联络人已脱敏" in page
    org.refresh_from_db()
    assert org.duty_contact != people["wang"]


def test_contacts_may_not_import(client, db):
    roles.setup_roles()
    contact = make_user(email="contact@example.cn", phone="13500000502", staff=True)
    contact.groups.add(roles.group_of(roles.ALLIANCE_CONTACT))
    client.force_login(contact)
    assert client.get(reverse("admin:rota_organisation_import")).status_code == 403
    changelist = client.get(reverse("admin:rota_organisation_changelist")).content.decode()
    assert reverse("admin:rota_organisation_import") not in changelist


def _fields() -> list[str]:
    return [
        "name",
        "short_name",
        "kind",
        "duty_contact",
        "backup_contact",
        "is_active",
        "joined_on",
    ]
