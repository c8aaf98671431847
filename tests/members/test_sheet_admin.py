"""Import and export through the staff admin: preview first, all or nothing, own permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Member
from tests.members.conftest import MEMBER_HEADERS, grant, read_xlsx, xlsx_bytes

IMPORT = "admin:members_member_import"
XLSX = "0"  # index of xlsx in the admin's formats


def rows(count, branch_name="中测新图党支部"):
    return [["", f"张{i}", "男", f"139{i:08d}", "", "否", branch_name] for i in range(count)]


def upload(client, content, name="members.xlsx", fmt=XLSX):
    return client.post(
        reverse(IMPORT),
        {"format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )


def test_preview_then_confirm_imports_every_row(client, clerk, branch):
    client.force_login(clerk)
    preview = upload(client, xlsx_bytes(MEMBER_HEADERS, rows(3)))
    assert preview.status_code == 200
    assert Member.objects.count() == 0  # the preview is a dry run
    confirm_form = preview.context["confirm_form"]
    assert confirm_form is not None
    done = client.post(reverse("admin:members_member_process_import"), confirm_form.initial)
    assert done.status_code == 302
    assert sorted(Member.objects.values_list("name", flat=True)) == ["张0", "张1", "张2"]


def test_a_bad_row_shows_column_and_reason_and_offers_no_confirm(client, clerk, branch):
    client.force_login(clerk)
    sheet = rows(5)
    sheet[3][3] = "1391234567x"
    response = upload(client, xlsx_bytes(MEMBER_HEADERS, sheet))
    page = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "第 5 行“手机号”列：“1391234567x”不是 11 位中国大陆手机号。" in page
    assert "未导入任何数据" in page
    assert Member.objects.count() == 0


def test_a_20_mb_upload_is_refused_with_a_message(client, clerk, branch):
    client.force_login(clerk)
    response = upload(client, b"x" * (20 * 1024 * 1024))
    assert "文件大小为 20.0 MB，超过了 10 MB 的上限。" in response.content.decode()
    assert Member.objects.count() == 0


def test_a_truncated_xlsx_gets_a_plain_message(client, clerk, branch):
    client.force_login(clerk)
    response = upload(client, xlsx_bytes(MEMBER_HEADERS, rows(40))[:2000])
    assert "无法读取文件" in response.content.decode()
    assert "BadZipFile" not in response.content.decode()


def test_import_and_export_need_their_own_permissions(client, db, clerk, member):
    clerk.user_permissions.clear()
    grant(clerk, "members.view_member", "members.view_all_branches")
    client.force_login(clerk)
    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse("admin:members_member_export")).status_code == 403
    grant(clerk, "members.export_member")
    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse("admin:members_member_export")).status_code == 200


def test_admin_export_is_masked_without_reveal(client, clerk, member):
    client.force_login(clerk)
    response = client.post(
        reverse("admin:members_member_export"),
        {"format": XLSX, **{f"memberresource_{name}": "on" for name in _member_fields()}},
    )
    assert response.status_code == 200, response.content[:500]
    sheet = read_xlsx(response.content)
    assert "138****5678" in sheet[1]
    assert "13812345678" not in sheet[1]


def _member_fields():
    from members.sheets.roll import MemberResource

    return list(MemberResource().fields)


@pytest.mark.parametrize("model", ["enterprise", "branch"])
def test_enterprise_and_branch_import_pages_exist(client, staff, model):
    client.force_login(staff)
    assert client.get(reverse(f"admin:members_{model}_import")).status_code == 200


def test_preview_masks_personal_data_and_bad_cells_are_not_echoed(client, clerk, branch):
    client.force_login(clerk)
    sheet = rows(2)
    sheet[0][4], sheet[0][5] = "330521198807150010", "是"
    preview = upload(client, xlsx_bytes(MEMBER_HEADERS, sheet)).content.decode()
    assert "139****0000" in preview and "330***********0010" in preview
    assert "13900000000" not in preview and "330521198807150010" not in preview

    sheet[1][4], sheet[1][5] = "330521198807150011", "是"  # wrong check character
    refused = upload(client, xlsx_bytes(MEMBER_HEADERS, sheet)).content.decode()
    assert "第 3 行“身份证号”列：此身份证号的校验码不正确，请核对。" in refused
    assert "330521198807150011" not in refused and "13900000001" not in refused
