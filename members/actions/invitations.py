"""Staff invite a member to open their account: invite, resend, find and accept a link."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import sms
from members.accounts import CENTRE_NAME
from members.audit import AuditEvent, record_event
from members.models import Invitation, Member, User
from members.phones import normalize_mobile
from members.refusals import Refused

logger = logging.getLogger(__name__)


def invitation_digest(token: str) -> str:
    """What is stored of an invitation link's token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def _check_may_invite(*, member: Member, by: User) -> None:
    if not by.has_perm("members.invite_member"):
        raise PermissionDenied(_("You may not invite members."))
    if not Member.objects.visible_to(by).filter(pk=member.pk).exists():
        raise PermissionDenied(_("This member is not in a branch you manage."))


@transaction.atomic
def invite_member(*, member: Member, by: User) -> User:
    """Create a login for a member and send them an invitation to open it.

    The login takes the member's e-mail and mobile (either works for logging in) and has no
    usable password until the member sets one on the invitation page. The invitation goes by
    SMS to the mobile and by e-mail to the address, whichever the member has (see
    `_send_invitation`).
    """
    from allauth.account.models import EmailAddress

    _check_may_invite(member=member, by=by)
    if member.user_id:
        raise Refused(_("%(name)s already has a login.") % {"name": member.name}, code="has_login")
    email = member.email.strip().lower()
    mobile = normalize_mobile(member.mobile)
    if not email and not mobile:
        raise Refused(
            _("Add an e-mail address or a mobile number to %(name)s first.")
            % {"name": member.name},
            code="no_address",
        )
    users = User.objects
    if email and (
        users.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise Refused(
            _("Another account already uses the e-mail address of %(name)s.")
            % {"name": member.name},
            code="email_taken",
        )
    if mobile and users.filter(phone=mobile).exists():
        raise Refused(
            _("Another account already uses the mobile number of %(name)s.")
            % {"name": member.name},
            code="mobile_taken",
        )
    # The mobile comes from the roll staff keep: create_user marks it verified.
    user: User = users.create_user(username=email or mobile, email=email, phone=mobile or None)
    user.set_unusable_password()
    user.last_name, user.first_name = member.name[:1], member.name[1:]
    user.save()
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    if email:
        # Marked verified: the account has no usable password, so the only way in is the
        # invitation sent to this address (or to the mobile staff hold on record).
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    _send_invitation(member=member, user=user, by=by)
    logger.info("members.invited", extra={"member_id": member.pk, "by_user_id": by.pk})
    return user


@transaction.atomic
def resend_invitation(*, member: Member, by: User) -> Invitation:
    """Send a member a new invitation; the links sent before stop working."""
    _check_may_invite(member=member, by=by)
    # Read afresh: the password may have been set on the invitation page since `member` loaded.
    user = User.objects.filter(pk=member.user_id).first() if member.user_id else None
    if user is None:
        raise Refused(
            _("%(name)s has not been invited yet.") % {"name": member.name}, code="not_invited"
        )
    if user.has_usable_password():
        raise Refused(
            _("%(name)s has already opened the account.") % {"name": member.name},
            code="already_open",
        )
    Invitation.objects.filter(member=member).usable().update(expires_at=timezone.now())
    return _send_invitation(member=member, user=user, by=by)


def _send_invitation(*, member: Member, user: User, by: User) -> Invitation:
    """Store a new invitation and send its link, in Chinese, signed by the centre.

    The text goes before commit: when the member has only a mobile and the gateway refuses,
    nothing is kept (no account, no invitation). With an e-mail address as well, a failed
    text is logged and the e-mail, sent after commit, carries the invitation alone.
    """
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation = Invitation.objects.create(
        member=member,
        user=user,
        token_digest=invitation_digest(token),
        sent_by=by,
        expires_at=expires_at,
    )
    url = settings.PORTAL_SITE_URL + reverse("members:open_account", args=[token])
    context = {
        "centre": CENTRE_NAME,
        "name": member.name,
        "url": url,
        "date": date_format(timezone.localtime(expires_at), "DATE_FORMAT"),
    }
    if user.phone:
        text = (
            _(
                "%(centre)s: %(name)s, an account on the member portal is ready for you. Open "
                "%(url)s before %(date)s to set your password; then log in with this mobile number."
            )
            % context
        )
        try:
            sms.get_backend().send(
                numbers=[user.phone],
                text=text,
                key=f"members-invitation-{invitation.pk}",
                template="invitation",
                params={"name": member.name, "link": url},
            )
            invitation.by_sms = True
        except sms.SmsError as exc:
            logger.warning("members.invite_sms_failed", extra={"error_type": type(exc).__name__})
            if not user.email:
                raise Refused(
                    _("The text message to %(name)s could not be sent; please try again later.")
                    % {"name": member.name},
                    code="sms_failed",
                ) from exc
    if user.email:
        subject = _("%(centre)s: open your member portal account") % context
        body = (
            _(
                "Dear %(name)s,\n\n%(centre)s has opened an account for you on its member portal, "
                "where you see your volunteer points, wishes, sign-ups and vouchers.\n\n"
                "Open this link before %(date)s and set your password:\n%(url)s\n\n"
                "Afterwards you log in with this e-mail address or your mobile number. If the "
                "link has expired, ask the centre to send a new one. If you are not %(name)s, "
                "ignore this e-mail.\n\n%(centre)s"
            )
            % context
        )
        address = user.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
        invitation.by_email = True
    invitation.save(update_fields=["by_sms", "by_email"])
    record_event(
        AuditEvent.Kind.INVITATION_SENT,
        user=by,
        obj=member,
        details={
            "by_sms": invitation.by_sms,
            "by_email": invitation.by_email,
            "expires_at": expires_at.isoformat(),
        },
    )
    return invitation


def find_invitation(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state; None for a wrong token."""
    return (
        Invitation.objects.select_related("member", "user")
        .filter(token_digest=invitation_digest(token))
        .first()
    )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, password: str) -> User:
    """Set the account's password from a usable invitation; the link is spent.

    The invitation row is locked, so a second submit of the same link (another tab, a double
    tap) finds it used and is refused instead of setting the password twice.
    """
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not Invitation.objects.usable().filter(pk=locked.pk).exists():
        raise Refused(
            _("This invitation link has expired or has already been used."), code="expired"
        )
    user = locked.user
    user.set_password(password)
    user.save(update_fields=["password"])
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    record_event(AuditEvent.Kind.INVITATION_ACCEPTED, user=user, obj=locked.member)
    return user
