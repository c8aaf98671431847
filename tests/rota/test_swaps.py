"""Swaps: ask, accept, staff approve, both told, history kept; refusals with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.notices.models import Delivery
from members.refusals import STALE, Refused
from rota import actions
from rota.models import DutyWeek, SwapRequest
from tests.concurrency import run_together
from tests.rota.conftest import make_org, make_week

TODAY = dt.datetime(2026, 3, 2, 10, 0)


@pytest.fixture
def pair(db, time_machine):
    time_machine.move_to(TODAY)
    a, b = make_org("晨曦社工"), make_org("团县委")
    return make_week(a, dt.date(2026, 3, 16)), make_week(b, dt.date(2026, 3, 23))


def test_request_accept_approve_swaps_the_weeks_and_tells_both(
    pair, staff, django_capture_on_commit_callbacks
):
    mine, theirs = pair
    a, b = mine.organisation, theirs.organisation
    swap = actions.request_swap(
        from_week=mine, to_week=theirs, by=a.duty_contact, reason="单位年会"
    )
    assert swap.status == "requested"
    swap = actions.accept_swap(swap=swap, by=b.backup_contact)
    assert swap.status == "accepted"
    with django_capture_on_commit_callbacks(execute=True):
        swap = actions.approve_swap(swap=swap, by=staff)
    assert (swap.status, swap.decided_by) == ("approved", staff)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.organisation, theirs.organisation) == (b, a)
    # history: who was planned first, and the request with both original holders
    assert (mine.planned_organisation, theirs.planned_organisation) == (a, b)
    assert (swap.from_organisation, swap.to_organisation) == (a, b)
    # both are told, each about its new week
    told = {m.to[0]: m.body for m in mail.outbox}
    assert "2026年3月23日" in told[a.duty_contact.email]
    assert "2026年3月16日" in told[b.duty_contact.email]
    swap_notices = Delivery.objects.filter(notice__event__startswith="rota.swap_approved:")
    assert swap_notices.filter(status="sent").count() == 4  # 2 x (e-mail, SMS)
    # approving again changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve_swap(swap=swap, by=staff)
    assert len(mail.outbox) == 2


def test_a_confirmed_week_must_be_acknowledged_again_by_its_new_holder(pair, staff):
    mine, theirs = pair
    actions.acknowledge_duty(duty_week=theirs, by=theirs.organisation.duty_contact)
    swap = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    actions.accept_swap(swap=swap, by=theirs.organisation.duty_contact)
    actions.approve_swap(swap=swap, by=staff)
    theirs.refresh_from_db()
    assert (theirs.status, theirs.acknowledged_at) == ("planned", None)


def test_staff_cannot_approve_before_the_other_organisation_accepts(pair, staff):
    mine, theirs = pair
    swap = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    with pytest.raises(Refused) as refused:
        actions.approve_swap(swap=swap, by=staff)
    assert refused.value.code == STALE
    assert DutyWeek.objects.get(pk=mine.pk).organisation == mine.organisation


def test_a_past_week_is_refused_with_the_reason(pair, time_machine):
    mine, theirs = pair
    time_machine.move_to(dt.datetime(2026, 3, 17, 10, 0))
    with pytest.raises(ValidationError) as err:
        actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    assert "2026年3月16日 这一周已经开始或已过去" in err.value.messages[0]
    assert not SwapRequest.objects.exists()


def test_an_already_swapped_week_is_refused(pair, staff):
    mine, theirs = pair
    swap = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    actions.accept_swap(swap=swap, by=theirs.organisation.duty_contact)
    actions.approve_swap(swap=swap, by=staff)
    third = make_week(make_org(), dt.date(2026, 3, 30))
    mine.refresh_from_db()
    with pytest.raises(Refused) as refused:
        actions.request_swap(from_week=mine, to_week=third, by=mine.organisation.duty_contact)
    assert refused.value.code == "swapped"


def test_a_week_with_an_open_request_is_refused(pair):
    mine, theirs = pair
    actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    third = make_week(make_org(), dt.date(2026, 3, 30))
    with pytest.raises(Refused) as refused:
        actions.request_swap(from_week=third, to_week=theirs, by=third.organisation.duty_contact)
    assert refused.value.code == "open"


def test_only_contacts_may_ask_or_accept(pair):
    mine, theirs = pair
    with pytest.raises(Refused) as asked:
        actions.request_swap(from_week=mine, to_week=theirs, by=theirs.organisation.duty_contact)
    swap = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    with pytest.raises(Refused) as accepted:
        actions.accept_swap(swap=swap, by=mine.organisation.duty_contact)
    assert (asked.value.code, accepted.value.code) == ("scope", "scope")


def test_same_organisation_is_refused(pair):
    mine, _ = pair
    other_week = make_week(mine.organisation, dt.date(2026, 4, 6))
    with pytest.raises(Refused) as refused:
        actions.request_swap(from_week=mine, to_week=other_week, by=mine.organisation.duty_contact)
    assert refused.value.code == "same"


def test_declined_and_rejected_requests_stay_as_history(pair, staff):
    mine, theirs = pair
    first = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    actions.decline_swap(swap=first, by=theirs.organisation.duty_contact)
    second = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    actions.accept_swap(swap=second, by=theirs.organisation.duty_contact)
    actions.reject_swap(swap=second, by=staff)
    assert list(SwapRequest.objects.order_by("pk").values_list("status", flat=True)) == [
        "declined",
        "rejected",
    ]
    with pytest.raises(Refused) as refused:
        actions.accept_swap(swap=second, by=theirs.organisation.duty_contact)
    assert refused.value.code == STALE


def test_views_ask_and_accept_and_scope_others_ids(pair, client):
    mine, theirs = pair
    a, b = mine.organisation, theirs.organisation
    client.force_login(a.duty_contact)
    page = client.get(reverse("rota:swap_new", args=[mine.pk]))
    assert page.status_code == 200
    assert "团县委" in page.content.decode()
    # another organisation's week id is not found for this contact
    assert client.get(reverse("rota:swap_new", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("rota:swap_new", args=[mine.pk]), {"to_week": theirs.pk, "reason": "<b>年会</b>"}
    )
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    # the asker cannot accept its own request: not its swap to answer
    client.post(reverse("rota:swap_accept", args=[swap.pk]))
    swap.refresh_from_db()
    assert swap.status == "requested"
    client.logout()
    client.force_login(b.duty_contact)
    mine_page = client.get(reverse("rota:my_rota")).content.decode()
    assert "&lt;b&gt;年会&lt;/b&gt;" in mine_page
    client.post(reverse("rota:swap_accept", args=[swap.pk]))
    swap.refresh_from_db()
    assert swap.status == "accepted"
    # an unrelated contact gets 404 for the request
    client.logout()
    stranger = make_org()
    client.force_login(stranger.duty_contact)
    assert client.post(reverse("rota:swap_decline", args=[swap.pk])).status_code == 404


def test_view_shows_the_reason_for_a_refused_swap(pair, client, time_machine):
    mine, theirs = pair
    client.force_login(mine.organisation.duty_contact)
    third = make_week(make_org(), dt.date(2026, 3, 30))
    actions.request_swap(from_week=third, to_week=theirs, by=third.organisation.duty_contact)
    response = client.post(reverse("rota:swap_new", args=[mine.pk]), {"to_week": theirs.pk})
    assert response.status_code == 200
    assert "未处理的调换申请" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_at_once_swap_once_and_tell_once(postgres, staff, time_machine):
    time_machine.move_to(TODAY)
    a, b = make_org("晨曦社工"), make_org("团县委")
    mine, theirs = make_week(a, dt.date(2026, 3, 16)), make_week(b, dt.date(2026, 3, 23))
    swap = actions.request_swap(from_week=mine, to_week=theirs, by=a.duty_contact)
    actions.accept_swap(swap=swap, by=b.duty_contact)
    race = run_together(
        *[lambda: actions.approve_swap(swap=SwapRequest.objects.get(pk=swap.pk), by=staff)] * 2
    )
    assert race.errors == []
    mine.refresh_from_db()
    assert mine.organisation == b  # swapped once, not swapped back
    assert Delivery.objects.filter(notice__event__startswith="rota.swap_approved:").count() == 4
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_the_same_week_at_once_make_one(postgres, time_machine):
    time_machine.move_to(TODAY)
    target = make_week(make_org("团县委"), dt.date(2026, 3, 23))
    askers = [
        make_week(make_org(), dt.date(2026, 3, 16) + dt.timedelta(weeks=2 * i)) for i in range(2)
    ]
    race = run_together(
        *[
            lambda w=w: actions.request_swap(
                from_week=w, to_week=target, by=w.organisation.duty_contact
            )
            for w in askers
        ]
    )
    assert len(race.values) == 1 and race.refusals() == ["open"]
    assert SwapRequest.objects.count() == 1


def test_only_centre_staff_decide(pair):
    mine, theirs = pair
    swap = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    actions.accept_swap(swap=swap, by=theirs.organisation.duty_contact)
    for decide in (actions.approve_swap, actions.reject_swap):
        with pytest.raises(Refused) as refused:
            decide(swap=swap, by=mine.organisation.duty_contact)
        assert refused.value.code == "permission"
    swap.refresh_from_db()
    assert swap.status == "accepted"
