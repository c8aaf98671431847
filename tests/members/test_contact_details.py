"""A member changes e-mail and mobile after re-entering the password, and nothing else."""

from django.urls import reverse

from tests.conftest import PASSWORD


def test_change_after_password_saves_both(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("members:contact_edit"),
        {"email": "new@example.cn", "mobile": "１３９ ００００ ０００９", "password": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("members:me")
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert (member.email, member.mobile) == ("new@example.cn", "13900000009")
    assert member.user.phone == "13900000009"  # logging in by mobile follows the change


def test_wrong_password_changes_nothing(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("members:contact_edit"),
        {"email": "new@example.cn", "mobile": "13900000009", "password": "wrong password"},
    )
    assert response.status_code == 200
    assert "密码不正确。" in response.content.decode()
    member.refresh_from_db()
    assert (member.email, member.mobile) == ("member@example.cn", "13812345678")


def test_mass_assignment_of_staff_fields_is_ignored(client, member, other_branch, enterprise):
    client.force_login(member.user)
    before = (member.branch_id, member.status, member.talent_programme, member.user_id)
    response = client.post(
        reverse("members:contact_edit"),
        {
            "email": "new@example.cn",
            "mobile": "",
            "password": PASSWORD,
            "branch": other_branch.pk,
            "branch_id": other_branch.pk,
            "status": "probationary",
            "talent_programme": "national",
            "ranking_consent": "on",
            "is_active": "",
            "user": "",
            "id_number": "330521198807150010",
            "name": "改名",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.branch_id, member.status, member.talent_programme, member.user_id) == before
    assert member.name == "王小明" and member.is_active and not member.ranking_consent
    assert member.id_number == "11010519491231002X"
    assert member.email == "new@example.cn" and member.mobile == "13812345678"


def test_letters_in_a_mobile_are_refused(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("members:contact_edit"),
        {"email": "", "mobile": "1390000000a", "password": PASSWORD},
    )
    assert "请输入 11 位中国大陆手机号" in response.content.decode()
    member.refresh_from_db()
    assert member.mobile == "13812345678"


def test_a_mobile_of_another_account_is_refused(client, member, public_user):
    client.force_login(member.user)
    response = client.post(
        reverse("members:contact_edit"),
        {"email": "", "mobile": public_user.phone, "password": PASSWORD},
    )
    assert "该手机号已被其他账号使用。" in response.content.decode()
    member.refresh_from_db()
    assert member.mobile == "13812345678"


def test_a_login_without_member_record_gets_404(client, public_user):
    client.force_login(public_user)
    assert client.get(reverse("members:contact_edit")).status_code == 404


def test_the_form_page_shows_only_the_masked_mobile(client, member):
    client.force_login(member.user)
    page = client.get(reverse("members:contact_edit")).content.decode()
    assert "138****5678" in page and "13812345678" not in page
