"""The staff admin site: Django's, with the portal's login form and four guards.

Django's admin trusts some of what a changelist request carries, and a hand-edited request
got a 500 where a 400 is the answer (found by tests/foundation/test_hostile_requests.py):

- an action posted with row ids that are not ids (`_selected_action=abc`): the changelist
  filters `pk__in` with them and the integer conversion raises ValueError;
- a date-hierarchy year, month or day too big for a date (`created_at__year=99999999999999999999`):
  Django catches the ValueError of a wrong date but not the OverflowError;
- unknown or wrong filters on an export page: the changelist redirects with `?e=1` itself,
  but django-import-export builds the same ChangeList and lets IncorrectLookupParameters out;
- an add or change form posted with a value that is not an id in an autocomplete field
  (`branch=abc`): the form refuses it, but the autocomplete widget showing the form again
  looks the posted value up (`pk__in`) and the conversion raises ValueError.

An autocomplete field and an action checkbox only ever post ids the page itself offered, so
such a request was made by hand: it gets the 400 page rather than a form error.

Every ModelAdmin view reaches the admin through `admin_view`, so the guards live there, once
for every model (the portal's, allauth's, Axes', Celery beat's), instead of in each ModelAdmin.
The site replaces Django's default through PortalAdminConfig (deqing_hub.apps): `admin.site`
and `@admin.register` everywhere are this site.

Its first page is the staff workspace (工作台, deqing_hub.workspace): what waits for the
signed-in user, above the models grouped by the centre's work (SECTIONS) rather than by app.
"""

from __future__ import annotations

import re
from functools import partial, wraps

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deqing_hub.workspace import calendars_for, counts_outside_the_pages_version, queues_for
from members import page_cache
from members.accounts import PortalAdminLoginForm

# The views that build a ChangeList from the query string (and take action posts).
CHANGELIST_VIEWS = {"changelist_view", "export_action"}
# The views that show a ModelAdmin's form (and its inlines) again after a POST.
FORM_VIEWS = {"add_view", "change_view"}
# A date hierarchy link carries a year of four digits, a month and a day of two.
DATE_PART_LIMIT = 9999

# The index and the sidebar group the models by the centre's work, in the order staff reach
# for them ("app_label.ModelName"); a model not named here goes last, under 系统 (System).
SECTIONS = (
    (
        "members",
        pgettext_lazy("admin section", "Party members and branches"),
        ("members.Member", "members.Branch", "members.Enterprise", "members.Invitation"),
    ),
    (
        "rota",
        pgettext_lazy("admin section", "GIS Red Alliance"),
        (
            "rota.Organisation",
            "rota.DutyWeek",
            "rota.SwapRequest",
            "rota.DutyReport",
            "rota.MonthlyTheme",
            "rota.ExchangeMeeting",
            "rota.MeetingAttendance",
            "rota.Blackout",
        ),
    ),
    (
        "services",
        pgettext_lazy("admin section", "Services"),
        (
            "services.ServiceRequest",
            "services.Service",
            "services.Activity",
            "services.SignUp",
            "services.Attendance",
            "services.ServiceRecord",
            "services.Category",
        ),
    ),
    (
        "wishes",
        pgettext_lazy("admin section", "Wishes"),
        (
            "wishes.Wish",
            "wishes.Claim",
            "wishes.Invitation",
            "wishes.WishEvent",
            "wishes.WishPhoto",
            "wishes.StaffDigest",
        ),
    ),
    (
        "projects",
        pgettext_lazy("admin section", "Member projects"),
        (
            "projects.Project",
            "projects.ProgressReport",
            "projects.LeaderComment",
            "projects.Rating",
            "projects.PioneerPost",
            "projects.ExpertPair",
        ),
    ),
    (
        "points",
        pgettext_lazy("admin section", "Points"),
        (
            "points.Voucher",
            "points.Account",
            "points.Entry",
            "points.Stock",
            "points.StockMovement",
            "points.Item",
            "points.ExchangePoint",
            "points.Policy",
            "points.ReconciliationRun",
            "deqing_hub.RankingSnapshot",
            "deqing_hub.MemberMonthTotal",
            "deqing_hub.ScoreFormula",
        ),
    ),
    (
        "system",
        pgettext_lazy("admin section", "System"),
        (
            "members.User",
            "notices.Delivery",
            "notices.Notice",
            "notices.Preference",
            "auth.Group",
            "account.EmailAddress",
            "members.AuditEvent",
            "members.PersonalDataReveal",
            "axes.AccessAttempt",
            "axes.AccessFailureLog",
            "axes.AccessLog",
            "django_celery_beat.PeriodicTask",
        ),
    ),
)


