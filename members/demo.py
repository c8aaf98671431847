"""Demo data matching the article: 769 enterprises (120 GIS, 62 signed this year), 10 branches
(8 standalone, 1 joint, 1 centre), 103 members, talents 1/3/34 cultivated and 6/9 recruited.

Deterministic (Faker zh_CN and random with fixed seeds) and idempotent: rows are keyed by credit
code, branch name and member mobile, and existing rows are left as they are.
"""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker

from members.models import Branch, Enterprise, Member
from members.validators import credit_code_check_character, id_number_check_character

SEED = 2016
ENTERPRISES = 769
GIS_ENTERPRISES = 120
FINANCE_ENTERPRISES = 48
SIGNED_THIS_YEAR = 62
THIS_YEAR = 2026
DEQING_AREA = "330521"
# (branch kind, member count); 8 * 9 + 16 + 15 = 103
STANDALONE_MEMBERS = 9
JOINT_MEMBERS = 16
CENTRE_MEMBERS = 15
JOINT_ENTERPRISES = 5
TALENTS = [
    (Member.TalentProgramme.NATIONAL, Member.TalentOrigin.CULTIVATED, 1),
    (Member.TalentProgramme.PROVINCIAL, Member.TalentOrigin.CULTIVATED, 3),
    (Member.TalentProgramme.SOUTH_TAIHU, Member.TalentOrigin.CULTIVATED, 34),
    (Member.TalentProgramme.NATIONAL, Member.TalentOrigin.RECRUITED, 6),
    (Member.TalentProgramme.PROVINCIAL, Member.TalentOrigin.RECRUITED, 9),
]
CENTRE_BRANCH = "地信小镇党群服务中心党支部"
JOINT_BRANCH = "地信小镇联建党支部"


def demo_credit_code(index: int) -> str:
    """A valid GB 32100 code for demo enterprise `index` (registered in Deqing county)."""
    first17 = f"91{DEQING_AREA}MA{index:07d}"
    return first17 + credit_code_check_character(first17)


def _enterprise_rows(fake: Faker, rng: random.Random) -> list[Enterprise]:
    names: set[str] = set()
    rows = []
    for index in range(ENTERPRISES):
        if index < GIS_ENTERPRISES:
            industry, suffix = Enterprise.Industry.GEOINFORMATION, "地理信息科技有限公司"
        elif index < GIS_ENTERPRISES + FINANCE_ENTERPRISES:
            industry, suffix = Enterprise.Industry.FINANCE_BACK_OFFICE, "金融信息服务有限公司"
        else:
            industry, suffix = (
                Enterprise.Industry.OTHER,
                rng.choice(
                    [
                        "科技有限公司",
                        "网络科技有限公司",
                        "咨询有限公司",
                        "软件有限公司",
                        "数据服务有限公司",
                    ]
                ),
            )
        name = f"德清{fake.company_prefix()}{suffix}"
        while name in names:
            name = f"德清{fake.company_prefix()}{fake.company_prefix()}{suffix}"
        names.add(name)
        if (
            index % (ENTERPRISES // SIGNED_THIS_YEAR) == 0
            and index // (ENTERPRISES // SIGNED_THIS_YEAR) < SIGNED_THIS_YEAR
        ):
            signed = dt.date(THIS_YEAR, 1, 1) + dt.timedelta(days=rng.randrange(300))
        else:
            signed = dt.date(2012, 3, 1) + dt.timedelta(days=rng.randrange(365 * 13 + 200))
            if signed.year >= THIS_YEAR:
                signed = signed.replace(year=THIS_YEAR - 1)
        rows.append(
            Enterprise(
                name=name, credit_code=demo_credit_code(index), industry=industry, signed_on=signed
            )
        )
    return rows


def _id_number(rng: random.Random) -> str:
    """A valid Deqing-county ID number from the seeded generator (not from today's date)."""
    born = dt.date(1964, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
    first17 = f"{DEQING_AREA}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_number_check_character(first17)


def seed() -> str:
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets

    # 1. Enterprises, keyed by credit code.
    planned = _enterprise_rows(fake, rng)
    existing = set(Enterprise.objects.values_list("credit_code", flat=True))
    Enterprise.objects.bulk_create([e for e in planned if e.credit_code not in existing])
    by_code = {
        e.credit_code: e
        for e in Enterprise.objects.filter(credit_code__in=[p.credit_code for p in planned])
    }
    gis = [by_code[p.credit_code] for p in planned[:GIS_ENTERPRISES]]
    others = [by_code[p.credit_code] for p in planned[GIS_ENTERPRISES + FINANCE_ENTERPRISES :]]

    # 2. Branches: 8 standalone (one GIS enterprise each), 1 joint (5 small firms), the centre's.
    branch_plan: list[tuple[str, str, list[Enterprise]]] = []
    for enterprise in gis[:8]:
        short = enterprise.name.removeprefix("德清").removesuffix("有限公司")
        branch_plan.append((f"{short}党支部", Branch.Kind.STANDALONE, [enterprise]))
    branch_plan.append((JOINT_BRANCH, Branch.Kind.JOINT, others[:JOINT_ENTERPRISES]))
    branch_plan.append((CENTRE_BRANCH, Branch.Kind.CENTRE, []))
    branches = []
    for name, kind, enterprises in branch_plan:
        branch, created = Branch.objects.get_or_create(name=name, defaults={"kind": kind})
        if created:
            branch.enterprises.set(enterprises)
        branches.append((branch, enterprises))

    # 3. Members, keyed by mobile; talents assigned down the list.
    talents = [(p, o) for p, o, n in TALENTS for _ in range(n)]
    counts = [STANDALONE_MEMBERS] * 8 + [JOINT_MEMBERS, CENTRE_MEMBERS]
    mobiles: set[str] = set()
    created_members = 0
    position = 0
    for (branch, enterprises), count in zip(branches, counts, strict=True):
        for _ in range(count):
            female = rng.random() < 0.42
            name = fake.name_female() if female else fake.name_male()
            mobile = fake.phone_number()
            while mobile in mobiles:
                mobile = fake.phone_number()
            mobiles.add(mobile)
            with_id = rng.random() < 0.4
            id_number = _id_number(rng) if with_id else ""
            programme, origin = talents[position] if position < len(talents) else ("", "")
            joined = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(365 * 30))
            member_fields = {
                "name": name,
                "gender": Member.Gender.FEMALE if female else Member.Gender.MALE,
                "email": f"member{position + 1:03d}@example.cn",
                "branch": branch,
                "status": Member.Status.PROBATIONARY
                if joined.year >= THIS_YEAR - 1
                else Member.Status.FULL,
                "joined_on": joined,
                "employer": rng.choice(enterprises) if enterprises else None,
                "talent_programme": programme,
                "talent_origin": origin,
                "ranking_consent": rng.random() < 0.7,
                "id_number_consent": with_id,
            }
            position += 1
            if Member.objects.filter(mobile=mobile).exists():
                continue
            member = Member(mobile=mobile, **member_fields)
            member.id_number = id_number
            member.save()
            created_members += 1

    return (
        f"{Enterprise.objects.count()} enterprises, {Branch.objects.count()} branches, "
        f"{Member.objects.count()} members ({created_members} new)"
    )
