"""Vouchers and accounts in the admin: actions call points.actions; exports and search."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from deqing_hub import roles
from points import actions
from points.models import Account, Entry, Voucher
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(member, point, coffee) -> Voucher:
    return actions.redeem(member=member, item=coffee, point=point, idempotency_key="k1")


def _run_action(client, name: str, *vouchers):
    return client.post(
        reverse("admin:points_voucher_changelist"),
        {"action": name, "_selected_action": [v.pk for v in vouchers]},
        follow=True,
    )


def test_expire_due_gives_back_only_what_is_past_its_date(client, staff, member, point, coffee):
    old = actions.redeem(
        member=member,
        item=coffee,
        point=point,
        idempotency_key="old",
        at=timezone.now() - dt.timedelta(days=40),
    )
    fresh = actions.redeem(member=member, item=coffee, point=point, idempotency_key="fresh")
    client.force_login(staff)

    response = _run_action(client, "expire_due", old, fresh)

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (Voucher.Status.EXPIRED, Voucher.Status.ISSUED)
    assert Entry.objects.filter(kind=Entry.Kind.EXPIRE, voucher=old).count() == 1
    assert Account.objects.get(member=member).balance == 90
    assert "该兑换券仍在有效期内。" in response.content.decode()


def test_cancelling_twice_gives_the_points_back_once(client, staff, member, voucher):
    client.force_login(staff)
    _run_action(client, "cancel_selected", voucher)
    _run_action(client, "cancel_selected", voucher)
    assert Entry.objects.filter(kind=Entry.Kind.REFUND, voucher=voucher).count() == 1
    assert Account.objects.get(member=member).balance == 100


def test_an_operator_has_no_voucher_actions(client, operator, voucher):
    roles.setup_roles()
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    operator.groups.add(roles.group_of(roles.EXCHANGE_POINT_OPERATOR))
    client.force_login(operator)

    page = client.get(reverse("admin:points_voucher_changelist"))
    _run_action(client, "cancel_selected", voucher)

    assert page.status_code == 200 and voucher.display_code in page.content.decode()
    assert 'name="action"' not in page.content.decode()
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_a_code_is_found_as_people_read_it(client, staff, voucher):
    client.force_login(staff)
    spoken = f"{voucher.code[:4].lower()}-{voucher.code[4:].lower()}"
    response = client.get(reverse("admin:points_voucher_changelist"), {"q": spoken})
    assert response.context["cl"].result_count == 1


def test_the_balance_sheet_exports_branch_and_balance(client, staff, member):
    funded_member(30, name="李大伟")
    client.force_login(staff)
    url = reverse("admin:points_account_export")
    form = client.get(url).context["form"]
    data = {name: "on" for name in form.fields if name.startswith("accountresource_")}
    data["format"] = next(v for v, label in form.fields["format"].choices if label == "csv")

    text = client.post(url, data).content.decode("utf-8-sig")

    header, *rows = text.splitlines()
    assert header.split(",") == ["党员", "支部", "余额", "每月上限", "更新时间"]
    assert {row.split(",")[:3][0]: row.split(",")[2] for row in rows} == {
        "王小明": "100",
        "李大伟": "30",
    }


def _vouchers_issued_on(client, day: dt.date) -> int:
    response = client.get(
        reverse("admin:points_voucher_changelist"),
        {"issued_at__year": day.year, "issued_at__month": day.month, "issued_at__day": day.day},
    )
    return response.context["cl"].result_count


def test_the_voucher_changelist_opens_by_day(client, staff, voucher):
    # The date hierarchy drills down in the portal's time zone: filter on the voucher's own
    # local day (never a fixed month, which only matches in the month the test was written).
    issued_on = timezone.localtime(voucher.issued_at).date()
    client.force_login(staff)
    assert _vouchers_issued_on(client, issued_on) == 1
    assert _vouchers_issued_on(client, issued_on + dt.timedelta(days=1)) == 0
