"""The admin's shared building blocks: one way for each problem every app's admin meets.

- `NoAddAdmin` (`NoAddMixin`): rows come from the portal's use cases, never the add page.
- `ReadOnlyAdmin` (`ReadOnlyMixin`): ledgers, histories and logs; nobody adds, changes or
  deletes a row, superusers included. `ReadOnlyInline` is the same for an inline.
- `PhotoInline`: a row's photos as uploaded; staff may only take one down (its files go too).
- `apply_to_each`, `row_action`: an admin action that runs one app action on each selected
  row (`row_action` declares one in a line or two).
- `ScopedObjectMixin`: an id outside the user's scope is a 404 and a permission-denied record.
- `SheetExportMixin`, `SheetImportMixin`, `SheetAdmin`: spreadsheet export and import, with
  every export and confirmed import in the audit trail.
- `OneChoiceFilter`, `one_choice_filter`, `admin_page`, `admin_path`: a list filter of one
  QuerySet method, an admin page of one step (templates/admin/step_page.html is its template
  to extend) and its URL; `form_page`: such a page that asks for a form and runs one action;
  `OwnPagesMixin`, `page_button`: an admin's own pages declared in one line each, and a row's
  button to one.
- `RecordedChangesMixin`, `record_admin_change`: the audit trail of a library's model.
- `truncated`, `status_label`, `status_column`, `thumbnail`, `PhotoColumnMixin`: changelist
  cells that keep a row on one line at 1366 px (static/css/admin.css): a long text cut with
  its whole in the title attribute, a status as a coloured label, a photo as a thumbnail.
- `ObjectStepsMixin`, `ObjectStep`, `ReasonForm`: a lifecycle's next steps as buttons on the
  object's own page, each calling the app action its changelist bulk action calls.

Lowest app on purpose: every app's admin.py builds on this module and nothing else of members'
admin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from members.actions import sheet_jobs
from members.audit import AuditEvent, jsonable, mask_field, record_event, refuse_out_of_scope
from members.http import AuthenticatedRequest
from members.images import PhotoInlineFormSet
from members.sheet_jobs import SheetJob
from members.sheets.blank import blank_workbook
from members.sheets.files import MAX_SHEET_BYTES, SheetRejected, read_sheet
from members.text import CleanCharFormField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # The mixins go before ModelAdmin in an admin's bases; type-check them as one.
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object

# --- Who may add, change and delete --------------------------------------------------------------


class NoAddMixin:
    """No add page: the rows come from the portal's use cases (a form with its checks, a task)."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # obj: inlines
        return False


class ReadOnlyMixin(NoAddMixin):
    """A ledger, history or log: everyone who may view it only looks (and exports).

    The detail page shows every field read-only (Django's view-only page), so `fields` need
    not be repeated as `readonly_fields`. Bulk actions are off unless an admin names its own.
    """

    actions: Any = None

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class NoAddAdmin(NoAddMixin, admin.ModelAdmin):
    pass


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(NoAddMixin, admin.TabularInline):
    """A row's history or dependants, shown under it as they were written: every field of
    `fields` read-only, with the rows of `select_related` fetched in the same query."""

    extra = 0
    can_delete = False
    select_related: tuple[str, ...] = ()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.fields

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.select_related) if self.select_related else queryset


class PhotoInline(ReadOnlyInline):
    """A row's photos as uploaded on the portal's form, which checks and re-encodes them: staff
    may only remove one that should not be shown (its files go too, after commit)."""

    formset = PhotoInlineFormSet
    can_delete = True
    fields: ClassVar[tuple[str, ...]] = ("preview",)

    @admin.display(description=_("photo"))
    def preview(self, obj):
        if not obj.image:
            return "—"
        return format_html('<a href="{0}"><img src="{0}" alt="" width="120"></a>', obj.image.url)


# --- Actions on the selected rows ----------------------------------------------------------------


def apply_to_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    rows: Iterable,
    act: Callable[[Any], Any],
    done: StrOrPromise | Callable[[int], StrOrPromise],
    *,
    label: Callable[[Any], str] | None = str,
) -> int:
    """Run `act(row)` (one call of an app action) on each row; say once how many were done.

    The app action keeps the audit trail, one record per row it changes, and refuses with
    ValidationError or PermissionDenied: each refusal is one warning, "row: reason" (`label`
    names the row; None where the action's own message names it). `act` returns False for a
    row that needed nothing. `done` is the count message, with %(count)s, or a function of the
    count that returns it (for plurals). Return the count.
    """
    count = 0
    for row in rows:
        try:
            result = act(row)
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if label is not None:
                reason = gettext("%(row)s: %(reason)s") % {"row": label(row), "reason": reason}
            modeladmin.message_user(request, reason, messages.WARNING)
        else:
            count += result is not False
    text = done(count) if callable(done) else done % {"count": count}
    modeladmin.message_user(request, text, messages.SUCCESS if count else messages.INFO)
    return count


