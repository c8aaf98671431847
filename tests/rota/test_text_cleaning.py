"""Bidi control characters in the rota's texts are never stored or shown (members/text.py).

Given text with U+202E (which shows it reversed) in a swap reason, a duty report or an
imported Excel cell, when it goes through the real pages and the admin's import, then the rows
and the pages that show them are clean, and a pasted name still finds its organisation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from deqing_hub import roles
from members.text import BIDI_CONTROLS
from rota.models import DutyReport, Organisation, SwapRequest
from tests.conftest import make_user
from tests.rota.conftest import make_org, make_week
from tests.rota.test_organisation_sheet import HEADERS, confirm, upload, xlsx_bytes

RLO, PDF, RLI, PDI, LRM = "\u202e", "\u202c", "\u2067", "\u2069", "\u200e"


@pytest.fixture
def centre_staff(db):
    roles.setup_roles()
    user = make_user(email="centre@example.cn", phone="13500000501", staff=True)
    user.groups.add(roles.group_of(roles.CENTRE_STAFF))
    return user


@pytest.fixture
def weeks(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    a, b = make_org("晨曦社工"), make_org("团县委")
    return make_week(a, dt.date(2026, 3, 16)), make_week(b, dt.date(2026, 3, 23))


def test_a_swap_reason_is_stored_and_shown_clean(client, weeks):
    mine, theirs = weeks
    contact = mine.organisation.duty_contact
    client.force_login(contact)
    response = client.post(
        reverse("rota:swap_new", args=[mine.pk]),
        {"to_week": theirs.pk, "reason": f"单位{RLO}会年{PDF}"},
    )
    assert response.status_code == 302
    assert SwapRequest.objects.get().reason == "单位会年"
    # The other organisation's contact reads it on its rota page
    client.force_login(theirs.organisation.duty_contact)
    page = client.get(reverse("rota:my_rota")).content.decode()
    assert "单位会年" in page and not BIDI_CONTROLS.intersection(page)


def test_a_duty_report_is_stored_clean_and_one_of_only_controls_is_refused(
    client, weeks, time_machine
):
    week = weeks[0]
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0))
    client.force_login(week.organisation.backup_contact)
    url = reverse("rota:report_new", args=[week.pk])
    figures = {"services_delivered": 3, "participants": 40}
    empty = client.post(url, {"summary": f"{RLI}{PDI}{LRM}", **figures})
    assert empty.status_code == 200 and not DutyReport.objects.exists()
    assert empty.context["form"].errors.as_data()["summary"][0].code == "required"
    client.post(url, {"summary": f"{RLI}青年联谊会一场{PDI}，政策咨询{LRM} 12 人次", **figures})
    assert DutyReport.objects.get(duty_week=week).summary == "青年联谊会一场，政策咨询 12 人次"


def test_an_excel_import_stores_cells_clean_and_a_pasted_name_finds_its_row(client, centre_staff):
    # Given an organisation, and a sheet whose cells carry overrides and marks
    existing = make_org("晨曦社工", short_name="晨曦")
    client.force_login(centre_staff)
    sheet = xlsx_bytes(
        HEADERS,
        [
            [f"{LRM}晨曦社工{LRM}", f"{RLO}站工社{PDF}", "社会组织", "", "", "是", None],
            [f"{RLI}县运管局{PDI}", f"运管{RLO}局", "bureau", "", "", "是", "2016-10-08"],
        ],
    )
    # When staff import it after the preview
    preview = upload(client, sheet)
    assert preview.status_code == 200
    assert not BIDI_CONTROLS.intersection(preview.content.decode())
    assert confirm(client, preview).status_code == 302
    # Then the pasted name updated the organisation it names, and every cell is clean
    existing.refresh_from_db()
    assert existing.short_name == "站工社"
    assert Organisation.objects.count() == 2
    added = Organisation.objects.exclude(pk=existing.pk).get()
    assert (added.name, added.short_name) == ("县运管局", "运管局")
    changelist = client.get(reverse("admin:rota_organisation_changelist")).content.decode()
    assert "县运管局" in changelist and not BIDI_CONTROLS.intersection(changelist)
