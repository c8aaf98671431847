"""Activity pages: list with query budget, sign-up, check-in by QR, the organiser's desk."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.urls import reverse

from points.models import Account
from services import actions
from services.models import Attendance, SignUp
from tests.services.conftest import make_activity, make_member, make_organisation

pytestmark = pytest.mark.django_db
URL = "/activities/"


def test_the_list_url_name(client):
    assert reverse("services:activity_list") == URL
    assert client.get(URL).status_code == 200


def test_upcoming_and_past_are_separate(client, organisation):
    upcoming = make_activity(organisation=organisation, title="红色论坛")
    past = make_activity(
        organisation=organisation, title="小镇服务日", starts_in=timedelta(days=-3)
    )
    assert [a.pk for a in client.get(URL).context["activities"]] == [upcoming.pk]
    assert [a.pk for a in client.get(URL, {"past": "1"}).context["activities"]] == [past.pk]


def test_the_pages_of_past_activities_stay_past(client, organisation):
    for _ in range(21):
        make_activity(organisation=organisation, starts_in=timedelta(days=-3))
    make_activity(organisation=organisation)
    first = client.get(URL, {"past": "1"})
    assert 'href="?past=1&amp;page=2"' in first.content.decode()
    second = client.get(URL, {"past": "1", "page": "2"})
    assert len(second.context["activities"]) == 1
    assert 'href="?past=1&amp;page=1"' in second.content.decode()
    assert 'href="?page=2"' not in client.get(URL).content.decode()


def _grow(n: int, member=None) -> None:
    for i in range(n):
        activity = make_activity(organisation=make_organisation(), capacity=2)
        for _ in range(3):
            actions.sign_up(activity=activity, member=make_member())
        if member is not None and i % 2 == 0:
            actions.sign_up(activity=activity, member=member)


@pytest.mark.parametrize("size", [2, 25])
def test_the_anonymous_list_keeps_one_budget(client, size, django_assert_num_queries):
    _grow(size)
    # count and the page of activities with their counts, category and organiser.
    with django_assert_num_queries(2):
        response = client.get(URL)
    assert len(response.context["activities"]) == min(size, 20)


@pytest.mark.parametrize("size", [2, 25])
def test_the_members_list_keeps_one_budget(client, member, size, django_assert_num_queries):
    _grow(size, member=member)
    client.force_login(member.user)
    # session, user, member record, count, activities, my sign-ups on the page, and the
    # session save every request makes (savepoint, update, release).
    with django_assert_num_queries(9):
        response = client.get(URL)
    statuses = {a.my_status for a in response.context["activities"]}
    assert statuses == {None, "waiting"}


def test_the_list_shows_places_taken(client, organisation):
    activity = make_activity(organisation=organisation, capacity=2, title="青年联谊会")
    for _ in range(3):
        actions.sign_up(activity=activity, member=make_member())
    body = client.get(URL).content.decode()
    assert "已报名 2 / 2" in body
    assert "候补 1 人" in body


def test_signing_up_through_the_page(client, member, organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    client.force_login(member.user)
    response = client.post(reverse("services:activity_sign_up", args=[activity.pk]), follow=True)
    assert "报名成功" in response.content.decode()
    assert SignUp.objects.get().status == SignUp.Status.CONFIRMED


def test_signing_up_twice_through_the_page_is_refused(client, member, organisation):
    activity = make_activity(organisation=organisation)
    client.force_login(member.user)
    url = reverse("services:activity_sign_up", args=[activity.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "请勿重复报名" in response.content.decode()
    assert SignUp.objects.count() == 1


def test_a_full_activity_puts_me_on_the_waiting_list_and_shows_my_place(
    client, member, organisation
):
    activity = make_activity(organisation=organisation, capacity=1)
    actions.sign_up(activity=activity, member=make_member())
    client.force_login(member.user)
    response = client.post(reverse("services:activity_sign_up", args=[activity.pk]), follow=True)
    body = response.content.decode()
    assert "候补名单" in body
    assert "候补第 1 位" in body


def test_a_login_without_a_member_record_cannot_sign_up(client, public_user, organisation):
    activity = make_activity(organisation=organisation)
    client.force_login(public_user)
    response = client.post(reverse("services:activity_sign_up", args=[activity.pk]), follow=True)
    assert "只有党员可以报名" in response.content.decode()
    assert not SignUp.objects.exists()


def test_cancelling_through_the_page_promotes_the_next(client, member, organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    actions.sign_up(activity=activity, member=member)
    waiting = make_member()
    actions.sign_up(activity=activity, member=waiting)
    client.force_login(member.user)
    client.post(reverse("services:activity_cancel", args=[activity.pk]))
    assert activity.signups.get(member=waiting).status == SignUp.Status.CONFIRMED


def test_checking_in_by_the_scanned_link(client, member, organisation):
    activity = make_activity(organisation=organisation, points=5)
    actions.sign_up(activity=activity, member=member)
    with time_machine.travel(activity.starts_at + timedelta(minutes=1)):
        client.force_login(member.user)
        token = actions.checkin_token(activity=activity)
        url = reverse("services:check_in", args=[activity.pk])
        confirm = client.get(url, {"t": token})
        assert confirm.status_code == 200
        assert not Attendance.objects.exists()  # GET only asks to confirm
        response = client.post(url, {"t": token}, follow=True)
        again = client.post(url, {"t": token}, follow=True)
    assert "签到成功，5 积分已计入您的账户" in response.content.decode()
    assert "您已签到过" in again.content.decode()
    assert Account.objects.get(member=member).balance == 5


def test_checking_in_with_a_forged_code_through_the_page(client, member, organisation):
    activity = make_activity(organisation=organisation, points=5)
    actions.sign_up(activity=activity, member=member)
    with time_machine.travel(activity.starts_at + timedelta(minutes=1)):
        client.force_login(member.user)
        response = client.post(
            reverse("services:check_in", args=[activity.pk]), {"t": "forged:code"}, follow=True
        )
    assert "签到码无效" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_desk_is_for_the_organiser_only(client, organisation, contact, other_contact, member):
    activity = make_activity(organisation=organisation)
    for url_name in ("activity_desk", "activity_desk_qr"):
        url = reverse(f"services:{url_name}", args=[activity.pk])
        client.force_login(other_contact)
        assert client.get(url).status_code == 404
        client.force_login(member.user)
        assert client.get(url).status_code == 404
        client.force_login(contact)
        assert client.get(url).status_code == 200


def test_the_desk_qr_fragment_is_an_svg_of_a_fresh_code(client, organisation, contact):
    activity = make_activity(organisation=organisation)
    client.force_login(contact)
    response = client.get(reverse("services:activity_desk_qr", args=[activity.pk]))
    body = response.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_desk_qr_encodes_a_check_in_link_with_a_valid_token(rf, organisation, contact):
    """Rebuild the URL the view encodes and check the token inside it verifies."""
    import segno

    from services import views

    activity = make_activity(organisation=organisation)
    request = rf.get("/")
    request.user = contact
    captured = {}
    original = segno.make

    def spy(content, **kwargs):
        captured["url"] = content
        return original(content, **kwargs)

    segno.make, views.segno.make = spy, spy
    try:
        views.activity_desk_qr(request, activity.pk)
    finally:
        segno.make = views.segno.make = original
    url = urlparse(captured["url"])
    assert url.path == reverse("services:check_in", args=[activity.pk])
    actions.verify_checkin_token(token=parse_qs(url.query)["t"][0], activity=activity)


def test_ticking_through_the_desk(client, organisation, contact):
    activity = make_activity(organisation=organisation, points=3)
    members = [make_member() for _ in range(2)]
    for m in members:
        actions.sign_up(activity=activity, member=m)
    with time_machine.travel(activity.starts_at + timedelta(minutes=1)):
        client.force_login(contact)
        response = client.post(
            reverse("services:activity_tick", args=[activity.pk]),
            {"members": [m.pk for m in members]},
            follow=True,
        )
    assert "已登记 2 人出席" in response.content.decode()
    assert Attendance.objects.count() == 2


def test_ticking_a_member_not_on_the_list_is_refused_by_the_form(client, organisation, contact):
    activity = make_activity(organisation=organisation, points=3)
    stranger = make_member()
    with time_machine.travel(activity.starts_at + timedelta(minutes=1)):
        client.force_login(contact)
        client.post(
            reverse("services:activity_tick", args=[activity.pk]), {"members": [stranger.pk]}
        )
    assert not Attendance.objects.exists()


def test_activity_text_is_escaped(client, organisation):
    activity = make_activity(organisation=organisation, title="<b>标题</b>")
    body = client.get(reverse("services:activity_detail", args=[activity.pk])).content.decode()
    assert "<b>标题</b>" not in body
    assert "&lt;b&gt;标题&lt;/b&gt;" in body


def test_a_stale_scanned_code_is_explained_before_any_tap(client, member, organisation, settings):
    activity = make_activity(organisation=organisation, points=5)
    with time_machine.travel(activity.starts_at, tick=False) as traveller:
        token = actions.checkin_token(activity=activity)
        traveller.shift(settings.SERVICES_CHECKIN_MAX_AGE_SECONDS + 1)
        client.force_login(member.user)
        response = client.get(reverse("services:check_in", args=[activity.pk]), {"t": token})
    body = response.content.decode()
    assert "签到码已过期" in body
    assert 'name="t"' not in body  # no button to press