def row_action(
    act: Callable[[Any, Any], Any],
    done: StrOrPromise | Callable[[int], StrOrPromise],
    *,
    description: StrOrPromise,
    permissions: Sequence[str] | None = None,
    rows: Callable[[Any], Any] | None = None,
    label: Callable[[Any], str] | None = str,
    unchangeable: StrOrPromise | None = None,
) -> Callable[[admin.ModelAdmin, HttpRequest, Any], int]:
    """An admin action in one declaration: `act(row, user)` on each selected row (`rows`
    narrows or prefetches the selection), through `apply_to_each` with its `done` and `label`.

    `done` with a plural is `ngettext_lazy(singular, plural, "count")`. With `unchangeable`,
    a selected row the user may not change (`has_change_permission(request, row)`) is refused
    with that reason instead of acted on.
    """

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> int:
        selected = rows(queryset) if rows is not None else queryset

        def act_on(row: Any) -> Any:
            if unchangeable is not None and not modeladmin.has_change_permission(request, row):
                raise PermissionDenied(str(unchangeable))
            return act(row, request.user)

        return apply_to_each(modeladmin, request, selected, act_on, done, label=label)

    return admin.action(description=description, permissions=permissions)(action)


def admin_page(
    modeladmin: admin.ModelAdmin, request: HttpRequest, template: str, **context
) -> TemplateResponse:
    """An admin page of one step (a form, a confirmation) in the admin's frame."""
    return TemplateResponse(
        request,
        template,
        {**modeladmin.admin_site.each_context(request), "opts": modeladmin.opts, **context},
    )


def form_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    template: str,
    *,
    form: forms.Form,
    act: Callable[[dict[str, Any]], Any],
    done: Any,
    obj: Any,
    error_field: str | None = None,
    **context,
) -> HttpResponse:
    """An admin page that asks for a form and runs one app action (adjust a balance, restock,
    commend a project).

    A valid post calls `act(form.cleaned_data)`: the action's refusal is shown on the form
    (on `error_field`, else above it) and success says `done` (or `done(result)`, a message
    about what the action returned) and goes back to `obj`'s change page. Otherwise the page
    is shown (`admin_page`, with `form` and `context`).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = act(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(error_field, exc)
        else:
            message = done(result) if callable(done) else done
            modeladmin.message_user(request, message, messages.SUCCESS)
            opts = modeladmin.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
    return admin_page(modeladmin, request, template, form=form, **context)


class OneChoiceFilter(admin.SimpleListFilter):
    """A list filter with one choice, `label`: the rows `pick` keeps (a QuerySet method)."""

    choice = "yes"
    label: Any = ""

    def lookups(self, request, model_admin):
        return [(self.choice, self.label)]

    def queryset(self, request, queryset):
        return self.pick(queryset) if self.value() == self.choice else queryset

    def pick(self, queryset):
        raise NotImplementedError


def one_choice_filter(
    title: Any, label: Any, *, parameter: str, pick: Callable[[Any], Any], choice: str = "yes"
) -> type[OneChoiceFilter]:
    """A OneChoiceFilter in one call: `?<parameter>=<choice>` lists the rows `pick` keeps."""
    return type(
        f"{parameter.title()}Filter",
        (OneChoiceFilter,),
        {
            "title": title,
            "label": label,
            "parameter_name": parameter,
            "choice": choice,
            "pick": staticmethod(pick),
        },
    )


# --- Changelist cells ---------------------------------------------------------------------------

# A status label's colour says where the row stands: waiting for someone, under way, done, or
# refused / withdrawn. Each admin maps its statuses to these tones.
STATUS_TONES = ("waiting", "active", "done", "refused")


def truncated(text: Any, *, wide: bool = False):
    """`text` on one line, cut at 12 characters' width (`wide`: 20), its whole on hover.

    The width is a class, not a style attribute: the portal's CSP allows no inline style."""
    text = str(text or "")
    if not text:
        return "—"
    return format_html(
        '<span class="cell-truncated{}" title="{}">{}</span>',
        " cell-wide" if wide else "",
        text,
        text,
    )


def status_label(text: Any, tone: str):
    """A status as a coloured label (tone: one of STATUS_TONES)."""
    return format_html('<span class="status-label status-{}">{}</span>', tone, text)


