"""The ranking's admin pages: formulas, monthly totals, snapshots, attendance; fixed queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deqing_hub import ranking
from deqing_hub.models import MemberMonthTotal, RankingSnapshot
from members.models import Branch
from tests.ranking.conftest import at, award, make_member

OCTOBER = dt.date(2026, 10, 1)
CHANGELISTS = [
    "admin:deqing_hub_scoreformula_changelist",
    "admin:deqing_hub_membermonthtotal_changelist",
    "admin:deqing_hub_rankingsnapshot_changelist",
    "admin:rota_meetingattendance_changelist",
]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_query_count_is_fixed(client, staff, town, name):
    client.force_login(staff)
    ranking.close_month(month=dt.date(2026, 9, 1))
    ranking.refresh_member_totals(month=OCTOBER)
    url = reverse(name)
    # The first request after a login writes the session; later ones within a minute do not
    # (deqing_hub.sessions), so both counts are taken after it.
    client.get(url)
    small = _queries(client, url)

    branch = Branch.objects.create(name="大支部", kind=Branch.Kind.STANDALONE)
    for i in range(25):
        award(make_member(f"党员{i}", branch, consent=False), 2, at(4))
    ranking.refresh_member_totals(month=OCTOBER)
    ranking.close_month(month=OCTOBER)
    assert _queries(client, url) == small


def test_snapshot_admin_is_read_only_and_shows_the_hash_check(client, staff, town):
    snapshot, _ = ranking.close_month(month=OCTOBER)
    client.force_login(staff)

    html = client.get(reverse("admin:deqing_hub_rankingsnapshot_changelist")).content.decode()
    assert snapshot.content_hash in html
    assert "icon-yes" in html  # hash matches
    change = reverse("admin:deqing_hub_rankingsnapshot_change", args=[snapshot.pk])
    client.post(change, {"content_hash": "0" * 64})
    assert RankingSnapshot.objects.get().content_hash == snapshot.content_hash
    delete = reverse("admin:deqing_hub_rankingsnapshot_delete", args=[snapshot.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_refresh_action_recomputes_open_months_only(client, staff, town):
    ranking.refresh_member_totals(month=OCTOBER)
    wang = town["members"]["wang"]
    award(wang, 6, at(30))
    client.force_login(staff)

    response = client.post(
        reverse("admin:deqing_hub_membermonthtotal_changelist"),
        {
            "action": "refresh_selected_months",
            "_selected_action": list(MemberMonthTotal.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 302
    assert MemberMonthTotal.objects.get(member=wang, month=OCTOBER).points == 21


def test_non_staff_cannot_reach_the_ranking_admin(client, member_user):
    client.force_login(member_user)
    response = client.get(reverse("admin:deqing_hub_scoreformula_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
