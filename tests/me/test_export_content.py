"""/me/export/ holds the caller's records from every app, as JSON and as an xlsx workbook."""

import io
import json

import openpyxl

from tests.factories import MemberFactory, UserFactory, WishFactory

URL = "/me/export/"


def _json(client, user) -> dict:
    client.force_login(user)
    return json.loads(client.get(URL).content)


def test_json_holds_the_records_of_every_app(client, history, member_user):
    records = _json(client, member_user)["records"]
    assert [row["amount"] for row in records["points.Entry"]] == [100, -10]
    assert records["points.Voucher"][0]["code"] == history.voucher.code
    assert records["points.Account"][0]["balance"] == 90
    assert records["wishes.Wish"][0]["title"] == "希望开通公交"
    assert records["wishes.Claim"][0]["organisation__name"] == "县文明办"
    assert records["services.ServiceRequest"][0]["details"] == "政策咨询"
    assert [row["activity__title"] for row in records["services.SignUp"]] == [
        "垃圾分类宣传",
        "植树活动",
    ]
    assert records["services.Attendance"][0]["activity__title"] == "植树活动"
    assert records["rota.Organisation"][0]["name"] == "县文明办"
    # Choices as their labels, in the portal's language.
    assert records["wishes.Wish"][0]["status"] == "待核实"


def test_audit_events_about_the_caller_are_in(client, history, member_user):
    records = _json(client, member_user)["records"]
    assert "登录成功" in [row["kind"] for row in records["members.AuditEvent"]]


def test_nothing_of_anyone_else(client, history, member_user):
    neighbour = MemberFactory(
        name="邻居", branch=history.voucher.member.branch, user=UserFactory(email="n@example.cn")
    )
    WishFactory(title="邻居的心愿", wisher=neighbour.user)
    text = json.dumps(_json(client, member_user), ensure_ascii=False)
    assert "邻居" not in text


def test_a_public_login_gets_its_own_wishes_and_no_member_records(client, public_user):
    WishFactory(title="公众的心愿", wisher=public_user)
    data = _json(client, public_user)
    assert data["member"] is None
    assert data["records"]["wishes.Wish"][0]["title"] == "公众的心愿"
    assert data["records"]["points.Voucher"] == []


def test_the_workbook_has_a_sheet_per_model_and_formula_safe_cells(client, history, member_user):
    history.wish.title = '=HYPERLINK("http://evil.example")'
    history.wish.save()
    client.force_login(member_user)
    response = client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "my-data.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"profile", "points.Entry", "points.Voucher", "wishes.Wish", "services.SignUp"} <= set(
        book.sheetnames
    )
    profile = {row[0]: row[1] for row in book["profile"].iter_rows(min_row=2, values_only=True)}
    assert profile["member.name"] == "王小明"
    assert profile["account.email"] == "member@example.cn"
    vouchers = list(book["points.Voucher"].iter_rows(values_only=True))
    assert vouchers[0][:2] == ("兑换码", "名称")  # verbose names: the code, the item's name
    assert vouchers[1][0] == history.voucher.code
    wishes = list(book["wishes.Wish"].iter_rows(values_only=True))
    title = wishes[1][wishes[0].index("标题")]
    assert title == '\'=HYPERLINK("http://evil.example")'
