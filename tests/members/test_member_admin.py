"""The staff admin for members: masked lists, search, branch-secretary scope, reveal, queries."""

import pytest
from django.urls import reverse

from members.models import Member, PersonalDataReveal
from tests.conftest import PASSWORD
from tests.factories import MemberFactory
from tests.members.conftest import ID_NUMBERS, grant

CHANGELIST = "admin:members_member_changelist"


def login(client, user):
    assert client.login(username=user.email, password=PASSWORD) or client.force_login(user) is None


def test_changelist_masks_mobiles(client, staff, member):
    client.force_login(staff)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page
    assert ID_NUMBERS[0] not in page


def test_change_form_masks_mobile_and_id_number_even_for_superusers(client, staff, member):
    client.force_login(staff)
    page = client.get(reverse("admin:members_member_change", args=[member.pk])).content.decode()
    assert "138****5678" in page and "110***********002X" in page
    assert "13812345678" not in page and ID_NUMBERS[0] not in page


@pytest.mark.parametrize("term", ["138****5678", "wangxiaoming", "wxm", "王小"])
def test_search_by_name_pinyin_or_masked_mobile(client, staff, member, term):
    MemberFactory(name="李四", mobile="13987654321", branch=member.branch)
    client.force_login(staff)
    response = client.get(reverse(CHANGELIST), {"q": term})
    assert [m.name for m in response.context["cl"].result_list] == ["王小明"]


def test_filter_by_branch_kind(client, staff, member, other_branch):
    MemberFactory(name="中心党员", branch=other_branch)
    client.force_login(staff)
    response = client.get(reverse(CHANGELIST), {"branch__kind__exact": "centre"})
    assert [m.name for m in response.context["cl"].result_list] == ["中心党员"]


def test_the_branch_filter_is_one_drop_down_that_keeps_the_other_filters(
    client, staff, member, other_branch
):
    MemberFactory(name="中心党员", branch=other_branch)
    client.force_login(staff)
    response = client.get(reverse(CHANGELIST), {"status": member.status, "q": "王"})
    page = response.content.decode()
    assert f'<option value="{other_branch.pk}">' in page
    assert f"branch__id__exact={other_branch.pk}" not in page  # no link per branch
    assert '<input type="hidden" name="q" value="王">' in page
    response = client.get(reverse(CHANGELIST), {"branch__id__exact": other_branch.pk})
    assert [m.name for m in response.context["cl"].result_list] == ["中心党员"]
    assert f'<option value="{other_branch.pk}" selected>' in response.content.decode()


def test_fifty_members_a_page(client, staff, branch):
    MemberFactory.create_batch(51, branch=branch)
    client.force_login(staff)
    response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 50
    assert client.get(reverse(CHANGELIST), {"p": 2}).context["cl"].result_list.count() == 1


def test_secretary_sees_only_their_branch(client, secretary, member, other_branch):
    MemberFactory(name="外支部党员", branch=other_branch)
    client.force_login(secretary)
    response = client.get(reverse(CHANGELIST))
    assert [m.name for m in response.context["cl"].result_list] == ["王小明"]


def test_another_branchs_member_is_404_for_a_secretary(client, secretary, member, other_branch):
    stranger = MemberFactory(name="外支部党员", branch=other_branch)
    client.force_login(secretary)
    assert client.get(reverse("admin:members_member_change", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("admin:members_member_history", args=[stranger.pk])).status_code in (
        404,
        302,
    )
    response = client.post(
        reverse("admin:members_member_change", args=[stranger.pk]), {"name": "改名"}
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.name == "外支部党员"
    assert client.get(reverse("admin:members_member_change", args=[member.pk])).status_code == 200


def _change_data(member, **overrides):
    data = {
        "name": member.name,
        "gender": member.gender,
        "email": member.email,
        "branch": member.branch_id,
        "status": member.status,
        "joined_on": "",
        "employer": member.employer_id or "",
        "talent_programme": member.talent_programme,
        "talent_origin": member.talent_origin,
        "id_number_consent": "on" if member.id_number_consent else "",
        "is_active": "on",
        "user": member.user_id or "",
        "new_mobile": "",
        "new_id_number": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_secretary_cannot_move_a_member_to_another_branch(client, secretary, member, other_branch):
    client.force_login(secretary)
    response = client.post(
        reverse("admin:members_member_change", args=[member.pk]),
        _change_data(member, branch=other_branch.pk),
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "branch" in response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.branch != other_branch


def test_staff_replace_mobile_and_id_number_through_the_form(client, staff, member):
    client.force_login(staff)
    response = client.post(
        reverse("admin:members_member_change", args=[member.pk]),
        _change_data(member, new_mobile="１３９１２３４５６７８", new_id_number=ID_NUMBERS[2]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.mobile == "13912345678" and member.id_number == ID_NUMBERS[2]
    assert member.user_id is not None  # untouched fields stay


def test_an_id_number_without_consent_is_refused_in_the_form(client, staff, branch):
    person = MemberFactory(branch=branch)
    client.force_login(staff)
    response = client.post(
        reverse("admin:members_member_change", args=[person.pk]),
        _change_data(person, new_id_number=ID_NUMBERS[2]),
    )
    assert response.status_code == 200
    assert "id_number_consent" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.id_number == ""


def test_reveal_shows_full_data_and_is_recorded(client, clerk, member):
    grant(clerk, "members.reveal_personal_data")
    client.force_login(clerk)
    url = reverse("admin:members_member_reveal", args=[member.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    page = response.content.decode()
    assert "13812345678" in page and ID_NUMBERS[0] in page
    assert "no-store" in response["Cache-Control"]
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.member, reveal.revealed_by, reveal.channel) == (member, clerk, "admin")


def test_reveal_needs_the_permission(client, clerk, member):
    client.force_login(clerk)
    response = client.post(reverse("admin:members_member_reveal", args=[member.pk]))
    assert response.status_code == 403
    assert "13812345678" not in response.content.decode()
    assert not PersonalDataReveal.objects.exists()


def test_a_secretary_cannot_reveal_another_branch(client, secretary, other_branch):
    grant(secretary, "members.reveal_personal_data")
    stranger = MemberFactory(branch=other_branch)
    client.force_login(secretary)
    assert (
        client.post(reverse("admin:members_member_reveal", args=[stranger.pk])).status_code == 404
    )


def test_reveal_records_are_read_only(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:members_personaldatareveal_changelist")).status_code == 200
    assert client.get(reverse("admin:members_personaldatareveal_add")).status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_changelist_query_count_does_not_grow_with_rows(
    client, staff, branch, count, django_assert_num_queries
):
    for _ in range(count):
        MemberFactory(branch=branch)
    client.force_login(staff)
    # Session, user, permissions, the filtered count (no full count: show_full_result_count
    # is off), one page of rows with branch/employer/user joined, filter choices: the same
    # number for 3 rows as for 30. (One fewer since the admin's app list is built only when
    # shown: the nav sidebar's, never; it asked whether the points policy exists.)
    with django_assert_num_queries(8):
        response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == count


def test_every_model_is_in_the_admin(client, staff, member):
    client.force_login(staff)
    for name in ("enterprise", "branch", "member", "personaldatareveal", "user"):
        assert client.get(reverse(f"admin:members_{name}_changelist")).status_code == 200
    assert Member.objects.count() == 1