def status_column(tones: dict[str, str], *, field: str = "status", description: Any = None):
    """A list_display column: the row's `field` as a coloured label; `tones` maps each
    value to one of STATUS_TONES (unlisted values read as under way)."""

    @admin.display(description=description or _("status"), ordering=field)
    def column(obj):
        value = getattr(obj, field)
        return status_label(getattr(obj, f"get_{field}_display")(), tones.get(value, "active"))

    return column


def thumbnail(url: str | None):
    """A small photo in a list row, or a dash."""
    if not url:
        return "—"
    return format_html('<img class="thumb" src="{}" alt="" loading="lazy">', url)


def admin_path(modeladmin: admin.ModelAdmin, route: str, view, suffix: str):
    """A URL of the admin's own, named admin:<app>_<model>_<suffix>, behind the admin's login."""
    return path(
        route, modeladmin.admin_site.admin_view(view), name=_admin_url_name(modeladmin, suffix)
    )


def _admin_url_name(modeladmin: admin.ModelAdmin, suffix: str) -> str:
    return f"{modeladmin.opts.app_label}_{modeladmin.opts.model_name}_{suffix}"


class OwnPagesMixin(_ModelAdmin):
    """An admin with pages of its own (a form that runs one action, a generator).

    `own_pages` lists each as (route, the name of its view method, suffix): served by
    `admin_path` before the admin's usual URLs; `page_button` links a row to one.
    """

    own_pages: ClassVar[Sequence[tuple[str, str, str]]] = ()

    def get_urls(self):
        return [
            *(
                admin_path(self, route, getattr(self, view), suffix)
                for route, view, suffix in self.own_pages
            ),
            *super().get_urls(),
        ]


def page_button(modeladmin: admin.ModelAdmin, suffix: str, obj: Any, label: Any) -> str:
    """A button to the admin's own page `suffix` (see `OwnPagesMixin`) for `obj`."""
    url = reverse(f"admin:{_admin_url_name(modeladmin, suffix)}", args=[obj.pk])
    return format_html('<a class="button" href="{}">{}</a>', url, label)


class PhotoColumnMixin(_ModelAdmin):
    """A list's `photo` column: each row's first photo (its `photos`, one prefetch query)."""

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("photos")

    @admin.display(description=_("photo"))
    def photo(self, obj):
        photos = list(obj.photos.all())
        return thumbnail(photos[0].image.url if photos else None)


# --- Steps on an object's own page ---------------------------------------------------------------


class ReasonForm(forms.Form):
    """The reason a refusing step asks for (shown to the person it concerns)."""

    reason = CleanCharFormField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data=None, *, obj=None, **kwargs):
        super().__init__(data, **kwargs)


@dataclass(frozen=True)
class ObjectStep:
    """One step of a lifecycle, offered as a button on the object's admin page.

    `applies(obj)`: the object is in a state the step leaves from (else the page shows no
    button, and a post is stale); `allowed(modeladmin, request, obj)`: the user may take it;
    `act(obj, user, **cleaned_data)`: the app action (the one the bulk action calls);
    `form`: what the step asks for (a reason, an organisation), built as `form(data, obj=obj)`.
    """

    name: str
    label: Any
    applies: Callable[[Any], bool]
    allowed: Callable[[Any, HttpRequest, Any], bool]
    act: Callable[..., Any]
    done: Any
    # Called as form(data, obj=obj, prefix=name): ReasonForm and the apps' step forms.
    form: Callable[..., forms.Form] | None = None
    refuses: bool = False  # shown as the page's red button


