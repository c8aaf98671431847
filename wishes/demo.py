"""Demo wishes in every state, among them the article's story: bus route 121.

Deterministic and idempotent: wishes are found by title and only created when missing; dates
are fixed. Rows are written directly (not through the actions) so loading the demo sends no
e-mail; every event is stored as already notified. Wishes that need alliance organisations
are only created when the rota demo has created them.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from members.images import CleanPhoto, clean_photo
from rota.models import Organisation
from services.actions import ensure_categories
from services.models import Category
from wishes.forms import wish_photo_limits
from wishes.models import Claim, Wish, WishEvent, WishPhoto

TZ = ZoneInfo("Asia/Shanghai")
S = Wish.Status
K = WishEvent.Kind

WISHERS = [
    ("wish-demo-01@residents.example.cn", "张", "伟"),
    ("wish-demo-02@residents.example.cn", "李", "娜"),
    ("wish-demo-03@residents.example.cn", "王", "芳"),
    ("wish-demo-04@residents.example.cn", "陈", "静"),
]

BUS_121 = "希望开通小镇到城区和高铁站的通勤公交"

# title, text, category code, wisher index, show name, final status, organisations (short names),
# day the wish was posted, days to each later step
PLAN = [
    (
        BUS_121,
        "小镇企业的员工大多住在城区，每天上下班打车难、成本高。希望能开通一条从地理信息小镇"
        "到城区和德清高铁站的公交线路，方便大家通勤。",
        "volunteer",
        0,
        True,
        S.CONFIRMED,
        ["县运管局"],
        dt.date(2017, 3, 6),
    ),
    (
        "为企业青年组织一次联谊活动",
        "小镇青年员工工作忙、交际圈小，希望团县委和社工机构组织一次青年联谊。",
        "volunteer",
        1,
        False,
        S.CONFIRMED,
        ["团县委", "晨曦社工"],
        dt.date(2026, 4, 8),
    ),
    (
        "书吧增加地理信息专业书籍",
        "红盟书吧里地理信息方面的专业书较少，希望增加一些测绘和遥感的专业书籍。",
        "education",
        2,
        False,
        S.FULFILLED,
        ["书香阅读会"],
        dt.date(2026, 9, 14),
    ),
    (
        "孩子暑期托管",
        "双职工家庭暑假孩子无人照看，希望小镇能提供暑期托管或兴趣班。",
        "talent",
        3,
        False,
        S.IN_PROGRESS,
        ["青少年服务中心"],
        dt.date(2026, 10, 12),
    ),
    (
        "创业政策咨询会",
        "我们是初创的地信企业，想了解县里的创业扶持和融资政策，希望组织一次政策咨询。",
        "entrepreneurship",
        1,
        True,
        S.CLAIMED,
        ["创业导师联合会"],
        dt.date(2026, 11, 2),
    ),
    (
        "园区增设共享单车停放点",
        "园区到公交站有一段距离，希望增设共享单车停放点。",
        "volunteer",
        2,
        False,
        S.PUBLISHED,
        [],
        dt.date(2026, 11, 16),
    ),
    (
        "组织一次党员志愿献血",
        "希望中心组织党员集体参加无偿献血。",
        "party_affairs",
        3,
        False,
        S.SUBMITTED,
        [],
        dt.date(2026, 11, 24),
    ),
    (
        "小区门口加装路灯",
        "小区门口晚上很黑，希望加装路灯，有事可打我电话13800000000。",
        "volunteer",
        2,
        False,
        S.CHANGES_ASKED,
        [],
        dt.date(2026, 11, 26),
    ),
    (
        "帮我推销自家产品",
        "希望心愿墙帮我宣传自家的农产品网店。",
        "entrepreneurship",
        0,
        False,
        S.REJECTED,
        [],
        dt.date(2026, 11, 10),
    ),
    (
        "食堂延长晚餐时间",
        "加班的员工赶不上食堂晚餐，希望延长供应时间。",
        "volunteer",
        3,
        False,
        S.WITHDRAWN,
        [],
        dt.date(2026, 11, 11),
    ),
]

STORY_TEXT = {
    BUS_121: (
        "经中心协调，县运管局开通121路公交，从地理信息小镇直达城区和德清高铁站。",
        ["已与公交公司实地踏勘线路", "线路方案已报批，试运行中"],
    ),
}

DEFAULT_EVIDENCE = "心愿已实现，感谢各方支持。"


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _wisher(email: str, family: str, given: str):
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, last_name=family, first_name=given)
        user.set_unusable_password()
        user.save()
    return user


def _bus_photo() -> CleanPhoto:
    """A drawn picture of the route-121 bus, put through the same checks as an upload."""
    image = Image.new("RGB", (800, 500), (222, 235, 247))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 800, 500), fill=(120, 120, 120))
    draw.rounded_rectangle((120, 160, 680, 390), radius=30, fill=(183, 28, 28))
    for left in range(160, 600, 110):
        draw.rectangle((left, 190, left + 80, 260), fill=(230, 240, 250))
    for centre in (230, 570):
        draw.ellipse((centre - 40, 350, centre + 40, 430), fill=(40, 40, 40))
    draw.text((560, 290), "121", fill=(255, 213, 79), font_size=60)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    upload = SimpleUploadedFile("bus-121.png", buffer.getvalue(), "image/png")
    return clean_photo(upload, wish_photo_limits())


def _event(wish, kind, when, **fields) -> None:
    WishEvent.objects.create(wish=wish, kind=kind, created_at=when, **fields)


def _create(row, wishers, categories, organisations) -> bool:
    title, text, code, who, show, status, short_names, posted = row
    category = categories.get(code)
    if category is None or Wish.objects.filter(title=title).exists():
        return False
    orgs = [organisations[n] for n in short_names if n in organisations]
    if len(orgs) != len(short_names):
        return False  # the rota demo has not created the organisations
    wisher = wishers[who]
    day = posted
    wish = Wish.objects.create(
        title=title, text=text, category=category, wisher=wisher, show_name=show
    )
    if title == BUS_121:
        photo = _bus_photo()
        WishPhoto.objects.create(wish=wish, image=photo.image, thumbnail=photo.thumbnail)
    stamps: dict[str, object] = {"created_at": _at(day)}
    _event(wish, K.SUBMITTED, _at(day), actor=wisher)
    if status == S.REJECTED:
        reason = "心愿墙用于公益服务，不受理商业宣传。"
        stamps.update(rejection_reason=reason)
        _event(wish, K.REJECTED, _at(day + dt.timedelta(days=1)), text=reason)
    elif status == S.WITHDRAWN:
        _event(wish, K.WITHDRAWN, _at(day + dt.timedelta(days=1)), actor=wisher)
    elif status == S.CHANGES_ASKED:
        note = "请删去心愿中的手机号码，并写明是哪个小区。"
        stamps.update(changes_asked=note)
        _event(wish, K.CHANGES_ASKED, _at(day + dt.timedelta(days=1)), text=note)
    elif status != S.SUBMITTED:
        day += dt.timedelta(days=1)
        stamps["published_at"] = _at(day)
        _event(wish, K.VERIFIED, _at(day))
        for org in orgs:
            day += dt.timedelta(days=2)
            Claim.objects.create(
                wish=wish,
                organisation=org,
                promised_on=day + dt.timedelta(days=60),
                claimed_by=org.duty_contact or wisher,
            )
            _event(wish, K.CLAIMED, _at(day), organisation=org, actor=org.duty_contact)
        if status in (S.IN_PROGRESS, S.FULFILLED, S.CONFIRMED):
            evidence, updates = STORY_TEXT.get(title, (DEFAULT_EVIDENCE, ["已对接需求"]))
            for text_ in updates:
                day += dt.timedelta(days=20)
                _event(wish, K.UPDATE, _at(day), organisation=orgs[0], text=text_)
            if status in (S.FULFILLED, S.CONFIRMED):
                day += dt.timedelta(days=20)
                stamps.update(evidence=evidence, fulfilled_at=_at(day))
                _event(wish, K.FULFILLED, _at(day), organisation=orgs[0], text=evidence)
            if status == S.CONFIRMED:
                day += dt.timedelta(days=3)
                stamps["confirmed_at"] = _at(day)
                _event(wish, K.CONFIRMED, _at(day), actor=wisher)
    # Fixed dates and the final status, written past auto_now_add.
    Wish.objects.filter(pk=wish.pk).update(status=status, updated_at=_at(day), **stamps)
    Claim.objects.filter(wish=wish).update(created_at=stamps.get("published_at") or _at(day))
    return True


def seed() -> str:
    wishers = [_wisher(*row) for row in WISHERS]
    ensure_categories()
    categories = {c.code: c for c in Category.objects.all()}
    organisations = {o.short_name: o for o in Organisation.objects.exclude(short_name="")}
    created = sum(_create(row, wishers, categories, organisations) for row in PLAN)
    return f"{created} wishes created, {Wish.objects.count()} in all"
