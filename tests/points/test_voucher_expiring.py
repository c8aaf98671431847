"""The notice that an uncollected voucher expires within three days: once per voucher."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from members.notices.models import Notice
from points import actions
from points.actions.vouchers import EXPIRY_NOTICE
from points.models import Voucher
from points.tasks import remind_expiring_vouchers
from tests.concurrency import run_together
from tests.factories import ExchangePointFactory, ItemFactory, UserFactory
from tests.points.conftest import make_member

KIND = "points.voucher_expiring"


def voucher(*, expires_in: dt.timedelta, life: dt.timedelta = dt.timedelta(days=30), **extra):
    """A voucher (written directly: only its dates matter here) of a member with a login."""
    expires = timezone.now() + expires_in
    return Voucher.objects.create(
        code=uuid.uuid4().hex[:8].upper(),
        member=make_member(user=UserFactory()),
        item=ItemFactory(),
        point=ExchangePointFactory(),
        price=10,
        idempotency_key=str(uuid.uuid4()),
        issued_at=expires - life,
        expires_at=expires,
        **extra,
    )


@pytest.mark.django_db
def test_the_holder_is_told_once_with_an_absolute_link(settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    soon = voucher(expires_in=dt.timedelta(days=2, hours=23))

    assert actions.remind_expiring_vouchers() == 1
    assert actions.remind_expiring_vouchers() == 0
    assert remind_expiring_vouchers() == 0

    notice = Notice.objects.get(kind=KIND)
    assert notice.user == soon.member.user
    assert notice.link == f"https://dangqun.example.cn/points/vouchers/{soon.code}/"
    assert soon.item.name in notice.subject
    assert soon.code not in notice.body  # the code is shown on the (login-only) page
    assert notice.deliveries.count() == 1


@pytest.mark.django_db
def test_nobody_is_told_when_not_due():
    voucher(expires_in=EXPIRY_NOTICE + dt.timedelta(hours=1))  # not yet
    voucher(expires_in=-dt.timedelta(minutes=1))  # already past (the expiry task's business)
    voucher(expires_in=dt.timedelta(days=1), status=Voucher.Status.USED)  # collected
    voucher(expires_in=dt.timedelta(days=1), life=dt.timedelta(days=2))  # lived 2 days only

    assert actions.remind_expiring_vouchers() == 0
    assert not Notice.objects.filter(kind=KIND).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tell_each_holder_once():
    vouchers = [voucher(expires_in=dt.timedelta(days=d)) for d in (1, 2)]

    race = run_together(actions.remind_expiring_vouchers, actions.remind_expiring_vouchers)

    assert not race.errors
    assert sum(race.values) == 2
    assert sorted(Notice.objects.filter(kind=KIND).values_list("user_id", flat=True)) == sorted(
        v.member.user_id for v in vouchers
    )