class ObjectStepsMixin(_ModelAdmin):
    """A change page with its lifecycle's next steps as buttons (admin/object_steps.html).

    A step is posted to `<id>/step/<name>/`: the row is looked up in the user's scope (404
    and an audit record outside it), a step no longer applying is refused as stale with the
    row's current state and nothing changes, and an action's refusal is shown as it said.
    """

    object_steps: tuple[ObjectStep, ...] = ()

    def state_label(self, obj) -> str:
        return obj.get_status_display()

    def offered_steps(self, request: HttpRequest, obj) -> list[tuple[ObjectStep, Any]]:
        """(step, its empty form or None) for the steps this user may take on `obj` now."""
        return [
            (step, step.form(obj=obj, prefix=step.name) if step.form else None)
            for step in self.object_steps
            if step.applies(obj) and step.allowed(self, request, obj)
        ]

    def get_urls(self):
        return [
            admin_path(self, "<path:object_id>/step/<str:step>/", self.step_view, "step"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["object_steps"] = self.offered_steps(request, obj)
            context["object_step_url"] = f"admin:{self.opts.app_label}_{self.opts.model_name}_step"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def step_view(self, request: HttpRequest, object_id: str, step: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        spec = next((s for s in self.object_steps if s.name == step), None)
        if spec is None:
            raise Http404
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not spec.allowed(self, request, obj):
            raise PermissionDenied
        back = redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )
        if not spec.applies(obj):
            self.message_user(
                request,
                gettext("It is now “%(state)s”: that step no longer applies, nothing was changed.")
                % {"state": self.state_label(obj)},
                messages.WARNING,
            )
            return back
        data = {}
        if spec.form is not None:
            form = spec.form(request.POST, obj=obj, prefix=spec.name)
            if not form.is_valid():
                errors = [str(m) for field_errors in form.errors.values() for m in field_errors]
                self.message_user(request, " ".join(errors), messages.ERROR)
                return back
            data = form.cleaned_data
        try:
            spec.act(obj, request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, reason, messages.WARNING)
        else:
            self.message_user(request, spec.done, messages.SUCCESS)
        return back


# --- Scope ---------------------------------------------------------------------------------------


class ScopedObjectMixin(_ModelAdmin):
    """404 and a permission-denied record for an id outside the user's scope.

    The admin runs a POST's change or delete inside a transaction that a 404 rolls back, so
    the scope is checked before that transaction starts: the record survives.
    """

    def _out_of_scope(self, request: HttpRequest, object_id, from_field=None) -> None:
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        refuse_out_of_scope(self.model, request=request, **{field.name: unquote(str(object_id))})

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


class VisibleRowsMixin(ScopedObjectMixin):
    """Every page holds only the rows the model's query set makes `visible_to` the user (a
    secretary's branches, an operator's points); another id is a 404 and a record."""

    def get_queryset(self, request: HttpRequest):
        rows: Any = super().get_queryset(request)  # the model's own query set, with visible_to
        return rows.visible_to(request.user)


# --- Spreadsheets --------------------------------------------------------------------------------


class SheetAuditMixin:
    """Record exports with their row count and confirmed imports with their totals.

    Before import-export's mixins in the bases: their methods do not call super(). The sheet
    mixins below put it there.
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


class SheetExportMixin(SheetAuditMixin, ExportMixin):
    """Export the list (as filtered) to a spreadsheet; every export is recorded."""


class SheetImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_SHEET_BYTES:
            raise ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit)s MB."),
                params={
                    "size": upload.size / 1024 / 1024,
                    "limit": MAX_SHEET_BYTES // 1024 // 1024,
                },
                code="too_large",
            )
        return upload


class SheetImportMixin(SheetAuditMixin, ImportExportMixin):
    """Import with a dry-run preview, every row or none, as the importing user; export too.

    The resource gets `user` (whose scope the rows must stay in); problems are listed by
    spreadsheet row and column without echoing cells (admin/members/import.html), which
    offers the blank template to fill in (`import/template/`, members.sheets.blank).
    """

    def get_urls(self):
        return [
            admin_path(self, "import/template/", self.import_template_view, "import_template"),
            admin_path(self, "import/job/<int:job_id>/", self.import_job_view, "import_job"),
            *super().get_urls(),
        ]

    def import_action(self, request: AuthenticatedRequest, **kwargs):
        """A sheet of more than SHEET_BACKGROUND_ROWS rows goes to a worker (members.sheet_jobs)
        and the importer follows it on its own page; a smaller one is checked right here."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                content = b"".join(upload.chunks())
                try:
                    rows = len(read_sheet(content=content, file_name=upload.name))
                except SheetRejected:
                    rows = 0  # unreadable: the page below says why, as for any sheet
                if rows > settings.SHEET_BACKGROUND_ROWS:
                    job = sheet_jobs.start_sheet_job(
                        resource=self.choose_import_resource_class(form, request),
                        content=content,
                        file_name=upload.name,
                        rows=rows,
                        by=request.user,
                    )
                    return redirect(self._job_url(job.pk))
                upload.seek(0)
        return super().import_action(request, **kwargs)

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "background_rows": settings.SHEET_BACKGROUND_ROWS,
        }

    def _job_url(self, job_id: int) -> str:
        opts = self.opts
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job_id])

    def import_job_view(self, request: AuthenticatedRequest, job_id: int):
        """A large sheet's progress, its check (counts or problems) and the confirm button.

        Only its importer sees it. While a worker runs it the page reloads itself every few
        seconds (a meta refresh: no script, so it works in every browser and under the CSP).
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = SheetJob.objects.filter(pk=job_id, by=request.user).first()
        if job is None:
            raise Http404
        if request.method == "POST":
            try:
                if "cancel" in request.POST:
                    sheet_jobs.cancel_sheet_job(job_id=job.pk, by=request.user)
                    messages.info(request, _("The import was cancelled; nothing was imported."))
                    return redirect(
                        reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
                    )
                sheet_jobs.confirm_sheet_job(job_id=job.pk, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect(self._job_url(job.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import %(list)s") % {"list": self.opts.verbose_name_plural},
            "job": job,
            "list_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
            "refresh_seconds": 3,
        }
        return TemplateResponse(request, "admin/members/import_job.html", context)

    def import_template_view(self, request: HttpRequest):
        if not self.has_import_permission(request):
            raise PermissionDenied
        [resource_class] = self.get_import_resource_classes(request)
        title = str(self.opts.verbose_name_plural)
        response = HttpResponse(
            blank_workbook(resource_class(user=request.user), title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = gettext("%(list)s import template.xlsx") % {"list": title}
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response

    formats = [base_formats.XLSX, base_formats.CSV]
    import_form_class = SheetImportForm
    import_template_name = "admin/members/import.html"
    from_encoding = "utf-8-sig"

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # The confirmed import must fail whole, as its preview did, if anything changed since.
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            _(
                "The file could not be read: it may be damaged or cut short, or not in the chosen "
                "format. Open it in Excel, save it again and upload it again."
            ),
        )


class SheetAdmin(ScopedObjectMixin, SheetImportMixin, admin.ModelAdmin):
    """A scoped list kept in Excel too: import and export each need their own permission
    (`<app>.import_<model>`, `<app>.export_<model>`); personal data export masked unless the
    user may reveal it."""

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.import_{self.opts.model_name}")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.export_{self.opts.model_name}")

    def get_export_resource_kwargs(self, request, **kwargs):
        return {
            "user": request.user,
            "reveal": request.user.has_perm("members.reveal_personal_data"),
        }


# --- The audit trail of libraries' models --------------------------------------------------------


class RecordedChangesMixin:
    """The admin of a library's model, whose saves and deletes the portal's audit receivers do
    not watch: each is recorded here, with the fields of `recorded_fields` (all that changed
    when None) before and after, and a deleted row's `deleted_field`."""

    recorded_fields: tuple[str, ...] | None = None
    deleted_field: str

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            rows = self.model._default_manager.filter(pk=obj.pk)
            before = rows.values(*form.changed_data).first()
        super().save_model(request, obj, form, change)
        changes = {
            name: {"before": (before or {}).get(name), "after": getattr(obj, name, None)}
            for name in form.changed_data
            if self.recorded_fields is None or name in self.recorded_fields
        }
        record_admin_change(request, obj, "change" if change else "add", changes)

    def _record_deletion(self, request, obj) -> None:
        before = getattr(obj, self.deleted_field)
        record_admin_change(request, obj, "delete", {self.deleted_field: {"before": before}})

    def delete_model(self, request, obj):
        self._record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record_deletion(request, obj)
        super().delete_queryset(request, queryset)


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


