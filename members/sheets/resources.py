"""The two resource bases every app's sheets.py extends: it declares columns and row rules only.

- `ExportResource`: every sheet the portal writes. Each cell is formula-safe (`escape_formula`);
  columns come in the order of Meta.fields (django-import-export's own rule: no `export_order`);
  a column declared with a name is headed by that name, a column listed in Meta.fields by its
  model field's verbose name (translated), never by an internal path such as member__name. So
  a column is declared only where it needs a name of its own or its own way to a value. A
  choices column is written as its label in the reader's language, never as its code.
- `SheetResource`: a sheet staff also import. Every row or none is saved (a transaction rolled
  back on any error, in the admin's preview, its confirmation and `files.import_rows` alike);
  the header row must match the template; each row's errors are collected, all of them at once,
  keyed by the sheet's column (the Chinese header) so staff read "row 3, column 性别: ...".
  A resource adds its own rules in `check_row`; rows identified by the portal's number
  (`unknown_number_message`) add a row when the number cell is blank.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from import_export import resources
from import_export.results import RowResult

from members import figures_version, page_cache
from members.models import User
from members.sheets.cells import ChoiceLabelField, MaskedField, cell_text, escape_formula

Errors = dict[str, list[ValidationError]]


class ExportResource(resources.ModelResource):
    """Formula-safe cells and headers a person reads (see the module docstring)."""

    # Export-only sheets write a choices column (status, kind) as its label: "已领取", not
    # "used". An import base turns this off: its choice columns read labels back through
    # their own widget (`ChoiceWidget`), declared with the column.
    choice_labels: ClassVar[bool] = True

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        if cls.choice_labels and django_field.choices:
            return ChoiceLabelField(attribute=field_name, column_name=field_name, readonly=True)
        return super().field_from_django_field(field_name, django_field, readonly)

    def get_export_headers(self, selected_fields=None) -> list[str]:
        headers = []
        for field in self.get_export_fields(selected_fields):
            # A column declared with a name (often a lazy translation) keeps it; one named
            # after its attribute (listed in Meta.fields) takes the model field's verbose name.
            if isinstance(field.column_name, Promise) or field.column_name != field.attribute:
                headers.append(str(field.column_name))
                continue
            name = (field.attribute or "").split("__")[0]
            try:
                headers.append(str(self._meta.model._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:
                headers.append(str(field.column_name))
        return headers

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class _NoDiff:
    """No per-row diff, for imports that report only counts and problems (`row_diffs` off):
    reading every field of every row twice for it cost a third of a 10,000-row import.
    Unchanged rows are still found: `skip_row` compares the row with its copy itself."""

    def __init__(self, *args: Any) -> None:
        pass

    def compare_with(self, *args: Any) -> None:
        pass

    def as_html(self) -> list[str]:
        return []


class SheetResource(ExportResource):
    """Imports: user scope, header check, row rules, errors by column, every row or none."""

    choice_labels = False

    class Meta:
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    # Model fields whose checks the resource already made itself (not repeated by full_clean).
    checked_by_resource: frozenset[str] = frozenset()
    validate_constraints = True
    # Rows identified by the portal's number (the single import id field): the message, with
    # %(number)s, for a number not among the rows the importer may change. A blank number
    # cell adds a row; an unknown number is an error, never a new row under that number.
    unknown_number_message: Any = None
    # The admin's preview page shows each row as it will be saved (import-export's diff);
    # `import_rows` (code, the background sheet jobs) reports counts only and turns it off.
    row_diffs = True

    def __init__(self, *, user: User | None = None, reveal: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.reveal = reveal
        for field in self.fields.values():
            if isinstance(field, MaskedField):
                field.reveal = reveal

    def import_data(self, dataset, **kwargs):
        # Every row or none, whoever calls: any row's error rolls the whole import back.
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        # With Meta.use_bulk: the row result of each new instance waiting for its batch insert.
        self._waiting: dict[int, RowResult] = {}
        self._queued: Any = None
        return super().import_data(dataset, **kwargs)

    # Meta.use_bulk (resources without many-to-many columns): new rows are inserted a batch
    # at a time, one INSERT instead of a SAVEPOINT, INSERT and RELEASE a row; only when the
    # database refuses a batch are its rows inserted again one by one, each in its own
    # savepoint, so every refused row is named (with its reason) as without batches. A changed
    # row is saved at once, in its own savepoint: bulk_update could not say which row failed.

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._meta.use_bulk:
            return super().save_instance(instance, is_create, row, **kwargs)
        if is_create:
            self._queued = instance  # import_row files it with its row's result
            return super().save_instance(instance, is_create, row, **kwargs)
        self.before_save_instance(instance, row, **kwargs)
        with transaction.atomic():
            self.do_instance_save(instance, is_create)
        self.after_save_instance(instance, row, **kwargs)
        return None

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances = list(self.create_instances)
        self.create_instances.clear()
        if not instances:
            return
        model = self._meta.model
        try:
            with transaction.atomic():
                model.objects.bulk_create(instances, batch_size=batch_size)
        except Exception:  # any refusal (a constraint, a bad value): find the rows it was
            self._insert_one_by_one(instances)
        else:
            if not dry_run:
                # bulk_create sends no post_save: move the cached pages' versions as a save would.
                figures_version.bump_if_counted(model)
                page_cache.bump_if_public(model)
        finally:
            for instance in instances:
                self._waiting.pop(id(instance), None)

    def _insert_one_by_one(self, instances: list) -> None:
        for instance in instances:
            try:
                with transaction.atomic():
                    instance.save(force_insert=True)
            except Exception as exc:  # the row's error, as import-export records one
                row_result = self._waiting[id(instance)]
                row_result.import_type = RowResult.IMPORT_TYPE_ERROR
                row_result.errors.append(self.get_error_result_class()(exc))

    def required_columns(self) -> list[str]:
        return []

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

    def get_diff_class(self):
        return super().get_diff_class() if self.row_diffs else _NoDiff

    def import_row(self, row, instance_loader, **kwargs):
        # Excel often keeps formatted but empty rows below the data: skip them quietly
        # (row numbers in messages stay those of the sheet).
        if all(cell_text(value) == "" for value in row.values()):
            row_result = self.get_row_result_class()()
            row_result.import_type = row_result.IMPORT_TYPE_SKIP
            return row_result
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self._queued is not None:
            self._waiting[id(self._queued)] = row_result
            self._queued = None
        return row_result

    def get_instance(self, instance_loader, row):
        if self.unknown_number_message is None:
            # Rows matched by look-up columns (a service by its category's name, a project by
            # its branch's): a name that finds nothing is said with its column, like any other
            # cell, not as a row that "could not be saved".
            errors = {}
            for name in self.get_import_id_fields():
                field = self.fields[name]
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors[str(field.column_name)] = [str(exc)]
            if errors:
                raise ValidationError(errors)
            return super().get_instance(instance_loader, row)
        (name,) = self.get_import_id_fields()
        field = self.fields[name]
        number = field.clean(row) if field.column_name in row else None
        if number is None:
            return None
        instance = super().get_instance(instance_loader, row)
        if instance is None:
            raise ValidationError(
                {str(field.column_name): [self.unknown_number_message % {"number": number}]}
            )
        return instance

    def import_instance(self, instance, row, **kwargs):
        """Fill the instance from the row, then apply the resource's rules; raise every error."""
        errors: Errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        self.check_row(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors: Errors) -> None:
        """The resource's own rules for a filled row: add to `errors`, keyed by field attribute."""

    @staticmethod
    def add_error(errors: Errors, attribute: str, *messages: str, code: str | None = None) -> None:
        errors.setdefault(attribute, []).extend(ValidationError(m, code=code) for m in messages)

    def clean_column(self, name: str, row, errors: Errors) -> Any:
        """The cleaned cell of the field `name`; None with its reason in `errors` if it is bad.

        For a column import_instance does not fill (many-to-many, read-only): checked with the
        other cells, so its column is named rather than a bare "row cannot be saved".
        """
        field = self.fields[name]
        try:
            return field.clean(row)
        except ValueError as exc:
            self.add_error(errors, field.attribute, str(exc), code="invalid")
            return None

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
