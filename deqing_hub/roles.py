"""Staff roles as groups with permissions, set up after every `migrate` (and by `setup_roles`).

A role gives model permissions; the rows a holder sees are narrowed by each model's scoped
QuerySet method (branch secretary: own branches; alliance contact: own organisations; operator:
own exchange points), which the admin and the public pages both use.
Group names are stored data, shown as they are in the admin, hence in Chinese.
Running the setup again resets each role's permissions to this list (one source of truth).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

PORTAL_APPS = ("members", "rota", "points", "services", "wishes", "deqing_hub")


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    permissions: tuple[str, ...]  # "app_label.codename"; "app_label.*" for every permission


CENTRE_STAFF = Role(
    "centre_staff",
    "中心工作人员",
    (
        *(f"{app}.*" for app in PORTAL_APPS),
        # The member projects app sits inside the services package under its own label.
        "projects.*",
        # The notices sub-app of members likewise (the outbox, the inboxes' copies).
        "notices.*",
        # Roles are declared here, so groups are only seen; who holds one is set on the account.
        "auth.view_group",
        # E-mail addresses: confirm one or make it primary for a member stuck at login.
        "account.view_emailaddress",
        "account.change_emailaddress",
        # Unlock a locked-out account (deleting its failed attempts is recorded).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # The schedule is declared in deqing_hub/schedule.py: staff see it and pause entries.
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.view_intervalschedule",
        "django_celery_beat.view_clockedschedule",
        "django_celery_beat.view_solarschedule",
    ),
)
BRANCH_SECRETARY = Role(
    "branch_secretary",
    "支部书记",
    (
        "members.view_branch",
        "members.view_member",
        "members.change_member",
        "members.export_member",
        "members.view_enterprise",
        # 项目领办: set and run their branch's projects, comment on them, keep its pioneer posts.
        "projects.view_project",
        "projects.add_project",
        "projects.change_project",
        "projects.view_teammember",
        "projects.view_progressreport",
        "projects.view_reportphoto",
        "projects.view_leadercomment",
        "projects.add_leadercomment",
        "projects.view_rating",
        "projects.view_pioneerpost",
        "projects.add_pioneerpost",
        "projects.change_pioneerpost",
    ),
)
ALLIANCE_CONTACT = Role(
    "alliance_contact",
    "盟员单位联络人",
    (
        "rota.view_organisation",
        "rota.view_blackout",
        "rota.view_dutyweek",
        "rota.view_dutyreport",
        "rota.change_dutyreport",
        "rota.view_dutyreportphoto",
        "rota.view_swaprequest",
        "services.view_servicerequest",
        "services.view_activity",
        "services.change_activity",
        "services.view_signup",
        "services.view_attendance",
        "wishes.view_claim",
    ),
)
EXCHANGE_POINT_OPERATOR = Role(
    "exchange_point_operator",
    "兑换点管理员",
    (
        "points.view_exchangepoint",
        "points.view_voucher",
        "points.view_stock",
        "points.view_stockmovement",
    ),
)
AUDITOR = Role(
    "auditor",
    "审计员",
    (
        "members.view_auditevent",
        "members.view_personaldatareveal",
        # The login logs of django-axes: attempts, successful logins, failures.
        "axes.view_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ),
)

ROLES = (CENTRE_STAFF, BRANCH_SECRETARY, ALLIANCE_CONTACT, EXCHANGE_POINT_OPERATOR, AUDITOR)
# Separation of duties (MLPS): the people who change data do not read the audit trail (nor
# the log of who revealed personal data). Accounts are disabled, not deleted, so the trail
# keeps saying who did what.
CENTRE_STAFF_EXCLUDED = {
    "members.view_auditevent",
    *(f"members.{verb}_personaldatareveal" for verb in ("view", "add", "change", "delete")),
    "members.delete_user",
}


def _permissions(role: Role) -> list[Permission]:
    condition = Q(pk__in=[])
    for name in role.permissions:
        app_label, codename = name.split(".")
        if codename == "*":
            condition |= Q(content_type__app_label=app_label)
        else:
            condition |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.filter(condition).select_related("content_type")
    if role is CENTRE_STAFF:
        return [
            p
            for p in permissions
            if f"{p.content_type.app_label}.{p.codename}" not in CENTRE_STAFF_EXCLUDED
        ]
    return list(permissions)


@transaction.atomic
def setup_roles() -> dict[str, int]:
    """Create each role's group and set its permissions exactly; return permissions per role."""
    counts = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.name)
        permissions = _permissions(role)
        group.permissions.set(permissions)
        counts[role.key] = len(permissions)
    return counts


def group_of(role: Role) -> Group:
    return Group.objects.get(name=role.name)


def setup_roles_after_migrate(sender, **kwargs) -> None:
    """post_migrate of the last app: every app's permissions exist by now."""
    setup_roles()
