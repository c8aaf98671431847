"""One wish from the form to "granted", through the pages, with every notification."""

from __future__ import annotations

import time

from django.core import mail
from django.test import Client

from tests.wishes.conftest import future, gps_exif, image_bytes, upload
from wishes import antispam
from wishes.models import Wish


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_bus_route_wish_from_submission_to_confirmation(
    member_user,
    staff,
    alliance_contact,
    organisation,
    category,
    django_capture_on_commit_callbacks,
):
    wisher, centre, bureau = logged_in(member_user), logged_in(staff), logged_in(alliance_contact)
    sent: list[tuple[str, str]] = []

    def step(client, url, data=None):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {})
        assert response.status_code == 302, response.content.decode()[:500]
        sent.extend((m.to[0], m.subject) for m in mail.outbox)

    # 收集: the wisher posts with a photo carrying GPS.
    step(
        wisher,
        "/wishes/new/",
        {
            "title": "通勤公交",
            "text": "希望开通小镇到城区和高铁站的公交。",
            "category": category.pk,
            "consent": "on",
            "started": antispam.new_fill_token(time.time() - 30),
            "photos": [upload("站台.jpg", image_bytes("JPEG", exif=gps_exif().tobytes()))],
        },
    )
    wish = Wish.objects.get()
    # 核实 → 公示: staff verify in the admin queue.
    step(
        centre, "/admin/wishes/wish/", {"action": "verify_selected", "_selected_action": [wish.pk]}
    )
    # 认领
    step(
        bureau,
        f"/wishes/{wish.pk}/claim/",
        {"organisation": organisation.pk, "promised_on": future().isoformat()},
    )
    step(
        bureau, f"/wishes/{wish.pk}/update/", {"organisation": organisation.pk, "text": "线路踏勘"}
    )
    step(
        bureau, f"/wishes/{wish.pk}/fulfil/", {"organisation": organisation.pk, "text": "121路开通"}
    )
    # "Has it been fixed?" - not quite: reopened, fulfilled again, then confirmed (办结).
    step(wisher, f"/wishes/{wish.pk}/reopen/", {"reason": "高铁站还没停靠"})
    step(bureau, f"/wishes/{wish.pk}/fulfil/", {"organisation": organisation.pk, "text": "已停靠"})
    step(wisher, f"/wishes/{wish.pk}/confirm/")

    wish.refresh_from_db()
    assert wish.status == Wish.Status.CONFIRMED and wish.reopen_count == 1
    assert [to for to, _subject in sent] == [
        member_user.email,  # verified
        member_user.email,  # claimed
        member_user.email,  # update
        member_user.email,  # fulfilled
        alliance_contact.email,  # reopened
        member_user.email,  # fulfilled again
        alliance_contact.email,  # confirmed
    ]
    page = Client().get(f"/wishes/{wish.pk}/").content.decode()
    for text in ("线路踏勘", "121路开通", "高铁站还没停靠", "已停靠"):
        assert text in page
    assert "王*" in page and member_user.email not in page
