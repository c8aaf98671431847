"""Spreadsheets of the rota for staff (xlsx, CSV) through django-import-export.

Duty weeks are exported; organisations (the 49 alliance members) are exported and imported.
Headers are the fields' Chinese names; formula safety, the header check and the every-row-or-none
import are the portal's sheet toolkit (`members.sheets`).

Organisation sheet contract (the same conventions as the member sheets, `members.sheets.roll`):
- A row is matched to an organisation by its name (名称); a new name adds an organisation.
- 类型 takes the Chinese label (县级机关部门 ...), the English one or the code; 启用 is 是/否.
- A contact is an existing account, written as its mobile number or e-mail address, optionally
  after a name: 王芳（13912345678）. Exports show the name and the masked mobile (or masked
  e-mail), 王芳（139****5678）; such a cell left as exported keeps the contact unchanged.
- The import takes every row or none: any bad cell and nothing is saved.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields

from members.masking import masked_contact
from members.models import User
from members.phones import normalize_mobile
from members.sheets.cells import (
    Column,
    active_column,
    cell_text,
    choice_column,
    date_column,
    text_column,
)
from members.sheets.resources import ExportResource, SheetResource
from rota.models import DutyWeek, Organisation


class DutyWeekResource(ExportResource):
    services = fields.Field(column_name=_("number of services"))
    participants = fields.Field(column_name=_("participants"))

    class Meta:
        model = DutyWeek
        fields = (
            "week_start",
            "organisation__name",
            "status",
            "acknowledged_at",
            "services",
            "participants",
        )

    def dehydrate_services(self, week: DutyWeek):
        report = getattr(week, "report", None)
        return report.services_delivered if report else ""

    def dehydrate_participants(self, week: DutyWeek):
        report = getattr(week, "report", None)
        return report.participants if report else ""

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("organisation", "report")


# --- organisations --------------------------------------------------------------------------

# "王芳（139****5678）" or "王芳 (wang@example.cn)": the part in brackets names the account.
_BRACKETED = re.compile(r"^(?P<name>.*?)\s*[（(](?P<key>[^（）()]*)[）)]\s*$")


def contact_key(user: User) -> str:
    """How a contact's account is shown in a sheet: masked mobile, else masked e-mail."""
    return masked_contact(user)


class ContactField(Column):
    """A contact column: "name（masked mobile）" on export; a mobile or e-mail on import."""

    def export(self, instance, **kwargs):
        user = getattr(instance, self.attribute)
        if user is None:
            return ""
        name = f"{user.last_name}{user.first_name}".strip()
        key = contact_key(user)
        return f"{name}（{key}）" if name and key else name or key

    def save(self, instance, row, is_m2m=False, **kwargs):
        text = cell_text(row.get(self.column_name))
        if not text:
            setattr(instance, self.attribute, None)
            return
        match = _BRACKETED.match(text)
        key = (match.group("key") if match else text).strip()
        current = getattr(instance, self.attribute) if instance.pk else None
        if "*" in key:
            if current is not None and contact_key(current) == key:
                return  # the cell is as it was exported: unchanged
            raise ValueError(
                gettext(
                    "This contact is masked and does not match the organisation's current "
                    "contact; write the contact's full mobile number or e-mail address."
                )
            )
        if "@" in key:
            user = User.objects.filter(email__iexact=key).first()
        else:
            mobile = normalize_mobile(key)
            if not mobile:
                raise ValueError(
                    gettext("Write the contact's 11-digit mobile number or e-mail address.")
                )
            user = User.objects.filter(phone=mobile).first()
        if user is None:
            raise ValueError(
                gettext(
                    "No account has this mobile number or e-mail address; create the account first."
                )
            )
        setattr(instance, self.attribute, user)


class OrganisationResource(SheetResource):
    """The alliance members, matched by name (see the module docstring for the contract)."""

    name = text_column("name", "名称", example="德清县示例志愿服务队")
    short_name = text_column("short_name", "简称", example="示例服务队")
    kind = choice_column("kind", "类型", Organisation.Kind.choices)
    duty_contact = ContactField(
        attribute="duty_contact", column_name="轮值联络人", example="13912345678"
    )
    backup_contact = ContactField(attribute="backup_contact", column_name="备份联络人")
    is_active = active_column("启用")
    joined_on = date_column("joined_on", "加入日期", example="2026-01-01")

    class Meta:
        model = Organisation
        fields = (
            "name",
            "short_name",
            "kind",
            "duty_contact",
            "backup_contact",
            "is_active",
            "joined_on",
        )
        import_id_fields = ("name",)

    def required_columns(self) -> list[str]:
        return ["名称", "类型"]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._names_seen: set[str] = set()

    def check_row(self, instance, row, errors) -> None:
        # Rows are matched by name: a second row with the same name would silently
        # overwrite the first one.
        name = " ".join((instance.name or "").split())
        if name and name in self._names_seen and "name" not in errors:
            self.add_error(
                errors, "name", gettext("This name appears on an earlier row of the file.")
            )
        self._names_seen.add(name)

    def get_queryset(self):
        return Organisation.objects.select_related("duty_contact", "backup_contact")

    def get_instance(self, instance_loader, row):
        # Names are stored with single spaces (Organisation.save): match them the same way.
        name = " ".join(cell_text(row.get("名称")).split())
        if not name:
            return None
        return self.get_queryset().filter(name=name).first()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("duty_contact", "backup_contact")