class RelatedSelectFilter(admin.RelatedFieldListFilter):
    """A related-field filter drawn as one drop-down with a Filter button, for long lists.

    The stock filter draws one link per choice, each with its own query string: with 210
    branches that was most of the member changelist's rendering time and HTML. A native
    <select> is also what a phone offers best for a long list. Choices come from the related
    model's own scoped rows (`visible_to(user)`), not from a DISTINCT over every member row as
    RelatedOnlyFieldListFilter does; the URL parameter stays `<field>__id__exact`.
    """

    template = "admin/select_filter.html"

    def field_choices(self, field, request, model_admin):
        related = field.remote_field.model
        rows = related.objects.all()
        if hasattr(rows, "visible_to"):
            rows = rows.visible_to(request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(row.pk, str(row)) for row in rows.order_by(*ordering)]

    def choices(self, changelist):
        # One dict: the other parameters to keep (hidden inputs) and the options.
        keep = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in (self.lookup_kwarg, self.lookup_kwarg_isnull, "p")
            for value in (values if isinstance(values, list) else [values])
        ]
        selected = set(self.lookup_val or [])
        yield {
            "parameter": self.lookup_kwarg,
            "keep": keep,
            "options": [(pk, label, str(pk) in selected) for pk, label in self.lookup_choices],
            "selected": not selected,
        }
