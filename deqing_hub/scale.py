"""Synthetic data at benchmark scale (`manage.py loadscale`): a county, not a town.

At scale 1: 10,000 members in 200 branches, 500 alliance organisations, 1,000,000 ledger entries
over the last 12 months, 50,000 wishes in every state, two years of duty weeks (one behind, one
ahead), 5,000 activities with 100,000 sign-ups, and what hangs off them (attendances, vouchers,
claims, timelines, service records and requests, member projects). The finished months' rankings
are then published with the ranking's own `close_month`, so the snapshots are the app's.

Why not the actions: a million calls of `award()` would take hours. The rows are written with
PostgreSQL's COPY instead, but with the values the actions write (sources, idempotency keys,
reasons, timestamps, cached balances and stock equal to their histories), and every database
constraint is checked as the rows go in. Deterministic: the same seed and the same anchor day give
the same rows (the anchor defaults to today, so the data is always "recent").

Volunteering is skewed, as in life: a member's share of the ledger follows a Pareto law (a few
hundred members earn most of the points; a quarter never volunteer), and the busy months are
busier (spring and autumn campaigns).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from deqing_hub import ranking
from deqing_hub.scale_meta import META_TABLE, VERSION
from members.demo import demo_credit_code
from members.models import Branch, Enterprise, Member, User, pinyin_search_text
from members.periods import current_month, month_start, next_month
from points.models import Account, Entry, ExchangePoint, Item, Stock, StockMovement, Voucher
from rota.models import (
    DutyReport,
    DutyWeek,
    ExchangeMeeting,
    MeetingAttendance,
    MonthlyTheme,
    Organisation,
)
from services.models import (
    Activity,
    Attendance,
    Category,
    RequestEvent,
    Service,
    ServiceRecord,
    ServiceRequest,
    SignUp,
)
from services.projects.models import Project, TeamMember
from wishes.models import Claim, Wish, WishEvent

# Every account made here shares this password (hashed once): staff log in to look around.
PASSWORD = "scale-password"  # noqa: S105 - synthetic data on a benchmark database
STAFF_USERNAME = "scale-admin"

FULL = {
    "branches": 200,
    "enterprises": 800,
    "members": 10_000,
    "member_accounts": 3_000,
    "public_users": 2_000,
    "organisations": 500,
    "services": 300,
    "entries": 1_000_000,
    "wishes": 50_000,
    "activities": 5_000,
    "signups": 100_000,
    "requests": 5_000,
    "records": 20_000,
    "projects": 300,
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华飞鑫波宇浩凯健俊帆帅旭宁龙林"
    "欣佳然文博琳晨辰雪慧颖倩婷玉萍红梅鹏斌亮志国建新海峰云"
)
PLACES = "德清武康新市乾元洛舍钟管禹越雷甸新安阜溪舞阳下渚湖莫干山"
WORDS = [
    "地信",
    "测绘",
    "遥感",
    "导航",
    "数据",
    "空间",
    "智慧",
    "云图",
    "北斗",
    "星图",
    "数字",
    "城市",
]
SUFFIXES = ["科技有限公司", "信息技术有限公司", "数据服务有限公司", "测绘有限公司"]
BUREAUS = ["局", "委员会", "办公室", "中心"]
WISH_TOPICS = [
    ("开通通勤公交线路", "希望开通小镇到城区和高铁站的公交线路，方便上下班。"),
    ("增设共享单车停放点", "园区门口共享单车太少，希望增设停放点。"),
    ("组织青年联谊活动", "单身青年较多，希望多组织联谊交友活动。"),
    ("开设子女暑期托管班", "双职工家庭暑期孩子无人照看，希望开设托管班。"),
    ("增加食堂晚餐供应", "加班较多，希望食堂延长晚餐供应时间。"),
    ("建设职工健身房", "希望园区内有一个职工健身房。"),
    ("开展法律咨询服务", "希望定期请律师来园区提供法律咨询。"),
    ("帮助老人学用智能手机", "社区老人不会用智能手机，希望有志愿者教学。"),
]
ACTIVITY_TITLES = [
    "志愿者服务日",
    "红色论坛",
    "小镇服务日",
    "人才沙龙",
    "青年联谊会",
    "党课学习",
    "读书分享会",
    "社区清洁行动",
    "创业辅导",
    "政策宣讲会",
]
# Points per entry, skewed towards small awards.
AMOUNTS = (1, 2, 3, 5, 10, 20)
AMOUNT_WEIGHTS = (30, 25, 20, 15, 8, 2)
# Busy months: spring and autumn campaigns, quiet at the Spring Festival (month index 1..12).
MONTH_WEIGHTS = {1: 0.6, 2: 0.5, 3: 1.3, 4: 1.2, 5: 1.1, 6: 0.9, 7: 0.8, 8: 0.8, 9: 1.2, 10: 1.4}
ITEMS = [("电影票", "cinema_ticket", 50), ("咖啡", "coffee", 20), ("小镇纪念徽章", "souvenir", 30)]


# One row to COPY: column (attribute) name -> value.
Row = dict[str, Any]


class NotEmpty(Exception):
    """The database already holds data (loadscale never mixes its rows with real ones)."""


@dataclass
class Plan:
    """How much of everything: FULL times the scale, with a floor so tiny runs stay coherent."""

    scale: float
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        floors = {"branches": 3, "organisations": 6, "services": 6, "member_accounts": 5}
        for name, full in FULL.items():
            self.counts[name] = max(floors.get(name, 1), round(full * self.scale))
        self.counts["member_accounts"] = min(self.counts["member_accounts"], self.counts["members"])

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


class Copier:
    """Writes rows with PostgreSQL COPY, filling unset columns with the model's defaults."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.counts: dict[str, int] = {}
        self.touched: list[type[models.Model]] = []

    def copy(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        started = time.monotonic()
        now = timezone.now()
        fields = list(model._meta.concrete_fields)
        columns = [f.column for f in fields]
        # An unset column takes the field's default ("" for text, None otherwise: a NOT NULL
        # column left unset then fails loudly in PostgreSQL), "now" for auto timestamps.
        defaults = [
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
            for f in fields
        ]
        pairs = list(zip([f.attname for f in fields], defaults, strict=True))
        table = model._meta.db_table
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{table}" ({quoted}) FROM STDIN'
        count = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3's own cursor: Django's wrapper has no copy()
            with raw.copy(sql) as copy:
                for row in rows:
                    copy.write_row([row.get(n, d) for n, d in pairs])
                    count += 1
        self.counts[table] = self.counts.get(table, 0) + count
        if model not in self.touched:
            self.touched.append(model)
        self.log(f"  {table}: {count:,} rows in {time.monotonic() - started:.1f} s")
        return count

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), self.touched)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def ensure_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise NotImplementedError(
            "loadscale needs PostgreSQL (it loads with COPY); set DATABASE_URL to a PostgreSQL "
            f"database (this one is {connection.vendor})."
        )


