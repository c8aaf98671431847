"""Accounts are named by one masked label in the admin: name and masked contact, never an
e-mail address or mobile in clear (autocomplete, lists, read-only fields); and list filters on
scoped lists offer only the rows in the user's scope."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from members.masking import account_label, mask_name
from members.models import Branch, Member
from rota.models import DutyReport
from tests.conftest import make_user

User = get_user_model()

# Every field that points at an account and is picked through an autocomplete; the test below
# also finds any field added later.
EXPECTED_ACCOUNT_FIELDS = {
    ("members", "branch", "secretary"),
    ("members", "member", "user"),
    ("rota", "organisation", "duty_contact"),
    ("rota", "organisation", "backup_contact"),
    ("points", "exchangepoint", "operators"),
    ("services", "servicerequest", "requester"),
}


def account_autocomplete_fields() -> set[tuple[str, str, str]]:
    found = set()
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            field = model._meta.get_field(name)
            if field.related_model is User:
                found.add((model._meta.app_label, model._meta.model_name, name))
    return found


def assert_no_contact_in_clear(page: str, viewer) -> None:
    """No other account's e-mail or mobile in clear (the admin's header greets the viewer by
    their own login name)."""
    others = User.objects.exclude(pk=viewer.pk)
    values = [*others.exclude(email="").values_list("email", flat=True)]
    values += [*others.exclude(phone=None).values_list("phone", flat=True)]
    assert values and [value for value in values if value in page] == []


@pytest.fixture
def named(world):
    """A named account with a mobile, and a nameless one with an e-mail address only."""
    secretary = world["users"]["branch_secretary"]
    secretary.last_name, secretary.first_name = "王", "芳"
    secretary.save(update_fields=["last_name", "first_name"])
    nameless = make_user(email="sunli@example.cn")
    return {"secretary": secretary, "nameless": nameless}


def test_the_label_is_the_name_and_the_masked_contact(named):
    secretary, nameless = named["secretary"], named["nameless"]
    assert account_label(secretary) == f"王芳（{secretary.phone[:3]}****{secretary.phone[-4:]}）"
    assert account_label(nameless) == "s***@example.cn"
    assert account_label(None) == "—"
    # str() (dropdowns, the admin log, public pages): the name, else the masked contact.
    assert (str(secretary), str(nameless)) == ("王芳", "s***@example.cn")


def test_one_rule_masks_names():
    names = ["王小明", "王明", "明", "欧阳小明", "", "sunli@example.cn", "13698765432"]
    assert [mask_name(n) for n in names] == [
        "王*明",
        "王*",
        "*",
        "欧**明",
        "",
        "s***@example.cn",
        "136****5432",
    ]


def test_every_account_autocomplete_returns_masked_labels(client, world, named):
    fields = account_autocomplete_fields()
    assert fields >= EXPECTED_ACCOUNT_FIELDS
    viewer = world["users"]["centre_staff"]
    client.force_login(viewer)
    for app_label, model_name, field_name in sorted(fields):
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": app_label, "model_name": model_name, "field_name": field_name},
        )
        assert response.status_code == 200, (model_name, field_name)
        results = response.json()["results"]
        texts = {result["text"] for result in results}
        assert account_label(named["secretary"]) in texts, (model_name, field_name)
        assert "s***@example.cn" in texts
        assert_no_contact_in_clear(response.content.decode(), viewer)


@pytest.mark.parametrize(
    "url",
    [
        "admin:members_branch_changelist",
        "admin:rota_organisation_changelist",
        "admin:points_exchangepoint_changelist",
        "admin:members_user_changelist",
    ],
)
def test_account_columns_show_no_contact_in_clear(client, world, named, url):
    world["organisation"]["own"].backup_contact = named["nameless"]
    world["organisation"]["own"].save(update_fields=["backup_contact"])
    viewer = world["users"]["centre_staff"]
    client.force_login(viewer)
    page = client.get(reverse(url)).content.decode()
    assert_no_contact_in_clear(page, viewer)
    if url == "admin:members_branch_changelist":
        assert account_label(named["secretary"]) in page
    if url == "admin:rota_organisation_changelist":
        assert "s***@example.cn" in page


def test_an_operator_does_not_read_a_fellow_operators_address(client, world):
    fellow = make_user(email="fellow.operator@example.cn", staff=True)
    point = world["point"]["own"]
    point.operators.add(fellow)
    viewer = world["users"]["operator"]
    client.force_login(viewer)
    response = client.get(reverse("admin:points_exchangepoint_change", args=[point.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "fellow.operator@example.cn" not in page
    assert "f***@example.cn" in page  # the fellow is on the page, masked
    assert_no_contact_in_clear(page, viewer)


def test_the_duty_report_shows_its_filer_masked(client, world, named):
    report = DutyReport.objects.create(
        duty_week=world["dutyweek"]["own"],
        summary="接待群众咨询。",
        services_delivered=3,
        participants=2,
        filed_by=named["nameless"],
    )
    viewer = world["users"]["centre_staff"]
    client.force_login(viewer)
    page = client.get(reverse("admin:rota_dutyreport_change", args=[report.pk])).content.decode()
    assert "s***@example.cn" in page
    assert_no_contact_in_clear(page, viewer)


def test_disabling_a_protected_account_names_it_masked(client, world):
    client.force_login(world["users"]["centre_staff"])
    auditor = world["users"]["auditor"]
    response = client.post(
        reverse("admin:members_user_changelist"),
        {"action": "disable_accounts", "_selected_action": [auditor.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(f"{auditor.phone[:3]}****{auditor.phone[-4:]}" in m for m in messages), messages
    assert not any(auditor.email in m or auditor.phone in m for m in messages)


def filter_choices(response, field_path: str) -> set[str]:
    (spec,) = [s for s in response.context["cl"].filter_specs if s.field_path == field_path]
    return {str(label) for _pk, label in spec.lookup_choices}


def test_a_secretary_is_offered_only_their_own_branches_as_a_filter(client, world):
    secretary = world["users"]["branch_secretary"]
    second = Branch.objects.create(name="地信联合党支部", kind="joint", secretary=secretary)
    Member.objects.create(name="赵敏", gender="f", branch=second)
    client.force_login(secretary)
    response = client.get(reverse("admin:members_member_changelist"))
    assert filter_choices(response, "branch") == {"中测新图党支部", "地信联合党支部"}
    # (The other branch's name is also the label of the "centre" branch kind, so look for its
    # link rather than its name.)
    other = world["branch"]["other"]
    assert f"branch__id__exact={other.pk}" not in response.content.decode()
    client.force_login(world["users"]["centre_staff"])
    response = client.get(reverse("admin:members_member_changelist"))
    assert filter_choices(response, "branch") == {
        "中测新图党支部",
        "地信联合党支部",
        "党群服务中心党支部",
    }
