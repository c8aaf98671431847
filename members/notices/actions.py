"""Telling people things: write notices (inbox + outbox), deliver them, read them.

`notify` is called inside the transaction of the change it reports: the inbox copy and the
outbox rows commit with the change or not at all, and the rows are queued after the commit.
Delivery claims a row before sending it, with a lease, backoff and an idempotency key:
at least once per (notice, channel), never exactly once. See the README, "Notifications".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from members.audit_changes import record_change, snapshot
from members.notices import channels, kinds
from members.notices.models import Channel, Delivery, Notice, Preference

if TYPE_CHECKING:
    from django.db.models import Field

    from members.models import User

Row = TypeVar("Row")
logger = logging.getLogger(__name__)

SCAN_BATCH = 1000
# Rows handed to a worker in one task: claimed in one statement, e-mailed over one connection.
SEND_BATCH = 50
# Mainland SMS are billed per 70 characters: the subject and the link, not the whole body.
SMS_SUBJECT_CHARS = 60


@dataclass
class Rendered:
    subject: str
    body: str
    link: str

    def for_channel(self, channel: str) -> tuple[str, str]:
        """(subject, text) of this notice as `channel` carries it, with the absolute link."""
        if channel == Channel.SMS:
            return "", f"{self.subject[:SMS_SUBJECT_CHARS]} {self.link}".strip()
        text = f"{self.body}\n{self.link}" if self.link else self.body
        if channel in (Channel.WECOM, Channel.DINGTALK):
            # Robots carry no subject line: it heads the text.
            return "", f"{self.subject}\n{text}"
        return self.subject, text


def absolute_link(path: str) -> str:
    """The one way a notice links back: PORTAL_SITE_URL + a path on the portal."""
    if not path:
        return ""
    if not path.startswith("/"):
        raise ValueError("a notice links to a path on the portal, starting with /")
    return settings.PORTAL_SITE_URL + path


def language_of(user: User | None) -> str:
    return (user.language if user is not None else "") or settings.LANGUAGE_CODE


def render(kind: kinds.NoticeKind, context: dict[str, Any], link: str, language: str) -> Rendered:
    """Render `kind` in `language`: the template's first line is the subject."""
    with translation.override(language):
        text = render_to_string(kind.template, context).strip()
    subject, _sep, body = text.partition("\n")
    return Rendered(subject=subject.strip()[:300], body=body.strip(), link=absolute_link(link))


def channels_for(user: User, kind: kinds.NoticeKind, chosen: Preference | None) -> list[str]:
    """The outbound channels of one person for one kind (the inbox is always on top)."""
    allowed = kind.personal_channels
    wanted: list[str]
    if chosen is not None and not kind.mandatory:
        wanted = [c for c, on in ((Channel.EMAIL, chosen.email), (Channel.SMS, chosen.sms)) if on]
    elif Channel.EMAIL in kind.default and not user.email and user.phone:
        # No choice made and no e-mail address (signed up by phone): a short SMS instead.
        wanted = [Channel.SMS]
    elif len(kind.default) > 1:
        # Several by default (the duty reminders: e-mail and SMS): those that reach the person.
        reachable: dict[str, bool] = {
            Channel.EMAIL: bool(user.email),
            Channel.SMS: bool(user.phone),
        }
        wanted = [c for c in kind.default if reachable.get(c, True)] or list(kind.default[:1])
    else:
        wanted = list(kind.default)
    return [c for c in allowed if c in wanted]


def _enqueue(ids: list[int]) -> None:
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


def _queue(rows: list[Delivery], now: dt.datetime) -> None:
    """Write the outbox rows (one INSERT) and hand them to the workers after the commit."""
    for row in rows:
        row.enqueued_at = now
    ids = [row.pk for row in _insert(rows, key=("notice_id", "channel"))]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))


