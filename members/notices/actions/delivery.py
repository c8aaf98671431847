"""Delivering the outbox: rows claimed with a lease, sent, their outcome recorded one by one.

At least once per (notice, channel), never exactly once: a worker killed mid-batch repeats at
most the message in flight. See the README, "Notifications".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from members.audit_changes import record_change, snapshot
from members.notices import channels
from members.notices.models import Channel, Delivery, Notice

if TYPE_CHECKING:
    from django.db.models import Field

    from members.models import User

logger = logging.getLogger(__name__)

SCAN_BATCH = 1000
# Rows handed to a worker in one task: claimed in one statement, e-mailed over one connection.
SEND_BATCH = 50


def hand_to_workers(ids: list[int]) -> None:
    """Hand rows to Celery a batch a task; if the broker is down, leave them pending for the
    next scan."""
    from members.notices.tasks import send_notices

    for position in range(0, len(ids), SEND_BATCH):
        try:
            send_notices.delay(ids[position : position + SEND_BATCH])
        except Exception as exc:  # kombu/redis raise many types; any means "broker unavailable"
            waiting = ids[position:]
            Delivery.objects.filter(pk__in=waiting, status=Delivery.Status.PENDING).update(
                enqueued_at=None
            )
            logger.warning(
                "notices.enqueue_failed",
                extra={"waiting": len(waiting), "error": type(exc).__name__},
            )
            return


@dataclass
class ScanResult:
    reclaimed: int = 0
    queued: list[int] = field(default_factory=list)


@transaction.atomic
def scan_deliveries(*, now: dt.datetime | None = None, enqueue: bool = True) -> ScanResult:
    """Queue every row ready to send and reclaim rows whose worker's lease ran out.

    Safe to run at any moment and any number of times, also concurrently: a row is only ever
    sent by the worker that claims it, and a claimed row is handed out again only once its
    lease has run out (its worker presumably died; if that happened after the gateway
    accepted, the notice goes a second time, with the same idempotency key).
    """
    now = now or timezone.now()
    result = ScanResult()
    lease = dt.timedelta(seconds=settings.NOTICE_SENDING_LEASE_SECONDS)
    result.reclaimed = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease
    ).update(status=Delivery.Status.PENDING, updated_at=now)
    requeue_before = now - dt.timedelta(seconds=settings.NOTICE_REQUEUE_AFTER_SECONDS)
    ready = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before))
    # Oldest first, a batch per scan: after an outage the backlog drains over a few minutes.
    result.queued = list(
        ready.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SCAN_BATCH]
    )
    if result.queued:
        Delivery.objects.filter(pk__in=result.queued).update(enqueued_at=now)
        if enqueue:
            ids = list(result.queued)
            transaction.on_commit(lambda: hand_to_workers(ids))
    return result


@transaction.atomic
def retry_failed_deliveries(*, ids: list[int], by: User | None = None) -> int:
    """Staff send failed rows again: failed -> pending, queued after commit (and audited)."""
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
    transaction.on_commit(lambda: hand_to_workers(rows))
    return len(rows)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTICE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def _send(delivery: Delivery, mail: channels.MailConnection) -> int:
    """Hand one row to its channel; raise channels.PermanentError / anything else (retry)."""
    user = delivery.notice.user
    key = delivery.idempotency_key
    if delivery.channel == Channel.EMAIL:
        if user is None or not user.email:
            raise channels.PermanentError("the recipient has no e-mail address")
        return channels.send_email(
            addresses=[user.email], subject=delivery.subject, body=delivery.body, key=key, mail=mail
        )
    if delivery.channel == Channel.SMS:
        if user is None or not user.phone:
            raise channels.PermanentError("the recipient has no mobile number")
        return channels.send_sms(numbers=[user.phone], text=delivery.body, key=key)
    if delivery.channel == Channel.WECOM:
        return channels.send_webhook(url=settings.NOTICE_WECOM_WEBHOOK_URL, text=delivery.body)
    if delivery.channel == Channel.DINGTALK:
        return channels.send_webhook(
            url=settings.NOTICE_DINGTALK_WEBHOOK_URL,
            text=delivery.body,
            secret=settings.NOTICE_DINGTALK_SECRET,
        )
    raise channels.PermanentError(f"unknown channel {delivery.channel}")


def deliver(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Send one outbox row if it is still pending; return it, or None if another run owns it."""
    sent = deliver_batch(delivery_ids=[delivery_id], now=now)
    if not sent:
        return None
    sent[0].refresh_from_db()
    return sent[0]


# What a batch's send needs of each claimed row, read by the claim itself (PostgreSQL) or by
# one join after it (SQLite: its RETURNING sees only the updated table).
_CLAIMED = (
    "d.id, d.notice_id, d.channel, d.subject, d.body, d.attempts, "
    "n.user_id, u.email, u.phone, u.is_active"
)


