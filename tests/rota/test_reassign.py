"""Staff hand a duty week to another organisation: through the admin, with the action's rules.

Given a week planned for 晨曦社工 (acknowledged, its week-ahead reminder sent), when centre
staff reassign it to 团县委, then 团县委 holds it unacknowledged, gets the reminders, and
晨曦社工 gets none; a held week cannot be reassigned and repeating changes nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from members.notices.models import Delivery
from rota import actions, feeds
from rota.models import DutyReport, DutyWeek, Organisation, Reminder, SwapRequest
from tests.conftest import make_user
from tests.notices.conftest import deliver_pending
from tests.rota.conftest import make_org, make_week

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 3, 16)
# Thursday before the week: the week-ahead reminder (due Monday 9th) has gone out.
NOW = dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH)


@pytest.fixture
def centre_staff(db):
    roles.setup_roles()
    user = make_user(email="centre@example.cn", phone="13500000301", staff=True)
    user.groups.add(roles.group_of(roles.CENTRE_STAFF))
    return user


@pytest.fixture
def rota(db, time_machine, centre_staff):
    """晨曦社工 holds the week of 16 March, acknowledged, and was sent its week-ahead e-mail."""
    time_machine.move_to(NOW)
    old = make_org("晨曦社工")
    new = make_org("团县委", kind=Organisation.Kind.COUNTY_BUREAU)
    week = make_week(old, MONDAY)
    actions.acknowledge_duty(duty_week=week, by=old.duty_contact)
    actions.issue_due_reminders(now=NOW)
    deliver_pending()
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"week_ahead"}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert [m.to for m in mail.outbox] == [[old.duty_contact.email]]
    mail.outbox.clear()
    week.refresh_from_db()
    return {"old": old, "new": new, "week": week, "staff": centre_staff}


def deliver_everything_due(now: dt.datetime | None = None) -> None:
    """Issue what is due at `now` (or at the ticking test clock), and send the outbox."""
    actions.issue_due_reminders(now=now)
    deliver_pending()


def recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_staff_reassign_a_week_in_the_admin(client, rota):
    week, new = rota["week"], rota["new"]
    client.force_login(rota["staff"])
    url = reverse("admin:rota_dutyweek_reassign", args=[week.pk])
    change = client.get(reverse("admin:rota_dutyweek_change", args=[week.pk])).content.decode()
    assert url in change  # the button on the week's page
    page = client.get(url)
    assert page.status_code == 200
    assert "改派" in page.content.decode()
    response = client.post(url, {"organisation": new.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:rota_dutyweek_change", args=[week.pk])
    week.refresh_from_db()
    assert week.organisation == new
    assert (week.status, week.acknowledged_at, week.acknowledged_by) == ("planned", None, None)
    assert week.planned_organisation == rota["old"]  # the generator keeps it as staff chose
    # (the week's reminder rows deleted to be issued again have records of their own)
    event = AuditEvent.objects.get(
        kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(week.pk), content_type__model="dutyweek"
    )
    assert event.user == rota["staff"]
    assert event.details["changes"]["organisation"] == {"before": "晨曦社工", "after": "团县委"}


def test_the_change_form_does_not_change_the_organisation(client, rota):
    week = rota["week"]
    client.force_login(rota["staff"])
    response = client.post(
        reverse("admin:rota_dutyweek_change", args=[week.pk]),
        {"week_start": week.week_start.isoformat(), "organisation": rota["new"].pk},
    )
    assert response.status_code == 302
    week.refresh_from_db()
    assert week.organisation == rota["old"]
    assert week.status == "confirmed"


def test_an_invalid_choice_shows_the_form_again(client, rota):
    week = rota["week"]
    client.force_login(rota["staff"])
    # The current holder is not offered: choosing it is an invalid choice, in Chinese.
    response = client.post(
        reverse("admin:rota_dutyweek_reassign", args=[week.pk]), {"organisation": rota["old"].pk}
    )
    assert response.status_code == 200
    assert "请选择列出的单位之一" in response.content.decode()


def test_a_contact_cannot_reassign(client, rota):
    contact = make_user(email="contact@example.cn", phone="13500000302", staff=True)
    contact.groups.add(roles.group_of(roles.ALLIANCE_CONTACT))
    week = rota["week"]
    week.organisation.duty_contact = contact
    week.organisation.save()
    client.force_login(contact)
    url = reverse("admin:rota_dutyweek_reassign", args=[week.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"organisation": rota["new"].pk}).status_code == 403
    week.refresh_from_db()
    assert week.organisation == rota["old"]
    with pytest.raises(ValidationError):
        actions.reassign_duty_week(week=week, organisation=rota["new"], by=contact)


def test_the_new_organisation_gets_the_reminders_and_the_old_one_none(rota):
    old, new, week = rota["old"], rota["new"], rota["week"]
    actions.reassign_duty_week(week=week, organisation=new, by=rota["staff"])
    deliver_everything_due()
    # The week-ahead notice goes again, now to the new holder.
    assert recipients() == {new.duty_contact.email}
    mail.outbox.clear()
    # Saturday: not acknowledged -> the new backup contact; Sunday: the day-before reminder.
    deliver_everything_due(dt.datetime(2026, 3, 14, 10, 0, tzinfo=SH))
    deliver_everything_due(dt.datetime(2026, 3, 15, 10, 0, tzinfo=SH))
    assert recipients() == {new.backup_contact.email, new.duty_contact.email}
    assert not recipients() & {old.duty_contact.email, old.backup_contact.email}
    # The acknowledgement link of the reminders names the new holder.
    assert all(str(new.name) in m.body for m in mail.outbox)


def test_an_escalation_issued_about_the_old_holder_is_issued_again_for_the_new_one(rota):
    old, new, week = rota["old"], rota["new"], rota["week"]
    saturday = dt.datetime(2026, 3, 14, 10, 0, tzinfo=SH)  # unacknowledged now due
    DutyWeek.objects.filter(pk=week.pk).update(status="planned", acknowledged_at=None)
    deliver_everything_due(saturday)
    assert old.backup_contact.email in recipients()
    mail.outbox.clear()
    actions.reassign_duty_week(week=week, organisation=new, by=rota["staff"])
    deliver_everything_due(saturday)
    assert {new.backup_contact.email, new.duty_contact.email} <= recipients()
    assert not recipients() & {old.duty_contact.email, old.backup_contact.email}


def test_reassigning_again_to_the_same_organisation_changes_nothing(rota):
    new, week = rota["new"], rota["week"]
    actions.reassign_duty_week(week=week, organisation=new, by=rota["staff"])
    deliver_everything_due()
    mail.outbox.clear()
    actions.acknowledge_duty(duty_week=week, by=new.duty_contact)
    before = list(Delivery.objects.order_by("pk").values_list("pk", "status", "sent_at"))
    again = actions.reassign_duty_week(week=week, organisation=new, by=rota["staff"])
    assert again.status == "confirmed"  # the acknowledgement stays
    assert list(Delivery.objects.order_by("pk").values_list("pk", "status", "sent_at")) == before
    deliver_everything_due()
    assert mail.outbox == []
    assert AuditEvent.objects.filter(details__action="reassign_duty_week").count() == 1


def test_a_week_handed_back_goes_back_to_the_first_holder(rota):
    old, new, week = rota["old"], rota["new"], rota["week"]
    actions.reassign_duty_week(week=week, organisation=new, by=rota["staff"])
    deliver_everything_due()
    mail.outbox.clear()
    actions.reassign_duty_week(week=week, organisation=old, by=rota["staff"])
    deliver_everything_due()
    assert recipients() == {old.duty_contact.email}


@pytest.mark.parametrize("status", ["done", "missed"])
def test_a_held_week_cannot_be_reassigned(rota, status):
    week = rota["week"]
    DutyWeek.objects.filter(pk=week.pk).update(status=status)
    with pytest.raises(ValidationError) as error:
        actions.reassign_duty_week(week=week, organisation=rota["new"], by=rota["staff"])
    assert error.value.code == "held"
    week.refresh_from_db()
    assert week.organisation == rota["old"]


def test_a_week_with_a_report_is_refused_in_the_admin_with_a_message(client, rota, time_machine):
    week = rota["week"]
    time_machine.move_to(dt.datetime(2026, 3, 23, 10, 0, tzinfo=SH))
    DutyReport.objects.create(duty_week=week, summary="红色论坛", filed_by=rota["old"].duty_contact)
    DutyWeek.objects.filter(pk=week.pk).update(status="done")
    client.force_login(rota["staff"])
    change = client.get(reverse("admin:rota_dutyweek_change", args=[week.pk])).content.decode()
    url = reverse("admin:rota_dutyweek_reassign", args=[week.pk])
    assert url not in change  # no button for a held week
    response = client.post(url, {"organisation": rota["new"].pk})
    assert response.status_code == 200
    assert "已经举行，不能改派" in response.content.decode()
    week.refresh_from_db()
    assert week.organisation == rota["old"]


def test_an_ended_week_cannot_be_reassigned(rota, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 23, 10, 0, tzinfo=SH))
    with pytest.raises(ValidationError) as error:
        actions.reassign_duty_week(week=rota["week"], organisation=rota["new"], by=rota["staff"])
    assert error.value.code == "held"


def test_a_week_in_an_open_swap_is_refused(rota):
    old, new, week = rota["old"], rota["new"], rota["week"]
    theirs = make_week(new, MONDAY + dt.timedelta(weeks=2))
    SwapRequest.objects.create(
        from_week=week,
        to_week=theirs,
        from_organisation=old,
        to_organisation=new,
        requested_by=old.duty_contact,
    )
    third = make_org("县运管局", kind=Organisation.Kind.COUNTY_BUREAU)
    with pytest.raises(ValidationError) as error:
        actions.reassign_duty_week(week=week, organisation=third, by=rota["staff"])
    assert error.value.code == "open_swap"


def test_the_calendar_feeds_follow_the_new_holder(rota):
    from icalendar import Calendar

    old, new, week = rota["old"], rota["new"], rota["week"]
    uid = f"dutyweek-{MONDAY:%Y%m%d}".encode()
    assert uid in feeds.organisation_calendar(old)
    actions.reassign_duty_week(week=week, organisation=new, by=rota["staff"])
    assert uid not in feeds.organisation_calendar(old)
    assert uid in feeds.organisation_calendar(new)
    (event,) = [
        e
        for e in Calendar.from_ical(feeds.alliance_calendar()).walk("VEVENT")
        if str(e["uid"]).startswith(uid.decode())
    ]
    assert "团县委" in str(event["summary"])


def test_a_reminder_to_the_old_holder_not_sent_yet_is_not_sent(rota):
    old, new, week = rota["old"], rota["new"], rota["week"]
    saturday = dt.datetime(2026, 3, 14, 10, 0, tzinfo=SH)  # unacknowledged now due
    DutyWeek.objects.filter(pk=week.pk).update(status="planned", acknowledged_at=None)
    actions.issue_due_reminders(now=saturday)  # issued; no worker has sent it yet
    actions.reassign_duty_week(week=week, organisation=new, by=rota["staff"])
    deliver_everything_due(saturday)
    assert new.backup_contact.email in recipients()
    assert not recipients() & {old.duty_contact.email, old.backup_contact.email}
