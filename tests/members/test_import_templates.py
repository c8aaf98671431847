"""Every import page offers its blank template: headers, one example row, dropdowns.

Given an admin that imports a sheet, when staff who may import download its template, then
the first row is the import's columns, the second an example, and each column of fixed
choices (or 是/否) has a dropdown listing exactly the values the import accepts; the
example of a list without look-ups imports as it is; staff without the import right get 403.
"""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.urls import reverse
from openpyxl import load_workbook

from members.admin_base import SheetImportMixin
from members.models import Enterprise
from members.sheets.blank import CHOICES_SHEET, choices_of
from members.sheets.files import import_rows
from members.sheets.roll import EnterpriseResource
from tests.conftest import make_user

IMPORTERS = sorted(
    (model._meta.label, model_admin)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, SheetImportMixin)
)


def _url(model_admin) -> str:
    opts = model_admin.opts
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template")


def test_every_import_page_is_covered():
    labels = [label for label, _admin in IMPORTERS]
    assert {"members.Member", "members.Branch", "rota.Organisation", "services.Service"} <= set(
        labels
    )


@pytest.mark.parametrize(("label", "model_admin"), IMPORTERS, ids=[i[0] for i in IMPORTERS])
def test_the_template_has_headers_an_example_and_dropdowns(client, staff, label, model_admin):
    client.force_login(staff)
    page = client.get(
        reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_import")
    )
    assert _url(model_admin) in page.content.decode()

    response = client.get(_url(model_admin))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    resource = model_admin.get_import_resource_classes(None)[0]()
    fields = resource.get_export_fields()
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(field.column_name) for field in fields]
    assert len(rows) == 2 and any(rows[1])
    lists = book[CHOICES_SHEET]
    assert lists.sheet_state == "hidden"
    dropdowns = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    for index, field in enumerate(fields, start=1):
        choices = choices_of(field.widget)
        letter = sheet.cell(row=1, column=index).column_letter
        if choices is None:
            assert f"{letter}2" not in dropdowns, field.column_name
            continue
        listed = [c.value for c in lists[letter] if c.value]
        assert listed == [value for value in choices if value], field.column_name
        assert f"{letter}2" in dropdowns, field.column_name
        assert rows[1][index - 1] in (None, *choices)


def test_the_enterprise_example_imports_as_it_is(client, staff):
    client.force_login(staff)
    content = client.get(_url(admin.site._registry[Enterprise])).content

    import_rows(
        resource=EnterpriseResource(user=staff),
        content=content,
        file_name="模板.xlsx",
        by=staff,
        dry_run=False,
    )

    assert Enterprise.objects.filter(name="德清示例地理信息科技有限公司").exists()


def test_staff_without_the_import_right_get_no_template(client, db):
    clerk = make_user(email="clerk@example.cn", phone="13900000077", staff=True)
    client.force_login(clerk)

    assert client.get(_url(admin.site._registry[Enterprise])).status_code == 403
