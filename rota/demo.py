"""Demo data of the GIS Red Alliance: 49 organisations, 34 past duty weeks, themes, meetings
and which organisations attended each past meeting.

Deterministic and idempotent: rows are found by natural keys and only created when missing.
Dates are anchored to a fixed week so the demo reads the same whenever it is loaded.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from rota import actions
from rota.models import (
    DutyReport,
    DutyWeek,
    ExchangeMeeting,
    MeetingAttendance,
    MonthlyTheme,
    Organisation,
)

# The last past duty week of the demo (a Monday); the 34 done weeks end here.
ANCHOR = dt.date(2026, 11, 16)

CENTRE = ("德清地理信息小镇党群服务中心", "党群服务中心")

BUREAUS = [
    ("共青团德清县委员会", "团县委"),
    ("德清县道路运输管理局", "县运管局"),
    ("德清县人力资源和社会保障局", "县人力社保局"),
    ("德清县科学技术局", "县科技局"),
    ("德清县经济和信息化局", "县经信局"),
    ("德清县发展和改革局", "县发改局"),
    ("德清县财政局", "县财政局"),
    ("德清县教育局", "县教育局"),
    ("德清县卫生健康局", "县卫健局"),
    ("德清县民政局", "县民政局"),
    ("德清县市场监督管理局", "县市场监管局"),
    ("湖州市自然资源和规划局德清分局", "县自然资源规划分局"),
    ("德清县住房和城乡建设局", "县住建局"),
    ("德清县商务局", "县商务局"),
    ("德清县文化和广电旅游体育局", "县文广旅体局"),
    ("德清县司法局", "县司法局"),
    ("德清县妇女联合会", "县妇联"),
    ("德清县总工会", "县总工会"),
]

SOCIAL = [
    ("德清县晨曦社会工作服务中心", "晨曦社工"),
    ("德清县阳光志愿者协会", "阳光志愿者协会"),
    ("德清县地理信息产业协会", "地信产业协会"),
    ("德清县青年企业家协会", "青企协"),
    ("德清县心理健康服务中心", "心理健康服务中心"),
    ("德清县红十字志愿服务队", "红十字志愿服务队"),
    ("德清县莫干山公益服务中心", "莫干山公益"),
    ("德清县舞阳街道社区服务中心", "舞阳社区服务中心"),
    ("德清县人才发展促进会", "人才促进会"),
    ("德清县创业导师联合会", "创业导师联合会"),
    ("德清县律师协会公益服务团", "律协公益团"),
    ("德清县会计服务协会", "会计服务协会"),
    ("德清县青少年发展服务中心", "青少年服务中心"),
    ("德清县老年大学志愿队", "老年大学志愿队"),
    ("德清县科普志愿者协会", "科普志愿者协会"),
    ("德清县书香阅读推广会", "书香阅读会"),
    ("德清县环保志愿者联合会", "环保志愿者联合会"),
    ("德清县退役军人服务社", "退役军人服务社"),
    ("德清县知识产权服务联盟", "知识产权联盟"),
    ("德清县金融服务志愿团", "金融志愿团"),
    ("德清县婚恋交友服务中心", "婚恋交友中心"),
    ("德清县新阶层人士联谊会", "新联会"),
    ("德清县工匠协会", "工匠协会"),
    ("德清县家庭教育指导中心", "家庭教育中心"),
    ("德清县健康促进志愿队", "健康促进志愿队"),
    ("德清县文艺志愿者协会", "文艺志愿者协会"),
    ("德清县应急救援志愿队", "应急救援志愿队"),
    ("德清县外来建设者服务中心", "新居民服务中心"),
    ("德清县电子商务协会", "电商协会"),
    ("德清县乡贤参事会", "乡贤参事会"),
]

THEMES_2026 = [
    "新春送温暖",
    "人才政策宣讲月",
    "学雷锋志愿服务月",
    "清明缅怀先烈",
    "劳动创造幸福",
    "青年联谊交友",
    "庆祝建党节",
    "地信创新创业",
    "开学护苗行动",
    "国庆红色教育",
    "企业服务日",
    "年终党建述职",
]

MEETINGS = [
    (2025, 1, dt.date(2025, 3, 20), 32),
    (2025, 2, dt.date(2025, 6, 19), 36),
    (2025, 3, dt.date(2025, 9, 18), 30),
    (2025, 4, dt.date(2025, 12, 18), 41),
    (2026, 1, dt.date(2026, 3, 19), 38),
    (2026, 2, dt.date(2026, 6, 18), 35),
    (2026, 3, dt.date(2026, 9, 17), 39),
    (2026, 4, dt.date(2026, 12, 17), None),
]


def _contact(n: int, role: str):
    user_model = get_user_model()
    email = f"rota-{role}-{n:02d}@alliance.example.cn"
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(
            email=email,
            phone=f"166{'1' if role == 'duty' else '2'}00{n:05d}",
            first_name=f"{n:02d}",
        )
        user.last_name = "红盟联络员" if role == "duty" else "红盟备份联络员"
        user.set_unusable_password()
        user.save()
    return user


def seed() -> str:
    entries = (
        [(CENTRE, Organisation.Kind.CENTRE)]
        + [(b, Organisation.Kind.COUNTY_BUREAU) for b in BUREAUS]
        + [(s, Organisation.Kind.SOCIAL_ORGANISATION) for s in SOCIAL]
    )
    orgs = []
    for n, ((name, short), kind) in enumerate(entries, start=1):
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = Organisation.objects.create(
                name=name,
                short_name=short,
                kind=kind,
                joined_on=dt.date(2016, 10, 1) if n <= 20 else dt.date(2017, 3, 1),
                duty_contact=_contact(n, "duty"),
                backup_contact=_contact(n, "backup"),
            )
        orgs.append(org)

    # 34 past duty weeks, all done with a report (the article: 34 rounds, 160+ services).
    mondays = [ANCHOR - dt.timedelta(weeks=33 - i) for i in range(34)]
    for i, monday in enumerate(mondays):
        org = orgs[i % len(orgs)]
        week, _ = DutyWeek.objects.get_or_create(
            week_start=monday,
            defaults={
                "organisation": org,
                "planned_organisation": org,
                "status": DutyWeek.Status.DONE,
            },
        )
        DutyReport.objects.get_or_create(
            duty_week=week,
            defaults={
                "summary": f"{week.organisation.short_name}轮值：政策咨询、志愿服务和主题活动。",
                "services_delivered": 5 if i < 31 else 3,  # 31*5 + 3*3 = 164 services
                "participants": 20 + (i * 7) % 40,
            },
        )
    # The weeks ahead, planned fairly by the generator (only once: later runs keep them).
    ahead = ANCHOR + dt.timedelta(weeks=1)
    if not DutyWeek.objects.filter(week_start__gte=ahead).exists():
        actions.generate_rota(start=ahead, end=dt.date(2027, 2, 28), today=ANCHOR)

    for month, title in enumerate(THEMES_2026, start=1):
        MonthlyTheme.objects.get_or_create(month=dt.date(2026, month, 1), defaults={"title": title})
    for year, quarter, held_on, attendance in MEETINGS:
        meeting, _ = ExchangeMeeting.objects.get_or_create(
            year=year,
            quarter=quarter,
            defaults={
                "held_on": held_on,
                "venue": "党群服务中心红领学院",
                "host": orgs[(year * 4 + quarter) % len(orgs)],
                "attendance": attendance,
                "minutes": ""
                if attendance is None
                else "各盟员单位交流本季度轮值情况，部署下季度主题。",
            },
        )
        if meeting.held_on <= min(ANCHOR, timezone.localdate()):
            # About three in four organisations attend, a different quarter each time; the
            # host counts as attending without a row. Recording again changes nothing.
            actions.record_meeting_attendance(
                meeting=meeting,
                organisations=[
                    org
                    for n, org in enumerate(orgs)
                    if (n + quarter) % 4 and org.pk != meeting.host_id
                ],
                by=None,
            )
    return (
        f"{Organisation.objects.count()} organisations, "
        f"{DutyWeek.objects.filter(status=DutyWeek.Status.DONE).count()} done duty weeks, "
        f"{DutyWeek.objects.filter(status=DutyWeek.Status.PLANNED).count()} planned, "
        f"{MonthlyTheme.objects.count()} themes, "
        f"{ExchangeMeeting.objects.count()} exchange meetings, "
        f"{MeetingAttendance.objects.count()} attendances recorded"
    )
