"""The history of services delivered, kept in Excel: staff import it (preview, all or none),
under the rules a record entered on the form keeps; the exported file imports back unchanged."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from deqing_hub.roles import ALLIANCE_CONTACT, EXCHANGE_POINT_OPERATOR, group_of
from members.audit import AuditEvent
from services.models import ServiceRecord
from tests.conftest import make_user
from tests.services.conftest import make_service

pytestmark = pytest.mark.django_db

HEADERS = [
    "记录编号",
    "服务日期",
    "类别",
    "服务",
    "成员单位",
    "轮值周",
    "服务人数",
    "申请编号",
    "备注",
]
XLSX = "0"  # index of xlsx in the admin's formats


def xlsx_bytes(rows: list[list], headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes):
    return client.post(
        reverse("admin:services_servicerecord_import"),
        {"format": XLSX, "import_file": SimpleUploadedFile("records.xlsx", content)},
    )


def confirm(client, preview):
    return client.post(
        reverse("admin:services_servicerecord_process_import"),
        preview.context["confirm_form"].initial,
    )


def export(client) -> bytes:
    url = reverse("admin:services_servicerecord_export")
    form = client.get(url).context["form"]
    data = {"format": XLSX, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("servicerecordresource_")})
    return client.post(url, data).content


def test_a_good_file_imports_every_row_recorded_by_the_importer(
    client, staff, service, organisation
):
    talk = make_service(title="法律咨询", code="volunteer", providers=[organisation])
    client.force_login(staff)
    sheet = xlsx_bytes(
        [
            [
                None,
                dt.datetime(2025, 3, 8),
                "志愿帮扶",
                "青年联谊会",
                "团县委",
                None,
                26,
                None,
                "春季",
            ],
            ["", "2025/04/12", "志愿帮扶", "法律咨询", "团县委", "", "3", "", "'=1+1"],
            [None, "2025年5月1日", "志愿帮扶", "青年联谊会", "团县委", None, 1, None, None],
        ]
    )

    preview = upload(client, sheet)

    assert preview.status_code == 200
    assert not ServiceRecord.objects.exists()  # the preview is a dry run
    assert confirm(client, preview).status_code == 302
    records = list(ServiceRecord.objects.order_by("delivered_on"))
    assert [(r.delivered_on, r.service, r.people_served) for r in records] == [
        (dt.date(2025, 3, 8), service, 26),
        (dt.date(2025, 4, 12), talk, 3),
        (dt.date(2025, 5, 1), service, 1),
    ]
    assert {r.organisation for r in records} == {organisation}
    assert {r.recorded_by for r in records} == {staff}
    assert records[1].notes == "=1+1"  # the apostrophe that kept it text is removed
    imported = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert imported.details == {"model": "services.servicerecord", "totals": {"new": 3}}
    assert imported.success


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        (
            ["", "2025-03-08", "志愿帮扶", "不存在的服务", "团县委", "", 5, "", ""],
            "服务",
            "不存在的服务",
        ),
        (
            ["", "2025-03-08", "志愿帮扶", "青年联谊会", "晨曦社工", "", 5, "", ""],
            "成员单位",
            "不提供",
        ),
        (
            ["", "2025-13-45", "志愿帮扶", "青年联谊会", "团县委", "", 5, "", ""],
            "服务日期",
            "不是日期",
        ),
        (
            ["", "2025-03-08", "志愿帮扶", "青年联谊会", "团县委", "", -2, "", ""],
            "服务人数",
            "至少",
        ),
        (
            ["", "2099-01-01", "志愿帮扶", "青年联谊会", "团县委", "", 5, "", ""],
            "服务日期",
            "尚未发生",
        ),
        (
            ["999999", "2025-03-08", "志愿帮扶", "青年联谊会", "团县委", "", 5, "", ""],
            "记录编号",
            "999999",
        ),
    ],
    ids=["unknown service", "not a provider", "bad date", "negative count", "future", "unknown id"],
)
def test_a_bad_row_imports_nothing_and_says_row_column_and_reason_in_chinese(
    client, staff, service, organisation, other_organisation, bad_row, column, reason
):
    client.force_login(staff)
    good = ["", "2025-03-01", "志愿帮扶", "青年联谊会", "团县委", "", 4, "", ""]
    sheet = xlsx_bytes([good, bad_row])

    response = upload(client, sheet)

    page = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert f"第 3 行“{column}”列" in page
    assert reason in page
    assert "第 2 行" not in page  # the good row is not blamed
    assert not ServiceRecord.objects.exists()


def test_export_then_import_changes_nothing(client, staff, service, organisation):
    today = timezone.localdate()
    kept = [
        ServiceRecord.objects.create(
            service=service,
            organisation=organisation,
            delivered_on=today - dt.timedelta(days=days),
            people_served=days,
            notes=notes,
            recorded_by=None,
        )
        for days, notes in ((3, '=HYPERLINK("x")'), (40, "上门服务\n两户"), (400, ""))
    ]
    before = list(ServiceRecord.objects.order_by("pk").values())
    client.force_login(staff)
    exported = export(client)
    rows = list(openpyxl.load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert sorted(row[0] for row in rows[1:]) == sorted(record.pk for record in kept)

    preview = upload(client, exported)
    assert preview.status_code == 200
    assert confirm(client, preview).status_code == 302

    assert list(ServiceRecord.objects.order_by("pk").values()) == before
    imported = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert imported.details["totals"] == {"skip": 3}


def test_an_edited_row_updates_its_record_and_keeps_who_recorded_it(
    client, staff, contact, service, organisation
):
    record = ServiceRecord.objects.create(
        service=service,
        organisation=organisation,
        delivered_on=dt.date(2025, 6, 1),
        people_served=2,
        recorded_by=contact,
    )
    client.force_login(staff)
    sheet = xlsx_bytes(
        [[record.pk, "2025-06-02", "志愿帮扶", "青年联谊会", "团县委", "", 12, "", "补录"]]
    )

    assert confirm(client, upload(client, sheet)).status_code == 302

    record.refresh_from_db()
    assert (record.delivered_on, record.people_served, record.notes) == (
        dt.date(2025, 6, 2),
        12,
        "补录",
    )
    assert record.recorded_by == contact
    assert ServiceRecord.objects.count() == 1


@pytest.mark.parametrize("role", [ALLIANCE_CONTACT, EXCHANGE_POINT_OPERATOR])
def test_contacts_and_operators_may_not_open_the_import_page(client, role):
    user = make_user(email="someone@example.cn", phone="13600000099", staff=True)
    user.groups.add(group_of(role))
    client.force_login(user)
    assert client.get(reverse("admin:services_servicerecord_import")).status_code == 403


def test_a_csv_export_imports_back_unchanged_too(client, staff, service, organisation):
    ServiceRecord.objects.create(
        service=service,
        organisation=organisation,
        delivered_on=dt.date(2025, 9, 9),
        people_served=7,
        notes="-2 人缺席",
    )
    before = list(ServiceRecord.objects.values())
    client.force_login(staff)
    url = reverse("admin:services_servicerecord_export")
    form = client.get(url).context["form"]
    data = {"format": "1", "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("servicerecordresource_")})
    exported = client.post(url, data).content
    assert "'-2 人缺席" in exported.decode("utf-8-sig")  # escaped for the spreadsheet

    preview = client.post(
        reverse("admin:services_servicerecord_import"),
        {"format": "1", "import_file": SimpleUploadedFile("records.csv", exported)},
    )
    assert confirm(client, preview).status_code == 302

    assert list(ServiceRecord.objects.values()) == before
