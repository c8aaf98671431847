"""Moderation on a wish's own admin page: the buttons call the same actions as the bulk ones.

Given a wish in some state, when staff open its admin page, then it offers exactly the steps
that leave from that state; posting one moves the wish through `wishes.actions`, and a post
for a step that no longer applies (another moderator was quicker) changes nothing and says so.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from wishes import actions
from wishes.models import Wish, WishEvent


def _page(client, wish) -> str:
    return client.get(reverse("admin:wishes_wish_change", args=[wish.pk])).content.decode()


def _step(client, wish, step: str, **data):
    return client.post(reverse("admin:wishes_wish_step", args=[wish.pk, step]), data)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def desk(client, staff):
    client.force_login(staff)
    return client


def test_a_waiting_wish_offers_verify_and_reject(desk, make_wish):
    page = _page(desk, make_wish(Wish.Status.SUBMITTED))

    assert "object-step-verify" in page
    assert "object-step-reject" in page


@pytest.mark.parametrize(
    "status", [Wish.Status.REJECTED, Wish.Status.IN_PROGRESS, Wish.Status.CONFIRMED]
)
def test_a_decided_wish_shows_no_buttons(desk, make_wish, status):
    assert "object-step" not in _page(desk, make_wish(status))


def test_a_published_wish_may_still_be_rejected_but_not_verified(desk, make_wish):
    page = _page(desk, make_wish(Wish.Status.PUBLISHED))

    assert "object-step-reject" in page
    assert "object-step-verify" not in page


def test_verify_from_the_page_publishes_and_records_who(desk, make_wish, staff):
    wish = make_wish(Wish.Status.SUBMITTED)

    response = _step(desk, wish, "verify")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:wishes_wish_change", args=[wish.pk])
    wish.refresh_from_db()
    assert wish.status == Wish.Status.PUBLISHED
    assert WishEvent.objects.get(wish=wish, kind="verified").actor == staff


def test_reject_needs_a_reason_then_tells_it(desk, make_wish):
    wish = make_wish(Wish.Status.SUBMITTED)

    refused = _step(desk, wish, "reject", **{"reject-reason": "  "})
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED
    assert _messages(refused)

    _step(desk, wish, "reject", **{"reject-reason": "重复提交"})
    wish.refresh_from_db()
    assert (wish.status, wish.rejection_reason) == (Wish.Status.REJECTED, "重复提交")


def test_a_stale_post_changes_nothing_and_says_where_the_wish_stands(desk, make_wish, staff):
    wish = make_wish(Wish.Status.SUBMITTED)
    assert "object-step-verify" in _page(desk, wish)
    actions.reject_wish(wish=wish, by=staff, reason="重复提交")  # another moderator first

    response = _step(desk, wish, "verify")

    wish.refresh_from_db()
    assert wish.status == Wish.Status.REJECTED
    assert not WishEvent.objects.filter(wish=wish, kind="verified").exists()
    [message] = _messages(response)
    assert wish.get_status_display() in message


def test_a_step_is_posted_never_fetched(desk, make_wish):
    wish = make_wish(Wish.Status.SUBMITTED)

    response = desk.get(reverse("admin:wishes_wish_step", args=[wish.pk, "verify"]))

    assert response.status_code == 405
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED


def test_an_unknown_step_is_not_found(desk, make_wish):
    assert _step(desk, make_wish(Wish.Status.SUBMITTED), "publish").status_code == 404
