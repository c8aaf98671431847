"""Text people type and others read: Unicode bidi control characters are removed, always.

A title pasted with U+202E (RIGHT-TO-LEFT OVERRIDE) is shown reversed wherever it appears -
the wish wall, the wish page, the admin, an export - and can make "gpj.exe" read as "exe.jpg".
The controls are U+202A-U+202E (embeddings, overrides and their end), U+2066-U+2069
(isolates) and the marks U+200E, U+200F and U+061C. None of them belongs in a Chinese or
English text of this portal, so they are stripped (not refused: titles pasted from chat apps
carry them invisibly, and a refusal would name a character nobody can see). A value that was
nothing but controls becomes empty, and a required field then says so as usual.

Where the rule sits, so no text can forget it: in the model fields. Every character and text
field of the portal's apps is one of the fields below (`CleanCharField` for `models.CharField`
and so on; tests/members/test_text_fields.py walks every model and fails on a plain one). A
model field is the one place every path goes through:

- `pre_save` cleans the value on the instance as it is saved: admin forms, the public forms,
  actions, django-import-export imports (they save instances) and the shell alike;
- `to_python`, which Django also calls to prepare every value for the database, cleans what
  `QuerySet.update()` and `bulk_update` write (no `pre_save` there), fixtures, and the
  values of look-ups, so a pasted name still finds the row it names;
- `formfield` gives ModelForms (and the admin's forms) the form fields below.

The form fields (`CleanCharFormField`, ...) strip the controls before their own cleaning, so a
title of only U+202E is empty and gets the form's "required" message instead of reaching the
model. Plain forms use them in place of `forms.CharField`; tests/members/test_text_fields.py
fails on a form of the portal that does not (password fields excepted: a password is never
shown and must stay exactly as typed).

A form-level rule alone (a base ModelForm, `formfield_callback`) was not chosen: imports,
actions and admin actions save without any form, and a new form could simply not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# U+061C ARABIC LETTER MARK, U+200E LEFT-TO-RIGHT MARK, U+200F RIGHT-TO-LEFT MARK,
# U+202A-U+202E embeddings, overrides and POP DIRECTIONAL FORMATTING,
# U+2066-U+2069 isolates and POP DIRECTIONAL ISOLATE.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_DROP_BIDI_CONTROLS = dict.fromkeys(map(ord, BIDI_CONTROLS))

T = TypeVar("T")


def clean_text(value: T) -> T:
    """Return `value` without bidi control characters; anything but a string is unchanged."""
    if isinstance(value, str):
        return cast(T, value.translate(_DROP_BIDI_CONTROLS))
    return value


# --- form fields -------------------------------------------------------------------------------


class StripsBidiControls:
    """Form field mixin: remove the controls before the field's own parsing and checks."""

    def to_python(self, value):
        return super().to_python(clean_text(value))


class CleanCharFormField(StripsBidiControls, forms.CharField):
    """`forms.CharField` for text people type (use it wherever a form takes text)."""


class CleanTextareaFormField(CleanCharFormField):
    """Text over several lines (a reason, notes, a report): a text area `rows` high. A required
    one says what to write when it is left empty (`required_message`)."""

    def __init__(
        self, *, rows: int = 3, required_message: StrOrPromise | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        if required_message is not None:
            kwargs["error_messages"] = {
                **kwargs.get("error_messages", {}),
                "required": required_message,
            }
        super().__init__(**kwargs)


class CleanEmailFormField(StripsBidiControls, forms.EmailField):
    pass


class CleanSlugFormField(StripsBidiControls, forms.SlugField):
    pass


# --- model fields ------------------------------------------------------------------------------


class BidiFreeField:
    """Model field mixin: the stored value never carries bidi control characters."""

    form_field_class: type[forms.Field] = CleanCharFormField

    def to_python(self, value):
        return clean_text(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        cleaned = clean_text(value)
        if cleaned != value:
            # The instance shows what was stored (messages, audit records, the next page).
            setattr(model_instance, self.attname, cleaned)
        return cleaned

    def formfield(self, **kwargs):
        # A form class given by the caller (a ModelForm's `field_classes`) is kept; with
        # `choices` Django uses a choice field and this class is not used at all.
        kwargs.setdefault("form_class", self.form_field_class)
        return super().formfield(**kwargs)


class CleanCharField(BidiFreeField, models.CharField):
    pass


class CleanTextField(BidiFreeField, models.TextField):
    pass


class CleanEmailField(BidiFreeField, models.EmailField):
    form_field_class = CleanEmailFormField


class CleanSlugField(BidiFreeField, models.SlugField):
    form_field_class = CleanSlugFormField
