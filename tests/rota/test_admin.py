"""The staff admin: every rota model listed, the generator, swap approval, masked contacts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from members.notices.models import Delivery
from rota import actions
from rota.models import DutyWeek, Organisation, SwapRequest
from tests.notices.conftest import deliver_pending
from tests.rota.conftest import make_org, make_week


@pytest.fixture
def data(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    a, b = make_org("晨曦社工"), make_org("团县委", kind=Organisation.Kind.COUNTY_BUREAU)
    w1, w2 = make_week(a, dt.date(2026, 3, 16)), make_week(b, dt.date(2026, 3, 23))
    return a, b, w1, w2


@pytest.mark.parametrize(
    "model",
    [
        "organisation",
        "blackout",
        "dutyweek",
        "monthlytheme",
        "exchangemeeting",
        "swaprequest",
        "dutyreport",
    ],
)
def test_every_changelist_loads(data, admin_client, model):
    response = admin_client.get(reverse(f"admin:rota_{model}_changelist"))
    assert response.status_code == 200


def test_contacts_mobile_is_masked_in_the_list(data, admin_client):
    a = data[0]
    page = admin_client.get(reverse("admin:rota_organisation_changelist")).content.decode()
    phone = a.duty_contact.phone
    assert phone not in page
    assert f"{phone[:3]}****{phone[-4:]}" in page


def test_duplicate_organisation_name_is_refused(data, admin_client):
    response = admin_client.post(
        reverse("admin:rota_organisation_add"),
        {
            "name": " 晨曦社工 ",
            "kind": "social",
            "is_active": "on",
            "blackouts-TOTAL_FORMS": 0,
            "blackouts-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "已有同名的盟员单位" in response.content.decode()
    assert Organisation.objects.filter(name="晨曦社工").count() == 1


def test_generate_view_plans_and_explains(data, admin_client):
    response = admin_client.post(
        reverse("admin:rota_dutyweek_generate"),
        {"start": "2026-02-09", "end": "2026-03-08", "skip_holiday_weeks": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "春节" in page  # the Spring Festival week is left empty with the reason
    assert DutyWeek.objects.filter(week_start__range=("2026-02-09", "2026-03-08")).count() == 3


def test_generate_view_refuses_a_reversed_range(data, admin_client):
    response = admin_client.post(
        reverse("admin:rota_dutyweek_generate"), {"start": "2026-03-08", "end": "2026-02-09"}
    )
    assert "结束日期早于开始日期" in response.content.decode()


def test_approve_action_calls_the_action(data, admin_client):
    _, _, w1, w2 = data
    swap = actions.request_swap(from_week=w1, to_week=w2, by=w1.organisation.duty_contact)
    actions.accept_swap(swap=swap, by=w2.organisation.duty_contact)
    admin_client.post(
        reverse("admin:rota_swaprequest_changelist"),
        {"action": "approve", "_selected_action": [swap.pk]},
    )
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED


def test_a_failed_reminder_shows_in_the_notices_outbox_and_staff_can_retry(
    data, admin_client, settings
):
    settings.SMS_BACKEND = "tests.rota.gateways.RefusingBackend"
    now = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    actions.issue_due_reminders(now=now)
    deliver_pending()
    failed = Delivery.objects.get(channel="sms", notice__user=data[0].duty_contact)
    assert failed.status == "failed"
    changelist = reverse("admin:notices_delivery_changelist")
    page = admin_client.get(changelist + "?status__exact=failed").content.decode()
    assert "template rejected by the gateway" in page
    settings.SMS_BACKEND = "members.sms.FileBackend"
    admin_client.post(changelist, {"action": "retry", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status in {"pending", "sent"}


def test_missing_reports_filter_and_mark_missed_action(data, client, staff, time_machine):
    _, _, w1, _ = data
    time_machine.move_to(dt.datetime(2026, 3, 24, 10, 0))  # w1 ended, w2 started yesterday
    client.force_login(staff)
    admin_client = client
    page = admin_client.get(reverse("admin:rota_dutyweek_changelist") + "?report=missing")
    assert page.status_code == 200
    assert list(page.context_data["cl"].queryset) == [w1]
    future = make_week(w1.organisation, dt.date(2026, 4, 6))
    admin_client.post(
        reverse("admin:rota_dutyweek_changelist"),
        {"action": "mark_missed", "_selected_action": [w1.pk, future.pk]},
    )
    w1.refresh_from_db()
    future.refresh_from_db()
    assert (w1.status, future.status) == ("missed", "planned")  # a future week is refused


def test_export_pages_and_sheet_headers(data, admin_client):
    from openpyxl import load_workbook

    from rota.sheets import DutyWeekResource, OrganisationResource

    for model in ("dutyweek", "organisation"):
        assert admin_client.get(reverse(f"admin:rota_{model}_export")).status_code == 200
    changelist = admin_client.get(reverse("admin:rota_dutyweek_changelist")).content.decode()
    assert reverse("admin:rota_dutyweek_generate") in changelist
    assert reverse("admin:rota_dutyweek_export") in changelist
    a = data[0]
    a.short_name = "=HYPERLINK(1)"
    a.save()
    sheet = OrganisationResource().export(Organisation.objects.order_by("pk")).export("xlsx")
    import io

    rows = list(load_workbook(io.BytesIO(sheet)).active.values)
    # headers are the fields' names in Chinese (whichever catalogue provides them)
    expected = tuple(
        str(Organisation._meta.get_field(f).verbose_name) for f in ("name", "short_name", "kind")
    )
    assert rows[0][:3] == expected
    assert expected[0] != "name"
    assert rows[1][1] == "'=HYPERLINK(1)"  # a formula is defused
    assert a.duty_contact.phone not in str(rows)  # contacts by name, never the mobile
    weeks = DutyWeekResource().export(DutyWeek.objects.all())
    assert weeks.headers[:2] == [
        str(DutyWeek._meta.get_field(f).verbose_name) for f in ("week_start", "organisation")
    ]
    assert weeks.headers[0] == "轮值周（周一）"
    assert weeks[0][2] == str(DutyWeek.Status.PLANNED.label)  # 已排班


@pytest.mark.parametrize("model", ["dutyweek", "swaprequest", "organisation"])
def test_changelist_queries_do_not_grow_with_rows(db, client, staff, model, time_machine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(dt.datetime(2026, 1, 1, 10, 0))
    client.force_login(staff)
    url = reverse(f"admin:rota_{model}_changelist")

    def add(count: int) -> None:
        for _ in range(count):
            start = dt.date(2026, 1, 5) + dt.timedelta(weeks=DutyWeek.objects.count() * 2)
            a, b = make_org(), make_org()
            w1, w2 = make_week(a, start), make_week(b, start + dt.timedelta(weeks=1))
            actions.request_swap(from_week=w1, to_week=w2, by=a.duty_contact)
            now = dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9), dt.UTC)
            actions.issue_due_reminders(now=now)

    counts = []
    for size in (2, 12):
        add(size - DutyWeek.objects.count() // 2)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_alliance_contact_in_the_admin_sees_only_own_rows(data, client, time_machine):
    from django.contrib.auth.models import Permission

    a, _b, w1, w2 = data
    contact = a.duty_contact
    contact.is_staff = True
    contact.save()
    contact.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="rota",
            codename__in=[
                "view_dutyweek",
                "view_organisation",
                "view_swaprequest",
            ],
        )
    )
    client.force_login(contact)
    weeks = client.get(reverse("admin:rota_dutyweek_changelist"))
    assert list(weeks.context_data["cl"].queryset) == [w1]
    orgs = client.get(reverse("admin:rota_organisation_changelist"))
    assert list(orgs.context_data["cl"].queryset) == [a]
    # another organisation's week is not found for this contact (404, recorded in the audit)
    other = client.get(reverse("admin:rota_dutyweek_change", args=[w2.pk]))
    assert other.status_code == 404
    assert "团县委" not in other.content.decode()
    # centre staff with the permission see everything
    contact.user_permissions.add(Permission.objects.get(codename="manage_rota"))
    contact = type(contact).objects.get(pk=contact.pk)  # fresh permission cache
    client.force_login(contact)
    weeks = client.get(reverse("admin:rota_dutyweek_changelist"))
    assert set(weeks.context_data["cl"].queryset) == {w1, w2}


def test_a_contact_cannot_approve_their_own_swap_in_the_admin(data, client):
    from django.contrib.auth.models import Permission

    _, _, w1, w2 = data
    swap = actions.request_swap(from_week=w1, to_week=w2, by=w1.organisation.duty_contact)
    actions.accept_swap(swap=swap, by=w2.organisation.duty_contact)
    contact = w1.organisation.duty_contact
    contact.is_staff = True
    contact.save()
    contact.user_permissions.set(Permission.objects.filter(codename="view_swaprequest"))
    client.force_login(contact)
    page = client.get(reverse("admin:rota_swaprequest_changelist"))
    action_form = page.context_data["action_form"]  # None: no action offered at all
    assert action_form is None or "approve" not in repr(action_form.fields["action"].choices)
    client.post(
        reverse("admin:rota_swaprequest_changelist"),
        {"action": "approve", "_selected_action": [swap.pk]},
    )
    swap.refresh_from_db()
    assert swap.status == "accepted"
