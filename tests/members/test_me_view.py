"""/me/: the member's home with a masked profile and the panels later apps add."""

import pytest
from django.urls import reverse

from members import panels
from tests.factories import MemberFactory


def test_login_is_required(client):
    response = client.get(reverse("members:me"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_profile_is_masked_and_complete(client, member):
    client.force_login(member.user)
    page = client.get(reverse("members:me")).content.decode()
    for text in ["王小明", "中测新图党支部", "单建企业支部", "正式党员", "南太湖精英计划", "培育"]:
        assert text in page
    assert "138****5678" in page and "110***********002X" in page
    assert "13812345678" not in page and "11010519491231002X" not in page


def test_a_login_without_member_record_sees_a_note(client, public_user):
    client.force_login(public_user)
    page = client.get(reverse("members:me")).content.decode()
    assert "尚未关联党员信息" in page and "公众账号" in page


def test_names_are_escaped(client, member):
    member.name = "<script>alert(1)</script>"
    member.save()
    client.force_login(member.user)
    page = client.get(reverse("members:me")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture
def demo_panel(settings, tmp_path):
    folder = tmp_path / "panel_templates"
    (folder / "demo").mkdir(parents=True)
    (folder / "demo" / "panel.html").write_text(
        '<section class="card" id="demo-panel">{{ panel.points }} / {{ member.name }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], folder]}
    ]
    panels.register_me_panel(
        "demo/panel.html", context=lambda request, member: {"points": 42}, order=5
    )
    yield
    panels._PANELS.pop("demo/panel.html")


def test_later_apps_add_panels(client, member, demo_panel):
    client.force_login(member.user)
    page = client.get(reverse("members:me")).content.decode()
    assert '<section class="card" id="demo-panel">42 / 王小明</section>' in page


@pytest.mark.parametrize("others", [0, 20])
def test_query_count_is_fixed(client, member, others, django_assert_num_queries, monkeypatch):
    # The members part of the page alone: each app that adds a panel pins its own queries.
    monkeypatch.setattr(panels, "_PANELS", {})
    for _ in range(others):
        MemberFactory(branch=member.branch)
    client.force_login(member.user)
    # Session, user, the member with branch and employer joined, then the session save
    # (savepoint, update, release): no query per panel field or per other member.
    with django_assert_num_queries(6):
        assert client.get(reverse("members:me")).status_code == 200
