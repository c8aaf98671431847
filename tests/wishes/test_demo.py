"""The demo: wishes in every state, bus route 121 granted by 县运管局, idempotent."""

from __future__ import annotations

from django.core import mail

from wishes import demo
from wishes.models import Wish


def seed_everything() -> None:
    from rota import demo as rota_demo

    rota_demo.seed()
    demo.seed()


def test_the_demo_has_every_state_and_the_bus_story(db, client):
    seed_everything()
    assert set(Wish.objects.values_list("status", flat=True)) == set(Wish.Status.values)
    bus = Wish.objects.get(title=demo.BUS_121)
    assert bus.status == Wish.Status.CONFIRMED
    assert [c.organisation.short_name for c in bus.claims.all()] == ["县运管局"]
    assert "121路" in bus.evidence
    assert bus.photos.count() == 1
    assert mail.outbox == []
    response = client.get("/wishes/")
    assert demo.BUS_121 in [w.title for w in response.context["stories"]]
    assert client.get(f"/wishes/{bus.pk}/").status_code == 200


def test_seeding_twice_changes_nothing(db):
    seed_everything()
    before = (
        list(Wish.objects.order_by("pk").values()),
        Wish.objects.count(),
    )
    demo.seed()
    after = (list(Wish.objects.order_by("pk").values()), Wish.objects.count())
    assert before == after


def test_without_organisations_only_wishes_that_need_none_are_made(db):
    demo.seed()
    statuses = set(Wish.objects.values_list("status", flat=True))
    assert statuses == {"published", "submitted", "changes_asked", "rejected", "withdrawn"}
