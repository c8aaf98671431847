"""/me/export/ downloads the caller's own data as JSON, and only theirs."""

import json

from django.urls import reverse

from tests.factories import MemberFactory
from tests.members.conftest import ID_NUMBERS


def test_export_holds_only_the_callers_data(client, member):
    neighbour = MemberFactory(name="邻居", mobile="13700001111", branch=member.branch)
    client.force_login(member.user)
    response = client.get(
        reverse("members:me_export"), {"member": neighbour.pk, "pk": neighbour.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["member"]["name"] == "王小明"
    assert data["member"]["mobile"] == "13812345678"
    assert data["member"]["id_number"] == ID_NUMBERS[0]
    assert data["member"]["branch"] == "中测新图党支部"
    assert data["account"]["email"] == "member@example.cn"
    text = response.content.decode()
    assert "邻居" not in text and "13700001111" not in text


def test_export_for_a_login_without_member_record(client, public_user):
    client.force_login(public_user)
    data = json.loads(client.get(reverse("members:me_export")).content)
    assert data["member"] is None and data["account"]["email"] == "public@example.cn"


def test_export_needs_a_login(client):
    assert client.get(reverse("members:me_export")).status_code == 302


def test_export_is_get_only(client, member):
    client.force_login(member.user)
    assert client.post(reverse("members:me_export")).status_code == 405
