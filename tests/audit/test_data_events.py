"""Reveals, imports, exports and admin changes leave audit records without personal data."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.audit import AuditError, AuditEvent
from members.models import Member
from members.sheets.roll import MemberResource
from tests.members.conftest import MEMBER_HEADERS, grant, xlsx_bytes

Kind = AuditEvent.Kind
XLSX = "0"
pytestmark = pytest.mark.django_db


def test_reveal_is_recorded_with_the_member_as_object(client, staff, member):
    client.force_login(staff)
    response = client.post(reverse("admin:members_member_reveal", args=[member.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=Kind.REVEAL)
    # The id says who; the name is masked like everywhere else in the audit trail.
    assert (event.user, event.object_id, event.object_repr) == (staff, str(member.pk), "王*明")
    assert event.details == {"channel": "admin"}


def test_export_is_recorded_with_its_row_count(client, clerk, member):
    client.force_login(clerk)
    fields = {f"memberresource_{name}": "on" for name in MemberResource().fields}
    response = client.post(reverse("admin:members_member_export"), {"format": XLSX, **fields})
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=Kind.EXPORT)
    assert event.user == clerk
    assert event.details == {"model": "members.member", "rows": 1}


def test_confirmed_import_is_recorded_with_its_totals_and_no_row_changes(client, clerk, branch):
    client.force_login(clerk)
    sheet = [["", f"张{i}", "男", f"139{i:08d}", "", "否", branch.name] for i in range(3)]
    preview = client.post(
        reverse("admin:members_member_import"),
        {
            "format": XLSX,
            "import_file": SimpleUploadedFile("m.xlsx", xlsx_bytes(MEMBER_HEADERS, sheet)),
        },
    )
    assert not AuditEvent.objects.filter(kind=Kind.IMPORT).exists()  # a preview changes nothing
    client.post(
        reverse("admin:members_member_process_import"), preview.context["confirm_form"].initial
    )
    event = AuditEvent.objects.get(kind=Kind.IMPORT)
    assert event.details["totals"]["new"] == 3
    assert event.success is True
    assert not AuditEvent.objects.filter(kind=Kind.ADMIN_CHANGE).exists()


def test_admin_change_keeps_before_and_after_values_masked(client, staff, member, other_branch):
    client.force_login(staff)
    url = reverse("admin:members_member_change", args=[member.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        name="王晓明",
        branch=other_branch.pk,
        employer=member.employer_id,
        user=member.user_id,
        new_mobile="13998765432",
        id_number_consent="on",
        ranking_consent="",
    )
    data = {k: v for k, v in data.items() if v not in (False, "")}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(kind=Kind.ADMIN_CHANGE, object_id=str(member.pk))
    changes = event.details["changes"]
    assert changes["branch_id"] == {"before": member.branch_id, "after": other_branch.pk}
    assert changes["mobile"] == {"before": "138****5678", "after": "139****5432"}
    assert "13998765432" not in str(event.details)
    assert changes["name"] == {"before": "王*明", "after": "王*明"}
    assert "小明" not in str(event.details) and "晓明" not in event.object_repr
    assert event.details["action"] == "change"


def test_admin_delete_is_recorded_with_the_values_before(client, staff, other_branch):
    client.force_login(staff)
    client.post(reverse("admin:members_branch_delete", args=[other_branch.pk]), {"post": "yes"})
    event = AuditEvent.objects.get(kind=Kind.ADMIN_CHANGE, details__action="delete")
    assert event.details["changes"]["name"]["before"] == "党群服务中心党支部"


def test_changes_outside_the_admin_are_not_admin_changes(member):
    Member.objects.filter(pk=member.pk).update(name="王大明")
    member.refresh_from_db()
    member.save()
    assert not AuditEvent.objects.filter(kind=Kind.ADMIN_CHANGE).exists()


def test_out_of_scope_id_is_404_and_recorded(client, secretary, member, other_branch):
    stranger = Member.objects.create(name="李四", gender="m", branch=other_branch)
    client.force_login(secretary)
    own = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert own.status_code == 200
    response = client.get(reverse("admin:members_member_change", args=[stranger.pk]))
    assert response.status_code == 404
    event = AuditEvent.objects.get(kind=Kind.PERMISSION_DENIED)
    assert (event.user, event.object_id, event.success) == (secretary, str(stranger.pk), False)


def test_nobody_edits_or_deletes_audit_records(client, staff, member_user):
    client.force_login(member_user)
    client.post("/accounts/logout/")
    event = AuditEvent.objects.get(kind=Kind.LOGOUT)
    client.force_login(staff)  # a superuser
    assert client.get(reverse("admin:members_auditevent_changelist")).status_code == 200
    change = reverse("admin:members_auditevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert "CST (+0800)" in page.content.decode()  # the time with its zone
    client.post(change, {"kind": "login_success"})
    assert (
        client.get(reverse("admin:members_auditevent_delete", args=[event.pk])).status_code == 403
    )
    assert client.get(reverse("admin:members_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.kind == Kind.LOGOUT
    with pytest.raises(AuditError):
        event.save()
    with pytest.raises(AuditError):
        event.delete()
    with pytest.raises(AuditError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditError):
        AuditEvent.objects.update(success=False)


def test_auditor_reads_the_trail_and_nothing_else(client, make_staff, member):
    auditor = grant(make_staff("auditor@example.cn"), "members.view_auditevent")
    client.force_login(auditor)
    assert client.get(reverse("admin:members_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:members_member_changelist")).status_code == 403


def test_many_to_many_changes_in_the_admin_are_recorded(client, staff, branch, enterprise):
    from members.models import Enterprise

    second = Enterprise.objects.create(name="德清第二地信公司", credit_code="91330521MA2B00002X")
    client.force_login(staff)
    url = reverse("admin:members_branch_change", args=[branch.pk])
    response = client.post(
        url,
        {"name": branch.name, "kind": "joint", "enterprises": [enterprise.pk, second.pk]},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    events = AuditEvent.objects.filter(kind=Kind.ADMIN_CHANGE, object_id=str(branch.pk))
    m2m = [
        e.details["changes"]["enterprises"] for e in events if "enterprises" in e.details["changes"]
    ]
    assert m2m == [{"added": [second.pk]}]


def test_a_post_to_an_out_of_scope_id_is_404_and_still_recorded(
    client, secretary, member, other_branch
):
    """The admin's POST runs in a transaction the 404 rolls back; the record must survive."""
    stranger = Member.objects.create(name="李四", gender="m", branch=other_branch)
    client.force_login(secretary)
    for url in (
        reverse("admin:members_member_change", args=[stranger.pk]),
        reverse("admin:members_member_delete", args=[stranger.pk]),
    ):
        assert client.post(url, {"name": "改名", "post": "yes"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.name == "李四"
    events = AuditEvent.objects.filter(kind=Kind.PERMISSION_DENIED, object_id=str(stranger.pk))
    assert events.count() == 2


def test_events_and_reveals_are_named_in_shanghai_time(client, staff, member):
    """Staff read the admin's lists in local time: 23:30 UTC is 07:30 the next morning."""
    from datetime import UTC, datetime

    import time_machine

    from members.models import PersonalDataReveal

    client.force_login(staff)
    with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), tick=False):
        client.post(reverse("admin:members_member_reveal", args=[member.pk]))
    assert str(AuditEvent.objects.get(kind=Kind.REVEAL)).endswith("2026-03-02 07:30:00")
    assert str(PersonalDataReveal.objects.get()).endswith("(2026-03-02 07:30)")
