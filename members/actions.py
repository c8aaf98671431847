"""Use cases of the members app: keyword-only, typed, atomic; they raise `Refused`."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import sms
from members.accounts import CENTRE_NAME
from members.audit import AuditEvent, record_event
from members.models import Branch, Enterprise, Invitation, Member, PersonalDataReveal, User
from members.phones import normalize_mobile
from members.refusals import Refused

logger = logging.getLogger(__name__)

# --- Branches --------------------------------------------------------------------------------


def check_branch_enterprises(
    *, kind: str, enterprises: Iterable[Enterprise], branch: Branch | None = None
) -> None:
    """Raise `Refused` unless the enterprises fit the branch kind and no other branch.

    A standalone branch has exactly one enterprise, a joint branch two or more, the service
    centre's branch none; an enterprise belongs to at most one branch.
    """
    enterprises = list(enterprises)
    count = len(enterprises)
    if kind == Branch.Kind.STANDALONE and count != 1:
        raise Refused(
            _("A standalone enterprise branch has exactly one enterprise (%(count)s given).")
            % {"count": count},
            code="standalone_one_enterprise",
        )
    if kind == Branch.Kind.JOINT and count < 2:
        raise Refused(
            _("A joint branch brings together at least two enterprises (%(count)s given).")
            % {"count": count},
            code="joint_several_enterprises",
        )
    if kind == Branch.Kind.CENTRE and count:
        raise Refused(
            _("The service-centre branch has no enterprises."), code="centre_no_enterprises"
        )
    taken = Branch.objects.filter(enterprises__in=enterprises)
    if branch is not None and branch.pk:
        taken = taken.exclude(pk=branch.pk)
    other = taken.first()
    if other is not None:
        raise Refused(
            _("An enterprise here already belongs to the branch “%(branch)s”.")
            % {"branch": other.name},
            code="enterprise_in_other_branch",
        )


@transaction.atomic
def set_branch_enterprises(
    *, branch: Branch, enterprises: Iterable[Enterprise], by: User
) -> Branch:
    """Replace a branch's enterprises after checking they fit its kind."""
    enterprises = list(enterprises)
    check_branch_enterprises(kind=branch.kind, enterprises=enterprises, branch=branch)
    branch.enterprises.set(enterprises)
    return branch


# --- Personal data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RevealedData:
    mobile: str
    id_number: str


@transaction.atomic
def reveal_personal_data(
    *, member: Member, by: User, channel: str = PersonalDataReveal.Channel.ADMIN
) -> RevealedData:
    """Return a member's full mobile and ID number and record who saw them, when."""
    if not by.has_perm("members.reveal_personal_data"):
        raise PermissionDenied(_("You may not see full ID numbers and mobiles."))
    if not Member.objects.visible_to(by).filter(pk=member.pk).exists():
        raise PermissionDenied(_("This member is not in a branch you manage."))
    PersonalDataReveal.objects.create(member=member, revealed_by=by, channel=channel)
    logger.info("members.reveal", extra={"member_id": member.pk, "user_id": by.pk})
    return RevealedData(mobile=member.mobile, id_number=member.id_number)


@transaction.atomic
def set_id_number(*, member: Member, id_number: str, consent: bool, by: User) -> Member:
    """Store (or with an empty value, erase) a member's ID number; needs the member's consent."""
    from members.validators import normalize_id_number, validate_id_number

    if not by.has_perm("members.change_member") or not (
        Member.objects.visible_to(by).filter(pk=member.pk).exists()
    ):
        raise PermissionDenied(_("This member is not in a branch you manage."))
    number = normalize_id_number(id_number)
    if number:
        if not consent:
            raise Refused(
                _("Collect the ID number only with the member's separate consent."),
                code="consent_required",
                field="id_number",
            )
        try:
            validate_id_number(number)
        except ValidationError as exc:
            raise Refused(
                " ".join(exc.messages),
                code=getattr(exc, "code", None) or "invalid_id_number",
                field="id_number",
            ) from exc
    member.id_number_consent = consent and bool(number)
    member.id_number = number
    duplicate = Refused(
        _("Another member already has this ID number."), code="id_number_taken", field="id_number"
    )
    if (
        number
        and Member.objects.filter(id_number_digest=member.id_number_digest)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise duplicate
    try:
        # A concurrent writer of the same number is stopped by the unique digest constraint.
        with transaction.atomic():
            member.save(
                update_fields=[
                    "id_number_consent",
                    "id_number_encrypted",
                    "id_number_digest",
                    "updated_at",
                ]
            )
    except IntegrityError:
        raise duplicate from None
    return member


# --- The member's own account ----------------------------------------------------------------


@transaction.atomic
def change_contact_details(*, member: Member, email: str, mobile: str, by: User) -> Member:
    """Change the e-mail and mobile a member keeps in the roster (and the login mobile).

    Only these two fields: a member never changes branch, status or anything staff own. The
    caller has checked the password. The login e-mail stays under allauth's verified flow.
    """
    if member.user_id != by.pk:
        raise PermissionDenied(_("You may only change your own details."))
    clean_mobile = normalize_mobile(mobile) if mobile else ""
    if mobile and not clean_mobile:
        raise Refused(
            _("Enter an 11-digit mainland mobile number, such as 13812345678."),
            code="invalid_mobile",
            field="mobile",
        )
    if clean_mobile and clean_mobile != by.phone:
        if get_user_model().objects.filter(phone=clean_mobile).exclude(pk=by.pk).exists():
            raise Refused(
                _("Another account already uses this mobile number."),
                code="mobile_taken",
                field="mobile",
            )
        by.phone = clean_mobile
        by.phone_verified = False
        by.save(update_fields=["phone", "phone_verified"])
    member.email = email.strip()
    member.mobile = clean_mobile
    member.save(update_fields=["email", "mobile", "updated_at"])
    return member


def member_data_export(*, member: Member) -> dict:
    """Everything the portal keeps about a member, as JSON-ready data (for /me/export/)."""
    return {
        "name": member.name,
        "gender": member.get_gender_display(),
        "mobile": member.mobile,
        "email": member.email,
        "id_number": member.id_number,
        "id_number_consent": member.id_number_consent,
        "branch": member.branch.name,
        "party_status": member.get_status_display(),
        "joined_on": member.joined_on.isoformat() if member.joined_on else None,
        "employer": member.employer.name if member.employer else None,
        "talent_programme": member.get_talent_programme_display() or None,
        "talent_origin": member.get_talent_origin_display() or None,
        "ranking_consent": member.ranking_consent,
        "active": member.is_active,
        "created_at": member.created_at.isoformat(),
        "updated_at": member.updated_at.isoformat(),
    }


# --- Staff invite a member to open their account ----------------------------------------------


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


@transaction.atomic
def link_member_by_verified_mobile(*, user: User) -> Member | None:
    """Link the account to the one unlinked member on the roll with its verified mobile.

    Called only after a code sent to that mobile was entered, never on a typed number alone.
    No match, several members with that mobile, or an account already linked: nothing
    changes, and the account stays a public one.
    """
    if not user.phone or not user.phone_verified or Member.objects.filter(user=user).exists():
        return None
    matches = list(
        Member.objects.select_for_update().filter(mobile=user.phone, user__isnull=True)[:2]
    )
    if len(matches) != 1:
        return None
    [member] = matches
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    record_event(AuditEvent.Kind.MEMBER_LINKED, user=user, obj=member)
    logger.info("members.linked_by_mobile", extra={"member_id": member.pk, "user_id": user.pk})
    return member


# --- Accounts: inactive and disabled ----------------------------------------------------------


def inactive_accounts(*, days: int) -> QuerySet[User]:
    """Active accounts nobody logged in to for `days` days (never-used ones by their join date)."""
    from django.db.models import Q

    cutoff = timezone.now() - timedelta(days=days)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .order_by("last_login", "date_joined", "pk")
    )


