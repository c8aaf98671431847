"""Withdrawing a wish asks first: the step's GET is the confirmation, the POST withdraws."""

import re

from members.audit import AuditEvent
from wishes.models import Wish


def test_the_wish_page_asks_before_withdrawing(client, member_user, make_wish):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(member_user)
    page = client.get(f"/wishes/{wish.pk}/").content.decode()
    assert re.search(rf'<form method="get" action="/wishes/{wish.pk}/withdraw/">', page)


def test_the_confirmation_names_the_wish_and_changes_nothing(client, member_user, make_wish):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(member_user)

    response = client.get(f"/wishes/{wish.pk}/withdraw/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "撤回心愿“通勤班车”？" in page and "不能再被认领" in page
    assert f'method="post" action="/wishes/{wish.pk}/withdraw/"' in page
    wish.refresh_from_db()
    assert wish.status == Wish.Status.PUBLISHED


def test_confirming_withdraws_once(client, member_user, make_wish):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(member_user)

    client.post(f"/wishes/{wish.pk}/withdraw/")
    again = client.post(f"/wishes/{wish.pk}/withdraw/")

    wish.refresh_from_db()
    assert wish.status == Wish.Status.WITHDRAWN and again.status_code == 302
    assert wish.events.filter(kind="withdrawn").count() == 1


def test_someone_elses_wish_has_no_confirmation(client, public_user, make_wish):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(public_user)
    assert client.get(f"/wishes/{wish.pk}/withdraw/").status_code == 404
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).exists()