def _insert(rows: list[Any], *, key: tuple[str, str], skip_taken: bool = False) -> list[Any]:
    """INSERT `rows` (one model) in one statement a batch, as bulk_create would, and return
    those written with their pks; with `skip_taken`, rows a unique constraint refuses (another
    caller wrote them) are left out instead of failing (ON CONFLICT DO NOTHING, PostgreSQL
    and SQLite alike). Each returned id is matched to its row by `key` (unique columns), not
    by position. Written as SQL: compiling bulk_create's INSERT cost more than running it.
    """
    if not rows:
        return []
    model = type(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    keys = ", ".join(connection.ops.quote_name(model._meta.get_field(k).column) for k in key)
    pk = connection.ops.quote_name(model._meta.pk.column)
    conflict = " ON CONFLICT DO NOTHING" if skip_taken else ""
    by_key = {}
    written: dict[tuple, int] = {}
    size = max(1, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params: list[Any] = []
            for row in batch:
                params += [
                    f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields
                ]
                by_key[tuple(getattr(row, k) for k in key)] = row
            marks = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(batch))
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({columns}) VALUES {marks}{conflict} "  # noqa: S608
                f"RETURNING {pk}, {keys}",
                params,
            )
            written.update({tuple(found[1:]): found[0] for found in cursor.fetchall()})
    result = []
    for row in rows:
        row_pk = written.get(tuple(getattr(row, k) for k in key))
        if row_pk is not None:
            row.pk = row_pk
            row._state.adding = False
            row._state.db = connection.alias
            result.append(row)
    return result


@dataclass
class Telling:
    """One event to tell some people of (see `notify`)."""

    to: Iterable[User | None]
    event: str
    context: dict[str, Any]
    link: str = ""
    exclude: User | None = None


def notify(
    *,
    kind: str,
    to: Iterable[User | None],
    event: str,
    context: dict[str, Any],
    link: str = "",
    exclude: User | None = None,
) -> list[Notice]:
    """Tell each active person in `to` of `event` (once each, ever); return the new notices.

    Call it inside the transaction of the change: the inbox copies and their outbox rows
    commit with it. `link` is a path on the portal; every channel carries it absolute.
    `exclude` is the person who acted (nobody is told of their own step).
    """
    return notify_many(
        kind=kind,
        tellings=[Telling(to=to, event=event, context=context, link=link, exclude=exclude)],
    )


def notify_many(*, kind: str, tellings: list[Telling]) -> list[Notice]:
    """`notify` for several events of one kind at once, in the same few statements as one:
    the notices (a person already told of an event is skipped by the insert itself, so the
    texts are rendered for everyone and kept for the notices written), the header counts, the
    outbox rows."""
    spec = kinds.get(kind)
    now = timezone.now()
    wanted: list[tuple[Telling, dict[int, User]]] = []
    everyone: dict[int, User] = {}
    for telling in tellings:
        people: dict[int, User] = {}
        for user in telling.to:
            if user is not None and user.is_active and user != telling.exclude:
                people.setdefault(user.pk, user)
        if people:
            wanted.append((telling, people))
            everyone.update(people)
    if not wanted:
        return []
    chosen = (
        {}  # a mandatory kind's channels are not anybody's choice: no need to read them
        if spec.mandatory
        else {p.user_id: p for p in Preference.objects.filter(user__in=list(everyone), kind=kind)}
    )
    texts: dict[tuple[str, int], Rendered] = {}
    for telling, people in wanted:
        for pk, user in people.items():
            if (telling.event, pk) not in texts:
                context = {**telling.context, "recipient": user}
                texts[telling.event, pk] = render(spec, context, telling.link, language_of(user))
    notices = [
        Notice(
            kind=kind,
            event=event,
            user=everyone[pk],
            subject=text.subject,
            body=text.body,
            link=text.link,
            language=language_of(everyone[pk]),
        )
        for (event, pk), text in texts.items()
    ]

    def copies(notice: Notice) -> list[Delivery]:
        """The outbox rows of one notice: one a channel that reaches its person."""
        user = everyone[notice.user_id or 0]  # every notice here has its person
        rows = []
        for channel in channels_for(user, spec, chosen.get(user.pk)):
            subject, body = texts[notice.event, user.pk].for_channel(channel)
            rows.append(
                Delivery(
                    notice=notice,
                    channel=channel,
                    subject=subject,
                    body=body,
                    next_attempt_at=now,
                    enqueued_at=now,
                )
            )
        return rows

    if connection.vendor == "postgresql":
        created, ids = _write_all(notices, copies)
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
        return created
    created = _write_notices(notices)
    _count_unread([n.user_id for n in created if n.user_id is not None])
    _queue([row for notice in created for row in copies(notice)], now)
    return created


def _row_marks(fields: list[Field]) -> str:
    """One row of a VALUES list, each value cast to its column's type (so a column of NULLs is
    still typed when the list is joined rather than inserted)."""
    return "(" + ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields) + ")"


def _columns(fields: list[Field]) -> str:
    return ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)


