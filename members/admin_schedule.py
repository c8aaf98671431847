"""The admin of the periodic tasks (django-celery-beat): paused and resumed, every change recorded.

Registered again over the library's own admin class (Django imports members' admin after
theirs); its saves are outside the apps whose saves the audit receivers watch, so each change
is recorded here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin as LibraryPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from members.admin_base import RecordedChangesMixin, apply_to_each, record_admin_change
from members.text import CleanCharFormField


class PeriodicTaskPauseForm(forms.ModelForm):
    class Meta:
        model = PeriodicTask
        fields = ("enabled", "description")
        # The library's model field is a plain TextField; the note is the portal's text.
        field_classes = {"description": CleanCharFormField}


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(RecordedChangesMixin, LibraryPeriodicTaskAdmin):
    """The schedule is declared in deqing_hub/schedule.py; beat copies it here at start-up.

    Centre staff may pause and resume an entry and note why; what runs, when and with which
    arguments stays as declared (only a superuser edits it). Every change is recorded.
    """

    actions = ("enable_tasks", "disable_tasks")
    PAUSE_FIELDS = ("enabled", "description")
    deleted_field = "task"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._pause_only(request, obj):
            kwargs["form"] = PeriodicTaskPauseForm
        return super().get_form(request, obj, change, **kwargs)

    def _pause_only(self, request, obj) -> bool:
        return obj is not None and not request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        if not self._pause_only(request, obj):
            return super().get_fieldsets(request, obj)
        return (
            (None, {"fields": ("name", "task", "enabled", "description")}),
            (
                _("Schedule"),
                {"fields": ("crontab", "interval", "solar", "clocked", "last_run_at", "one_off")},
            ),
            (_("Arguments"), {"fields": ("args", "kwargs")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if not self._pause_only(request, obj):
            return super().get_readonly_fields(request, obj)
        every = [
            name
            for _name, fieldset in self.get_fieldsets(request, obj)
            for name in fieldset["fields"]
        ]
        return [name for name in every if name not in self.PAUSE_FIELDS]

    def _set_enabled(self, request, queryset, enabled: bool, done) -> None:
        def switch(task: PeriodicTask) -> None:
            task.enabled = enabled
            if not enabled:
                task.last_run_at = None  # as django-celery-beat's own action does
            task.save(update_fields=["enabled", "last_run_at"])
            record_admin_change(
                request, task, "change", {"enabled": {"before": not enabled, "after": enabled}}
            )

        apply_to_each(self, request, queryset.filter(enabled=not enabled), switch, done)
        PeriodicTasks.update_changed()

    @admin.action(description=_("Resume the selected tasks"), permissions=["change"])
    def enable_tasks(self, request, queryset):
        self._set_enabled(request, queryset, True, _("%(count)s task(s) resumed."))

    @admin.action(description=_("Pause the selected tasks"), permissions=["change"])
    def disable_tasks(self, request, queryset):
        self._set_enabled(request, queryset, False, _("%(count)s task(s) paused."))
