"""Accounts staff look after: inactive ones, disabling, and unlocking failed logins."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit import AuditEvent, record_event
from members.models import User
from members.refusals import Refused

logger = logging.getLogger(__name__)


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
