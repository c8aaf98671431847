"""The members' roll as sheets: enterprises, branches and members (import and export).

Sheet contract, chosen for the centre's staff who keep the roster in Excel today (the toolkit's
rules, `members.sheets`, plus these):
- Column headers are fixed Chinese names (the file format, whatever the interface language).
- Choices are written as their Chinese labels; imports accept the label (Chinese or English) or
  the internal code. Yes/no columns are 是/否.
- Mobiles and ID numbers are exported masked unless the exporting user may reveal them (each
  member in such an export is recorded as revealed). A masked cell that still matches the stored
  value imports as "unchanged"; any other masked cell is an error.
- A member's "编号" is the portal's number; leave it empty for a new member.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from members.actions import check_branch_enterprises
from members.masking import mask_id_number, mask_mobile
from members.models import (
    Branch,
    Enterprise,
    Member,
    PersonalDataReveal,
    User,
    pinyin_search_text,
)
from members.phones import normalize_mobile
from members.sheets.cells import (
    Column,
    Lookup,
    MaskedField,
    active_column,
    cell_text,
    choice_column,
    date_column,
    lookup_column,
    text_column,
    yes_no_column,
)
from members.sheets.files import SheetReport, import_rows, write_sheet
from members.sheets.resources import SheetResource
from members.validators import (
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
)


class CodeWidget(widgets.Widget):
    """A cell of one code (mobile, ID number, credit code): normalized and checked by `check`,
    whose ValidationError becomes the row's error. In a `masked` column a blank or masked cell
    passes as written: MaskedField judges it against the stored value."""

    masked = True

    def check(self, text: str) -> str:
        raise NotImplementedError

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if self.masked and (not text or "*" in text):
            return text
        try:
            return self.check(text)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc

    def render(self, value, obj=None, **kwargs):
        return value or ""


class MobileWidget(CodeWidget):
    def check(self, text: str) -> str:
        mobile = normalize_mobile(text)
        if not mobile:
            raise ValueError(
                _("“%(value)s” is not an 11-digit mainland mobile number.") % {"value": text}
            )
        return mobile


class IdNumberWidget(CodeWidget):
    def check(self, text: str) -> str:
        number = normalize_id_number(text)
        validate_id_number(number)
        return number


class CreditCodeWidget(CodeWidget):
    masked = False

    def check(self, text: str) -> str:
        code = normalize_credit_code(text)
        if not code:
            raise ValueError(_("This column must not be empty."))
        validate_credit_code(code)
        return code


# An enterprise is named by its credit code or, when unique, its name.
ENTERPRISES = Lookup(Enterprise.objects.all, ("credit_code", "name"), gettext_lazy("enterprise"))


class EnterpriseResource(SheetResource):
    name = text_column("name", "企业名称", example="德清示例地理信息科技有限公司")
    credit_code = Column(
        attribute="credit_code",
        column_name="统一社会信用代码",
        widget=CreditCodeWidget(),
        example="91330521MA0009001J",
    )
    industry = choice_column("industry", "行业", Enterprise.Industry.choices)
    signed_on = date_column("signed_on", "签约日期", example="2026-01-15")
    is_active = active_column("在册")

    class Meta:
        model = Enterprise
        fields = ("name", "credit_code", "industry", "signed_on", "is_active")
        import_id_fields = ("credit_code",)

    def required_columns(self) -> list[str]:
        return ["企业名称", "统一社会信用代码"]


class BranchResource(SheetResource):
    name = text_column("name", "支部名称", example="示例地理信息科技党支部")
    kind = choice_column("kind", "支部类型", Branch.Kind.choices)
    enterprises = lookup_column(
        "enterprises",
        "所属企业",
        ENTERPRISES,
        render_field="credit_code",
        many=True,
        example="91330521MA0009001J",
    )
    secretary = lookup_column(
        "secretary",
        "支部书记账号",
        Lookup(User.objects.all, ("email__iexact",), gettext_lazy("account")),
        render_field="email",
        example="shuji@example.cn",
    )

    class Meta:
        model = Branch
        fields = ("name", "kind", "enterprises", "secretary")
        import_id_fields = ("name",)

    def required_columns(self) -> list[str]:
        return ["支部名称", "支部类型"]

    def get_queryset(self):
        return Branch.objects.visible_to(self.user) if self.user else Branch.objects.all()

    def check_row(self, instance, row, errors) -> None:
        if "所属企业" not in row or {"enterprises", "kind"} & errors.keys():
            return
        enterprises = self.clean_column("enterprises", row, errors)
        if enterprises is None:
            return
        try:
            check_branch_enterprises(kind=instance.kind, enterprises=enterprises, branch=instance)
        except ValidationError as exc:
            self.add_error(errors, "enterprises", *exc.messages)


class MemberResource(SheetResource):
    # The example row is a new member (编号 blank) without an ID number, so its consent is 否.
    number = fields.Field(attribute="id", column_name="编号", widget=widgets.IntegerWidget())
    name = text_column("name", "姓名", example="王小明")
    gender = choice_column("gender", "性别", Member.Gender.choices)
    mobile = MaskedField(
        attribute="mobile",
        column_name="手机号",
        widget=MobileWidget(),
        mask=mask_mobile,
        example="13912345678",
    )
    email = text_column("email", "电子邮箱", example="wangxm@example.cn")
    id_number = MaskedField(
        attribute="id_number", column_name="身份证号", widget=IdNumberWidget(), mask=mask_id_number
    )
    id_number_consent = yes_no_column("id_number_consent", "同意保存身份证号", example="否")
    branch = lookup_column(
        "branch",
        "所在支部",
        Lookup(Branch.objects.all, ("name",), gettext_lazy("branch")),
        required=True,
        example="示例地理信息科技党支部",
    )
    status = choice_column("status", "党员身份", Member.Status.choices)
    joined_on = date_column("joined_on", "入党日期", example="2020-07-01")
    employer = lookup_column(
        "employer", "工作单位", ENTERPRISES, example="德清示例地理信息科技有限公司"
    )
    talent_programme = choice_column(
        "talent_programme", "人才计划", Member.TalentProgramme.choices, blank=True, example=""
    )
    talent_origin = choice_column(
        "talent_origin", "培育或引进", Member.TalentOrigin.choices, blank=True, example=""
    )
    ranking_consent = yes_no_column("ranking_consent", "同意在排名中显示姓名", example="否")
    is_active = active_column("在册")

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
            *Member.ROLL_FIELDS,
            "is_active",
        )
        import_id_fields = ("number",)
        # New members are inserted a thousand at a time (SheetResource: a refused batch is
        # replayed row by row to name the rows); the roll has no many-to-many column.
        use_bulk = True
        batch_size = 1000

    # A number outside the importer's scope is an error; a blank 编号 adds a member.
    unknown_number_message = gettext_lazy(
        "No member number %(number)s among the members you manage; leave "
        "the cell empty to add a new member."
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Only branches the importing user may manage can be named in the sheet.
        self.fields["branch"].widget.queryset = self.get_branches

    def get_branches(self):
        return Branch.objects.visible_to(self.user) if self.user else Branch.objects.all()

    def get_queryset(self):
        queryset = Member.objects.select_related("branch", "employer")
        return queryset.visible_to(self.user) if self.user else queryset

    # The ID number's consent and uniqueness and the talent pair are checked in check_row
    # with clear messages and without the per-row queries full_clean spends on constraints
    # (the database still enforces every constraint on save).
    # Branch and employer were looked up by their widgets, so full_clean need not query them.
    checked_by_resource = frozenset({"id_number_digest", "branch", "employer"})
    validate_constraints = False

    def required_columns(self) -> list[str]:
        return ["编号", "姓名", "性别", "所在支部"]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # Who holds each ID number, read once (a query per row cost a fifth of a large
        # sheet's check); each row of the sheet joins it as it is read, so a number given
        # twice is named at its second row, whether or not the first was saved yet.
        self.id_holders: dict[str, object] = dict(
            Member.objects.filter(id_number_digest__isnull=False).values_list(
                "id_number_digest", "pk"
            )
        )

    def before_save_instance(self, instance, row, **kwargs):
        # What Member.save derives, for the rows bulk_create inserts without calling it.
        instance.name_pinyin = pinyin_search_text(instance.name)
        super().before_save_instance(instance, row, **kwargs)

    def check_row(self, instance, row, errors) -> None:
        digest = instance.id_number_digest
        if "id_number" not in errors and digest:
            if not instance.id_number_consent:
                self.add_error(
                    errors,
                    "id_number",
                    _(
                        "An ID number may only be kept with the member's consent "
                        "(column 同意保存身份证号)."
                    ),
                )
            else:
                # A new member holds its number as the row it is until it is saved.
                this = instance.pk if instance.pk is not None else object()
                if self.id_holders.setdefault(digest, this) != this:
                    self.add_error(
                        errors, "id_number", _("Another member already has this ID number.")
                    )
        if bool(instance.talent_programme) != bool(instance.talent_origin) and not (
            {"talent_programme", "talent_origin"} & errors.keys()
        ):
            self.add_error(
                errors,
                "talent_origin",
                _(
                    "A talent programme needs to say whether the talent was cultivated "
                    "or recruited."
                ),
            )

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


def import_sheet(
    *, kind: str, content: bytes, file_name: str, by: User, dry_run: bool = True
) -> SheetReport:
    """Import enterprises, branches or members from a sheet: all rows or none.

    A dry run reports what would change. Any problem raises SheetRejected listing every
    problem with its row, column and reason, and nothing is saved.
    """
    resource_class = RESOURCES[kind]
    if not by.has_perm(f"members.import_{resource_class._meta.model._meta.model_name}"):
        raise PermissionDenied(_("You may not import this sheet."))
    return import_rows(
        resource=resource_class(user=by),
        content=content,
        file_name=file_name,
        by=by,
        dry_run=dry_run,
    )


def export_sheet(
    *, kind: str, by: User, file_format: str = "xlsx", queryset: QuerySet | None = None
) -> bytes:
    """The sheet of what `by` may see, masked unless `by` may reveal personal data."""
    resource_class = RESOURCES[kind]
    if not by.has_perm(f"members.export_{resource_class._meta.model._meta.model_name}"):
        raise PermissionDenied(_("You may not export this sheet."))
    resource = resource_class(user=by, reveal=by.has_perm("members.reveal_personal_data"))
    if queryset is None:
        queryset = resource.get_queryset()
    return write_sheet(resource=resource, queryset=queryset, file_format=file_format)
