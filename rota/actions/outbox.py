"""Reminders through the outbox: rows fall due, are queued, claimed by one worker and sent."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from members.audit_changes import record_change, snapshot
from members.notices import channels
from members.notices.actions import notify
from rota import reminders
from rota.models import Delivery, DutyReport, DutyWeek
from rota.notices import REMINDER

if TYPE_CHECKING:
    from members.models import User

logger = logging.getLogger(__name__)


SCAN_BATCH = 1000


@dataclass
class ScanResult:
    created: int = 0
    reclaimed: int = 0
    queued: list[int] = field(default_factory=list)


def _enqueue(ids: list[int]) -> None:
    """Hand rows to Celery; if the broker is down, leave them pending for the next scan."""
    from rota.tasks import send_reminder

    for position, pk in enumerate(ids):
        try:
            send_reminder.delay(pk)
        except Exception as exc:  # kombu/redis raise many types; any means "broker unavailable"
            waiting = ids[position:]
            Delivery.objects.filter(pk__in=waiting, status=Delivery.Status.PENDING).update(
                enqueued_at=None
            )
            logger.warning(
                "rota.enqueue_failed", extra={"waiting": len(waiting), "error": type(exc).__name__}
            )
            return


def _tell_inboxes(week: DutyWeek, kind: str, people: list) -> None:
    """Put one reminder in its recipients' inboxes (once each: the event is unique per person).

    Inbox only: the rows of this module send the e-mail, SMS and robot copies.
    """
    message = reminders.compose(kind, week)
    notify(
        kind=REMINDER,
        to=people,
        event=f"rota.reminder:{week.pk}:{kind}",
        context={"subject": message.subject, "body": message.body},
        link=reverse("rota:my_rota"),
        outbound=False,
    )


def queue_delivery(*, week: DutyWeek, kind: str, now: dt.datetime) -> list[Delivery]:
    """Create the outbox rows of one reminder (one per channel) and queue them after commit."""
    people = reminders.recipients(kind, week)
    _tell_inboxes(week, kind, people)
    rows = [
        Delivery(duty_week=week, kind=kind, channel=ch, due_at=now, next_attempt_at=now)
        for ch in reminders.channels_for(people)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Delivery.objects.filter(duty_week=week, kind=kind, status=Delivery.Status.PENDING)
    )
    ids = [d.pk for d in created]
    Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
    transaction.on_commit(lambda: _enqueue(ids))
    return created


@transaction.atomic
def scan_due_reminders(*, now: dt.datetime | None = None, enqueue: bool = True) -> ScanResult:
    """Create the outbox rows that fell due by `now` and queue every row ready to send.

    Safe to run at any moment and any number of times, also concurrently: rows are unique
    per (week, kind, channel), a row is only ever sent by the worker that claims it, and a
    claimed row is handed out again only once its lease has run out (its worker presumably
    died; if that happened after the gateway accepted, the reminder goes a second time).
    """
    now = now or timezone.now()
    result = ScanResult()
    weeks = reminders.candidate_weeks(now).annotate(
        has_report=Exists(DutyReport.objects.filter(duty_week=OuterRef("pk")))
    )
    due = [
        (week, kind)
        for week in weeks
        for kind in reminders.due_kinds(week, now, has_report=week.has_report)
    ]
    new_rows = []
    if due:
        existing = set(
            Delivery.objects.filter(duty_week__in={w.pk for w, _ in due}).values_list(
                "duty_week_id", "kind", "channel"
            )
        )
        centre = (
            reminders.centre_contacts()
            if any(kind == Delivery.Kind.UNACKNOWLEDGED for _, kind in due)
            else []
        )
        for week, kind in due:
            at = reminders.due_at(kind, week.week_start)
            people = reminders.recipients(kind, week, centre)
            channels = reminders.channels_for(people)
            if any((week.pk, kind, channel) not in existing for channel in channels):
                _tell_inboxes(week, kind, people)
            for channel in channels:
                if (week.pk, kind, channel) not in existing:
                    new_rows.append(
                        Delivery(
                            duty_week=week,
                            kind=kind,
                            channel=channel,
                            due_at=at,
                            next_attempt_at=at,
                        )
                    )
    result.created = len(Delivery.objects.bulk_create(new_rows, ignore_conflicts=True))

    lease = dt.timedelta(seconds=settings.ROTA_SENDING_LEASE_SECONDS)
    result.reclaimed = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease
    ).update(status=Delivery.Status.PENDING, updated_at=now)

    requeue_before = now - dt.timedelta(seconds=settings.ROTA_REQUEUE_AFTER_SECONDS)
    ready = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before))
    # Oldest first, at most a batch per scan: after a long outage the backlog drains over a few
    # minutes instead of one huge statement.
    result.queued = list(
        ready.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SCAN_BATCH]
    )
    if result.queued:
        Delivery.objects.filter(pk__in=result.queued).update(enqueued_at=now)
        if enqueue:
            ids = list(result.queued)
            transaction.on_commit(lambda: _enqueue(ids))
    return result


@transaction.atomic
def retry_failed_deliveries(*, ids: list[int], by: User | None = None) -> int:
    """Staff send failed rows again: failed -> pending, queued after commit.

    When staff do it (`by`), each row sent again is in the audit trail.
    """
    now = timezone.now()
    failed = list(
        Delivery.objects.select_for_update()
        .filter(pk__in=ids, status=Delivery.Status.FAILED)
        .order_by("pk")
    )
    rows = [delivery.pk for delivery in failed]
    Delivery.objects.filter(pk__in=rows, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=now,
        enqueued_at=now,
        attempts=0,
        updated_at=now,
    )
    if by is not None:
        for delivery in failed:
            before = snapshot(delivery, ["status", "attempts"])
            delivery.refresh_from_db()
            record_change(by=by, obj=delivery, action="retry_failed_deliveries", before=before)
    transaction.on_commit(lambda: _enqueue(rows))
    return len(rows)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.ROTA_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def deliver_reminder(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Send one outbox row if it is still pending; return it, or None if another run owns it.

    Deliberately not one transaction: the claim commits before the network call, so no
    database transaction is held open while a gateway answers, and a second worker that gets
    the same message finds the row claimed and does nothing. One claim, one send. This makes
    delivery at least once, not exactly once: a worker that dies after the gateway accepted
    and before the outcome is recorded leaves the row claimed, and after the lease
    (ROTA_SENDING_LEASE_SECONDS) the scan hands it out again, so that reminder goes twice,
    with the same idempotency key (e-mail Message-ID, SMS out-id). See the README.
    """
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related(
        "duty_week__organisation__duty_contact", "duty_week__organisation__backup_contact"
    ).get(pk=delivery_id)
    week = delivery.duty_week

    def finish(**fields: object) -> Delivery:
        # Only this claim's outcome: if the send outlived its lease and another worker claimed
        # the row meanwhile, that worker's send decides, not this stale one.
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=now
        ).update(updated_at=timezone.now(), **fields)
        delivery.refresh_from_db()
        return delivery

    has_report = DutyReport.objects.filter(duty_week=week).exists()
    if not reminders.still_wanted(delivery.kind, week, now, has_report=has_report):
        return finish(status=Delivery.Status.SKIPPED, last_error="")
    message = reminders.compose(delivery.kind, week)
    people = reminders.recipients(delivery.kind, week)
    key = delivery.idempotency_key
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            count = channels.send_email(
                addresses=[u.email for u in people if u.email],
                subject=message.subject,
                body=message.body,
                key=key,
            )
        elif delivery.channel == Delivery.Channel.SMS:
            count = channels.send_sms(
                numbers=[u.phone for u in people if u.phone], text=message.body, key=key
            )
        elif delivery.channel == Delivery.Channel.WECOM:
            count = channels.send_webhook(url=settings.ROTA_WECOM_WEBHOOK_URL, text=message.body)
        else:
            count = channels.send_webhook(
                url=settings.ROTA_DINGTALK_WEBHOOK_URL,
                text=message.body,
                secret=settings.NOTICE_DINGTALK_SECRET,
            )
    except channels.PermanentError as exc:
        logger.warning(
            "rota.delivery_failed", extra={"delivery": delivery.pk, "channel": delivery.channel}
        )
        return finish(status=Delivery.Status.FAILED, last_error=str(exc)[:1000])
    except Exception as exc:  # transient, or an unexpected error: retry later with backoff
        error = str(exc)[:1000] or type(exc).__name__
        if delivery.attempts >= settings.ROTA_MAX_ATTEMPTS:
            return finish(status=Delivery.Status.FAILED, last_error=error)
        return finish(
            status=Delivery.Status.PENDING,
            last_error=error,
            next_attempt_at=now + _backoff(delivery.attempts),
            enqueued_at=None,
        )
    return finish(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", recipient_count=count
    )
