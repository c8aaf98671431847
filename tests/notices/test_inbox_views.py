"""The inbox pages: only my notices, newest first, paginated, mark read, settings; query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.notices import actions
from members.notices.models import Notice, Preference
from services.notices import REQUEST_STEP
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CONTEXT = {
    "number": 1,
    "step": "x",
    "service": "创业咨询",
    "status": "x",
    "organisation": "",
    "note": "",
}


def tell(user, event):
    return actions.notify(kind=REQUEST_STEP, to=[user], event=event, context=CONTEXT, link="/")


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("notices:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_inbox_lists_my_notices_only_newest_first_in_two_queries(
    client, django_assert_num_queries
):
    me = make_user(email="me@example.cn")
    other = make_user(email="other@example.cn")
    for n in range(25):
        tell(me, f"e{n}")
    tell(other, "theirs")
    client.force_login(me)
    # session, account, the page's count and its rows; the session's save (3 statements)
    with django_assert_num_queries(7):
        response = client.get(reverse("notices:inbox"))
    notices = list(response.context["notices"])
    assert len(notices) == 20 and all(n.user_id == me.pk for n in notices)
    assert notices[0].event == "e24"
    assert 'class="inbox-count">25<' in response.content.decode()
    page2 = client.get(reverse("notices:inbox") + "?page=2")
    assert len(page2.context["notices"]) == 5


def test_the_header_count_costs_no_query(client, django_assert_num_queries):
    me = make_user(email="me@example.cn")
    tell(me, "a")
    client.force_login(me)
    client.get("/")  # warm whatever the home page caches
    # session, account (the count is one of its columns), preferences; the session's save
    with django_assert_num_queries(6):
        response = client.get(reverse("notices:settings"))
    assert 'class="inbox-count">1<' in response.content.decode()


def test_mark_read_and_all(client):
    me = make_user(email="me@example.cn")
    first = tell(me, "a")[0]
    tell(me, "b")
    client.force_login(me)
    assert client.get(reverse("notices:mark_read", args=[first.pk])).status_code == 405
    response = client.post(reverse("notices:mark_read", args=[first.pk]), {"page": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("notices:inbox")
    me.refresh_from_db()
    assert me.unread_notices == 1
    client.post(reverse("notices:mark_all_read"))
    me.refresh_from_db()
    assert me.unread_notices == 0 and not Notice.objects.unread().exists()


def test_the_settings_save_channels_and_language_and_keep_mandatory_kinds(client, monkeypatch):
    from members.notices import kinds

    mandatory = kinds.NoticeKind(
        key="test.covenant", label="covenant", mandatory=True, example={"a": 1}
    )
    monkeypatch.setitem(kinds.KINDS, mandatory.key, mandatory)
    me = make_user(email="me@example.cn", phone="13800000009")
    client.force_login(me)
    page = client.get(reverse("notices:settings"))
    assert page.status_code == 200
    assert 'name="test.covenant:email"' in page.content.decode()
    response = client.post(
        reverse("notices:settings"),
        {f"{REQUEST_STEP}:sms": "on", "language": "en", "test.covenant:email": ""},
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=me, kind=REQUEST_STEP)
    assert (pref.email, pref.sms) == (False, True)
    assert not Preference.objects.filter(kind="test.covenant").exists()  # cannot be switched off
    me.refresh_from_db()
    assert me.language == "en"
