"""The audit trail (MLPS 2.0 level 2): who did what, when, from where, and whether it worked.

Lowest layer on purpose, so every app can call `record_event`. Records are append-only: the
model refuses updates and deletes, the admin is read-only for everyone, and only the
`purge_audit` command removes records, and only those older than the retention period.
Details never hold personal data in clear: `mask_value` masks them before they are stored.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.fields import acting_user, optional_link
from members.masking import mask_mobile, mask_name
from members.text import CleanCharField

logger = logging.getLogger(__name__)

# The request being served, so signal receivers (logins, admin saves) know the user and address.
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_current_request", default=None
)


def client_ip(request: HttpRequest) -> str:
    """Return the client address: the trusted proxy's header if configured, else the socket.

    A forwarded header is only believed when the operator names it in TRUSTED_PROXY_IP_HEADER,
    because any client can send one.
    """
    header = settings.TRUSTED_PROXY_IP_HEADER
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta_key, "")
        if value:
            # X-Forwarded-For style lists: the proxy appends the address it saw last.
            return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class AuditError(Exception):
    """Raised when code tries to change or delete an audit record."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditError("Audit records cannot be changed.")

    def delete(self):
        raise AuditError("Audit records are removed only by purge_audit.")

    def older_than(self, cutoff) -> AuditEventQuerySet:
        return self.filter(created_at__lt=cutoff)

    def purge(self, cutoff) -> int:
        """Delete records older than `cutoff` (the purge command's only door)."""
        count, _detail = models.QuerySet.delete(self.older_than(cutoff))
        return count


class AuditEvent(models.Model):
    """One security-relevant event or admin change."""

    class Kind(models.TextChoices):
        LOGIN_SUCCESS = "login_success", _("Login succeeded")
        LOGIN_FAILURE = "login_failure", _("Login failed")
        LOCKOUT = "lockout", _("Account locked out")
        LOGOUT = "logout", _("Logout")
        PASSWORD_CHANGE = "password_change", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset by e-mail link")
        EMAIL_ADDED = "email_added", _("E-mail address added")
        EMAIL_CONFIRMED = "email_confirmed", _("E-mail address confirmed")
        EMAIL_CHANGED = "email_changed", _("Primary e-mail address changed")
        EMAIL_REMOVED = "email_removed", _("E-mail address removed")
        REVEAL = "reveal", _("Personal data revealed")
        IMPORT = "import", _("Spreadsheet import")
        EXPORT = "export", _("Spreadsheet export")
        ROLE_CHANGE = "role_change", _("Role changed")
        PERMISSION_DENIED = "permission_denied", _("Permission denied")
        ADMIN_CHANGE = "admin_change", _("Admin change")
        ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
        INVITATION_SENT = "invitation_sent", _("Invitation to open an account sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Account opened by invitation")
        INVITATION_REFUSED = "invitation_refused", _("Expired or used invitation link opened")
        MEMBER_LINKED = "member_linked", _("Account linked to a member by a verified mobile")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = CleanCharField(_("event"), max_length=32, choices=Kind.choices, db_index=True)
    user = acting_user(_("user"))
    # The login name as typed (masked) when there is no account, e.g. a failed login.
    username = CleanCharField(_("login name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    content_type = optional_link(ContentType, related_name="+", verbose_name=_("object type"))
    object_id = CleanCharField(_("object id"), max_length=64, blank=True)
    object_repr = CleanCharField(_("object"), max_length=200, blank=True)
    success = models.BooleanField(_("succeeded"), default=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        # Nobody adds, changes or deletes audit records through the application.
        default_permissions = ("view",)
        indexes = [models.Index(fields=["kind", "created_at"], name="members_audit_kind_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditError("Audit records are removed only by purge_audit.")


_HIDDEN = "[hidden]"
_SECRET_WORDS = ("password", "token", "secret", "encrypted", "digest", "id_number", "key")


def mask_value(name: str, value: Any) -> Any:
    """Mask a field value for the audit details: no mobile, ID number, e-mail or secret in clear."""
    if value is None or value == "":
        return value
    lowered = name.lower()
    if any(word in lowered for word in _SECRET_WORDS):
        return _HIDDEN
    if "mobile" in lowered or "phone" in lowered:
        return mask_mobile(str(value))
    if "email" in lowered:
        local, _at, domain = str(value).partition("@")
        return f"{local[:1]}***@{domain}" if domain else _HIDDEN
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = str(value)
    # Free text may carry an ID number or mobile; mask them wherever they appear.
    from members.masking import mask_personal_data_in_text

    return mask_personal_data_in_text(text)[:500]


# People's names are personal data too: the audit masks them as the public pages do (王*明,
# members.masking.mask_name); the id (content type + object id) says exactly who it was.
PERSON_FIELDS = {
    "members.member": {"name", "name_pinyin"},
    "members.user": {"first_name", "last_name", "username"},
}


def jsonable(value):
    """A value as the audit record's JSON keeps it: plain types as they are, others as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def mask_field(label: str, name: str, value: Any) -> Any:
    """mask_value, plus people's names of the models in PERSON_FIELDS."""
    if name in PERSON_FIELDS.get(label, ()) and value:
        return mask_name(value)
    return mask_value(name, value)


def _mask_username(raw: str) -> str:
    raw = (raw or "").strip()
    if "@" in raw:
        masked = mask_value("email", raw)
    elif raw.isdigit():
        masked = mask_mobile(raw)
    else:
        masked = raw
    # Whatever was typed (a login form allows 254 characters; a masked e-mail keeps its
    # domain) must fit the column, or the failed login becomes a 500.
    return masked[: AuditEvent._meta.get_field("username").max_length]


def record_event(
    kind: str,
    *,
    user=None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    success: bool = True,
    details: dict | None = None,
    username: str = "",
) -> AuditEvent:
    """Write one audit record; user and address come from `request` (or the current request).

    `details` must already be free of personal data in clear (use `mask_value`).
    """
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not getattr(user, "pk", None):
        user = None
    ip = (client_ip(request) or None) if request is not None else None
    event = AuditEvent(
        kind=kind,
        user=user,
        username=_mask_username(username) if username else "",
        ip_address=ip,
        success=success,
        details=details or {},
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        event.object_id = str(obj.pk or "")
        text = str(obj)
        if obj._meta.label_lower in PERSON_FIELDS:
            text = mask_name(text)
        event.object_repr = mask_value("repr", text)[:200]
    event.save(force_insert=True)
    logger.info("audit.%s", kind, extra={"audit_id": event.pk, "success": success})
    return event


def get_in_scope_or_404(queryset: models.QuerySet, *, request: HttpRequest, **lookup):
    """get_object_or_404 for scoped look-ups: a row that exists outside the user's scope is a
    404 too, and leaves a permission-denied record (someone edited an id into a URL)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        pass
    refuse_out_of_scope(queryset.model, request=request, **lookup)


def refuse_out_of_scope(model: type[models.Model], *, request: HttpRequest, **lookup) -> NoReturn:
    """Answer 404 for a row not in the user's scope; record a permission-denied event if it
    exists in another scope (a malformed id is simply not found)."""
    try:
        outside = model._base_manager.filter(**lookup).first()
    except (ValidationError, ValueError, TypeError):
        outside = None
    if outside is not None:
        record_event(
            AuditEvent.Kind.PERMISSION_DENIED,
            request=request,
            obj=outside,
            success=False,
            details={"reason": "outside scope", "path": request.path[:200]},
        )
    raise Http404(_("No such record among those you may see."))


class AuditRequestMiddleware:
    """Make the current request known to audit receivers (logins, admin saves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
