"""Wish-wall benchmark: the wall at scale, and the cost of making a photo safe.

1. Wall: the first page, a filtered page and a deep page of /wishes/ with BENCH_WISHES_COUNT
   public wishes (default 20,000, each with one claim). Reference: the same first page with 12
   wishes in the database. A ratio near 1 means the page does not slow down as the wall grows.
2. Photos: cleaning (decode, turn upright, re-encode, thumbnail) a 12-megapixel JPEG.
   Reference: Pillow only decoding the same file (the least work that reads every pixel).

Results are printed as absolute figures and as ratios to the references of the same run.
Run: make bench (PostgreSQL through DATABASE_URL) or python -m benchmarks wishes.
"""

from __future__ import annotations

import io
import os
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _fixtures():
    from django.contrib.auth import get_user_model

    from rota.models import Organisation
    from services.models import Category

    category = Category.objects.order_by("pk").first() or Category.objects.create(
        code="bench", name="bench"
    )
    user = get_user_model().objects.create_user(email="bench-wisher@example.cn")
    organisation = Organisation.objects.create(name="bench-organisation", kind="social")
    return category, user, organisation


def _add_wishes(count: int, category, user, organisation, start: int) -> None:
    from django.utils import timezone

    from wishes.models import Claim, Wish

    statuses = [Wish.Status.PUBLISHED, Wish.Status.CLAIMED, Wish.Status.IN_PROGRESS]
    now = timezone.now()
    batch = 2000
    for offset in range(0, count, batch):
        wishes = Wish.objects.bulk_create(
            [
                Wish(
                    title=f"bench wish {start + n}",
                    text="bench " * 20,
                    category=category,
                    wisher=user,
                    status=statuses[n % 3],
                    published_at=now,
                )
                for n in range(offset, min(offset + batch, count))
            ]
        )
        Claim.objects.bulk_create(
            [
                Claim(wish=w, organisation=organisation, promised_on=now.date(), claimed_by=user)
                for w in wishes
                if w.status != Wish.Status.PUBLISHED
            ]
        )


def _timed_get(client: Client, url: str, rounds: int = 15) -> tuple[float, int]:
    client.get(url)  # warm caches and templates
    times = []
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    query_count = len(captured)  # now: later requests clear Django's query log
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), query_count


def _bench_wall() -> None:
    from wishes.models import Wish

    count = _env_int("BENCH_WISHES_COUNT", 20_000)
    category, user, organisation = _fixtures()
    client = Client()
    _add_wishes(12, category, user, organisation, start=0)
    reference, ref_queries = _timed_get(client, "/wishes/")
    _add_wishes(count - 12, category, user, organisation, start=12)
    print(
        f"wall: {Wish.objects.count()} wishes; reference first page with 12 wishes: "
        f"{reference * 1000:.1f} ms, {ref_queries} queries"
    )
    deep_page = max(1, (count // 12) // 2)
    for label, url in (
        ("first page", "/wishes/"),
        ("filtered (claimed)", "/wishes/?status=claimed"),
        (f"page {deep_page}", f"/wishes/?page={deep_page}"),
    ):
        seconds, queries = _timed_get(client, url)
        print(
            f"  {label:<20} {seconds * 1000:8.1f} ms  {queries} queries  "
            f"ratio {seconds / reference:5.2f}"
        )


def _bench_photo() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from members.images import clean_photo

    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()

    def decode_only() -> None:
        with Image.open(io.BytesIO(data)) as img:
            img.load()

    def clean() -> None:
        clean_photo(SimpleUploadedFile("bench.jpg", data, content_type="image/jpeg"))

    def median_of(call, rounds: int = 5) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    reference = median_of(decode_only)
    cleaned = median_of(clean)
    print(f"photo: 12-megapixel JPEG of {len(data) / 1e6:.1f} MB")
    print(f"  decode only (reference) {reference * 1000:8.1f} ms")
    print(f"  clean_photo             {cleaned * 1000:8.1f} ms  ratio {cleaned / reference:5.2f}")


def run() -> None:
    _bench_wall()
    _bench_photo()
