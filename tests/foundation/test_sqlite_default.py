"""`make run` with nothing configured uses a SQLite file (README, "Two commands"); the suite
itself runs on PostgreSQL. The ranking reads its snapshots with PostgreSQL's JSON path queries
and an MD5 of the stored summary, so a newcomer's `make run` once answered /ranking/ with a
500 ("unrecognized token"). This runs the demo on a real SQLite file in another process and
asks for every ranking page, a closed month's included, the portal's other front doors and the
staff's workspace and lists, and compares the wish wall's cards read as rows (their claims as
SQLite JSON) with the cards its wishes draw."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PAGES_AND_READS = """
import json
from django.test import Client
from deqing_hub import ranking
from deqing_hub.ranking import reading
from members.periods import current_month, previous_month

last = previous_month(current_month())
ranking.close_month(month=last)
client = Client()
paths = [
    "/", "/ranking/", "/ranking/?all=1", "/ranking/?format=json",
    f"/ranking/{last:%Y}/", f"/ranking/{last:%Y/%m}/", "/wishes/", "/services/",
    "/activities/", "/rota/", "/covenant/", "/projects/",
]
statuses = {path: client.get(path, HTTP_HOST="127.0.0.1").status_code for path in paths}
# The staff's doors, as `make run`'s local staff account (a superuser) opens them.
from members.models import User
client.force_login(User.objects.create_superuser(email="admin@localhost.cn", password="x" * 20))
for path in ["/admin/", "/admin/members/member/", "/admin/wishes/wish/", "/ranking/"]:
    statuses["staff " + path] = client.get(path, HTTP_HOST="127.0.0.1").status_code
# The wall's cards read as rows, the claims as JSON in the row (SQLite's json_group_array):
# the cards the wishes themselves draw (PostgreSQL's json_agg: tests/wishes/test_wall_view.py).
from wishes import cards, views
rows = cards.wall_cards(cards.wall_rows())
wall = [rows == [cards.card_of(w) for w in views.card_queryset().public()],
        sum(1 for card in rows if card.claimed_by)]
month = reading.month_payload(last, volunteers=1, organisations=2)
first = month.payload["volunteers"][0]["member_id"]
print(json.dumps({
    "statuses": statuses,
    "wall": wall,
    "cut": [len(month.payload["volunteers"]), len(month.payload["organisations"]),
            month.payload["organisation_count"]],
    "own_place": reading.own_place_in(last, first),
    "stamp": list(reading.published_stamp(last)),
    "trend_months": ranking.organisation_trend(last)["months"],
    "last": f"{last:%Y-%m}",
}))
"""


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_demo_on_sqlite_serves_the_ranking_and_the_front_doors(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        {
            "DJANGO_TESTING": "true",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")
    found = json.loads(_manage(env, "shell", "-c", PAGES_AND_READS).strip().splitlines()[-1])

    assert found["statuses"] == dict.fromkeys(found["statuses"], 200)
    assert found["wall"][0] and found["wall"][1] > 0, found["wall"]
    # The closed month's payload cut as PostgreSQL cuts it: one volunteer, two organisations,
    # and how many organisations there are in all.
    volunteers, organisations, organisation_count = found["cut"]
    assert (volunteers, organisations) == (1, 2)
    assert organisation_count >= organisations
    assert found["own_place"]["rank"] == 1
    fingerprint, content_hash, _published_at = found["stamp"]
    assert len(fingerprint) == 32 and len(content_hash) == 64
    assert found["trend_months"][-1] == found["last"]
