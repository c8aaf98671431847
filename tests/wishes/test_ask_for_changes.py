"""Staff send a wish back with what to change; the wisher changes it and sends it again.

Given a wish waiting for verification, when staff ask for changes (from the wish's admin page),
then the wisher is told what to change with a link that opens the edit page, the wish stays
off the wall, and when the wisher sends it changed it waits for verification again.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from members.audit import AuditEvent
from members.refusals import Refused
from tests.conftest import make_user
from tests.factories import CategoryFactory
from wishes import actions
from wishes.models import Wish, WishEvent

NOTE = "请删去心愿中的手机号码"


@pytest.fixture
def sent_back(make_wish, staff, django_capture_on_commit_callbacks):
    wish = make_wish(Wish.Status.SUBMITTED, text="希望开通公交，联系电话13812345678。")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return actions.ask_for_changes(wish=wish, by=staff, note=NOTE)


def test_asking_for_changes_tells_the_wisher_what_and_where(sent_back, member_user):
    assert (sent_back.status, sent_back.changes_asked) == (Wish.Status.CHANGES_ASKED, NOTE)
    assert sent_back.events.filter(kind=WishEvent.Kind.CHANGES_ASKED, text=NOTE).exists()
    [message] = mail.outbox
    assert message.to == [member_user.email]
    assert "请修改您的心愿" in message.subject and NOTE in message.body
    edit = reverse("wishes:wish_edit", args=[sent_back.pk])
    assert f"{settings.PORTAL_SITE_URL}{edit}" in message.body  # a link a mail client opens
    assert settings.PORTAL_SITE_URL.startswith("http")


def test_a_wish_sent_back_is_not_on_the_wall(sent_back, client):
    assert client.get(reverse("wishes:wish_detail", args=[sent_back.pk])).status_code == 404
    assert sent_back not in Wish.objects.public()


def test_asking_needs_a_note_and_a_moderator(make_wish, staff, member_user):
    wish = make_wish(Wish.Status.SUBMITTED)
    with pytest.raises(Refused) as refused:
        actions.ask_for_changes(wish=wish, by=staff, note="  ")
    assert refused.value.code == "note_required"
    with pytest.raises(PermissionDenied):
        actions.ask_for_changes(wish=wish, by=member_user, note=NOTE)
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED


def test_a_published_wish_cannot_be_sent_back(make_wish, staff):
    wish = make_wish(Wish.Status.PUBLISHED)
    with pytest.raises(Refused) as refused:
        actions.ask_for_changes(wish=wish, by=staff, note=NOTE)
    assert refused.value.code == "stale"


def test_the_wisher_changes_it_and_it_waits_for_verification_again(sent_back, client, member_user):
    client.force_login(member_user)
    edit = reverse("wishes:wish_edit", args=[sent_back.pk])
    page = client.get(edit).content.decode()
    assert NOTE in page and "13812345678" in page  # the old words, ready to change
    response = client.post(
        edit,
        {"title": "通勤班车", "text": "希望开通公交。", "category": sent_back.category_id},
    )
    assert response.status_code == 302
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.text, sent_back.changes_asked) == (
        Wish.Status.SUBMITTED,
        "希望开通公交。",
        "",
    )
    assert sent_back.events.filter(kind=WishEvent.Kind.REVISED, actor=member_user).exists()
    assert sent_back in Wish.objects.waiting()


def test_a_bad_change_keeps_what_was_typed(sent_back, client, member_user):
    client.force_login(member_user)
    edit = reverse("wishes:wish_edit", args=[sent_back.pk])
    response = client.post(edit, {"title": "", "text": "改好的心愿内容", "category": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "改好的心愿内容" in page and "请为您的心愿写一个简短的标题" in page
    sent_back.refresh_from_db()
    assert sent_back.status == Wish.Status.CHANGES_ASKED


def test_only_the_wisher_may_open_the_edit_page(sent_back, client):
    stranger = make_user(email="stranger@example.cn")
    client.force_login(stranger)
    assert client.get(reverse("wishes:wish_edit", args=[sent_back.pk])).status_code == 404
    assert AuditEvent.objects.filter(user=stranger).exists()
    with pytest.raises(PermissionDenied):
        actions.revise_wish(
            wish=sent_back,
            by=stranger,
            title="x",
            text="y",
            category=CategoryFactory(),
            show_name=False,
        )


def test_the_edit_page_of_a_wish_not_sent_back_leads_to_the_wish(make_wish, client, member_user):
    wish = make_wish(Wish.Status.SUBMITTED)
    client.force_login(member_user)
    response = client.get(reverse("wishes:wish_edit", args=[wish.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wishes:wish_detail", args=[wish.pk])


def test_a_wish_sent_back_may_be_withdrawn_or_rejected(sent_back, make_wish, staff):
    assert actions.withdraw_wish(wish=sent_back, by=sent_back.wisher).status == "withdrawn"
    other = actions.ask_for_changes(wish=make_wish(), by=staff, note=NOTE)
    assert actions.reject_wish(wish=other, by=staff, reason="重复").status == "rejected"


def test_the_wish_page_and_me_show_the_wisher_the_way_to_change_it(sent_back, client, member_user):
    client.force_login(member_user)
    edit = reverse("wishes:wish_edit", args=[sent_back.pk])
    detail = client.get(reverse("wishes:wish_detail", args=[sent_back.pk])).content.decode()
    assert NOTE in detail and edit in detail and "修改并重新提交" in detail
    assert edit in client.get("/me/").content.decode()


def test_staff_ask_for_changes_from_the_wish_admin_page(make_wish, client, staff):
    wish = make_wish(Wish.Status.SUBMITTED)
    client.force_login(staff)
    page = client.get(reverse("admin:wishes_wish_change", args=[wish.pk])).content.decode()
    assert "object-step-ask_for_changes" in page and "退回修改" in page
    client.post(
        reverse("admin:wishes_wish_step", args=[wish.pk, "ask_for_changes"]),
        {"ask_for_changes-reason": NOTE},
    )
    wish.refresh_from_db()
    assert (wish.status, wish.changes_asked) == (Wish.Status.CHANGES_ASKED, NOTE)
