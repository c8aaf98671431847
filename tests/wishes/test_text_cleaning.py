"""Bidi control characters typed or pasted into the wall's texts are never stored or shown.

Given a member pasting a title with U+202E (which shows it reversed), when it goes through the
real form, the admin or a claimer's page, then the row and every page show it clean; a title
of nothing but controls is refused as empty. The rule itself: tests/members/test_text_fields.py.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from members.text import BIDI_CONTROLS
from tests.wishes.test_admin_actions import _action, _change_form_data
from wishes import actions, antispam
from wishes.models import Wish, WishEvent

RLO, PDF, RLI, PDI, LRM = "\u202e", "\u202c", "\u2067", "\u2069", "\u200e"


def shows_no_bidi_control(page: str) -> bool:
    return not BIDI_CONTROLS.intersection(page)


@pytest.fixture
def post_wish(client, member_user, category):
    client.force_login(member_user)

    def post(**fields):
        data = {
            "title": "希望开通通勤公交",
            "text": "每天上下班没有公交，希望开通到城区的线路。",
            "category": category.pk,
            "consent": "on",
            "website": "",
            "started": antispam.new_fill_token(time.time() - 60),
            **fields,
        }
        return client.post(reverse("wishes:wish_new"), data)

    return post


def test_a_title_pasted_with_an_override_is_stored_and_shown_clean(
    post_wish, client, staff, member_user
):
    # Given a title and a text carrying an override, an isolate and a mark
    response = post_wish(
        title=f"希望开通{RLO}车班勤通{PDF}", text=f"{RLI}每天上下班{PDI}没有公交{LRM}。"
    )
    # When it is posted through the real form, it is saved without them
    assert response.status_code == 302
    wish = Wish.objects.get()
    assert (wish.title, wish.text) == ("希望开通车班勤通", "每天上下班没有公交。")
    assert WishEvent.objects.get(wish=wish, kind=WishEvent.Kind.SUBMITTED)
    actions.verify_wish(wish=wish, by=staff)
    # Then the wall, the wish page and the admin show it clean
    pages = [
        client.get(reverse("wishes:wish_list")),
        client.get(reverse("wishes:wish_detail", args=[wish.pk])),
    ]
    client.force_login(staff)
    pages += [
        client.get(reverse("admin:wishes_wish_changelist")),
        client.get(reverse("admin:wishes_wish_change", args=[wish.pk])),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "希望开通车班勤通" in html
        assert shows_no_bidi_control(html)


def test_a_title_of_nothing_but_controls_is_refused_as_empty(post_wish):
    response = post_wish(title=f"{RLO}{LRM} {PDF}")
    assert response.status_code == 400
    assert "请为您的心愿写一个简短的标题" in response.content.decode()
    assert not Wish.objects.exists()


def test_staff_editing_a_title_in_the_admin_store_it_clean(client, staff, make_wish):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(staff)
    url = reverse("admin:wishes_wish_change", args=[wish.pk])
    response = client.post(url, _change_form_data(client.get(url), title=f"通勤{RLO}班车"))
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.title == "通勤班车"


def test_claim_notes_and_reasons_are_stored_and_shown_clean(
    client, make_wish, alliance_contact, organisation, staff
):
    # Given a claimed wish, when its claimer posts an update with an override
    wish = make_wish(Wish.Status.CLAIMED)
    client.force_login(alliance_contact)
    client.post(
        reverse("wishes:wish_update", args=[wish.pk]),
        {"organisation": organisation.pk, "text": f"已与{RLO}司公交公{PDF}对接"},
    )
    # and staff release the claim with a reason through the admin action
    client.force_login(staff)
    _action(
        client,
        reverse("admin:wishes_claim_changelist"),
        "release_selected",
        [wish.claims.get()],
        apply="1",
        reason=f"{RLI}单位联系不上{PDI}",
    )
    # Then both are stored clean and the public timeline shows them so
    update = wish.events.get(kind=WishEvent.Kind.UPDATE)
    assert update.text == "已与司公交公对接"
    assert wish.claims.get().release_reason == "单位联系不上"
    page = client.get(reverse("wishes:wish_detail", args=[wish.pk])).content.decode()
    assert "已与司公交公对接" in page and shows_no_bidi_control(page)
