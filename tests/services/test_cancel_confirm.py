"""Cancelling a sign-up asks first: the step's GET is the confirmation, the POST cancels."""

import re

from services import actions
from services.models import SignUp
from tests.services.conftest import make_activity


def _signed_up(member, organisation):
    activity = make_activity(organisation=organisation, title="垃圾分类宣传")
    return actions.sign_up(activity=activity, member=member)


def test_the_activity_page_asks_before_cancelling(client, member_user, member, organisation):
    signup = _signed_up(member, organisation)
    client.force_login(member_user)
    page = client.get(f"/activities/{signup.activity_id}/").content.decode()
    assert re.search(
        rf'<form method="get" action="/activities/{signup.activity_id}/cancel/">', page
    )


def test_the_confirmation_names_the_activity_and_changes_nothing(
    client, member_user, member, organisation
):
    signup = _signed_up(member, organisation)
    client.force_login(member_user)

    response = client.get(f"/activities/{signup.activity_id}/cancel/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "取消报名“垃圾分类宣传”？" in page and "红盟书吧" in page
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED


def test_confirming_cancels(client, member_user, member, organisation):
    signup = _signed_up(member, organisation)
    client.force_login(member_user)

    response = client.post(f"/activities/{signup.activity_id}/cancel/")

    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED


def test_without_a_sign_up_there_is_nothing_to_confirm(client, member_user, member, organisation):
    activity = make_activity(organisation=organisation)
    client.force_login(member_user)
    assert client.get(f"/activities/{activity.pk}/cancel/").status_code == 404