def end_sessions(*, user: User) -> int:
    """Delete every stored session of `user`; return how many were ended.

    Sessions live in the database (Django's default engine), keyed by an opaque id, so each live
    session is decoded once; a portal of this size has a few thousand at most.
    """
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def disable_account(*, user: User, by: User) -> User:
    """Stop `user` logging in and end their sessions at once; repeating it changes nothing."""
    from members.audit import AuditEvent, record_event

    if not by.has_perm("members.change_user"):
        raise PermissionDenied(_("You may not disable accounts."))
    if user.pk == by.pk:
        raise Refused(_("You cannot disable your own account."), code="self")
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    user.is_active = False
    ended = end_sessions(user=user)
    if changed:
        record_event(
            AuditEvent.Kind.ACCOUNT_DISABLED,
            user=by,
            obj=user,
            details={"sessions_ended": ended},
        )
        logger.info("members.account_disabled", extra={"user_id": user.pk, "by": by.pk})
    return user


def axes_key(user: User) -> str:
    """The key django-axes counts an account's failed logins under.

    deqing_hub.security.axes_username turns whatever identifier was typed (mobile, e-mail,
    username) into this one key, so clearing it unlocks the account from every address.
    """
    return f"account:{user.pk}"


@transaction.atomic
def unlock_account(*, user: User, by: User) -> int:
    """Clear `user`'s failed logins so they may log in again; return how many were cleared.

    Recorded in the audit trail when something was cleared; repeating it changes nothing.
    """
    from axes.models import AccessAttempt

    return clear_failed_logins(
        attempts=AccessAttempt.objects.filter(username=axes_key(user)), by=by
    )


@transaction.atomic
def clear_failed_logins(*, attempts: QuerySet, by: User) -> int:
    """Delete these failed-login counts (axes attempts); return how many were deleted.

    The one unlocking use case, for the accounts list and the lockout list alike: one audit
    record per login name cleared, on its account when the name is one (axes_key), with the
    same details either way. Repeating it changes nothing and records nothing.
    """
    from axes.models import AccessAttempt

    from members.audit import AuditEvent, record_event
    from members.masking import mask_mobile, mask_name

    if not (by.has_perm("members.change_user") or by.has_perm("axes.delete_accessattempt")):
        raise PermissionDenied(_("You may not unlock accounts."))
    per_name: dict[str, list[tuple[int, int]]] = {}
    for pk, name, failures in attempts.values_list("pk", "username", "failures_since_start"):
        per_name.setdefault(name, []).append((pk, failures))
    cleared = 0
    for name, rows in sorted(per_name.items()):
        # The total counts axes' expiry rows too: count the attempts only.
        _total, per_model = AccessAttempt.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        count = per_model.get(AccessAttempt._meta.label, 0)
        if not count:
            continue  # cleared meanwhile by someone else
        cleared += count
        prefix, _sep, account_id = name.partition(":")
        account = None
        if prefix == "account" and account_id.isdigit():
            account = User.objects.filter(pk=int(account_id)).first()
        details = {
            "action": "unlock",
            "attempts_cleared": count,
            "failures": sum(failures for _pk, failures in rows),
        }
        if account is None:  # a name that is no account's: recorded masked
            details["login"] = mask_mobile(name) if name.isdigit() else mask_name(name)
        record_event(AuditEvent.Kind.ADMIN_CHANGE, user=by, obj=account, details=details)
        logger.info(
            "members.account_unlocked",
            extra={"user_id": account.pk if account else None, "by": by.pk},
        )
    return cleared
