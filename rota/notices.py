"""The rota's notice kind: the inbox copy of every duty reminder (registered in RotaConfig).

The rota's own outbox (rota.Delivery, which is also the reminders' schedule) sends the e-mail,
SMS and robot copies; this kind only puts the reminder in the contacts' inboxes. It is
mandatory: the covenant's one-week-each rhythm depends on it, so nobody switches it off.
The text is the rota's own (reminders.compose, in the portal's language).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notices.kinds import NoticeKind, register

REMINDER = "rota.reminder"


def register_kinds() -> None:
    register(
        NoticeKind(
            key=REMINDER,
            label=_("Duty week reminders"),
            template="rota/notices/reminder.txt",
            mandatory=True,
            staff_only=True,
            example={
                "subject": "[地信红盟] 7天后轮值：晨曦社工",
                "body": "[地信红盟] 晨曦社工将于2026年12月7日至2026年12月13日在党群服务中心轮值。",
            },
            example_link="/rota/mine/",
        )
    )