def _marks(rows: list[Any], fields: list[Field]) -> tuple[str, list[Any]]:
    """A VALUES list of `rows` and its parameters, as bulk_create would prepare them."""
    row_marks = _row_marks(fields)
    params: list[Any] = []
    for row in rows:
        params += [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    return ", ".join([row_marks] * len(rows)), params


def _write_all(
    notices: list[Notice], copies: Callable[[Notice], list[Delivery]]
) -> tuple[list[Notice], list[int]]:
    """PostgreSQL: `notices`, their people's header counts and the outbox rows of the notices
    written, in one statement (one round trip instead of three); return the notices written
    and the ids of their outbox rows.

    As `_write_notices`, a notice a concurrent caller wrote first is skipped (ON CONFLICT DO
    NOTHING), and so are its counts and outbox rows: they follow the insert's RETURNING. The
    people's rows are locked in pk order before their counts go up (as `_count_unread`).
    """
    by_key = {(n.event, n.user_id): n for n in notices}
    planned = [row for notice in notices for row in copies(notice)]
    notice_fields = [f for f in Notice._meta.concrete_fields if not f.primary_key]
    delivery_fields = [
        f for f in Delivery._meta.concrete_fields if not f.primary_key and f.name != "notice"
    ]
    users = get_user_model()._meta.db_table
    notice_values, params = _marks(notices, notice_fields)
    params.append(sorted({n.user_id for n in notices}))
    sql = (
        f"WITH n AS (INSERT INTO {Notice._meta.db_table} "  # noqa: S608
        f"({_columns(notice_fields)}) VALUES {notice_values} "
        "ON CONFLICT DO NOTHING RETURNING id, event, user_id), "
        # The candidates' ids as a parameter: the people's rows are found by their key, not
        # by a scan of the table joined to the insert's rows.
        f"locked AS (SELECT id FROM {users} WHERE id = ANY(%s) "
        "AND id IN (SELECT user_id FROM n) ORDER BY id FOR UPDATE), "
        f"counted AS (UPDATE {users} u SET unread_notices = u.unread_notices + k.times "
        "FROM (SELECT user_id, count(*) AS times FROM n GROUP BY user_id) k, locked "
        "WHERE u.id = k.user_id AND locked.id = u.id)"
    )
    if planned:
        # Each outbox row carries its notice's (event, person): joined to the notices written.
        keys = [cast("Field", Notice._meta.get_field(name)) for name in ("event", "user")]
        marks = _row_marks(keys + delivery_fields)
        for row in planned:
            params += [row.notice.event, row.notice.user_id]
            params += [
                f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in delivery_fields
            ]
        names = [f"v{i}" for i in range(len(delivery_fields))]
        sql += (
            f", d AS (INSERT INTO {Delivery._meta.db_table} "  # noqa: S608
            f"({_columns([cast('Field', Delivery._meta.get_field('notice'))])}, "
            f"{_columns(delivery_fields)}) "
            f"SELECT n.id, {', '.join(f'v.{name}' for name in names)} FROM n JOIN (VALUES "
            f"{', '.join([marks] * len(planned))}) AS v(event, user_id, {', '.join(names)}) "
            "ON v.event = n.event AND v.user_id = n.user_id RETURNING id) "
            "SELECT n.id, n.event, n.user_id, NULL FROM n "
            "UNION ALL SELECT NULL, NULL, NULL, id FROM d"
        )
    else:
        sql += " SELECT n.id, n.event, n.user_id, NULL FROM n"
    created: list[Notice] = []
    ids: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, event, user_id, delivery_id in cursor.fetchall():
            if delivery_id is not None:
                ids.append(delivery_id)
                continue
            notice = by_key[event, user_id]
            notice.pk = pk
            notice._state.adding = False
            notice._state.db = connection.alias
            created.append(notice)
    order = {id(n): position for position, n in enumerate(notices)}
    created.sort(key=lambda n: order[id(n)])
    return created, sorted(ids)


def _count_unread(user_ids: list[int]) -> None:
    """The header's count, one up for each notice of `user_ids` (a person told of two events
    goes up by two), a statement per distinct step (nearly always one). On PostgreSQL the rows
    are locked in pk order first (a fixed lock order, as one UPDATE a person had)."""
    steps: dict[int, list[int]] = {}
    for user_id, times in sorted(Counter(user_ids).items()):
        steps.setdefault(times, []).append(user_id)
    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        for times, ids in steps.items():
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {table} u SET unread_notices = u.unread_notices + %s FROM "  # noqa: S608
                    f"(SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE) locked "
                    "WHERE u.id = locked.id",
                    [times, ids],
                )
            else:  # SQLite locks the whole database for a write: no order to keep
                cursor.execute(
                    f"UPDATE {table} SET unread_notices = unread_notices + %s "  # noqa: S608
                    f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
                    [times, *ids],
                )


