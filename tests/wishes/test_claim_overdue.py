"""The notice to a claiming organisation whose claim is past its promised date: once per claim
and promised date, however often the task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from members.notices.models import Notice
from tests.concurrency import run_together
from tests.factories import ClaimFactory, OrganisationFactory, WishFactory
from wishes.models import Claim, Wish
from wishes.notifications import tell_overdue_claims
from wishes.tasks import tell_overdue_claims as task

KIND = "wishes.claim_overdue"


def claim(*, promised_in_days: int, status: str = Wish.Status.CLAIMED, **extra) -> Claim:
    return ClaimFactory(
        wish=WishFactory(status=status),
        organisation=OrganisationFactory(contacts=True),
        promised_on=timezone.localdate() + dt.timedelta(days=promised_in_days),
        **extra,
    )


@pytest.mark.django_db
def test_both_contacts_are_told_once_with_an_absolute_link(settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    today = timezone.localdate()
    late = claim(promised_in_days=-1)

    assert tell_overdue_claims(today=today) == 2
    assert tell_overdue_claims(today=today) == 0
    assert task() in (0, 2)  # 2 only if midnight passed meanwhile (a new day: still once)

    notices = Notice.objects.filter(kind=KIND)
    organisation = late.organisation
    assert {n.user_id for n in notices} == {
        organisation.duty_contact_id,
        organisation.backup_contact_id,
    }
    notice = notices.first()
    assert notice.link == f"https://dangqun.example.cn/wishes/{late.wish_id}/"
    assert late.wish.title in notice.subject


@pytest.mark.django_db
def test_a_new_promise_missed_again_is_told_again():
    today = timezone.localdate()
    late = claim(promised_in_days=-3)
    assert tell_overdue_claims(today=today) == 2
    Claim.objects.filter(pk=late.pk).update(promised_on=today - dt.timedelta(days=1))
    assert tell_overdue_claims(today=today) == 2


@pytest.mark.django_db
def test_nobody_is_told_when_not_due():
    today = timezone.localdate()
    claim(promised_in_days=0)  # due today: not late yet
    claim(promised_in_days=-1, status=Wish.Status.FULFILLED)  # granted
    claim(promised_in_days=-1, released_at=timezone.now(), release_reason="无法完成")

    assert tell_overdue_claims(today=today) == 0
    assert not Notice.objects.filter(kind=KIND).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tell_each_contact_once():
    today = timezone.localdate()
    claim(promised_in_days=-1)
    claim(promised_in_days=-5)

    race = run_together(
        lambda: tell_overdue_claims(today=today), lambda: tell_overdue_claims(today=today)
    )

    assert not race.errors
    assert sum(race.values) == 4
    assert Notice.objects.filter(kind=KIND).count() == 4
