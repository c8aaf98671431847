"""The service list in Excel: staff export it, edit it and import it back (preview, all or none)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.audit import AuditEvent
from services.models import Service
from tests.services.conftest import make_service

pytestmark = pytest.mark.django_db

HEADERS = ["类别", "服务名称", "服务地点", "提供单位", "服务内容", "获取方式", "在用"]
XLSX = "0"  # index of xlsx in the admin's formats


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes):
    return client.post(
        reverse("admin:services_service_import"),
        {"format": XLSX, "import_file": SimpleUploadedFile("services.xlsx", content)},
    )


def test_the_service_list_exports_with_fixed_chinese_headers(
    client, staff, organisation, other_organisation
):
    make_service(title="青年联谊会", providers=[organisation, other_organisation])
    client.force_login(staff)
    url = reverse("admin:services_service_export")
    form = client.get(url).context["form"]
    data = {"format": XLSX, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("serviceresource_")})

    response = client.post(url, data)

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][:4] == ("志愿帮扶", "青年联谊会", "服务大厅", "团县委、晨曦社工")
    assert rows[1][6] == "是"


def test_an_edited_sheet_updates_and_adds_after_a_preview(
    client, staff, organisation, other_organisation
):
    existing = make_service(title="青年联谊会", providers=[organisation])
    client.force_login(staff)
    sheet = xlsx_bytes(
        [
            ["志愿帮扶", "青年联谊会", "服务大厅", "团县委、晨曦社工", "牵线搭桥", "", "是"],
            ["人才联络", "人才沙龙", "红领学院", "晨曦社工", "", "到服务大厅报名", "是"],
        ]
    )

    preview = upload(client, sheet)

    assert preview.status_code == 200
    assert Service.objects.count() == 1  # the preview is a dry run
    done = client.post(
        reverse("admin:services_service_process_import"), preview.context["confirm_form"].initial
    )
    assert done.status_code == 302
    existing.refresh_from_db()
    assert set(existing.providers.all()) == {organisation, other_organisation}
    assert existing.description == "牵线搭桥"
    salon = Service.objects.get(title="人才沙龙")
    assert (salon.category.code, salon.venue) == ("talent", Service.Venue.RED_COLLAR_ACADEMY)
    assert "rencaishalong" in salon.search_pinyin  # derived on save, as for a form
    imported = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert imported.details["model"] == "services.service"


def test_an_unknown_provider_imports_nothing_and_says_where(client, staff, organisation):
    client.force_login(staff)
    sheet = xlsx_bytes(
        [
            ["志愿帮扶", "义诊", "服务大厅", "团县委", "", "", "是"],
            ["志愿帮扶", "法律咨询", "服务大厅", "不存在的单位", "", "", "是"],
        ]
    )

    response = upload(client, sheet)

    page = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "第 3 行“提供单位”列" in page
    assert "不存在的单位" in page
    assert not Service.objects.exists()


def test_only_staff_who_keep_the_catalogue_may_import(client, contact):
    contact.is_staff = True
    contact.save(update_fields=["is_staff"])
    client.force_login(contact)
    assert client.get(reverse("admin:services_service_import")).status_code == 403


def test_an_unknown_category_is_named_with_its_column(client, staff):
    client.force_login(staff)
    page = upload(client, xlsx_bytes([["没有的类别", "法律咨询", "服务大厅", "", "", "", "是"]]))
    text = page.content.decode()
    assert "没有的类别" in text and "类别" in text and "无法保存" not in text
    assert not Service.objects.filter(title="法律咨询").exists()
