"""Staff export service records to xlsx with Chinese headers and escaped formulas."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from services.models import ServiceRecord

pytestmark = pytest.mark.django_db


def test_records_export_to_xlsx_with_chinese_headers(client, staff, service, organisation):
    ServiceRecord.objects.create(
        service=service,
        organisation=organisation,
        delivered_on=dt.date(2026, 5, 23),
        people_served=26,
        notes='=HYPERLINK("http://evil")',
    )
    client.force_login(staff)
    url = reverse("admin:services_servicerecord_export")
    form = client.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("servicerecordresource_")})

    response = client.post(url, data)

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("记录编号", "服务日期", "类别", "服务")
    assert all(header and header.isascii() is False for header in rows[0])  # all translated
    assert rows[1][3:7] == ("青年联谊会", "团县委", None, 26)
    assert rows[1][1].date() == dt.date(2026, 5, 23)  # a real date cell
    assert rows[1][-1].startswith("'=")  # a formula arrives as text


def test_the_export_needs_a_staff_login(client, member_user):
    client.force_login(member_user)
    response = client.get(reverse("admin:services_servicerecord_export"))
    assert response.status_code == 302