def _write_notices(notices: list[Notice]) -> list[Notice]:
    """Insert `notices` (one INSERT); return those written.

    A concurrent caller telling the same event to the same person may win a row: it is then
    skipped (ON CONFLICT DO NOTHING waits for that caller's commit), without breaking the
    caller's transaction.
    """
    return _insert(notices, key=("event", "user_id"), skip_taken=True)


def group_channels() -> list[str]:
    """The staff group robots configured (empty URL: that channel is off)."""
    configured = {
        Channel.WECOM: settings.NOTICE_WECOM_WEBHOOK_URL,
        Channel.DINGTALK: settings.NOTICE_DINGTALK_WEBHOOK_URL,
    }
    return [channel for channel, url in configured.items() if url]


def notify_each(rows: Iterable[Row], tell: Callable[[Row], list[Notice]]) -> int:
    """`tell` about each row, each in a transaction of its own; return how many notices.

    The periodic reminders' one loop: a row that fails rolls back its own notices only, and a
    second run writes nothing new (`notify` writes once per event and person).
    """
    written = 0
    for row in rows:
        with transaction.atomic():
            written += len(tell(row))
    return written


def notify_group(
    *, kind: str, audience: str, event: str, context: dict[str, Any], link: str = ""
) -> Notice | None:
    """Post `event` to the staff's group robots (those configured and allowed for `kind`)."""
    spec = kinds.get(kind)
    wanted = [c for c in group_channels() if c in spec.group_channels]
    if not wanted:
        return None
    text = render(spec, context, link, settings.LANGUAGE_CODE)
    notice, made = Notice.objects.get_or_create(
        event=event,
        audience=audience,
        user=None,
        defaults={
            "kind": kind,
            "subject": text.subject,
            "body": text.body,
            "link": text.link,
            "language": settings.LANGUAGE_CODE,
        },
    )
    if not made:
        return None
    now = timezone.now()
    rows = []
    for channel in wanted:
        subject, body = text.for_channel(channel)
        rows.append(
            Delivery(
                notice=notice, channel=channel, subject=subject, body=body, next_attempt_at=now
            )
        )
    _queue(rows, now)
    return notice


def withdraw(*, event_prefix: str) -> int:
    """Stop the copies not yet sent of the notices whose event starts with `event_prefix`
    (the thing they ask for was done meanwhile); return how many. The inbox copies stay, and
    a copy a worker is sending right now is left to it."""
    if not event_prefix:
        raise ValueError("withdraw needs an event prefix")
    return Delivery.objects.filter(
        notice__event__startswith=event_prefix, status=Delivery.Status.PENDING
    ).update(status=Delivery.Status.SKIPPED, updated_at=timezone.now())


# --- delivery ---------------------------------------------------------------------------------


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
            transaction.on_commit(lambda: _enqueue(ids))
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
    transaction.on_commit(lambda: _enqueue(rows))
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


# --- the inbox --------------------------------------------------------------------------------


@transaction.atomic
def mark_read(*, user: User, notice_id: int) -> bool:
    """Mark one of `user`'s notices read; repeating it is a no-op. Return whether it changed."""
    changed = Notice.objects.filter(pk=notice_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        # Never below zero: the count is a convenience, the notices are the truth.
        get_user_model().objects.filter(pk=user.pk, unread_notices__gt=0).update(
            unread_notices=F("unread_notices") - 1
        )
    return bool(changed)


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    """Mark every notice of `user` read; return how many were unread.

    The count is reset first: that locks the person's row, so a notice written meanwhile
    either waits and counts after, or committed before and is marked read here.
    """
    get_user_model().objects.filter(pk=user.pk).update(unread_notices=0)
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def save_preferences(*, user: User, choices: dict[str, dict[str, bool]], language: str) -> None:
    """Store a person's channels per kind (mandatory kinds keep their default) and language."""
    for key, chosen in choices.items():
        spec = kinds.get(key)
        if spec.mandatory:
            continue
        allowed = spec.personal_channels
        Preference.objects.update_or_create(
            user=user,
            kind=key,
            defaults={
                "email": Channel.EMAIL in allowed and chosen.get(Channel.EMAIL, False),
                "sms": Channel.SMS in allowed and chosen.get(Channel.SMS, False),
            },
        )
    get_user_model().objects.filter(pk=user.pk).update(language=language)