def is_empty() -> bool:
    """No portal data yet (the migrations' own rows - categories, first formula - are fine)."""
    return not any(
        model.objects.exists() for model in (User, Member, Branch, Organisation, Entry, Wish)
    )


# Apps whose tables --force empties; auth's groups and permissions, content types, the
# migrations table and the beat schedule stay (they describe the code, not the data).
PORTAL_APPS = ("members", "rota", "points", "services", "projects", "wishes", "deqing_hub")
ALSO_EMPTIED = ("django_session", "django_admin_log", "account_emailaddress", "axes_accessattempt")


def empty_database() -> None:
    """Empty every portal table, then put back the rows the data migrations seed."""
    tables = [
        m._meta.db_table
        for app in PORTAL_APPS
        for m in global_apps.get_app_config(app).get_models(include_auto_created=True)
    ]
    existing = set(connection.introspection.table_names())
    tables += [t for t in ALSO_EMPTIED if t in existing]
    with connection.cursor() as cursor:
        quoted = ", ".join(f'"{t}"' for t in tables)
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        cursor.execute(f"DROP TABLE IF EXISTS {META_TABLE}")
    # The same functions the migrations ran (importlib: their module names start with digits).
    from importlib import import_module

    for module, function in (
        ("services.migrations.0003_seed_six_categories", "seed"),
        ("deqing_hub.migrations.0002_first_score_formula", "create_first_formula"),
    ):
        getattr(import_module(module), function)(global_apps, None)


