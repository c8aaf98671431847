"""Signal receivers that feed the audit trail (connected in MembersConfig.ready).

Signals are fine here: auditing observes what happened, it is not a step of any domain flow.
allauth's own signals record what its pages do (password changed, set or reset by e-mail link;
e-mail address added, confirmed, made primary, removed). Password changes made anywhere else
(the admin's password form, `set_password` in code) are caught at the save of the account;
the account adapter marks allauth's saves so each change is recorded once. Admin changes are
recorded with before and after values for every model of the portal's apps when the save or
delete happens while serving an admin page (including admin actions that call the apps'
actions). Changes made elsewhere (member pages, tasks) are not "admin changes".
"""

from __future__ import annotations

from allauth.account import signals as allauth_signals
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from members.audit import AuditEvent, current_request, jsonable, mask_field, record_event

AUDITED_APPS = {"members", "rota", "points", "services", "wishes", "deqing_hub", "auth"}
# Recorded by their own event, or the audit itself.
NOT_ADMIN_CHANGES = {"members.auditevent", "members.personaldatareveal"}

Kind = AuditEvent.Kind


# --- Logins, logouts, lockouts, passwords ------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login_success")
def _login_success(sender, request, user, **kwargs):
    record_event(Kind.LOGIN_SUCCESS, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failure")
def _login_failure(sender, credentials, request=None, **kwargs):
    typed = ""
    for key in ("login", "username", "email", "phone"):
        if credentials.get(key):
            typed = str(credentials[key])
            break
    record_event(Kind.LOGIN_FAILURE, request=request, success=False, username=typed)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(Kind.LOGOUT, user=user, request=request)


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _lockout(sender, request, username, ip_address=None, **kwargs):
    user = None
    if username and str(username).startswith("account:"):
        user = get_user_model().objects.filter(pk=str(username).split(":", 1)[1]).first()
    record_event(
        Kind.LOCKOUT,
        user=user,
        request=request,
        success=False,
        username="" if user else str(username or ""),
    )


# Set on the account by AccountAdapter.set_password: allauth sends its own signal (password
# changed, set or reset) right after that save, and the record comes from the signal.
ALLAUTH_PASSWORD_SAVE = "_audit_allauth_password_save"  # noqa: S105 (an attribute name)


@receiver(post_save, dispatch_uid="audit_password_change")
def _password_change(sender, instance, created, raw=False, **kwargs):
    """Password changes outside allauth's pages: the admin's password form, set_password."""
    if raw or created or sender is not get_user_model():
        return
    # set_password() leaves the raw password here until save() ends; a hash upgrade at login
    # clears it first, so only real changes are recorded.
    if getattr(instance, "_password", None) is None:
        return
    if getattr(instance, ALLAUTH_PASSWORD_SAVE, False):
        return
    request = current_request.get()
    by = getattr(request, "user", None) if request is not None else None
    details = {"flow": "save"}
    if by is not None and by.is_authenticated and by.pk != instance.pk:
        details["changed_by"] = by.pk
    record_event(
        Kind.PASSWORD_CHANGE, user=instance, request=request, obj=instance, details=details
    )


def _account_event(kind: str, *, request, user, details: dict | None = None) -> None:
    # The user is named explicitly: after a reset or with ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE the
    # request's user is already anonymous when allauth sends the signal.
    record_event(kind, user=user, request=request, obj=user, details=details or {})


@receiver(allauth_signals.password_changed, dispatch_uid="audit_allauth_password_changed")
def _allauth_password_changed(sender, request, user, **kwargs):
    _account_event(Kind.PASSWORD_CHANGE, request=request, user=user, details={"flow": "change"})


@receiver(allauth_signals.password_set, dispatch_uid="audit_allauth_password_set")
def _allauth_password_set(sender, request, user, **kwargs):
    _account_event(Kind.PASSWORD_CHANGE, request=request, user=user, details={"flow": "set"})


@receiver(allauth_signals.password_reset, dispatch_uid="audit_allauth_password_reset")
def _allauth_password_reset(sender, request, user, **kwargs):
    _account_event(Kind.PASSWORD_RESET, request=request, user=user)


def _address(email_address) -> str:
    return mask_field("account.emailaddress", "email", email_address.email)


@receiver(allauth_signals.email_confirmed, dispatch_uid="audit_allauth_email_confirmed")
def _allauth_email_confirmed(sender, request, email_address, **kwargs):
    _account_event(
        Kind.EMAIL_CONFIRMED,
        request=request,
        user=email_address.user,
        details={"email": _address(email_address)},
    )


@receiver(allauth_signals.email_added, dispatch_uid="audit_allauth_email_added")
def _allauth_email_added(sender, request, user, email_address, **kwargs):
    _account_event(
        Kind.EMAIL_ADDED, request=request, user=user, details={"email": _address(email_address)}
    )


@receiver(allauth_signals.email_removed, dispatch_uid="audit_allauth_email_removed")
def _allauth_email_removed(sender, request, user, email_address, **kwargs):
    _account_event(
        Kind.EMAIL_REMOVED, request=request, user=user, details={"email": _address(email_address)}
    )


@receiver(allauth_signals.email_changed, dispatch_uid="audit_allauth_email_changed")
def _allauth_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    details = {"to": _address(to_email_address)}
    if from_email_address is not None:
        details["from"] = _address(from_email_address)
    _account_event(Kind.EMAIL_CHANGED, request=request, user=user, details=details)


# --- Roles ----------------------------------------------------------------------------------


def _role_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from django.contrib.auth.models import Group

    if reverse:  # group.user_set.add(user): `instance` is the group
        users = get_user_model().objects.filter(pk__in=pk_set or [])
        for user in users:
            record_event(
                Kind.ROLE_CHANGE,
                obj=user,
                details={"action": action, "groups": [instance.name]},
            )
        return
    names = sorted(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    record_event(Kind.ROLE_CHANGE, obj=instance, details={"action": action, "groups": names})


def connect_role_changes() -> None:
    m2m_changed.connect(
        _role_change,
        sender=get_user_model().groups.through,
        dispatch_uid="audit_role_change",
    )


# --- Personal data reveals --------------------------------------------------------------------


@receiver(post_save, sender="members.PersonalDataReveal", dispatch_uid="audit_reveal")
def _reveal(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record_event(
            Kind.REVEAL,
            user=instance.revealed_by,
            obj=instance.member,
            details={"channel": instance.channel},
        )


# --- Admin changes with before and after values ---------------------------------------------


def admin_request():
    """The current request if it is an admin page (not an import, which records its total)."""
    request = current_request.get()
    if request is None:
        return None
    match = getattr(request, "resolver_match", None)
    if match is None or match.app_name != "admin":
        return None
    if match.url_name and match.url_name.endswith(("_import", "_process_import")):
        return None
    return request


def _audited(sender) -> bool:
    meta = sender._meta
    return meta.app_label in AUDITED_APPS and meta.label_lower not in NOT_ADMIN_CHANGES


def _values(sender, instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in sender._meta.concrete_fields
        if not field.primary_key
    }


@receiver(pre_save, dispatch_uid="audit_admin_before")
def _before_save(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or admin_request() is None or instance.pk is None:
        return
    fields = [f.attname for f in sender._meta.concrete_fields if not f.primary_key]
    instance._audit_before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()


@receiver(post_save, dispatch_uid="audit_admin_after")
def _after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender) or admin_request() is None:
        return
    before = getattr(instance, "_audit_before", None) or {}
    instance._audit_before = None
    after = _values(sender, instance)
    if update_fields:
        after = {k: v for k, v in after.items() if k in update_fields or k + "_id" in update_fields}
    label = sender._meta.label_lower
    changes = {
        name: {
            "before": jsonable(mask_field(label, name, before.get(name))),
            "after": jsonable(mask_field(label, name, value)),
        }
        for name, value in after.items()
        if created or before.get(name) != value
    }
    if not changes:
        return
    record_event(
        Kind.ADMIN_CHANGE,
        obj=instance,
        details={"action": "add" if created else "change", "changes": changes},
    )


@receiver(pre_delete, dispatch_uid="audit_admin_delete")
def _before_delete(sender, instance, **kwargs):
    if not _audited(sender) or admin_request() is None:
        return
    label = sender._meta.label_lower
    instance._audit_deleted = {
        name: {"before": jsonable(mask_field(label, name, value)), "after": None}
        for name, value in _values(sender, instance).items()
    }


@receiver(post_delete, dispatch_uid="audit_admin_deleted")
def _after_delete(sender, instance, **kwargs):
    changes = getattr(instance, "_audit_deleted", None)
    if changes is None:
        return
    record_event(
        Kind.ADMIN_CHANGE,
        obj=instance,
        details={"action": "delete", "changes": changes},
    )


@receiver(m2m_changed, dispatch_uid="audit_admin_m2m")
def _admin_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Many-to-many edits in the admin (a branch's enterprises, a point's operators)."""
    if action not in {"post_add", "post_remove", "post_clear"} or admin_request() is None:
        return
    if sender is get_user_model().groups.through or not _audited(type(instance)):
        return  # role changes have their own event
    field = next(
        (f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    record_event(
        Kind.ADMIN_CHANGE,
        obj=instance,
        details={"action": "change", "changes": {field: {verb: sorted(pk_set or [])}}},
    )
