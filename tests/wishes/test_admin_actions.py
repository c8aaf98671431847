"""The wish admin's actions call `wishes.actions`, and its dangerous doors are shut.

Given wishes moved through the real actions, when staff (or a contact) use the admin's
changelist actions, delete pages and exports, then statuses move only through the actions,
the records say who did it, and nothing is removed that the wall or the ranking depends on.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from wishes import actions
from wishes.models import Claim, Wish, WishEvent

WISHES = reverse("admin:wishes_wish_changelist")
CLAIMS = reverse("admin:wishes_claim_changelist")


@pytest.fixture
def contact_in_admin(alliance_contact):
    """The organisation's contact with admin access and the alliance contact role."""
    roles.setup_roles()
    alliance_contact.is_staff = True
    alliance_contact.save()
    alliance_contact.groups.add(roles.group_of(roles.ALLIANCE_CONTACT))
    return alliance_contact


def _action(client, url: str, action: str, rows, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [row.pk for row in rows], **extra}
    )


def test_verify_publishes_only_waiting_wishes_in_the_staff_members_name(client, staff, make_wish):
    waiting = make_wish(Wish.Status.SUBMITTED, title="等待核实")
    rejected = make_wish(Wish.Status.REJECTED, title="已不予受理")
    client.force_login(staff)

    response = _action(client, WISHES, "verify_selected", [waiting, rejected])

    assert response.status_code == 302
    waiting.refresh_from_db()
    rejected.refresh_from_db()
    assert (waiting.status, rejected.status) == (Wish.Status.PUBLISHED, Wish.Status.REJECTED)
    assert waiting.events.get(kind=WishEvent.Kind.VERIFIED).actor == staff


def test_reject_asks_for_a_reason_first_then_tells_the_wisher(client, staff, make_wish):
    wish = make_wish(Wish.Status.SUBMITTED)
    client.force_login(staff)

    page = _action(client, WISHES, "reject_selected", [wish])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED  # nothing happens before the reason is given

    _action(client, WISHES, "reject_selected", [wish], apply="1", reason="重复提交")
    wish.refresh_from_db()
    assert (wish.status, wish.rejection_reason) == (Wish.Status.REJECTED, "重复提交")
    assert wish.events.get(kind=WishEvent.Kind.REJECTED).text == "重复提交"


def test_staff_release_a_claim_and_the_wish_returns_to_the_wall(client, staff, make_wish):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    claim = wish.claims.get()
    client.force_login(staff)

    page = _action(client, CLAIMS, "release_selected", [claim])
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert Claim.objects.get(pk=claim.pk).released_at is None

    _action(client, CLAIMS, "release_selected", [claim], apply="1", reason="单位联系不上")
    _action(client, CLAIMS, "release_selected", [claim], apply="1", reason="再次提交")

    claim.refresh_from_db()
    wish.refresh_from_db()
    assert claim.release_reason == "单位联系不上"
    assert wish.status == Wish.Status.PUBLISHED
    released = wish.events.filter(kind=WishEvent.Kind.RELEASED)
    assert [(event.actor, event.text) for event in released] == [(staff, "单位联系不上")]


def test_a_contact_has_no_release_action_in_the_admin(client, contact_in_admin, make_wish):
    wish = make_wish(Wish.Status.CLAIMED)
    claim = wish.claims.get()
    client.force_login(contact_in_admin)

    changelist = client.get(CLAIMS)
    assert changelist.status_code == 200
    assert "release_selected" not in changelist.content.decode()
    _action(client, CLAIMS, "release_selected", [claim], apply="1", reason="不想做了")
    assert Claim.objects.get(pk=claim.pk).released_at is None


def test_claims_are_never_deleted_in_the_admin(client, staff, make_wish):
    claim = make_wish(Wish.Status.CLAIMED).claims.get()
    client.force_login(staff)
    delete = reverse("admin:wishes_claim_delete", args=[claim.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_wishes_are_never_deleted_in_the_admin(client, staff, make_wish):
    """Claims, the public timeline and the ranking hang on a wish: staff reject it instead."""
    withdrawn = make_wish(Wish.Status.WITHDRAWN, title="已撤回")
    client.force_login(staff)

    refused = client.post(reverse("admin:wishes_wish_delete", args=[withdrawn.pk]), {"post": "1"})
    assert refused.status_code == 403
    assert "delete_selected" not in client.get(WISHES).content.decode()
    assert Wish.objects.filter(pk=withdrawn.pk).exists()


def _export(client, url: str) -> str:
    page = client.get(url)
    form = page.context["form"]
    data = {
        name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"
    }
    data["format"] = next(v for v, label in form.fields["format"].choices if label == "csv")
    if "resource" in form.fields:
        data["resource"] = form.fields["resource"].choices[0][0]
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_the_wish_export_counts_wishes_and_names_no_wisher(client, staff, make_wish, member_user):
    make_wish(Wish.Status.FULFILLED, title="通勤班车")
    client.force_login(staff)

    text = _export(client, reverse("admin:wishes_wish_export"))

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["标题"], row["状态"], row["认领单位"]) for row in rows] == [
        ("通勤班车", "已实现", "德清县道路运输管理局")
    ]
    for personal in (member_user.email, member_user.phone, "王小明", "王*"):
        assert personal not in text
    export = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert export.details == {"model": "wishes.wish", "rows": 1}


