"""Excel/CSV sheets of enterprises, branches and members (django-import-export resources).

Sheet contract, chosen for the centre's staff who keep the roster in Excel today:
- Column headers are fixed Chinese names (the file format, whatever the interface language).
- Choices are written as their Chinese labels; imports accept the label (Chinese or English) or
  the internal code. Yes/no columns are 是/否.
- Cells a spreadsheet would run as a formula (= + - @, tab, CR) are exported with a leading
  apostrophe, and the apostrophe is removed again on import, so export -> import is lossless.
- Mobiles and ID numbers are exported masked unless the exporting user may reveal them (each
  member in such an export is recorded as revealed). A masked cell that still matches the stored
  value imports as "unchanged"; any other masked cell is an error.
- A member's "编号" is the portal's number; leave it empty for a new member.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from members.masking import mask_id_number, mask_mobile
from members.models import Branch, Enterprise, Member, PersonalDataReveal, User
from members.phones import normalize_mobile
from members.validators import (
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")


def escape_formula(value: Any) -> Any:
    """Prefix an apostrophe to text a spreadsheet would evaluate (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """Undo `escape_formula` on import."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _cell_text(value: Any) -> str:
    """A cell as text: numbers typed into Excel (13812345678.0) become their digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(unescape_formula(value) if isinstance(value, str) else value).strip()


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """Chinese label on export; label (either language) or code on import."""

    _lookup: dict[str, str]  # built on first use

    def __init__(self, choices, *, blank: bool = False) -> None:
        super().__init__()
        self.choices = choices
        self.blank = blank

    def _labels(self) -> dict[str, str]:
        if "_lookup" in self.__dict__:
            return self._lookup
        lookup = {}
        for code, label in self.choices:
            lookup[str(code).lower()] = code
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    lookup[str(label).lower()] = code
        self._lookup = lookup
        return lookup

    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text:
            if self.blank:
                return ""
            raise ValueError(_("This column must not be empty."))
        code = self._labels().get(text.lower())
        if code is None:
            with translation.override("zh-hans"):
                allowed = "、".join(str(label) for _code, label in self.choices)
            raise ValueError(
                _("“%(value)s” is not allowed here; use one of: %(allowed)s.")
                % {"value": text, "allowed": allowed}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        for code, label in self.choices:
            if code == value:
                with translation.override("zh-hans"):
                    return str(label)
        return ""


class YesNoWidget(widgets.Widget):
    TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
    FALSE = {"否", "n", "no", "false", "0", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _cell_text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write 是 (yes) or 否 (no); “%(value)s” is neither.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChineseDateWidget(widgets.Widget):
    """Dates as 2026-11-26; accepts 2026/11/26, 2026年11月26日 and Excel date cells."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _cell_text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date; write it as 2026-11-26.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class LookupWidget(widgets.Widget):
    """A related row found by one or more unique-enough text fields."""

    def __init__(
        self, *, queryset, lookups: tuple[str, ...], render_field: str, noun, required=False
    ) -> None:
        widgets.Widget.__init__(self)
        self.required = required
        self.queryset = queryset
        self.lookups = lookups
        self.render_field = render_field
        self.noun = noun

    def find(self, text: str) -> Model:
        # One query per distinct name per import (the widget is copied for each resource).
        cache = self.__dict__.setdefault("_found", {})
        if text not in cache:
            try:
                cache[text] = self._find(text)
            except ValueError as exc:
                cache[text] = exc
        if isinstance(cache[text], ValueError):
            raise cache[text]
        return cache[text]

    def _find(self, text: str) -> Model:
        for lookup in self.lookups:
            matches = list(self.queryset().filter(**{lookup: text})[:2])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ValueError(
                    _("Several %(noun)s are called “%(value)s”; use the unique code instead.")
                    % {"noun": self.noun, "value": text}
                )
        raise ValueError(_("No %(noun)s “%(value)s” exists.") % {"noun": self.noun, "value": text})

    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text and self.required:
            raise ValueError(_("This column must not be empty."))
        return self.find(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.render_field, "") if value is not None else ""


class LookupListWidget(LookupWidget, widgets.ManyToManyWidget):
    """Several related rows in one cell, separated by 、 , ; or new lines."""

    def __init__(self, **kwargs) -> None:
        LookupWidget.__init__(self, **kwargs)
        self.model = kwargs["queryset"]().model

    def clean(self, value, row=None, **kwargs):
        names = [part.strip() for part in _LIST_SEPARATORS.split(_cell_text(value))]
        return [self.find(name) for name in names if name]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "、".join(getattr(item, self.render_field) for item in value.all())


class MobileWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text or "*" in text:
            return text  # a masked cell is judged by MaskedField against the stored value
        mobile = normalize_mobile(text)
        if not mobile:
            raise ValueError(
                _("“%(value)s” is not an 11-digit mainland mobile number.") % {"value": text}
            )
        return mobile

    def render(self, value, obj=None, **kwargs):
        return value or ""


class IdNumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text or "*" in text:
            return text
        number = normalize_id_number(text)
        try:
            validate_id_number(number)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc
        return number

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CreditCodeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        code = normalize_credit_code(_cell_text(value))
        if not code:
            raise ValueError(_("This column must not be empty."))
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc
        return code

    def render(self, value, obj=None, **kwargs):
        return value or ""


class MaskedField(fields.Field):
    """A personal-data column: masked on export unless revealed; masked input keeps the value."""

    def __init__(self, *, mask, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask = mask
        self.reveal = False  # set per resource; the import preview's diff also reads export()

    def export(self, instance, **kwargs):
        value = self.get_value(instance) or ""
        return value if self.reveal else self.mask(value)

    def save(self, instance, row, is_m2m=False, **kwargs):
        cleaned = self.clean(row, **kwargs)
        current = getattr(instance, self.attribute) or ""
        if cleaned and "*" in cleaned:
            if current and self.mask(current) == cleaned:
                return  # the cell is as it was exported: unchanged
            raise ValueError(
                _(
                    "This cell holds a masked value (%(value)s) that does not match the stored "
                    "one; enter the full value, or leave the cell as it was exported."
                )
                % {"value": cleaned}
            )
        setattr(instance, self.attribute, cleaned)


class SheetResource(resources.ModelResource):
    """Shared behaviour: user scope, formula escaping, errors keyed by the Chinese column."""

    def __init__(self, *, user: User | None = None, reveal: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.reveal = reveal
        for field in self.fields.values():
            if isinstance(field, MaskedField):
                field.reveal = reveal

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def import_row(self, row, instance_loader, **kwargs):
        # Excel often keeps formatted but empty rows below the data: skip them quietly
        # (row numbers in messages stay those of the sheet).
        if all(_cell_text(value) == "" for value in row.values()):
            row_result = self.get_row_result_class()()
            row_result.import_type = row_result.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def column_for(self, attribute: str) -> str:
        for field in self.fields.values():
            if field.attribute == attribute:
                return str(field.column_name)
        return attribute

    def before_import(self, dataset, **kwargs):
        expected = {str(f.column_name) for f in self.fields.values()}
        headers = [str(h).strip() if h is not None else "" for h in dataset.headers or []]
        dataset.headers = headers
        unknown = [h for h in headers if h and h not in expected]
        missing = [c for c in self.required_columns() if c not in headers]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(_("missing columns: %(columns)s") % {"columns": "、".join(missing)})
            if unknown:
                parts.append(_("unknown columns: %(columns)s") % {"columns": "、".join(unknown)})
            raise ValidationError(
                _("The header row does not match the template (%(problems)s).")
                % {"problems": "; ".join(parts)}
            )

    def required_columns(self) -> list[str]:
        return []

    # Model fields whose checks the resource already made itself (not repeated by full_clean).
    checked_by_resource: frozenset[str] = frozenset()
    validate_constraints = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean what the row's own checks left, then key every error by its column."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude={*errors, *self.checked_by_resource},
                validate_unique=validate_unique,
                validate_constraints=self.validate_constraints,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            keyed: dict[str, list] = {}
            for key, messages in errors.items():
                column = key if key == NON_FIELD_ERRORS else self.column_for(key)
                keyed.setdefault(column, []).extend(messages)
            raise ValidationError(keyed)


class EnterpriseResource(SheetResource):
    name = fields.Field(attribute="name", column_name="企业名称", widget=TextWidget())
    credit_code = fields.Field(
        attribute="credit_code", column_name="统一社会信用代码", widget=CreditCodeWidget()
    )
    industry = fields.Field(
        attribute="industry",
        column_name="行业",
        widget=ChoiceWidget(Enterprise.Industry.choices),
    )
    signed_on = fields.Field(
        attribute="signed_on", column_name="签约日期", widget=ChineseDateWidget()
    )
    is_active = fields.Field(
        attribute="is_active", column_name="在册", widget=YesNoWidget(), default=True
    )

    class Meta:
        model = Enterprise
        fields = ("name", "credit_code", "industry", "signed_on", "is_active")
        import_id_fields = ("credit_code",)
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def required_columns(self) -> list[str]:
        return ["企业名称", "统一社会信用代码"]


class BranchResource(SheetResource):
    name = fields.Field(attribute="name", column_name="支部名称", widget=TextWidget())
    kind = fields.Field(
        attribute="kind", column_name="支部类型", widget=ChoiceWidget(Branch.Kind.choices)
    )
    enterprises = fields.Field(
        attribute="enterprises",
        column_name="所属企业",
        widget=LookupListWidget(
            queryset=Enterprise.objects.all,
            lookups=("credit_code", "name"),
            render_field="credit_code",
            noun=gettext_lazy("enterprise"),
        ),
    )
    secretary = fields.Field(
        attribute="secretary",
        column_name="支部书记账号",
        widget=LookupWidget(
            queryset=User.objects.all,
            lookups=("email__iexact",),
            render_field="email",
            noun=gettext_lazy("account"),
        ),
    )

    class Meta:
        model = Branch
        fields = ("name", "kind", "enterprises", "secretary")
        import_id_fields = ("name",)
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def required_columns(self) -> list[str]:
        return ["支部名称", "支部类型"]

    def get_queryset(self):
        return Branch.objects.visible_to(self.user) if self.user else Branch.objects.all()

    def import_instance(self, instance, row, **kwargs):
        from members.actions import check_branch_enterprises

        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.error_dict
        if "所属企业" in row and "enterprises" not in errors and "kind" not in errors:
            try:
                enterprises = self.fields["enterprises"].clean(row)
                check_branch_enterprises(
                    kind=instance.kind, enterprises=enterprises, branch=instance
                )
            except (ValueError, ValidationError) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                errors["enterprises"] = [ValidationError(m) for m in messages]
        if errors:
            raise ValidationError(errors)


class MemberResource(SheetResource):
    number = fields.Field(attribute="id", column_name="编号", widget=widgets.IntegerWidget())
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    gender = fields.Field(
        attribute="gender", column_name="性别", widget=ChoiceWidget(Member.Gender.choices)
    )
    mobile = MaskedField(
        attribute="mobile", column_name="手机号", widget=MobileWidget(), mask=mask_mobile
    )
    email = fields.Field(attribute="email", column_name="电子邮箱", widget=TextWidget())
    id_number = MaskedField(
        attribute="id_number", column_name="身份证号", widget=IdNumberWidget(), mask=mask_id_number
    )
    id_number_consent = fields.Field(
        attribute="id_number_consent", column_name="同意保存身份证号", widget=YesNoWidget()
    )
    branch = fields.Field(
        attribute="branch",
        column_name="所在支部",
        widget=LookupWidget(
            queryset=Branch.objects.all,
            lookups=("name",),
            render_field="name",
            noun=gettext_lazy("branch"),
            required=True,
        ),
    )
    status = fields.Field(
        attribute="status",
        column_name="党员身份",
        widget=ChoiceWidget(Member.Status.choices),
    )
    joined_on = fields.Field(
        attribute="joined_on", column_name="入党日期", widget=ChineseDateWidget()
    )
    employer = fields.Field(
        attribute="employer",
        column_name="工作单位",
        widget=LookupWidget(
            queryset=Enterprise.objects.all,
            lookups=("credit_code", "name"),
            render_field="name",
            noun=gettext_lazy("enterprise"),
        ),
    )
    talent_programme = fields.Field(
        attribute="talent_programme",
        column_name="人才计划",
        widget=ChoiceWidget(Member.TalentProgramme.choices, blank=True),
    )
    talent_origin = fields.Field(
        attribute="talent_origin",
        column_name="培育或引进",
        widget=ChoiceWidget(Member.TalentOrigin.choices, blank=True),
    )
    ranking_consent = fields.Field(
        attribute="ranking_consent", column_name="同意在排名中显示姓名", widget=YesNoWidget()
    )
    is_active = fields.Field(
        attribute="is_active", column_name="在册", widget=YesNoWidget(), default=True
    )

    class Meta:
        model = Member
        fields = (
            "number",
            "name",
            "gender",
            "mobile",
            "email",
            "id_number",
            "id_number_consent",
            "branch",
            "status",
            "joined_on",
            "employer",
            "talent_programme",
            "talent_origin",
            "ranking_consent",
            "is_active",
        )
        import_id_fields = ("number",)
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Only branches the importing user may manage can be named in the sheet.
        self.fields["branch"].widget.queryset = self.get_branches

    def get_branches(self):
        return Branch.objects.visible_to(self.user) if self.user else Branch.objects.all()

    def get_queryset(self):
        queryset = Member.objects.select_related("branch", "employer")
        return queryset.visible_to(self.user) if self.user else queryset

    # The ID number's consent and uniqueness and the talent pair are checked in import_instance
    # with clear messages and without the per-row queries full_clean spends on constraints
    # (the database still enforces every constraint on save).
    # Branch and employer were looked up by their widgets, so full_clean need not query them.
    checked_by_resource = frozenset({"id_number_digest", "branch", "employer"})
    validate_constraints = False

    def required_columns(self) -> list[str]:
        return ["编号", "姓名", "性别", "所在支部"]

    def get_instance(self, instance_loader, row):
        """Blank 编号: a new member. A number outside the importer's scope: an error."""
        number = self.fields["number"].clean(row) if "编号" in row else None
        if number is None:
            return None
        instance = super().get_instance(instance_loader, row)
        if instance is None:
            raise ValidationError(
                {
                    "编号": [
                        _(
                            "No member number %(number)s among the members you manage; leave "
                            "the cell empty to add a new member."
                        )
                        % {"number": number}
                    ]
                }
            )
        return instance

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.error_dict
        if "id_number" not in errors and instance.id_number_digest:
            if not instance.id_number_consent:
                errors["id_number"] = [
                    ValidationError(
                        _(
                            "An ID number may only be kept with the member's consent "
                            "(column 同意保存身份证号)."
                        )
                    )
                ]
            elif (
                Member.objects.filter(id_number_digest=instance.id_number_digest)
                .exclude(pk=instance.pk)
                .exists()
            ):
                errors["id_number"] = [
                    ValidationError(_("Another member already has this ID number."))
                ]
        if bool(instance.talent_programme) != bool(instance.talent_origin) and not (
            {"talent_programme", "talent_origin"} & errors.keys()
        ):
            errors["talent_origin"] = [
                ValidationError(
                    _(
                        "A talent programme needs to say whether the talent was cultivated "
                        "or recruited."
                    )
                )
            ]
        if errors:
            raise ValidationError(errors)

    def after_export(self, queryset, dataset, **kwargs):
        # A full export reveals everyone in it: record each member, as for a page reveal.
        if self.reveal and self.user is not None:
            PersonalDataReveal.objects.bulk_create(
                PersonalDataReveal(
                    member_id=pk, revealed_by=self.user, channel=PersonalDataReveal.Channel.EXPORT
                )
                for pk in queryset.values_list("pk", flat=True)
            )


RESOURCES: dict[str, type[SheetResource]] = {
    "enterprise": EnterpriseResource,
    "branch": BranchResource,
    "member": MemberResource,
}