class PortalAdminSite(admin.AdminSite):
    # Refuses an over-long login name before authentication (members.accounts.LOGIN_MAX_LENGTH).
    login_form = PortalAdminLoginForm
    site_header = _("Deqing GIS Town Party and Masses Service Centre")
    site_title = _("Deqing GIS Town Party and Masses Service Centre")
    index_title = _("Workspace")
    index_template = "admin/workspace.html"
    # At 1366 px the sidebar of every model left a changelist about 700 px beside its filters;
    # the workspace lists the models, one click away in the breadcrumbs.
    enable_nav_sidebar = False

    # Stored per account under the pages' version (members.page_cache.own_page): every queue
    # counts portal records, whose saves move it, but for the two counts in the key.
    @method_decorator(page_cache.own_page(extra=counts_outside_the_pages_version))
    def index(self, request, extra_context=None):
        context = {
            "queues": queues_for(request.user),
            "calendars": calendars_for(request.user),
            **(extra_context or {}),
        }
        return super().index(request, context)

    def get_app_list(self, request, app_label=None):
        """The models grouped by SECTIONS (an app's own index page keeps its one app).

        Built when first read: `each_context` asks for it on every admin page (the nav
        sidebar's "available_apps"), which is off here (`enable_nav_sidebar`), and building it
        (every model's permissions and URLs) cost 15-30 ms of each changelist's first render
        at county scale, and a second build on the workspace."""
        if app_label:
            return super().get_app_list(request, app_label)
        return SimpleLazyObject(partial(self._sections, request))

    def _sections(self, request) -> list[dict]:
        models = {
            f"{app['app_label']}.{model['object_name']}": model
            for app in self._build_app_dict(request).values()
            for model in app["models"]
        }
        sections = []
        for key, name, names in SECTIONS:
            rows = [models.pop(label) for label in names if label in models]
            if key == "system":  # the libraries' other tables (Celery beat's schedules) last
                rows += [models.pop(label) for label in sorted(models)]
            if rows:
                sections.append(
                    {
                        "name": name,
                        "app_label": key,
                        "app_url": "",
                        "has_module_perms": True,
                        "models": rows,
                    }
                )
        return sections

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin):
            if view.__name__ in CHANGELIST_VIEWS:
                view = _guarded_changelist(view, model_admin)
            elif view.__name__ in FORM_VIEWS:
                view = _guarded_form(view, model_admin)
        return super().admin_view(view, cacheable)


def _guarded_changelist(view, model_admin: admin.ModelAdmin):
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if _date_out_of_range(request, model_admin):
            raise BadRequest("date hierarchy value out of range")
        if request.method == "POST" and not all(
            _is_row_id(model_admin.model, value)
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME)
        ):
            raise BadRequest("selected rows that cannot exist")
        try:
            return view(request, *args, **kwargs)
        except IncorrectLookupParameters as exc:
            # Only the export gets here: the changelist handles it (redirect with ?e=1).
            # Exporting everything instead of what was asked would be worse than refusing.
            raise BadRequest("export filters that do not apply") from exc

    return guarded


def _guarded_form(view, model_admin: admin.ModelAdmin):
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if request.method == "POST" and not _autocomplete_values_are_ids(request, model_admin):
            raise BadRequest("an autocomplete field posted something that is not an id")
        return view(request, *args, **kwargs)

    return guarded


def _autocomplete_values_are_ids(request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
    # (field, the POST keys that carry it): the form's own field by its name, an inline's as
    # "<prefix>-<n>-<name>".
    fields = [
        (model_admin.model._meta.get_field(name), re.escape(name))
        for name in model_admin.get_autocomplete_fields(request)
    ]
    for inline in model_admin.get_inline_instances(request):
        fields += [
            (inline.model._meta.get_field(name), rf"[^-]+-\d+-{re.escape(name)}")
            for name in inline.get_autocomplete_fields(request)
        ]
    for field, keys in fields:
        target = field.target_field  # the related model's field the ids are values of
        for key in request.POST:
            if re.fullmatch(keys, key) and not all(
                value == "" or _is_value_of(target, value) for value in request.POST.getlist(key)
            ):
                return False
    return True


def _date_out_of_range(request: HttpRequest, model_admin: admin.ModelAdmin) -> bool:
    field = model_admin.date_hierarchy
    if not field:
        return False
    for part in ("year", "month", "day"):
        value = request.GET.get(f"{field}__{part}")
        if value is None:
            continue
        try:
            number = int(value)
        except ValueError:
            continue  # not a number: Django refuses it itself (?e=1)
        if abs(number) > DATE_PART_LIMIT:
            return True
    return False


def _is_row_id(model, value: str) -> bool:
    """Whether `value` could be the primary key of a row of `model` in this database."""
    return _is_value_of(model._meta.pk, value)


def _is_value_of(field, value: str) -> bool:
    """Whether `value` converts to a value of `field` that this database can compare."""
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(key, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or key >= low) and (high is None or key <= high)
    return True