def _claim(delivery_ids: list[int], now: dt.datetime) -> list[Delivery]:
    """Take the rows of `delivery_ids` still pending and due, in one UPDATE ... RETURNING, and
    return them with what their sends need (channel, text, the person's address and number).

    A concurrent claim of the same rows waits for this one's commit, then finds them sending
    and returns none of them: each row goes to one worker.
    """
    if not delivery_ids:
        return []
    deliveries = Delivery._meta.db_table
    notices = Notice._meta.db_table
    users = get_user_model()._meta.db_table
    marks = ", ".join(["%s"] * len(delivery_ids))
    params: list[Any] = [
        Delivery.Status.SENDING,
        now,
        now,
        *delivery_ids,
        Delivery.Status.PENDING,
        now,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {deliveries} d SET status = %s, claimed_at = %s, "  # noqa: S608
                f"attempts = d.attempts + 1, updated_at = %s FROM {notices} n "
                f"LEFT JOIN {users} u ON u.id = n.user_id WHERE n.id = d.notice_id "
                f"AND d.id IN ({marks}) AND d.status = %s AND d.next_attempt_at <= %s "
                f"RETURNING {_CLAIMED}",
                params,
            )
            found = cursor.fetchall()
        else:
            cursor.execute(
                f"UPDATE {deliveries} SET status = %s, claimed_at = %s, "  # noqa: S608
                f"attempts = attempts + 1, updated_at = %s WHERE id IN ({marks}) "
                "AND status = %s AND next_attempt_at <= %s RETURNING id",
                params,
            )
            claimed = [pk for (pk,) in cursor.fetchall()]
            found = []
            if claimed:
                cursor.execute(
                    f"SELECT {_CLAIMED} FROM {deliveries} d "  # noqa: S608
                    f"JOIN {notices} n ON n.id = d.notice_id "
                    f"LEFT JOIN {users} u ON u.id = n.user_id "
                    f"WHERE d.id IN ({', '.join(['%s'] * len(claimed))})",
                    claimed,
                )
                found = cursor.fetchall()
    return [_claimed_row(values, now) for values in sorted(found)]


def _loaded(model: type[Any], values: dict[str, Any]) -> Any:
    """An instance of the columns read (`Model.from_db` takes them in the model's order); the
    others are deferred, as `only()` leaves them."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _claimed_row(values: tuple, now: dt.datetime) -> Delivery:
    pk, notice_id, channel, subject, body, attempts, user_id, email, phone, active = values
    user = None
    if user_id is not None:
        # The columns read; any other is deferred (read if asked for), never a wrong default.
        person = {"id": user_id, "email": email, "phone": phone, "is_active": bool(active)}
        user = _loaded(get_user_model(), person)
    notice = _loaded(Notice, {"id": notice_id, "user_id": user_id})
    notice.user = user
    delivery = Delivery(
        id=pk,
        notice=notice,
        channel=channel,
        subject=subject,
        body=body,
        attempts=attempts,
        status=Delivery.Status.SENDING,
        claimed_at=now,
    )
    return delivery


def deliver_batch(*, delivery_ids: list[int], now: dt.datetime | None = None) -> list[Delivery]:
    """Send the rows of `delivery_ids` still pending; return those this run sent or tried.

    Deliberately not one transaction: the claim (one statement for the batch, which also reads
    what the sends need) commits before any network call, so no transaction is held open while
    a gateway answers, and a second worker given the same rows finds them claimed and sends
    none of them. The e-mails of a batch go over one connection to the mail server. Each
    outcome is recorded as soon as its send returns (not once for the batch), so a worker that
    dies mid-batch leaves at most the one message it was sending unrecorded: at least once,
    not exactly once. That row stays claimed; after the lease (NOTICE_SENDING_LEASE_SECONDS)
    the scan hands it out again with the rest of the batch not yet tried, and it goes twice,
    with the same idempotency key (e-mail Message-ID, SMS out-id).
    """
    now = now or timezone.now()
    rows = _claim(list(delivery_ids), now)
    if not rows:
        return []
    mail = channels.MailConnection()
    try:
        for delivery in rows:
            _deliver_claimed(delivery, now, mail)
    finally:
        mail.close()
    return rows


def _record(delivery: Delivery, now: dt.datetime, **fields: object) -> None:
    """Record one claimed row's outcome: only this claim's (if the send outlived its lease and
    another worker claimed the row meanwhile, that worker's send decides, not this stale one).
    Its own statement, as soon as the send returned (see deliver_batch); written as SQL
    because compiling the ORM's UPDATE cost more than the round trip."""
    fields["updated_at"] = timezone.now()
    model_fields = [cast("Field", Delivery._meta.get_field(name)) for name in fields]
    columns = ", ".join(f"{field.column} = %s" for field in model_fields)
    values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(model_fields, fields.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET {columns} "  # noqa: S608
            "WHERE id = %s AND status = %s AND claimed_at = %s",
            [*values, delivery.pk, Delivery.Status.SENDING, now],
        )
    for name, value in fields.items():
        setattr(delivery, name, value)


def _deliver_claimed(delivery: Delivery, now: dt.datetime, mail: channels.MailConnection) -> None:
    def finish(**fields: object) -> None:
        _record(delivery, now, **fields)

    user = delivery.notice.user
    if user is not None and not user.is_active:
        finish(status=Delivery.Status.SKIPPED, last_error="")
        return
    try:
        _send(delivery, mail)
    except channels.PermanentError as exc:
        logger.warning(
            "notices.delivery_failed", extra={"delivery": delivery.pk, "channel": delivery.channel}
        )
        finish(status=Delivery.Status.FAILED, last_error=str(exc)[:1000])
    except Exception as exc:  # transient, or an unexpected error: retry later with backoff
        error = str(exc)[:1000] or type(exc).__name__
        if delivery.attempts >= settings.NOTICE_MAX_ATTEMPTS:
            finish(status=Delivery.Status.FAILED, last_error=error)
            return
        finish(
            status=Delivery.Status.PENDING,
            last_error=error,
            next_attempt_at=now + _backoff(delivery.attempts),
            enqueued_at=None,
        )
    else:
        finish(status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
