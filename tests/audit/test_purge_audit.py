"""purge_audit keeps six months of records and refuses to keep fewer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from members.audit import AuditEvent, record_event

pytestmark = pytest.mark.django_db


def record_days_ago(days: int) -> AuditEvent:
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        return record_event(AuditEvent.Kind.LOGOUT, details={"age": days})


def test_purge_keeps_182_days_and_removes_184():
    kept = record_days_ago(182)
    removed = record_days_ago(184)
    fresh = record_days_ago(0)
    call_command("purge_audit")
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, fresh.pk}
    assert removed.pk not in remaining


def test_running_it_twice_removes_nothing_more():
    record_days_ago(200)
    record_days_ago(10)
    call_command("purge_audit")
    call_command("purge_audit")
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("days", [0, 30, 182])
def test_purge_refuses_less_than_183_days(settings, days):
    record_days_ago(184)
    settings.AUDIT_RETENTION_DAYS = days
    with pytest.raises(CommandError):
        call_command("purge_audit")
    with pytest.raises(CommandError):
        call_command("purge_audit", days=days)
    assert AuditEvent.objects.count() == 1


def test_a_longer_retention_keeps_more(settings):
    record_days_ago(184)
    settings.AUDIT_RETENTION_DAYS = 365
    call_command("purge_audit")
    assert AuditEvent.objects.count() == 1


def test_the_nightly_task_runs_the_same_purge_and_twice_is_once():
    from members.tasks import purge_audit

    record_days_ago(190)
    kept = record_days_ago(1)
    purge_audit.apply()
    purge_audit.apply()
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_purge_is_on_the_schedule():
    from deqing_hub.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["members-purge-audit"]["task"] == "members.purge_audit"
