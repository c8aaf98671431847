"""Similar-wish detection for moderation: the same wish posted twice, or by two people.

Chinese has no spaces, so words cannot be split cheaply; overlapping character pairs
(bigrams) of title and text compared with the Jaccard index find rewordings such as
"开通通勤公交" and "希望开通到城区的通勤公交" without a search engine. Only recent wishes of the
same category are compared (at most `CANDIDATES`), so the cost stays fixed as the wall grows.
"""

from __future__ import annotations

from itertools import pairwise

from wishes.models import Wish

CANDIDATES = 300
THRESHOLD = 0.25


def bigrams(text: str) -> set[str]:
    chars = [c for c in text.lower() if c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def _score(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar_wishes(wish: Wish, *, limit: int = 5) -> list[tuple[Wish, float]]:
    """Recent wishes of the same category that read alike, most similar first."""
    mine = bigrams(wish.title) | bigrams(wish.text)
    candidates = (
        Wish.objects.filter(category_id=wish.category_id)
        .exclude(pk=wish.pk)
        .exclude(status=Wish.Status.WITHDRAWN)
        .only("pk", "title", "text", "status", "created_at")
        .order_by("-created_at")[:CANDIDATES]
    )
    scored = [
        (other, _score(mine, bigrams(other.title) | bigrams(other.text))) for other in candidates
    ]
    scored = [(other, score) for other, score in scored if score >= THRESHOLD]
    scored.sort(key=lambda pair: pair[1], reverse=True)
    return scored[:limit]
