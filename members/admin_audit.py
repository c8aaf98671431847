"""Admin building blocks for the audit trail: scoped objects, imports and exports.

`ScopedObjectMixin` answers 404 (not the admin's redirect) for an id outside the user's scope
and records a permission-denied event when the object exists in another scope.
`SheetAuditMixin` records every export with its row count and every confirmed import with its
totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.audit import AuditEvent, jsonable, mask_field, mask_name, record_event

if TYPE_CHECKING:
    # The mixin goes before ModelAdmin in an admin's bases; type-check it as one.
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class ScopedObjectMixin(_ModelAdmin):
    """404 and a permission-denied record for an id outside the user's scope.

    The admin runs a POST's change or delete inside a transaction that a 404 rolls back, so
    the scope is checked before that transaction starts: the record survives.
    """

    def _out_of_scope(self, request: HttpRequest, object_id, from_field=None) -> None:
        model = self.model
        field = model._meta.get_field(from_field) if from_field else model._meta.pk
        try:
            key = field.to_python(unquote(str(object_id)))
            outside = model._base_manager.filter(**{field.name: key}).first()
        except (ValidationError, ValueError, TypeError):  # a malformed id is simply not found
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

    def _check_scope(self, request: HttpRequest, object_id) -> None:
        if object_id is None or request.GET.get(TO_FIELD_VAR) or request.POST.get(TO_FIELD_VAR):
            return
        try:
            key = self.model._meta.pk.to_python(unquote(str(object_id)))
        except ValidationError:
            key = None
        if key is None or not self.get_queryset(request).filter(pk=key).exists():
            self._out_of_scope(request, object_id)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._check_scope(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._check_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._check_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def get_object(self, request: HttpRequest, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            self._out_of_scope(request, object_id, from_field)
        return obj


class SheetAuditMixin:
    """Record exports with their row count and confirmed imports with their totals.

    Put it before import-export's mixins in the bases: their methods do not call super().
    """

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        record_event(
            AuditEvent.Kind.EXPORT,
            request=request,
            details={"model": self.model._meta.label_lower, "rows": len(dataset)},
        )
        return dataset

    def process_result(self, result, request):
        totals = {str(key): value for key, value in result.totals.items() if value}
        record_event(
            AuditEvent.Kind.IMPORT,
            request=request,
            success=not (result.has_errors() or result.has_validation_errors()),
            details={"model": self.model._meta.label_lower, "totals": totals},
        )
        return super().process_result(result, request)


class AuditedAdminMixin(ScopedObjectMixin, SheetAuditMixin):
    """Both of the above."""


def record_admin_change(request: HttpRequest, obj, action: str, changes: dict | None = None):
    """Record a change made in the admin to a library's model (e-mail addresses, lockouts,
    schedules), which the portal's save and delete receivers do not watch.

    `changes` maps field -> {"before": ..., "after": ...}; values are masked here.
    """
    label = obj._meta.label_lower
    masked = {
        name: {side: jsonable(mask_field(label, name, value)) for side, value in change.items()}
        for name, change in (changes or {}).items()
    }
    return record_event(
        AuditEvent.Kind.ADMIN_CHANGE,
        request=request,
        obj=obj,
        details={"action": action, "model": label, "changes": masked},
    )


class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: nobody adds, edits or deletes records."""

    list_display = (
        "local_time",
        "kind",
        "actor",
        "username",
        "ip_address",
        "content_type",
        "object_repr",
        "success",
    )
    list_filter = ("kind", "success", "created_at", "content_type")
    search_fields = ("object_repr", "=user__email", "=user__username", "ip_address", "username")
    list_select_related = ("user", "content_type")
    date_hierarchy = "created_at"
    readonly_fields = (
        "local_time",
        "kind",
        "actor",
        "username",
        "ip_address",
        "content_type",
        "object_id",
        "object_repr",
        "success",
        "details",
    )
    fields = readonly_fields
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("user"), ordering="user")
    def actor(self, obj: AuditEvent) -> str:
        """Masked like every name in the records (王**, m***@example.cn); the id says who."""
        if obj.user_id is None:
            return "—"
        return f"{mask_name(str(obj.user))} (#{obj.user_id})"

    @admin.display(description=_("time"), ordering="created_at")
    def local_time(self, obj: AuditEvent) -> str:
        """The time in the portal's zone, with the zone, e.g. 2026-11-26 16:05:09 CST (+0800)."""
        return timezone.localtime(obj.created_at).strftime("%Y-%m-%d %H:%M:%S %Z (%z)")
