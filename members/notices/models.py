"""The notice outbox: one inbox copy per (event, recipient), one delivery per (notice, channel).

`Notice` is what the recipient sees on /me/notifications/: written in the same transaction as
the change it reports, rendered then (in the recipient's language), never lost. A notice to a
staff group (`user` empty, `audience` set) is not in anybody's inbox; it only has deliveries
to the group robots.

`Delivery` is one channel's copy: pending -> sending (claimed by one worker) -> sent | failed
| skipped; a transient error puts it back to pending with a later `next_attempt_at`. The
periodic scan queues pending rows whose message may have been lost and reclaims rows stuck in
sending once their lease ran out: delivery is at least once, each attempt with the same
`idempotency_key` (e-mail Message-ID, SMS out-id). See the README, "Notifications".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.constraints import stamped_when
from members.fields import Timestamped, parent_link
from members.text import CleanCharField, CleanTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom group")
    DINGTALK = "dingtalk", _("DingTalk group")


# Channels a person chooses for themselves; the robots post to a group, never to one person.
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.SMS)
GROUP_CHANNELS = (Channel.WECOM, Channel.DINGTALK)


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user) -> NoticeQuerySet:
        return self.filter(user=user)

    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One event told to one recipient (or one staff group): the in-site inbox copy."""

    kind = CleanCharField(_("kind"), max_length=50)
    # What the notice reports, the same for every recipient (e.g. "services.request_event:12"):
    # with the recipient, unique, so reporting an event twice tells nobody twice.
    event = CleanCharField(_("event"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    audience = CleanCharField(_("group"), max_length=30, blank=True)
    subject = CleanCharField(_("subject"), max_length=300)
    body = CleanTextField(_("text"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    language = CleanCharField(_("language"), max_length=10)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False),
                name="notices_notice_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["event", "audience"],
                condition=Q(user__isnull=True),
                name="notices_notice_once_per_group",
            ),
            # A notice goes to one person or to one group, never both or neither.
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(audience=""))
                | (Q(user__isnull=True) & ~Q(audience="")),
                name="notices_notice_person_or_group",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notices_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class OutboxQuerySet(models.QuerySet):
    def failed(self) -> OutboxQuerySet:
        return self.filter(status=Delivery.Status.FAILED)


class Delivery(Timestamped):
    """One channel's copy of a notice, delivered at least once (see the module docstring)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No longer needed")

    notice = parent_link(Notice, related_name="deliveries", verbose_name=_("notice"))
    channel = CleanCharField(_("channel"), max_length=10, choices=Channel.choices)
    # Rendered when the notice was written, for this channel (an SMS is short, an e-mail not).
    subject = CleanCharField(_("subject"), max_length=300, blank=True)
    body = CleanTextField(_("text"))
    status = CleanCharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = CleanTextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    enqueued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("taken by a worker"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries (outbox)")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "channel"], name="notices_delivery_once_per_channel"
            ),
            stamped_when(Q(status="sent"), "sent_at", name="notices_delivery_sent_has_time"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notices_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} ({self.channel})"

    @property
    def idempotency_key(self) -> str:
        """Stable key given to gateways (SMS out-id, e-mail Message-ID) on every attempt."""
        return f"notice-{self.pk}-{self.channel}"


class Preference(models.Model):
    """A person's channels for one kind of notice, within what the kind allows.

    No row: the kind's default. The inbox copy is always written, whatever is chosen here,
    and the channels of a mandatory kind (covenant reminders) cannot be switched off.
    """

    user = parent_link(
        settings.AUTH_USER_MODEL, related_name="notice_preferences", verbose_name=_("account")
    )
    kind = CleanCharField(_("kind"), max_length=50)
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notices_preference_once"),
        ]

    def __str__(self) -> str:
        return self.kind
