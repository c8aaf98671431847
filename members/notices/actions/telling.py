"""Telling people: a notice written to the inbox and the outbox in the change's transaction.

`notify` is called inside the transaction of the change it reports: the inbox copy and the
outbox rows commit with the change or not at all, and the rows are handed to the workers
(`delivery.hand_to_workers`) after the commit. See the README, "Notifications".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from members.notices import kinds
from members.notices.actions import delivery
from members.notices.models import Channel, Delivery, Notice, Preference

if TYPE_CHECKING:
    from django.db.models import Field

    from members.models import User

Row = TypeVar("Row")


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


def _queue(rows: list[Delivery], now: dt.datetime) -> None:
    """Write the outbox rows (one INSERT) and hand them to the workers after the commit."""
    for row in rows:
        row.enqueued_at = now
    ids = [row.pk for row in _insert(rows, key=("notice_id", "channel"))]
    if ids:
        transaction.on_commit(lambda: delivery.hand_to_workers(ids))


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
            transaction.on_commit(lambda: delivery.hand_to_workers(ids))
        return created
    created = _write_notices(notices)
    _count_unread([n.user_id for n in created if n.user_id is not None])
    _queue([row for notice in created for row in copies(notice)], now)
    return created


def _row_marks(fields: list[Field]) -> str:
    """One row of a VALUES list, each value cast to its column's type (so a column of NULLs is
    still typed when the list is joined rather than inserted)."""
    return "(" + ", ".join(f"CAST(%s AS {_cast_type(f)})" for f in fields) + ")"


def _cast_type(field: Field) -> str:
    # Text as `text`: a CAST to varchar(n) cuts a longer value silently, where the column
    # itself refuses it ("value too long"), as an INSERT of the value would.
    cast = str(field.cast_db_type(connection))
    return "text" if cast.startswith("varchar") else cast


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