def test_the_claim_page_masks_the_person_who_claimed(client, staff, make_wish, alliance_contact):
    claim = make_wish(Wish.Status.CLAIMED).claims.get()
    client.force_login(staff)
    page = client.get(reverse("admin:wishes_claim_change", args=[claim.pk])).content.decode()
    assert "李华" in page
    assert alliance_contact.email not in page and alliance_contact.phone not in page
    assert reverse("wishes:wish_detail", args=[claim.wish_id]) in page


def test_another_organisations_claim_is_404_and_recorded(
    client, contact_in_admin, make_wish, other_organisation, other_contact
):
    from tests.wishes.conftest import future
    from wishes import actions

    wish = make_wish(Wish.Status.PUBLISHED)
    theirs = actions.claim_wish(
        wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
    )
    client.force_login(contact_in_admin)

    assert client.get(reverse("admin:wishes_claim_change", args=[theirs.pk])).status_code == 404
    # The release page of the wish uses the same scope (Claim.objects.managed_by).
    release = reverse("wishes:claim_release", args=[wish.pk, theirs.pk])
    assert client.post(release, {"reason": "不是我们的"}).status_code == 404
    assert Claim.objects.get(pk=theirs.pk).released_at is None
    denied = AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert [(event.object_id, event.success) for event in denied] == [(str(theirs.pk), False)] * 2


def test_a_contact_sees_claimed_wishes_in_the_claim_admin_not_the_wish_admin(
    client, contact_in_admin, make_wish
):
    wish = make_wish(Wish.Status.IN_PROGRESS, title="我们认领的")
    client.force_login(contact_in_admin)

    claims = client.get(CLAIMS).content.decode()
    assert "我们认领的" in claims and "办理中" in claims
    assert client.get(WISHES).status_code == 403
    assert client.get(reverse("admin:wishes_wish_change", args=[wish.pk])).status_code == 403
    # The scope the Wish admin would use for a contact is the same set of wishes.
    assert list(Wish.objects.managed_by(contact_in_admin)) == [wish]


def test_the_desk_filters_overdue_wishes_and_released_claims(client, staff, make_wish, settings):
    import time_machine
    from django.utils import timezone

    settings.WISHES_UNCLAIMED_OVERDUE_DAYS = 3
    with time_machine.travel(timezone.now() - timezone.timedelta(days=5)):
        make_wish(Wish.Status.PUBLISHED, title="久未认领")
    make_wish(Wish.Status.PUBLISHED, title="刚公示")
    gave_up = make_wish(Wish.Status.CLAIMED, title="已放弃").claims.get()
    make_wish(Wish.Status.CLAIMED, title="仍在办")
    actions.release_claim(claim=gave_up, by=staff, reason="人手不足")
    client.force_login(staff)

    overdue = client.get(WISHES, {"overdue": "yes"}).context["cl"].result_list
    assert [wish.title for wish in overdue] == ["久未认领"]
    released = client.get(CLAIMS, {"live": "no"}).context["cl"].result_list
    live = client.get(CLAIMS, {"live": "yes"}).context["cl"].result_list
    assert [claim.wish.title for claim in released] == ["已放弃"]
    assert [claim.wish.title for claim in live] == ["仍在办"]


def test_a_photo_taken_down_is_gone_from_storage_too(
    client, staff, member_user, category, django_capture_on_commit_callbacks
):
    from members.images import clean_photo
    from tests.wishes.conftest import jpeg_upload

    wish = actions.submit_wish(
        wisher=member_user,
        title="带照片",
        text="x",
        category=category,
        photos=[clean_photo(jpeg_upload())],
    )
    photo = wish.photos.get()
    storage, names = photo.image.storage, [photo.image.name, photo.thumbnail.name]
    assert all(storage.exists(name) for name in names)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:wishes_wishphoto_delete", args=[photo.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not wish.photos.exists()
    assert not any(storage.exists(name) for name in names)
    deleted = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(photo.pk))
    assert deleted.details["action"] == "delete"


def _change_form_data(page, **fields) -> dict:
    """The change form as the page shows it (inline management forms included), edited."""
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            value = management.initial.get(name, management[name].value())
            data[f"{management.prefix}-{name}"] = value
    data.update(fields)
    return {name: value for name, value in data.items() if value is not False}


def test_staff_may_hide_a_wishers_name_but_never_show_it(client, staff, make_wish):
    hidden = make_wish(Wish.Status.PUBLISHED, title="不公开姓名")
    shown = make_wish(Wish.Status.PUBLISHED, title="公开姓名", show_name=True)
    client.force_login(staff)

    url = reverse("admin:wishes_wish_change", args=[hidden.pk])
    refused = client.post(url, _change_form_data(client.get(url), show_name="on"))
    assert list(refused.context["adminform"].form.errors) == ["show_name"]
    url = reverse("admin:wishes_wish_change", args=[shown.pk])
    assert client.post(url, _change_form_data(client.get(url), show_name=False)).status_code == 302

    hidden.refresh_from_db()
    shown.refresh_from_db()
    assert (hidden.show_name, shown.show_name) == (False, False)
