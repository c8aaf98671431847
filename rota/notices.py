"""The rota's notice kind: every duty reminder, escalation and swap notice (registered by
RotaConfig).

The rota decides what is due and to whom (rota.reminders, rota.actions.reminders); the notices
outbox sends it: to each contact by e-mail and by SMS (whichever they can be reached on), and to
the staff's group robots. It is mandatory: the covenant's one-week-each rhythm depends on it, so
nobody switches it off. The text is the rota's own (reminders.compose, in the portal's language).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notices.kinds import NoticeKind
from members.notices.models import Channel

REMINDER = "rota.reminder"

KINDS = (
    NoticeKind(
        key=REMINDER,
        label=_("Duty week reminders"),
        channels=(Channel.EMAIL, Channel.SMS, Channel.WECOM, Channel.DINGTALK),
        default=(Channel.EMAIL, Channel.SMS),
        mandatory=True,
        staff_only=True,
        example={
            "subject": "[地信红盟] 7天后轮值：晨曦社工",
            "body": "[地信红盟] 晨曦社工将于2026年12月7日至2026年12月13日在党群服务中心轮值。",
        },
        example_link="/rota/mine/",
    ),
)
