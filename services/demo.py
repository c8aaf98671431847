"""Demo data of the services app: the catalogue, the article's activities, 160+ service records.

Deterministic and idempotent: rows are found by natural keys and only what is missing is created.
Builds on rota.demo (organisations, 34 past duty weeks) and members.demo (members); without them
it seeds only the catalogue. Names and texts are Chinese data, not interface strings.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from members.models import Member
from points.actions import bulk_award
from rota.models import DutyWeek, MonthlyTheme, Organisation
from services.actions import ensure_categories
from services.models import Activity, Attendance, Category, Service, ServiceRecord, SignUp

V = Service.Venue

# (category code, title, venue, provider short names, description, how to get it)
CATALOGUE = [
    (
        "party_building",
        "党建指导进企业",
        V.SERVICE_HALL,
        ["党群服务中心", "新联会"],
        "帮助企业支部规范“三会一课”、组织生活和党建台账，单建、联建支部均可预约上门指导。",
        "在服务大厅登记或在线申请，中心派单后一周内上门。",
    ),
    (
        "party_building",
        "红色论坛",
        V.RED_COLLAR_ACADEMY,
        ["党群服务中心", "团县委"],
        "邀请党建专家与企业党员围绕党建引领地信产业发展开展主题交流。",
        "关注活动页面报名。",
    ),
    (
        "party_affairs",
        "党组织关系转接",
        V.SERVICE_HALL,
        ["党群服务中心"],
        "为新入驻企业党员办理组织关系转入、转出和流动党员登记。",
        "携带介绍信到服务大厅窗口办理。",
    ),
    (
        "party_affairs",
        "党费收缴与发展党员咨询",
        V.ONLINE,
        ["党群服务中心"],
        "解答党费标准、入党申请和发展党员流程等问题。",
        "在线申请后由党务专员电话联系。",
    ),
    (
        "education",
        "红领学院党员培训",
        V.RED_COLLAR_ACADEMY,
        ["党群服务中心", "县教育局"],
        "面向小镇党员的专题培训和党课，结合地理信息产业特色设置课程。",
        "按培训通知报名。",
    ),
    (
        "education",
        "红盟书吧读书会",
        V.BOOK_BAR,
        ["书香阅读会", "县文广旅体局"],
        "每月一次的读书分享会，书吧也是党员微心愿墙所在地。",
        "到红盟书吧现场参加。",
    ),
    (
        "education",
        "家庭教育讲座",
        V.RED_COLLAR_ACADEMY,
        ["家庭教育中心", "县妇联"],
        "为园区青年职工提供亲子沟通和家庭教育指导。",
        "在线申请或关注活动页面。",
    ),
    (
        "entrepreneurship",
        "创业咨询",
        V.SERVICE_HALL,
        ["创业导师联合会", "县科技局", "青企协"],
        "创业导师一对一解答公司设立、政策申报和经营问题。",
        "在线申请，中心派单给创业导师。",
    ),
    (
        "entrepreneurship",
        "地信梦工场孵化服务",
        V.SERVICE_HALL,
        ["地信产业协会", "县经信局", "县发改局"],
        "为地理信息初创团队提供孵化场地、项目辅导和产业对接。",
        "提交项目简介，经评估后入驻。",
    ),
    (
        "entrepreneurship",
        "融资对接服务",
        V.SERVICE_HALL,
        ["金融志愿团", "县财政局", "会计服务协会"],
        "对接银行、基金和政府产业基金，帮助企业解决融资难题。",
        "在线申请，说明融资需求。",
    ),
    (
        "entrepreneurship",
        "知识产权服务",
        V.ONLINE,
        ["知识产权联盟", "县市场监管局"],
        "专利、软件著作权申请辅导和知识产权保护咨询。",
        "在线申请。",
    ),
    (
        "talent",
        "人才沙龙",
        V.BOOK_BAR,
        ["人才促进会", "县人力社保局"],
        "围绕人才政策和行业前沿的小型沙龙，促进人才交流。",
        "关注活动页面报名。",
    ),
    (
        "talent",
        "高校实习对接",
        V.ONLINE,
        ["县人力社保局", "县教育局"],
        "与 12 所高校合作，为小镇企业对接实习生和毕业生。",
        "企业在线提交实习岗位需求。",
    ),
    (
        "talent",
        "人才俱乐部",
        V.BOOK_BAR,
        ["人才促进会", "青企协"],
        "高层次人才的交流平台，定期组织联谊和考察活动。",
        "向中心申请加入。",
    ),
    (
        "talent",
        "高层次人才安居与子女入学服务",
        V.SERVICE_HALL,
        ["县住建局", "县教育局", "县人力社保局"],
        "为高层次人才协调人才公寓、子女入学等事项，已服务 106 名人才。",
        "在服务大厅登记，专人跟进办理。",
    ),
    (
        "volunteer",
        "青年联谊交友",
        V.BOOK_BAR,
        ["团县委", "晨曦社工", "婚恋交友中心"],
        "为园区单身青年搭建交友平台，已举办 3 场联谊会，促成 26 对青年牵手。",
        "关注活动页面报名。",
    ),
    (
        "volunteer",
        "小镇服务日",
        V.SERVICE_HALL,
        ["党群服务中心", "县市场监管局", "县司法局", "律协公益团"],
        "各盟员单位集中进驻服务大厅，现场办理政策咨询、法律援助等事项。",
        "服务日当天到服务大厅。",
    ),
    (
        "volunteer",
        "通勤交通协调",
        V.ONLINE,
        ["县运管局"],
        "收集职工通勤需求，协调开通公交线路，如小镇至城区和高铁站的 121 路公交。",
        "在线提交通勤需求。",
    ),
    (
        "volunteer",
        "心理健康咨询",
        V.SERVICE_HALL,
        ["心理健康服务中心", "县卫健局"],
        "为职工提供心理疏导和减压讲座。",
        "在线预约，保护个人隐私。",
    ),
    (
        "volunteer",
        "志愿服务进园区",
        V.SERVICE_HALL,
        ["阳光志愿者协会", "红十字志愿服务队"],
        "志愿者进入园区企业开展应急救护培训、环保宣传等志愿服务。",
        "企业在线申请。",
    ),
    (
        "party_affairs",
        "政策咨询与办事代办",
        V.SERVICE_HALL,
        ["党群服务中心"],
        "各部门政策咨询和涉企事项代办，由轮值单位在服务大厅值守。",
        "到服务大厅窗口咨询。",
    ),
]
# Organisations not named above provide one of these, by kind, so every member of the alliance
# has at least one service in the list.
FALLBACK: dict[str, str] = {
    Organisation.Kind.COUNTY_BUREAU: "政策咨询与办事代办",
    Organisation.Kind.SOCIAL_ORGANISATION: "志愿服务进园区",
    Organisation.Kind.CENTRE: "政策咨询与办事代办",
}

# (title, organiser short name, category, start, hours, venue, capacity, points, attendees)
ACTIVITIES = [
    (
        "人才沙龙：地理信息产业人才政策解读",
        "人才促进会",
        "talent",
        dt.datetime(2026, 4, 18, 14, 0),
        2,
        "红盟书吧",
        30,
        5,
        18,
    ),
    (
        "青年联谊会（第一场）",
        "团县委",
        "volunteer",
        dt.datetime(2026, 5, 23, 14, 0),
        3,
        "红盟书吧",
        40,
        10,
        20,
    ),
    (
        "青年联谊会（第二场）",
        "晨曦社工",
        "volunteer",
        dt.datetime(2026, 6, 20, 14, 0),
        3,
        "红盟书吧",
        40,
        10,
        20,
    ),
    (
        "红色论坛：党建引领地信产业发展",
        "党群服务中心",
        "party_building",
        dt.datetime(2026, 7, 1, 9, 30),
        3,
        "红领学院报告厅",
        80,
        8,
        35,
    ),
    (
        "人才沙龙：高校实习生对接会",
        "县人力社保局",
        "talent",
        dt.datetime(2026, 7, 11, 14, 0),
        2,
        "红领学院",
        50,
        5,
        16,
    ),
    (
        "青年联谊会（第三场）",
        "晨曦社工",
        "volunteer",
        dt.datetime(2026, 9, 26, 14, 0),
        3,
        "红盟书吧",
        40,
        10,
        20,
    ),
    (
        "小镇服务日",
        "党群服务中心",
        "volunteer",
        dt.datetime(2026, 11, 14, 9, 0),
        6,
        "党群服务中心服务大厅",
        100,
        6,
        30,
    ),
    # Ahead of the demo's anchor week.
    (
        "红色论坛：年终党建述职交流",
        "党群服务中心",
        "party_building",
        dt.datetime(2027, 1, 9, 9, 30),
        3,
        "红领学院报告厅",
        80,
        8,
        0,
    ),
    (
        "人才俱乐部新年交流会",
        "人才促进会",
        "talent",
        dt.datetime(2027, 1, 16, 14, 0),
        2,
        "红盟书吧",
        12,
        5,
        0,
    ),
    (
        "志愿服务进园区：应急救护培训",
        "红十字志愿服务队",
        "volunteer",
        dt.datetime(2027, 1, 23, 9, 0),
        3,
        "党群服务中心服务大厅",
        30,
        6,
        0,
    ),
]
# Members signed up for the upcoming activities (the club has more than places: a waiting list).
UPCOMING_SIGNUPS = {"人才俱乐部新年交流会": 15, "红色论坛：年终党建述职交流": 20}


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value)


def _seed_catalogue(orgs: dict[str, Organisation]) -> dict[str, Service]:
    ensure_categories()
    categories = {c.code: c for c in Category.objects.all()}
    services = {}
    for code, title, venue, providers, description, how_to in CATALOGUE:
        service, _created = Service.objects.get_or_create(
            category=categories[code],
            title=title,
            defaults={"venue": venue, "description": description, "how_to_get": how_to},
        )
        service.providers.add(*[orgs[name] for name in providers if name in orgs])
        services[title] = service
    providing = set(
        Organisation.objects.filter(services__isnull=False).values_list("pk", flat=True)
    )
    for org in Organisation.objects.order_by("pk"):
        if org.pk not in providing:
            services[FALLBACK[org.kind]].providers.add(org)
    return services


def _seed_records() -> int:
    """Service records for each past duty week: as many as its duty report counts (else 5)."""
    today = timezone.localdate()
    weeks = (
        DutyWeek.objects.filter(status=DutyWeek.Status.DONE, week_start__lte=today)
        .select_related("organisation")
        .order_by("week_start")
    )
    created = 0
    for i, week in enumerate(weeks):
        report = getattr(week, "report", None)
        wanted = getattr(report, "services_delivered", 0) or 5
        have = ServiceRecord.objects.filter(duty_week=week, request__isnull=True).count()
        offered = list(week.organisation.services.filter(is_active=True).order_by("title", "pk"))
        if not offered:
            continue
        for j in range(have, wanted):
            day = week.week_start + dt.timedelta(days=j % 5)
            if day > today:
                break
            ServiceRecord.objects.create(
                service=offered[j % len(offered)],
                organisation=week.organisation,
                delivered_on=day,
                duty_week=week,
                people_served=5 + (i * 7 + j * 3) % 30,
                notes=f"{week.organisation}轮值周服务",
            )
            created += 1
    return created


def _seed_activities(orgs: dict[str, Organisation]) -> None:
    categories = {c.code: c for c in Category.objects.all()}
    members = list(Member.objects.filter(is_active=True).order_by("pk"))
    for n, (title, organiser, code, start, hours, venue, capacity, points, present) in enumerate(
        ACTIVITIES
    ):
        organisation = orgs.get(organiser)
        if organisation is None:
            continue
        starts_at = _aware(start)
        activity, _created = Activity.objects.get_or_create(
            organisation=organisation,
            title=title,
            starts_at=starts_at,
            defaults={
                "category": categories[code],
                "monthly_theme": MonthlyTheme.objects.filter(month=start.date().replace(day=1))
                .order_by("pk")
                .first(),
                "ends_at": starts_at + dt.timedelta(hours=hours),
                "venue": venue,
                "capacity": capacity,
                "points": points,
                "signup_deadline": starts_at - dt.timedelta(days=1),
                "description": f"{organiser}主办。",
            },
        )
        if not members:
            continue
        wanted = present or UPCOMING_SIGNUPS.get(title, 0)
        chosen = [members[(n * 11 + k * 3) % len(members)] for k in range(wanted)]
        chosen = list({m.pk: m for m in chosen}.values())
        for k, member in enumerate(chosen):
            status = SignUp.Status.CONFIRMED if k < capacity else SignUp.Status.WAITING
            SignUp.objects.get_or_create(
                activity=activity,
                member=member,
                status__in=[SignUp.Status.CONFIRMED, SignUp.Status.WAITING],
                defaults={"status": status},
            )
        if present:
            _seed_attendance(activity, chosen)


def _seed_attendance(activity: Activity, members: list[Member]) -> None:
    """The past activity's attendance list, awarded through the points app at its date."""
    by = activity.organisation.duty_contact
    for member in members:
        Attendance.objects.get_or_create(
            activity=activity,
            member=member,
            defaults={"method": Attendance.Method.LIST, "checked_in_by": by},
        )
    Attendance.objects.filter(activity=activity).update(checked_in_at=activity.starts_at)
    entries = bulk_award(
        members=members,
        amount=activity.points,
        reason=f"参加“{activity.title}”",
        source_prefix=f"activity:{activity.pk}",
        by=by,
        at=activity.starts_at + dt.timedelta(hours=1),
    )
    amounts = {e.source.rsplit(":", 1)[-1]: e.amount for e in entries}
    for attendance in Attendance.objects.filter(activity=activity, points_awarded=0):
        amount = amounts.get(str(attendance.member_id), 0)
        if amount:
            Attendance.objects.filter(pk=attendance.pk).update(points_awarded=amount)


def seed() -> str:
    orgs: dict[str, Organisation] = {}
    for org in Organisation.objects.order_by("pk"):
        orgs.setdefault(org.short_name or org.name, org)
    _seed_catalogue(orgs)
    _seed_records()
    _seed_activities(orgs)
    return (
        f"{Category.objects.count()} categories, {Service.objects.count()} services, "
        f"{ServiceRecord.objects.count()} service records, {Activity.objects.count()} activities, "
        f"{SignUp.objects.count()} sign-ups, {Attendance.objects.count()} attendances"
    )
