"""`loadscale` at a hundredth of the county: valid rows in every state, pages that render."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from deqing_hub import scale
from deqing_hub.models import MemberMonthTotal, RankingSnapshot
from members.models import Branch, Member, User
from points.models import Account, Entry, Voucher
from points.reconciliation import find_differences
from rota.models import DutyWeek, Organisation
from services.models import Activity, Attendance, SignUp
from wishes.models import Claim, Wish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def loaded(postgres):
    out = io.StringIO()
    call_command("loadscale", scale=0.01, stdout=out)
    yield out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {scale.META_TABLE}")


def test_counts_states_and_books(loaded):
    assert f"loadscale {scale.VERSION} (scale 0.01)" in loaded
    assert Member.objects.count() == 100
    assert Branch.objects.count() == 3  # the floor: 2 at a hundredth would be too few to rank
    assert Organisation.objects.count() == 6
    assert Activity.objects.count() == 50
    assert 900 <= SignUp.objects.count() <= 1100
    assert Attendance.objects.exists()
    # About 10,000 entries over twelve months, most earned, some spent on vouchers.
    assert 9_500 <= Entry.objects.count() <= 10_500
    assert set(Entry.objects.values_list("kind", flat=True)) >= {"earn", "redeem"}
    assert Voucher.objects.filter(status="used").exists()
    assert Wish.objects.count() == 500
    assert set(Wish.objects.values_list("status", flat=True)) == set(Wish.Status.values)
    # Every wish an organisation is working on or granted has its live claim.
    working = Wish.objects.filter(status__in=["claimed", "in_progress", "fulfilled", "confirmed"])
    assert Claim.objects.active().filter(wish__in=working).count() == working.count()
    # Two years of duty weeks, one behind and one ahead.
    assert DutyWeek.objects.count() == 104
    # The eleven finished months were published by the ranking's own close_month.
    assert RankingSnapshot.objects.count() == 11
    assert all(s.hash_matches() for s in RankingSnapshot.objects.all())
    assert MemberMonthTotal.objects.exists()
    # Cached balances and stock equal their histories (the nightly check finds nothing).
    counts, differences = find_differences()
    assert differences == []
    assert counts["accounts"] == Account.objects.count()
    assert scale.loaded_version() == (scale.VERSION, 0.01)


def test_the_same_seed_gives_the_same_rows(loaded):
    first = list(Entry.objects.order_by("pk").values_list("account_id", "amount", "source")[:500])
    call_command("loadscale", scale=0.01, force=True, stdout=io.StringIO())
    again = list(Entry.objects.order_by("pk").values_list("account_id", "amount", "source")[:500])
    assert again == first


def test_a_database_with_data_is_refused_without_force(loaded):
    with pytest.raises(CommandError, match="--force"):
        call_command("loadscale", scale=0.01, stdout=io.StringIO())


PAGES = [
    "/",
    "/ranking/",
    "/ranking/?format=json",
    "/wishes/",
    "/wishes/?page=2",
    "/services/",
    "/activities/",
    "/rota/",
    "/covenant/",
    "/projects/",
]


def test_key_pages_render_on_the_result(loaded, client):
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    year = RankingSnapshot.objects.latest("month").month.year
    assert client.get(f"/ranking/{year}/").status_code == 200

    member_user, _name = scale.busiest_member_user()
    client.force_login(User.objects.get(pk=member_user))
    for path in ["/me/", "/points/"]:
        assert client.get(path).status_code == 200, path

    client.force_login(User.objects.get(username=scale.STAFF_USERNAME))
    for path in ["/admin/", "/admin/members/member/"]:
        assert client.get(path).status_code == 200, path
