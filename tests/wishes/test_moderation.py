"""verify_wish / reject_wish and the admin's bulk actions: staff only, every decision recorded."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from wishes import actions
from wishes.models import Wish, WishEvent


def test_staff_verify_a_wish_and_the_wisher_is_told(
    make_wish, staff, member_user, django_capture_on_commit_callbacks
):
    wish = make_wish()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        wish = actions.verify_wish(wish=wish, by=staff)
    assert wish.status == Wish.Status.PUBLISHED and wish.published_at
    event = wish.events.get(kind=WishEvent.Kind.VERIFIED)
    assert event.actor == staff
    assert [m.to for m in mail.outbox] == [[member_user.email]]
    assert "已上墙" in mail.outbox[0].subject


def test_verifying_twice_changes_nothing(make_wish, staff):
    wish = make_wish(Wish.Status.PUBLISHED)
    again = actions.verify_wish(wish=wish, by=staff)
    assert again.status == Wish.Status.PUBLISHED
    assert wish.events.filter(kind="verified").count() == 1


@pytest.mark.parametrize("who", ["member_user", "alliance_contact", "public_user"])
def test_only_staff_may_verify_or_reject(make_wish, request, who):
    wish = make_wish()
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.verify_wish(wish=wish, by=user)
    with pytest.raises(PermissionDenied):
        actions.reject_wish(wish=wish, by=user, reason="x")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED


def test_staff_without_the_moderation_permission_may_not_verify(make_wish, db):
    from tests.conftest import make_user

    clerk = make_user(email="clerk@example.cn", staff=True)
    with pytest.raises(PermissionDenied):
        actions.verify_wish(wish=make_wish(), by=clerk)


def test_reject_needs_a_reason_and_tells_the_wisher(
    make_wish, staff, member_user, django_capture_on_commit_callbacks
):
    wish = make_wish()
    with pytest.raises(ValidationError):
        actions.reject_wish(wish=wish, by=staff, reason="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        wish = actions.reject_wish(wish=wish, by=staff, reason="内容与小镇服务无关")
    assert wish.status == Wish.Status.REJECTED and wish.rejection_reason == "内容与小镇服务无关"
    assert wish.events.get(kind="rejected").actor == staff
    assert mail.outbox[0].to == [member_user.email]
    assert "内容与小镇服务无关" in mail.outbox[0].body


def test_a_claimed_wish_can_no_longer_be_rejected(make_wish, staff):
    wish = make_wish(Wish.Status.CLAIMED)
    with pytest.raises(ValidationError):
        actions.reject_wish(wish=wish, by=staff, reason="晚了")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED


def test_verify_cannot_bring_back_a_withdrawn_wish(make_wish, staff):
    wish = make_wish(Wish.Status.WITHDRAWN)
    with pytest.raises(ValidationError):
        actions.verify_wish(wish=wish, by=staff)


def test_admin_bulk_verify_records_every_decision(client, staff, make_wish, member_user):
    wishes = [make_wish(title=f"心愿{i}") for i in range(3)]
    client.force_login(staff)
    response = client.post(
        "/admin/wishes/wish/",
        {"action": "verify_selected", "_selected_action": [w.pk for w in wishes]},
    )
    assert response.status_code == 302
    assert set(Wish.objects.values_list("status", flat=True)) == {"published"}
    assert WishEvent.objects.filter(kind="verified", actor=staff).count() == 3


def test_admin_bulk_reject_asks_for_a_reason_then_records_it(client, staff, make_wish):
    wishes = [make_wish(title=f"心愿{i}") for i in range(2)]
    client.force_login(staff)
    ids = [w.pk for w in wishes]
    page = client.post(
        "/admin/wishes/wish/", {"action": "reject_selected", "_selected_action": ids}
    )
    assert page.status_code == 200 and "reason" in page.content.decode()
    assert not Wish.objects.filter(status="rejected").exists()
    done = client.post(
        "/admin/wishes/wish/",
        {"action": "reject_selected", "_selected_action": ids, "apply": "1", "reason": "重复"},
    )
    assert done.status_code == 302
    assert Wish.objects.filter(status="rejected", rejection_reason="重复").count() == 2
    assert WishEvent.objects.filter(kind="rejected", actor=staff, text="重复").count() == 2


def test_admin_queue_lists_masked_wishers(client, staff, make_wish, member_user):
    make_wish()
    client.force_login(staff)
    page = client.get("/admin/wishes/wish/?status__exact=submitted").content.decode()
    assert "通勤" in page
    assert member_user.phone not in page and member_user.email not in page
