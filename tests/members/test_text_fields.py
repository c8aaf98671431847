"""One rule for text people type: bidi control characters never reach the database.

The walkers below fail when a model field, a form of the portal or an admin form takes text
without the portal's clean fields (members/text.py), so a new field cannot forget the rule.
Each app's tests post such text through its real pages (test_text_cleaning.py in each folder).
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from deqing_hub.roles import PORTAL_APPS
from members.models import Branch
from members.text import BIDI_CONTROLS, BidiFreeField, StripsBidiControls, clean_text
from tests.conftest import make_user

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "abc" + RLO + "gpj.exe" reads "abcexe.jpg"

# Never shown to anyone and must stay exactly as it is: a password hash.
NOT_TEXT = {"members.User.password"}


def test_clean_text_removes_every_bidi_control_and_nothing_else():
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert set(controls) == BIDI_CONTROLS
    # Chinese, Arabic letters, an emoji joined by U+200D and a no-break space stay as they are.
    kept = "心愿：通勤班车 مرحبا 👩\u200d👧 a\u00a0b"
    assert clean_text(controls[:6] + kept + controls[6:]) == kept
    assert clean_text(f"发票{RLO}gpj.exe") == "发票gpj.exe"
    assert clean_text(None) is None and clean_text(42) == 42


# --- nothing can forget it ----------------------------------------------------------------------


def portal_text_fields():
    for app in PORTAL_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.CharField | models.TextField):
                    yield f"{model._meta.label}.{field.name}", field


def test_every_text_field_of_every_portal_model_strips_bidi_controls():
    fields = dict(portal_text_fields())
    assert "wishes.Wish.title" in fields and "members.User.first_name" in fields  # it walks
    plain = sorted(
        label
        for label, field in fields.items()
        if not isinstance(field, BidiFreeField) and label not in NOT_TEXT
    )
    assert plain == [], "use members.text.CleanCharField / CleanTextField / ... for these"


def portal_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in the portal's apps (their modules imported first)."""
    for app in PORTAL_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in PORTAL_APPS:
                found.add(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def plain_text_inputs(form_fields: dict[str, forms.Field]) -> list[str]:
    return [
        name
        for name, field in form_fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field, StripsBidiControls)
        # A password is checked, never shown, and must be exactly what was typed.
        and not isinstance(field.widget, forms.PasswordInput)
    ]


def test_every_text_input_of_every_portal_form_strips_bidi_controls():
    form_classes = portal_form_classes()
    names = {cls.__name__ for cls in form_classes}
    assert {"WishForm", "DutyReportForm", "RequestForm", "AdjustmentForm"} <= names  # it walks
    plain = {
        f"{cls.__module__}.{cls.__qualname__}": fields
        for cls in form_classes
        if (fields := plain_text_inputs(cls.base_fields))
    }
    assert plain == {}, "use members.text.CleanCharFormField for these"


def test_every_admin_form_and_inline_strips_bidi_controls(db):
    # The admin builds its forms per request (fields, widgets, inlines), so they are asked
    # for as a superuser sees them: the widest form of every registered model.
    request = RequestFactory().get("/admin/")
    request.user = make_user(email="root@example.cn", staff=True, is_superuser=True)
    plain = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        label = model._meta.label
        if model_admin.has_add_permission(request):
            form = model_admin.get_form(request, obj=None)
            if fields := plain_text_inputs(form.base_fields):
                plain[label] = fields
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            if fields := plain_text_inputs(formset.form.base_fields):
                plain[f"{label} inline {inline.model._meta.label}"] = fields
    assert plain == {}


# --- every path to the database -----------------------------------------------------------------


@pytest.mark.django_db
def test_save_update_and_look_ups_all_strip_them():
    # Saved: the row and the instance in memory are both clean
    branch = Branch.objects.create(name=f"测试{RLO}党支部", kind=Branch.Kind.CENTRE)
    assert branch.name == "测试党支部"
    branch.refresh_from_db()
    assert branch.name == "测试党支部"
    # QuerySet.update() sends no pre_save: the value is cleaned as it is prepared for SQL
    Branch.objects.filter(pk=branch.pk).update(name=f"\u2067新名称\u2069{RLO}")
    branch.refresh_from_db()
    assert branch.name == "新名称"
    # A pasted name with a mark still finds the row it names
    assert Branch.objects.get(name="新名称\u200f") == branch


@pytest.mark.django_db
def test_a_model_form_gets_the_clean_form_field_and_its_required_message():
    class BranchForm(forms.ModelForm):
        class Meta:
            model = Branch
            fields = ("name", "kind")

    assert isinstance(BranchForm.base_fields["name"], StripsBidiControls)
    form = BranchForm(data={"name": f"{RLO}\u200e ", "kind": Branch.Kind.CENTRE})
    assert not form.is_valid()
    assert form.errors.as_data()["name"][0].code == "required"