def loaded_version() -> tuple[int, float] | None:
    """(loadscale version, scale) of the data in this database, or None if never loaded."""
    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        # S608: the table name is this module's constant, not input.
        cursor.execute(f"SELECT version, scale FROM {META_TABLE} ORDER BY loaded_at DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return (int(row[0]), float(row[1])) if row else None


def _write_meta(scale: float, seed: int, anchor: dt.date, seconds: float, counts: dict) -> None:
    import json

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (version integer NOT NULL, "
            "scale double precision NOT NULL, seed integer NOT NULL, anchor date NOT NULL, "
            "seconds double precision NOT NULL, counts jsonb NOT NULL, "
            "loaded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {META_TABLE} (version, scale, seed, anchor, seconds, counts) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [VERSION, scale, seed, anchor, seconds, json.dumps(counts)],
        )


# ----------------------------------------------------------------------------------------------


def history_start(anchor: dt.date) -> dt.date:
    """The first month of the generated history, about ten months before the anchor's: the
    activities and the ledger start there, and the rankings are closed from there on."""
    return month_start(current_month(anchor) - dt.timedelta(days=320))


def _aware(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _name(rng: random.Random) -> tuple[str, str]:
    """(family name, given name)."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES), given


def _mobile(n: int) -> str:
    return f"13{n:09d}"


@dataclass
class World:
    """What later steps need of earlier ones (ids and a few attributes, never model objects)."""

    anchor: dt.date
    now: dt.datetime
    staff_id: int = 0
    branch_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    member_branch: dict[int, int] = field(default_factory=dict)
    member_user: dict[int, int] = field(default_factory=dict)
    user_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    wisher_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    contact_of: dict[int, int] = field(default_factory=dict)
    backup_of: dict[int, int] = field(default_factory=dict)
    category_ids: list[int] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)
    service_providers: dict[int, list[int]] = field(default_factory=dict)
    duty_weeks: list[tuple[int, dt.date, int, str]] = field(default_factory=list)
    account_of: dict[int, int] = field(default_factory=dict)
    operator_id: int = 0


class Loader:
    def __init__(
        self, plan: Plan, *, seed: int, anchor: dt.date, log: Callable[[str], None]
    ) -> None:
        self.plan = plan
        self.seed = seed
        self.log = log
        self.copier = Copier(log)
        # "Now" for the data is the midnight that starts the anchor day (Shanghai time): every
        # row is dated before it, and the rows do not depend on the hour loadscale runs.
        now = _aware(anchor, 0)
        self.w = World(anchor=anchor, now=now)
        self.password = make_password(PASSWORD)
        self.next_user_id = 1

    def rng(self, step: str) -> random.Random:
        # One generator per step: changing one step's draws leaves the others' rows alone.
        return random.Random(f"{self.seed}:{step}")  # noqa: S311 - synthetic data

    def copy(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        return self.copier.copy(model, rows)

    def run(self) -> dict[str, int]:
        steps: list[Callable[[], None]] = [
            self.users_and_roll,
            self.alliance,
            self.services,
            self.rota,
            self.activities,
            self.ledger,
            self.wishes,
            self.service_requests,
            self.projects,
        ]
        for step in steps:
            started = time.monotonic()
            self.log(f"{step.__name__}:")
            step()
            self.log(f"  ({time.monotonic() - started:.1f} s)")
        self.copier.reset_sequences()
        return self.copier.counts

    # -- accounts, enterprises, branches, members -------------------------------------------

    def _user(self, username: str, *, first: str = "", last: str = "", **extra: Any) -> dict:
        pk = self.next_user_id
        self.next_user_id += 1
        self.w.user_names[pk] = (last, first)
        return {
            "id": pk,
            "password": self.password,
            "username": username,
            "first_name": first,
            "last_name": last,
            "email": extra.pop("email", f"{username}@scale.example.cn"),
            "date_joined": self.w.now - dt.timedelta(days=400),
            **extra,
        }

    def users_and_roll(self) -> None:
        rng = self.rng("roll")
        p = self.plan
        users: list[dict] = []
        staff = self._user(
            STAFF_USERNAME, first="管理员", last="中心", is_staff=True, is_superuser=True
        )
        self.w.staff_id = staff["id"]
        users.append(staff)
        operator = self._user("scale-operator", first="兑换员", last="超市", is_staff=True)
        self.w.operator_id = operator["id"]
        users.append(operator)

        enterprises: list[Row] = []
        for n in range(1, p["enterprises"] + 1):
            enterprises.append(
                {
                    "id": n,
                    "name": f"德清{rng.choice(WORDS)}{rng.choice(WORDS)}{SUFFIXES[n % 4]}{n}",
                    "credit_code": demo_credit_code(100_000 + n),
                    "industry": rng.choice(["gis", "gis", "finance", "other"]),
                    "signed_on": self.w.anchor - dt.timedelta(days=rng.randrange(30, 3000)),
                    "is_active": True,
                }
            )
        branches: list[Row] = []
        links: list[tuple[int, int]] = []
        for n in range(1, p["branches"] + 1):
            kind = "centre" if n == 1 else ("joint" if n % 10 == 0 else "standalone")
            place = PLACES[(n * 2) % (len(PLACES) - 1) : (n * 2) % (len(PLACES) - 1) + 2]
            branches.append({"id": n, "name": f"{place}第{n}党支部", "kind": kind})
            if kind != "centre":
                for k in range(3 if kind == "joint" else 1):
                    links.append((n, (n * 3 + k) % p["enterprises"] + 1))
        self.w.branch_ids = [b["id"] for b in branches]

        # Branch sizes skewed too: a few big enterprise branches, many small ones.
        branch_weights = [1 / (i + 1) ** 0.6 for i in range(len(branches))]
        members: list[Row] = []
        account_members = set(rng.sample(range(1, p["members"] + 1), p["member_accounts"]))
        for n in range(1, p["members"] + 1):
            last, first = _name(rng)
            name = last + first
            branch = rng.choices(self.w.branch_ids, branch_weights)[0]
            talent = rng.random() < 0.03
            row: Row = {
                "id": n,
                "created_at": self.w.now - dt.timedelta(days=400),
                "updated_at": self.w.now - dt.timedelta(days=400),
                "name": name,
                "name_pinyin": pinyin_search_text(name),
                "gender": rng.choice("mf"),
                "mobile": _mobile(n),
                "branch_id": branch,
                "status": "probationary" if rng.random() < 0.05 else "full",
                "joined_on": self.w.anchor - dt.timedelta(days=rng.randrange(200, 12000)),
                "employer_id": rng.randrange(1, p["enterprises"] + 1),
                "ranking_consent": rng.random() < 0.7,
                "talent_programme": rng.choice(["national", "provincial", "south_taihu"])
                if talent
                else "",
                "talent_origin": rng.choice(["cultivated", "recruited"]) if talent else "",
                "is_active": rng.random() > 0.01,
            }
            if n in account_members:
                user = self._user(
                    f"m{n:05d}", first=first, last=last, phone=_mobile(n), phone_verified=True
                )
                users.append(user)
                row["user_id"] = user["id"]
                self.w.member_user[n] = user["id"]
            members.append(row)
            self.w.member_branch[n] = branch
        self.w.member_ids = [m["id"] for m in members if m["is_active"]]
        for n in range(1, p["public_users"] + 1):
            last, first = _name(rng)
            user = self._user(f"p{n:05d}", first=first, last=last)
            users.append(user)
            self.w.wisher_ids.append(user["id"])
        self.w.wisher_ids += list(self.w.member_user.values())
        # Contacts of the organisations (made before the copy: users go in first): a duty
        # contact and a backup each, reachable by e-mail and SMS as the duty reminders expect.
        for n in range(1, p["organisations"] + 1):
            for prefix, mobile, role in (
                ("c", "17", self.w.contact_of),
                ("b", "18", self.w.backup_of),
            ):
                last, first = _name(rng)
                user = self._user(
                    f"{prefix}{n:04d}",
                    first=first,
                    last=last,
                    is_staff=True,
                    phone=f"{mobile}{n:09d}",
                    phone_verified=True,
                )
                users.append(user)
                role[n] = user["id"]

        self.copy(User, users)
        self.copy(Enterprise, enterprises)
        # Secretaries: a member of the branch with an account, where there is one.
        secretary: dict[int, int] = {}
        for m in members:
            if m.get("user_id") and m["branch_id"] not in secretary:
                secretary[m["branch_id"]] = m["user_id"]
        for b in branches:
            b["secretary_id"] = secretary.get(b["id"])
        self.copy(Branch, branches)
        through = Branch.enterprises.through
        self.copy(
            through,
            ({"id": i, "branch_id": b, "enterprise_id": e} for i, (b, e) in enumerate(links, 1)),
        )
        self.copy(Member, members)

    # -- alliance organisations, services --------------------------------------------------

    def alliance(self) -> None:
        rng = self.rng("alliance")
        p = self.plan
        rows: list[Row] = []
        for n in range(1, p["organisations"] + 1):
            if n == 1:
                kind, name, short = "centre", "地信小镇党群服务中心", "服务中心"
            elif n % 3 == 0:
                word = rng.choice(WORDS)
                kind, name, short = "bureau", f"德清县{word}{BUREAUS[n % 4]}{n}", f"{word}{n}"
            else:
                word = rng.choice(WORDS)
                kind, name, short = "social", f"{word}社会组织{n}", f"{word}社{n}"
            rows.append(
                {
                    "id": n,
                    "name": name,
                    "short_name": short,
                    "kind": kind,
                    "duty_contact_id": self.w.contact_of[n],
                    "backup_contact_id": self.w.backup_of[n],
                    "is_active": True,
                    "joined_on": self.w.anchor - dt.timedelta(days=rng.randrange(100, 3000)),
                    "feed_token": f"scale-feed-{n:05d}-{rng.getrandbits(64):016x}",
                }
            )
        self.copy(Organisation, rows)
        self.w.organisation_ids = [r["id"] for r in rows]

    def services(self) -> None:
        rng = self.rng("services")
        p = self.plan
        self.w.category_ids = list(
            Category.objects.order_by("position").values_list("pk", flat=True)
        )
        rows: list[Row] = []
        providers: list[tuple[int, int]] = []
        for n in range(1, p["services"] + 1):
            category = self.w.category_ids[n % len(self.w.category_ids)]
            title = f"{rng.choice(WORDS)}{rng.choice(ACTIVITY_TITLES)}服务{n}"
            description = f"面向小镇企业和党员的{title}，由联盟成员单位提供。"
            rows.append(
                {
                    "id": n,
                    "created_at": self.w.now - dt.timedelta(days=300),
                    "updated_at": self.w.now - dt.timedelta(days=300),
                    "title": title,
                    "description": description,
                    "category_id": category,
                    "venue": rng.choice(["hall", "academy", "book_bar", "online"]),
                    "how_to_get": "到服务大厅窗口或在线点单。",
                    "is_active": rng.random() > 0.05,
                    "search_pinyin": f"{_pinyin(title)} {_pinyin(description)}",
                }
            )
            chosen = rng.sample(self.w.organisation_ids, k=min(3, len(self.w.organisation_ids)))
            self.w.service_providers[n] = chosen[: rng.randint(1, 3)]
            providers += [(n, org) for org in self.w.service_providers[n]]
        self.copy(Service, rows)
        self.w.service_ids = [r["id"] for r in rows if r["is_active"]]
        self.copy(
            Service.providers.through,
            (
                {"id": i, "service_id": s, "organisation_id": o}
                for i, (s, o) in enumerate(providers, 1)
            ),
        )

    # -- rota: two years of duty weeks, themes, meetings ------------------------------------

    def rota(self) -> None:
        rng = self.rng("rota")
        anchor = self.w.anchor
        this_monday = _monday(anchor)
        first = this_monday - dt.timedelta(weeks=52)
        weeks: list[Row] = []
        reports: list[Row] = []
        orgs = self.w.organisation_ids
        for n in range(104):
            start = first + dt.timedelta(weeks=n)
            org = orgs[n % len(orgs)]
            if start + dt.timedelta(days=7) <= anchor:
                status = "missed" if rng.random() < 0.04 else "done"
            elif start <= anchor:
                status = "confirmed"
            elif start <= anchor + dt.timedelta(days=28):
                status = rng.choice(["confirmed", "planned"])
            else:
                status = "planned"
            acknowledged = status in ("confirmed", "done")
            weeks.append(
                {
                    "id": n + 1,
                    "created_at": _aware(first - dt.timedelta(days=14)),
                    "updated_at": _aware(min(start, anchor)),
                    "week_start": start,
                    "organisation_id": org,
                    "status": status,
                    "acknowledged_at": _aware(start - dt.timedelta(days=5))
                    if acknowledged
                    else None,
                    "acknowledged_by_id": self.w.contact_of[org] if acknowledged else None,
                    "planned_organisation_id": org,
                }
            )
            self.w.duty_weeks.append((n + 1, start, org, status))
            if status == "done":
                reports.append(
                    {
                        "id": len(reports) + 1,
                        "duty_week_id": n + 1,
                        "summary": "本周提供政策咨询、志愿服务和主题活动。",
                        "services_delivered": rng.randint(2, 12),
                        "participants": rng.randint(10, 200),
                        "filed_by_id": self.w.contact_of[org],
                        "filed_at": min(_aware(start + dt.timedelta(days=7), 17), self.w.now),
                    }
                )
        self.copy(DutyWeek, weeks)
        self.copy(DutyReport, reports)
        month = month_start(first)
        themes: list[Row] = []
        while month <= anchor + dt.timedelta(days=370):
            themes.append(
                {
                    "id": len(themes) + 1,
                    "month": month,
                    "title": f"{month:%Y年%m月}主题：服务小镇发展",
                }
            )
            month = next_month(month)
        self.copy(MonthlyTheme, themes)
        meetings: list[Row] = []
        attendance: list[Row] = []
        for n in range(8):
            held = month_start(first) + dt.timedelta(days=91 * n + 20)
            if held > anchor:
                break
            quarter = (held.month - 1) // 3 + 1
            if any(m["year"] == held.year and m["quarter"] == quarter for m in meetings):
                continue
            host = orgs[(n * 7) % len(orgs)]
            meetings.append(
                {
                    "id": len(meetings) + 1,
                    "year": held.year,
                    "quarter": quarter,
                    "held_on": held,
                    "venue": "党群服务中心红领学院",
                    "host_id": host,
                    "attendance": rng.randint(40, 120),
                }
            )
            for org in rng.sample(orgs, k=len(orgs) // 3):
                if org != host:
                    attendance.append(
                        {
                            "id": len(attendance) + 1,
                            "meeting_id": len(meetings),
                            "organisation_id": org,
                            "recorded_by_id": self.w.staff_id,
                            "recorded_at": _aware(held, 18),
                        }
                    )
        self.copy(ExchangeMeeting, meetings)
        self.copy(MeetingAttendance, attendance)

    # -- activities, sign-ups, attendances (whose awards go into the ledger) ----------------

    def activities(self) -> None:
        rng = self.rng("activities")
        p = self.plan
        w = self.w
        start_day = history_start(w.anchor)
        past_days = (w.now.date() - start_day).days
        upcoming = max(1, p["activities"] // 10)
        themes = dict(MonthlyTheme.objects.values_list("month", "pk"))
        activities: list[Row] = []
        for n in range(1, p["activities"] + 1):
            if n <= p["activities"] - upcoming:
                day = start_day + dt.timedelta(days=rng.randrange(max(1, past_days - 1)))
            else:
                day = w.anchor + dt.timedelta(days=rng.randrange(1, 90))
            starts = _aware(day, rng.choice([9, 10, 14, 15, 19]), rng.choice([0, 30]))
            activities.append(
                {
                    "id": n,
                    "created_at": starts - dt.timedelta(days=14),
                    "updated_at": starts - dt.timedelta(days=14),
                    "title": f"{rng.choice(ACTIVITY_TITLES)}第{n}期",
                    "description": "欢迎党员和群众报名参加。",
                    "category_id": rng.choice(w.category_ids),
                    "monthly_theme_id": themes.get(month_start(day)),
                    "organisation_id": rng.choice(w.organisation_ids),
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(hours=2),
                    "venue": rng.choice(["服务大厅", "红领学院", "红盟书吧", "小镇广场"]),
                    "capacity": rng.choice([20, 30, 50, 100, 200]),
                    "points": rng.choice([0, 2, 5, 5, 10]),
                    "signup_deadline": starts - dt.timedelta(hours=12),
                    "is_published": rng.random() > 0.03,
                }
            )
        self.copy(Activity, activities)

        # Sign-ups: 20 a activity on average, popular ones more; never twice the same member.
        weights = [rng.paretovariate(2.5) for _ in activities]
        total = sum(weights)
        signups: list[Row] = []
        attendances: list[Row] = []
        self.activity_awards: list[tuple[int, int, dt.datetime, int, str]] = []
        for activity, weight in zip(activities, weights, strict=True):
            want = min(len(w.member_ids), 400, max(1, round(p["signups"] * weight / total)))
            chosen = rng.sample(w.member_ids, k=want)
            past = activity["starts_at"] < w.now
            for k, member in enumerate(chosen):
                created = activity["starts_at"] - dt.timedelta(days=7, minutes=k * 7)
                if rng.random() < 0.06:
                    status = "cancelled"
                elif k < activity["capacity"]:
                    status = "confirmed"
                else:
                    status = "waiting"
                signups.append(
                    {
                        "id": len(signups) + 1,
                        "activity_id": activity["id"],
                        "member_id": member,
                        "status": status,
                        "created_at": created,
                        "updated_at": created,
                        "cancelled_at": created + dt.timedelta(days=1)
                        if status == "cancelled"
                        else None,
                    }
                )
                if (
                    past
                    and status == "confirmed"
                    and activity["is_published"]
                    and rng.random() < 0.85
                ):
                    at = activity["starts_at"] + dt.timedelta(minutes=rng.randrange(0, 30))
                    if at >= w.now:
                        continue
                    qr = rng.random() < 0.7
                    attendances.append(
                        {
                            "id": len(attendances) + 1,
                            "activity_id": activity["id"],
                            "member_id": member,
                            "method": "qr" if qr else "list",
                            "checked_in_at": at,
                            "checked_in_by_id": None
                            if qr
                            else w.contact_of[activity["organisation_id"]],
                            "points_awarded": activity["points"],
                        }
                    )
                    if activity["points"]:
                        self.activity_awards.append(
                            (member, activity["id"], at, activity["points"], activity["title"])
                        )
        self.copy(SignUp, signups)
        self.copy(Attendance, attendances)

    # -- the ledger: a million entries, vouchers and stock ----------------------------------

    def ledger(self) -> None:
        rng = self.rng("ledger")
        p = self.plan
        w = self.w
        first_month = history_start(w.anchor)
        span = (w.now - _aware(first_month, 0)).total_seconds()
        start = _aware(first_month, 0)

        accounts: list[Row] = []
        for n, member in enumerate(w.member_ids, 1):
            w.account_of[member] = n
        # Per member: a Pareto share of the ledger; a quarter never volunteer.
        shares = {
            m: (rng.paretovariate(1.16) if rng.random() > 0.25 else 0.0) for m in w.member_ids
        }
        awards_by_member: dict[int, list[tuple[dt.datetime, int, str, str, str]]] = {}
        for member, activity, at, points, title in self.activity_awards:
            source = f"activity:{activity}:member:{member}"
            awards_by_member.setdefault(member, []).append(
                (at, points, f"参加“{title}”", source, f"award:{source}")
            )
        already = len(self.activity_awards)
        # About 1 entry in 60 is a redemption or a refund: leave room for them.
        remaining = max(0, round((p["entries"] - already) / 1.017))
        counts = _allocate(remaining, shares, cap=3_000)
        # Month weights: entries fall more in busy months (rejection sampling on the month).
        max_weight = max(MONTH_WEIGHTS.get(m, 1.0) for m in range(1, 13))
        serial = 0
        for member in w.member_ids:
            count = counts[member]
            rows = awards_by_member.setdefault(member, [])
            for _ in range(count):
                while True:
                    at = start + dt.timedelta(seconds=rng.random() * span)
                    if rng.random() * max_weight <= MONTH_WEIGHTS.get(at.month, 1.0):
                        break
                serial += 1
                source = f"scale:volunteer:{serial}:member:{member}"
                amount = rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0]
                rows.append((at, amount, "参加志愿服务", source, f"award:{source}"))

        points_rows = [
            {"id": 1, "name": "红盟书吧爱心超市", "address": "小镇党群服务中心一楼"},
            {"id": 2, "name": "服务大厅兑换点", "address": "服务大厅"},
            {"id": 3, "name": "红领学院兑换点", "address": "红领学院"},
        ]
        self.copy(ExchangePoint, points_rows)
        self.copy(
            ExchangePoint.operators.through,
            ({"id": n, "exchangepoint_id": n, "user_id": w.operator_id} for n in (1, 2, 3)),
        )
        items: list[Row] = [
            {"id": n, "name": name, "kind": kind, "price": price, "description": name}
            for n, (name, kind, price) in enumerate(ITEMS, 1)
        ]
        self.copy(Item, items)
        stock_ids = {
            (pt, it): (pt - 1) * len(items) + it
            for pt in (1, 2, 3)
            for it in range(1, len(items) + 1)
        }
        restock_at = start - dt.timedelta(days=1)
        stock_qty = dict.fromkeys(stock_ids, 0)
        movements: list[Row] = []
        restock = max(100, p["entries"] // 50)

        def movement(
            stock: int,
            kind: str,
            qty: int,
            reason: str,
            ref: str,
            at: dt.datetime,
            voucher: int | None,
            by: int | None,
        ) -> None:
            movements.append(
                {
                    "id": len(movements) + 1,
                    "stock_id": stock,
                    "kind": kind,
                    "quantity": qty,
                    "reason": reason,
                    "reference": ref,
                    "voucher_id": voucher,
                    "created_by_id": by,
                    "created_at": at,
                }
            )

        for stock_key, stock in stock_ids.items():
            movement(
                stock,
                "restock",
                restock,
                "首批入库",
                f"scale:restock:{stock}",
                restock_at,
                None,
                w.staff_id,
            )
            stock_qty[stock_key] += restock

        vouchers: list[Row] = []
        balances: dict[int, int] = {}
        entry_rows: list[tuple] = []
        codes: set[str] = set()
        alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
        for member in w.member_ids:
            account = w.account_of[member]
            rows = sorted(awards_by_member.get(member, []))
            balance = 0
            for at, amount, reason, source, key in rows:
                entry_rows.append((account, "earn", amount, reason, source, key, None, None, at))
                balance += amount
                # Now and then a member spends points on an item (about 2% of entries).
                if balance >= 20 and rng.random() < 0.02:
                    pt = rng.randint(1, 3)
                    it = rng.choices(range(1, len(items) + 1), (1, 4, 2))[0]
                    price = int(items[it - 1]["price"])
                    if balance < price:
                        continue
                    issued = at + dt.timedelta(hours=rng.randint(1, 48))
                    if issued >= w.now:
                        continue
                    vid = len(vouchers) + 1
                    while True:
                        code = "".join(rng.choice(alphabet) for _ in range(8))
                        if code not in codes:
                            codes.add(code)
                            break
                    expires = issued + dt.timedelta(days=30)
                    vkey = f"scale:redeem:{vid}"
                    roll = rng.random()
                    if expires <= w.now and roll < 0.05:
                        status, closed = "expired", expires
                    elif roll < 0.08 and issued + dt.timedelta(hours=2) < w.now:
                        status, closed = "cancelled", issued + dt.timedelta(hours=2)
                    elif expires > w.now and roll < 0.3:
                        status, closed = "issued", None
                    else:
                        status, closed = "used", None
                    used_at = (
                        issued + dt.timedelta(hours=rng.randint(1, 200))
                        if status == "used"
                        else None
                    )
                    if used_at is not None and used_at >= min(expires, w.now):
                        used_at = issued + dt.timedelta(minutes=30)
                    vouchers.append(
                        {
                            "id": vid,
                            "code": code,
                            "member_id": member,
                            "item_id": it,
                            "point_id": pt,
                            "price": price,
                            "status": status,
                            "idempotency_key": vkey,
                            "issued_at": issued,
                            "expires_at": expires,
                            "used_at": used_at,
                            "used_by_id": w.operator_id if used_at else None,
                            "closed_at": closed,
                        }
                    )
                    item_name = items[it - 1]["name"]
                    entry_rows.append(
                        (
                            account,
                            "redeem",
                            -price,
                            item_name,
                            f"voucher:{vid}",
                            f"redeem:{vkey}",
                            vid,
                            None,
                            issued,
                        )
                    )
                    movement(
                        stock_ids[(pt, it)],
                        "redemption",
                        -1,
                        code,
                        f"voucher:{vid}:redemption",
                        issued,
                        vid,
                        None,
                    )
                    stock_qty[(pt, it)] -= 1
                    balance -= price
                    if closed is not None:
                        back = "expire" if status == "expired" else "refund"
                        entry_rows.append(
                            (
                                account,
                                back,
                                price,
                                code,
                                f"voucher:{vid}",
                                f"{back}:voucher:{vid}",
                                vid,
                                None,
                                closed,
                            )
                        )
                        movement(
                            stock_ids[(pt, it)],
                            "return",
                            1,
                            code,
                            f"voucher:{vid}:return",
                            closed,
                            vid,
                            None,
                        )
                        stock_qty[(pt, it)] += 1
                        balance += price
            # A few staff corrections, never below zero.
            if balance > 10 and rng.random() < 0.01:
                at = w.now - dt.timedelta(days=rng.randint(1, 60))
                entry_rows.append(
                    (
                        account,
                        "adjust",
                        -5,
                        "重复登记，更正",
                        f"adjust:by:{w.staff_id}",
                        f"adjust:scale:{member}",
                        None,
                        w.staff_id,
                        at,
                    )
                )
                balance -= 5
            balances[account] = balance
            accounts.append(
                {
                    "id": account,
                    "member_id": member,
                    "balance": balance,
                    "created_at": start,
                    "updated_at": w.now,
                }
            )
        self.copy(Account, accounts)
        self.copy(Voucher, vouchers)
        # Entries in time order, so ids grow with time as they do in a real ledger.
        entry_rows.sort(key=lambda r: r[8])
        columns = (
            "account_id",
            "kind",
            "amount",
            "reason",
            "source",
            "idempotency_key",
            "voucher_id",
            "created_by_id",
            "created_at",
        )
        self.copy(
            Entry,
            ({"id": n, **dict(zip(columns, r, strict=True))} for n, r in enumerate(entry_rows, 1)),
        )
        stocks = [
            {"id": sid, "point_id": pt, "item_id": it, "quantity": stock_qty[(pt, it)]}
            for (pt, it), sid in stock_ids.items()
        ]
        self.copy(Stock, stocks)
        movements.sort(key=lambda r: r["created_at"])
        for n, row in enumerate(movements, 1):
            row["id"] = n
        self.copy(StockMovement, movements)

    # -- wishes in every state --------------------------------------------------------------

    def wishes(self) -> None:
        rng = self.rng("wishes")
        p = self.plan
        w = self.w
        states = [
            ("submitted", 3),
            ("changes_asked", 1),
            ("published", 14),
            ("rejected", 6),
            ("claimed", 10),
            ("in_progress", 10),
            ("fulfilled", 6),
            ("confirmed", 40),
            ("withdrawn", 10),
        ]
        names = [s for s, _ in states]
        weights = [wt for _, wt in states]
        span = 365 * 24 * 3600
        wishes: list[Row] = []
        claims: list[Row] = []
        events: list[Row] = []

        def event(
            wish: int,
            kind: str,
            at: dt.datetime,
            actor: int | None,
            org: int | None = None,
            text: str = "",
        ) -> None:
            events.append(
                {
                    "id": len(events) + 1,
                    "wish_id": wish,
                    "kind": kind,
                    "actor_id": actor,
                    "organisation_id": org,
                    "text": text,
                    "created_at": at,
                }
            )

        for n in range(1, p["wishes"] + 1):
            status = rng.choices(names, weights)[0]
            # Each state's wishes are old enough for the steps behind them to have happened:
            # submissions wait days, not months; a granted wish took weeks.
            youngest = {"submitted": 0, "withdrawn": 1, "rejected": 1, "published": 3}
            if status in ("submitted", "changes_asked"):
                created = w.now - dt.timedelta(seconds=rng.random() * 7 * 24 * 3600)
            else:
                days = youngest.get(status, 40 if status in ("fulfilled", "confirmed") else 15)
                created = w.now - dt.timedelta(days=days, seconds=rng.random() * span)
            title, text = WISH_TOPICS[n % len(WISH_TOPICS)]
            wisher = rng.choice(w.wisher_ids)
            row: Row = {
                "id": n,
                "created_at": created,
                "updated_at": created,
                "title": f"{title}（{n}）",
                "text": text,
                "category_id": rng.choice(w.category_ids),
                "wisher_id": wisher,
                "show_name": rng.random() < 0.3,
                "status": status,
            }
            event(n, "submitted", created, wisher)
            if status == "changes_asked":
                # Staff sent it back with a note (wishes.actions.ask_for_changes).
                asked = min(created + dt.timedelta(hours=rng.randint(1, 24)), w.now)
                row["changes_asked"] = "请去掉心愿中的手机号码后再提交。"
                row["updated_at"] = asked
                event(n, "changes_asked", asked, w.staff_id, text=row["changes_asked"])
            elif status == "withdrawn":
                event(n, "withdrawn", created + dt.timedelta(hours=5), wisher)
                row["updated_at"] = created + dt.timedelta(hours=5)
            elif status == "rejected":
                row["rejection_reason"] = "内容不属于微心愿范围，已转有关部门。"
                event(
                    n,
                    "rejected",
                    created + dt.timedelta(hours=20),
                    w.staff_id,
                    text=row["rejection_reason"],
                )
            elif status != "submitted":
                published = created + dt.timedelta(hours=rng.randint(2, 48))
                row["published_at"] = published
                event(n, "verified", published, w.staff_id)
                if status != "published":
                    org = rng.choice(w.organisation_ids)
                    claimed = published + dt.timedelta(days=rng.randint(1, 10))
                    late = status in ("claimed", "in_progress") and rng.random() < 0.15
                    promised = (
                        w.anchor - dt.timedelta(days=rng.randint(1, 30))
                        if late
                        else claimed.date() + dt.timedelta(days=rng.randint(20, 60))
                    )
                    if status in ("claimed", "in_progress") and not late and promised < w.anchor:
                        promised = w.anchor + dt.timedelta(days=rng.randint(1, 40))
                    claims.append(
                        {
                            "id": len(claims) + 1,
                            "wish_id": n,
                            "organisation_id": org,
                            "promised_on": promised,
                            "claimed_by_id": w.contact_of[org],
                            "created_at": claimed,
                        }
                    )
                    event(n, "claimed", claimed, w.contact_of[org], org)
                    if status != "claimed":
                        event(
                            n,
                            "update",
                            claimed + dt.timedelta(days=2),
                            w.contact_of[org],
                            org,
                            "正在协调办理。",
                        )
                    if status in ("fulfilled", "confirmed"):
                        fulfilled = min(
                            claimed + dt.timedelta(days=rng.randint(3, 30)),
                            w.now - dt.timedelta(days=8),
                        )
                        fulfilled = max(fulfilled, claimed + dt.timedelta(hours=3))
                        row["fulfilled_at"] = fulfilled
                        row["evidence"] = "已协调解决，并回访心愿人。"
                        event(n, "fulfilled", fulfilled, w.contact_of[org], org, row["evidence"])
                        if status == "confirmed":
                            auto = rng.random() < 0.2
                            confirmed = fulfilled + dt.timedelta(
                                days=7 if auto else rng.randint(0, 6), hours=1
                            )
                            row["confirmed_at"] = confirmed
                            row["auto_confirmed"] = auto
                            event(
                                n,
                                "auto_confirmed" if auto else "confirmed",
                                confirmed,
                                None if auto else wisher,
                            )
                    row["updated_at"] = max(e["created_at"] for e in events[-3:])
            wishes.append(row)
        self.copy(Wish, wishes)
        self.copy(Claim, claims)
        self.copy(WishEvent, events)

    # -- service requests and records -------------------------------------------------------

    def service_requests(self) -> None:
        rng = self.rng("requests")
        p = self.plan
        w = self.w
        requesters = list(w.member_user.values()) or w.wisher_ids
        requests: list[Row] = []
        events: list[Row] = []

        def event(request: int, kind: str, at: dt.datetime, by: int | None, note: str = "") -> None:
            events.append(
                {
                    "id": len(events) + 1,
                    "request_id": request,
                    "kind": kind,
                    "by_id": by,
                    "note": note,
                    "created_at": at,
                }
            )

        for n in range(1, p["requests"] + 1):
            service = rng.choice(w.service_ids)
            org = rng.choice(w.service_providers[service])
            created = w.now - dt.timedelta(days=3, seconds=rng.random() * 327 * 24 * 3600)
            status = rng.choices(
                ["requested", "dispatched", "accepted", "declined", "completed", "withdrawn"],
                [5, 5, 10, 5, 70, 5],
            )[0]
            requester = rng.choice(requesters)
            row: Row = {
                "id": n,
                "created_at": created,
                "updated_at": created,
                "service_id": service,
                "requester_id": requester,
                "details": "希望获得该项服务，请联系。",
                "status": status,
            }
            event(n, "requested", created, requester)
            if status == "withdrawn":
                event(n, "withdrawn", created + dt.timedelta(hours=3), requester)
            elif status != "requested":
                dispatched = created + dt.timedelta(hours=rng.randint(1, 24))
                row.update(organisation_id=org, dispatched_at=dispatched)
                event(n, "dispatched", dispatched, w.staff_id)
                if status in ("accepted", "declined", "completed"):
                    answered = dispatched + dt.timedelta(hours=rng.randint(1, 24))
                    row["answered_at"] = answered
                    if status == "declined":
                        row["decline_reason"] = "本周人手不足。"
                        event(n, "declined", answered, w.contact_of[org], row["decline_reason"])
                    else:
                        event(n, "accepted", answered, w.contact_of[org])
                    if status == "completed":
                        done = min(
                            answered + dt.timedelta(days=rng.randint(1, 10)),
                            w.now - dt.timedelta(hours=1),
                        )
                        row["completed_at"] = max(done, answered)
                        event(n, "completed", row["completed_at"], w.contact_of[org])
                        if rng.random() < 0.6:
                            rated = row["completed_at"] + dt.timedelta(hours=5)
                            if rated < w.now:
                                row.update(
                                    rating=rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0],
                                    rated_at=rated,
                                )
                                event(n, "rated", rated, requester)
            requests.append(row)
        self.copy(ServiceRequest, requests)
        self.copy(RequestEvent, events)

        records: list[Row] = []
        weeks = [(pk, start, org) for pk, start, org, status in w.duty_weeks if status == "done"]
        completed = [r for r in requests if r["status"] == "completed"]
        for n, request in enumerate(completed, 1):
            records.append(
                {
                    "id": n,
                    "created_at": request["completed_at"],
                    "updated_at": request["completed_at"],
                    "service_id": request["service_id"],
                    "organisation_id": request["organisation_id"],
                    "delivered_on": timezone.localdate(request["completed_at"]),
                    "people_served": 1,
                    "request_id": request["id"],
                    "recorded_by_id": w.contact_of[request["organisation_id"]],
                }
            )
        for _ in range(max(0, p["records"] - len(records))):
            if weeks and rng.random() < 0.5:
                week, start, org = rng.choice(weeks)
                day = start + dt.timedelta(days=rng.randrange(7))
                services = [
                    s for s in w.service_ids if org in w.service_providers[s]
                ] or w.service_ids
                service = rng.choice(services)
            else:
                week = None
                service = rng.choice(w.service_ids)
                org = rng.choice(w.service_providers[service])
                day = w.anchor - dt.timedelta(days=rng.randrange(330))
            at = _aware(day, 17)
            records.append(
                {
                    "id": len(records) + 1,
                    "created_at": at,
                    "updated_at": at,
                    "service_id": service,
                    "organisation_id": org,
                    "delivered_on": day,
                    "duty_week_id": week,
                    "people_served": rng.randint(1, 40),
                    "recorded_by_id": w.contact_of[org],
                }
            )
        self.copy(ServiceRecord, records)

    # -- member projects ---------------------------------------------------------------------

    def projects(self) -> None:
        rng = self.rng("projects")
        p = self.plan
        w = self.w
        by_branch: dict[int, list[int]] = {}
        for member in w.member_ids:
            by_branch.setdefault(w.member_branch[member], []).append(member)
        projects: list[Row] = []
        team: list[Row] = []
        for n in range(1, p["projects"] + 1):
            branch = rng.choice([b for b in w.branch_ids if by_branch.get(b)])
            status = rng.choices(
                ["open", "claimed", "in_progress", "completed", "commended"], [30, 20, 30, 15, 5]
            )[0]
            created = w.now - dt.timedelta(days=rng.randint(10, 300))
            row: Row = {
                "id": n,
                "created_at": created,
                "updated_at": created,
                "title": f"{rng.choice(WORDS)}项目领办第{n}号",
                "goal": "为小镇企业和党员解决一件实事。",
                "outcome": "按期完成并接受群众评议。",
                "deadline": w.anchor + dt.timedelta(days=rng.randint(-60, 200)),
                "branch_id": branch,
                "status": status,
                "set_by_id": w.staff_id,
            }
            if status != "open":
                row["pledge"] = "我们承诺按期保质完成。"
                row["claimed_at"] = created + dt.timedelta(days=3)
                members = rng.sample(
                    by_branch[branch], k=min(len(by_branch[branch]), rng.randint(1, 4))
                )
                for k, member in enumerate(members):
                    team.append(
                        {
                            "id": len(team) + 1,
                            "project_id": n,
                            "member_id": member,
                            "is_leader": k == 0,
                        }
                    )
            if status in ("completed", "commended"):
                row["completed_at"] = created + dt.timedelta(days=8)
            if status == "commended":
                row["commended_at"] = created + dt.timedelta(days=9)
                row["citation"] = "履诺成效显著，予以表彰。"
            projects.append(row)
        self.copy(Project, projects)
        self.copy(TeamMember, team)


def _allocate(total: int, shares: dict[int, float], *, cap: int) -> dict[int, int]:
    """Split `total` entries in proportion to `shares`, none above `cap` (even the keenest
    volunteer logs at most `cap` entries a year); what the cap cuts off goes to the others."""
    low, high = 0.0, float(total) * 4 / (sum(shares.values()) or 1.0)
    for _ in range(60):  # the scale factor at which the capped counts add up to `total`
        middle = (low + high) / 2
        if sum(min(cap, int(middle * share)) for share in shares.values()) < total:
            low = middle
        else:
            high = middle
    counts = {member: min(cap, int(high * share)) for member, share in shares.items()}
    surplus = sum(counts.values()) - total
    for member in sorted(counts, key=lambda m: -counts[m]):
        if surplus <= 0:
            break
        taken = min(surplus, counts[member])
        counts[member] -= taken
        surplus -= taken
    return counts


def _pinyin(text: str) -> str:
    from services.models import pinyin_key

    return pinyin_key(text)


def publish_rankings(log: Callable[[str], None], anchor: dt.date) -> int:
    """Close every finished month of the ledger with the ranking's own code; refresh the rest."""
    month = history_start(anchor)
    this_month = current_month()
    published = 0
    while month < this_month:
        started = time.monotonic()
        _snapshot, created = ranking.close_month(month=month)
        published += created
        log(f"  closed {month:%Y-%m} in {time.monotonic() - started:.1f} s")
        month = next_month(month)
    for open_month in ranking.open_months():
        ranking.refresh_member_totals(month=open_month)
    return published


def vacuum_analyze(log: Callable[[str], None]) -> None:
    started = time.monotonic()
    # VACUUM cannot run inside a transaction: the management command is in autocommit here.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"VACUUM ANALYZE in {time.monotonic() - started:.1f} s")


def load(
    *,
    scale: float,
    seed: int,
    anchor: dt.date,
    force: bool,
    log: Callable[[str], None],
) -> dict[str, int]:
    """Load the synthetic county into the configured (PostgreSQL) database; return row counts."""
    from django.db import transaction

    ensure_postgresql()
    if not is_empty():
        if not force:
            raise NotEmpty(
                "The database already holds data; loadscale only loads an empty database "
                "(use --force to empty it first - every portal row is deleted)."
            )
        log("emptying the database (--force)")
        empty_database()
    started = time.monotonic()
    plan = Plan(scale)
    loader = Loader(plan, seed=seed, anchor=anchor, log=log)
    with transaction.atomic():
        counts = loader.run()
    log("publishing the finished months' rankings:")
    publish_rankings(log, anchor)
    from deqing_hub.ranking.cache import invalidate_cache

    invalidate_cache()
    seconds = time.monotonic() - started
    _write_meta(scale, seed, anchor, seconds, counts)
    vacuum_analyze(log)
    return counts


def busiest_member_user() -> tuple[int, str] | None:
    """(user id, username) of the member with the longest points history who has a login."""
    row = (
        Member.objects.filter(user__isnull=False, points_account__isnull=False)
        .annotate(n=models.Count("points_account__entries"))
        .order_by("-n", "pk")
        .values_list("user_id", "user__username")
        .first()
    )
    return (row[0], row[1]) if row else None
