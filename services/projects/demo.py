"""Demo member projects from the source article; safe to run again (rows keyed by title/name).

The 德清跑步节 app, led by branch committee member 叶冬梅 and delivered in a month and a half,
is completed and commended; a few projects are under way or open; pioneer posts; and the 党员
专家工作室 of 浙江中测新图 (founded May 2016, led by 廖明): 8 experts, 8 mentees. Rows are
back-dated, so they are written directly; the points go through `points.actions` with the
sources the live actions use, so a later completion could not pay twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from members.models import Branch, Member
from points import actions as points_actions
from services.projects.actions import PROJECT_COMMENDATION_POINTS, PROJECT_DELIVERY_POINTS
from services.projects.models import (
    ExpertPair,
    LeaderComment,
    Meeting,
    PioneerPost,
    ProgressReport,
    Project,
    TeamMember,
)

STUDIO = "浙江中测新图党员专家工作室"
RUNNING_APP = "“德清跑步节”APP开发"
SPECIALITIES = (
    "测绘航空摄影",
    "无人机航空摄影",
    "航测内外业",
    "地理国情普查",
    "不动产测绘",
    "地下管线探测",
    "土地利用调查",
    "地理信息应用开发",
)
# title, goal, outcome, status, days to the deadline
UNDER_WAY = (
    (
        "小镇企业地图小程序",
        "为入驻企业和来访客户做一张可搜索的小镇企业地图。",
        "上线小程序，收录入驻企业不少于300家。",
        "in_progress",
        60,
    ),
    (
        "党群服务中心无障碍导览",
        "为党群服务中心制作语音与触摸导览。",
        "完成一楼至三楼导览点位20个。",
        "claimed",
        90,
    ),
    (
        "人才公寓通勤拼车平台",
        "方便人才公寓住户拼车上下班。",
        "注册住户不少于200人，每周拼车不少于100次。",
        "rating",
        20,
    ),
    (
        "地信科普进校园",
        "把地理信息科普带进镇内小学。",
        "开展科普课8次，覆盖学生500人。",
        "open",
        120,
    ),
)


def _named(name: str, branch: Branch, position: int) -> Member | None:
    """The article's person: the branch's `position`-th demo member takes their name (a new
    member would change the member count the article's figures fix at 103)."""
    found = Member.objects.filter(name=name, branch=branch).first()
    if found is not None:
        return found
    member = Member.objects.filter(branch=branch).order_by("pk")[position : position + 1].first()
    if member is not None:
        member.name = name
        member.save()
    return member


def _running_app(branch: Branch, ye: Member, team: list[Member], liao: Member) -> Project:
    today = timezone.localdate()
    claimed = timezone.now() - dt.timedelta(days=120)
    project, created = Project.objects.get_or_create(
        title=RUNNING_APP,
        defaults={
            "goal": "中标德清县体育中心“德清跑步节”APP开发项目，按期完成开发并上线。",
            "outcome": "一个半月内完成开发及上线，支持报名、成绩查询和赛事直播。",
            "deadline": today - dt.timedelta(days=60),
            "branch": branch,
            "status": Project.Status.COMMENDED,
            "pledge": "研发部同心协力，一个半月内完成“德清跑步节”APP开发并上线。",
            "claimed_at": claimed,
            "rating_opens_at": claimed + dt.timedelta(days=46),
            "rating_closes_at": claimed + dt.timedelta(days=60),
            "completed_at": claimed + dt.timedelta(days=60),
            "commended_at": claimed + dt.timedelta(days=75),
            "citation": "研发团队一个半月完成开发并上线，群众评议满意，评为优秀领办项目。",
        },
    )
    if created:
        TeamMember.objects.bulk_create(
            [TeamMember(project=project, member=ye, is_leader=True)]
            + [TeamMember(project=project, member=m) for m in team]
        )
        for days, text in (
            (10, "完成需求调研和界面设计。"),
            (30, "报名和成绩查询模块开发完成，进入测试。"),
            (45, "APP正式上线，跑步节报名顺利进行。"),
        ):
            report = ProgressReport.objects.create(project=project, text=text)
            # Back-dated after the insert: created_at is set on insert (auto_now_add).
            ProgressReport.objects.filter(pk=report.pk).update(
                created_at=claimed + dt.timedelta(days=days)
            )
        comment = LeaderComment.objects.create(
            project=project,
            author_name=liao.name,
            text="时间紧、任务重，研发部在党员带领下按期完成，值得推广。",
        )
        LeaderComment.objects.filter(pk=comment.pk).update(
            created_at=claimed + dt.timedelta(days=50)
        )
    # The two awards of the live actions, under their sources and on their back-dated days.
    for step, amount, reason, at in (
        ("completed", PROJECT_DELIVERY_POINTS, "项目履诺完成", project.completed_at),
        ("commended", PROJECT_COMMENDATION_POINTS, "项目获评表彰", project.commended_at),
    ):
        points_actions.bulk_award(
            members=[ye, *team],
            amount=amount,
            reason=f"{reason}：{project.title}",
            source_prefix=f"project:{project.pk}:{step}",
            at=at,
        )
    return project


def _under_way(branch: Branch, leaders: list[Member]) -> int:
    now = timezone.now()
    created_count = 0
    for (title, goal, outcome, status, days), leader in zip(UNDER_WAY, leaders, strict=True):
        claimed = status != "open"
        project, created = Project.objects.get_or_create(
            title=title,
            defaults={
                "goal": goal,
                "outcome": outcome,
                "deadline": timezone.localdate() + dt.timedelta(days=days),
                "branch": branch,
                "status": status,
                "pledge": "按期完成，接受群众评议。" if claimed else "",
                "claimed_at": now - dt.timedelta(days=20) if claimed else None,
                "rating_opens_at": now - dt.timedelta(days=1) if status == "rating" else None,
                "rating_closes_at": now + dt.timedelta(days=13) if status == "rating" else None,
            },
        )
        created_count += created
        if created and claimed:
            TeamMember.objects.create(project=project, member=leader, is_leader=True)
        if created and status in ("in_progress", "rating"):
            ProgressReport.objects.create(project=project, text="已完成第一阶段工作。")
    return created_count


def seed() -> str:
    branch = Branch.objects.filter(kind=Branch.Kind.STANDALONE).order_by("pk").first()
    if branch is None:
        return "no branch yet (run members.demo first)"
    ye = _named("叶冬梅", branch, 0)
    liao = _named("廖明", branch, 1)
    if ye is None or liao is None:
        return "not enough members for the demo projects"
    others = list(
        # The town's members, not only the branch's: teams and the studio cross branches.
        Member.objects.filter(is_active=True).exclude(pk__in=[ye.pk, liao.pk]).order_by("pk")[:16]
    )
    if len(others) < 16:
        return "not enough members for the demo projects"
    _running_app(branch, ye, others[:2], liao)
    under_way = _under_way(branch, others[2:6])
    for member, workplace, commitment in (
        (ye, "研发部", "技术攻坚走在前，按期交付每一个项目。"),
        (others[6], "测绘外业组", "安全生产零事故，外业数据一次合格。"),
        (others[7], "党群服务中心服务大厅", "群众办事一次讲清、一次办好。"),
    ):
        PioneerPost.objects.get_or_create(
            member=member,
            workplace=workplace,
            defaults={
                "commitment": commitment,
                "starts_on": dt.date(timezone.localdate().year, 1, 1),
                "achievements": "亮身份、亮承诺，带动岗位同事共同提升。",
            },
        )
    experts = [liao, *others[8:15]]
    mentees = [*others[15:16], *others[:7]]
    for expert, mentee, speciality in zip(experts, mentees, SPECIALITIES, strict=True):
        pair, created = ExpertPair.objects.get_or_create(
            expert=expert,
            mentee=mentee,
            defaults={
                "studio": STUDIO,
                "speciality": speciality,
                "started_on": dt.date(2016, 5, 1),
            },
        )
        if created:
            Meeting.objects.create(
                pair=pair, met_on=dt.date(2026, 9, 15), topic=f"{speciality}实务交流"
            )
    return (
        f"{Project.objects.count()} projects ({under_way} new under way or open), "
        f"{PioneerPost.objects.count()} pioneer posts, {ExpertPair.objects.count()} expert pairs"
    )
