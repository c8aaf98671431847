"""seed(): the article's figures, deterministic, and a second run changes nothing."""

from django.db.models import Count

from members import demo
from members.models import Branch, Enterprise, Member


def _state():
    return (
        list(Enterprise.objects.order_by("credit_code").values_list("credit_code", "name")),
        list(Branch.objects.order_by("name").values_list("name", "kind")),
        list(
            Member.objects.order_by("mobile").values_list(
                "mobile", "name", "branch__name", "id_number_encrypted", "updated_at"
            )
        ),
    )


def test_seed_matches_the_article_and_is_idempotent(db):
    demo.seed()
    first = _state()
    assert Enterprise.objects.count() == 769
    assert Enterprise.objects.filter(industry="gis").count() == 120
    assert Enterprise.objects.filter(signed_on__year=2026).count() == 62
    kinds = dict(Branch.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds == {"standalone": 8, "joint": 1, "centre": 1}
    for branch in Branch.objects.annotate(n=Count("enterprises")):
        assert branch.n == {"standalone": 1, "joint": 5, "centre": 0}[branch.kind]
    assert Member.objects.count() == 103
    talents = {
        (p, o): n
        for p, o, n in Member.objects.exclude(talent_programme="")
        .values_list("talent_programme", "talent_origin")
        .annotate(n=Count("id"))
    }
    assert talents == {
        ("national", "cultivated"): 1,
        ("provincial", "cultivated"): 3,
        ("south_taihu", "cultivated"): 34,
        ("national", "recruited"): 6,
        ("provincial", "recruited"): 9,
    }
    for enterprise in Enterprise.objects.all()[:50]:
        enterprise.full_clean()  # every demo credit code passes the GB 32100 check
    assert all(m.id_number_consent for m in Member.objects.exclude(id_number_digest=None))

    summary = demo.seed()
    assert _state() == first
    assert "0 new" in summary


def test_seed_is_deterministic_from_an_empty_database(db):
    def people():
        return sorted(
            (m.mobile, m.name, m.branch.name, m.id_number, m.talent_programme)
            for m in Member.objects.select_related("branch")
        )

    demo.seed()
    first = people()
    Member.objects.all().delete()
    Branch.objects.all().delete()
    Enterprise.objects.all().delete()
    demo.seed()
    assert people() == first
