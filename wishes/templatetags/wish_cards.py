"""{% load wish_cards %}: a wish's status badges and the grid of wish cards, drawn in Python.

The wall renders twelve cards on every page it has not stored (a random page of 3,000 at
county scale): through `{% include %}` per card and per badge they cost about as much as the
rest of the page together; f-strings of escaped values (wishes.cards.Card) draw the same
markup in a fraction of the time, with the same escaping of the wisher's words.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from wishes.cards import Card, card_of
from wishes.models import Wish, WishPhoto

register = template.Library()

_THUMBNAILS = WishPhoto._meta.get_field("thumbnail").storage

# Status colours shared by the public pages: waiting on the centre is amber (warn), open or under
# way is blue (info), done is green (ok), refused is red; withdrawn is plain grey.
_BADGE_CLASSES: dict[str, str] = {
    Wish.Status.CONFIRMED: " badge-ok",
    Wish.Status.FULFILLED: " badge-ok",
    Wish.Status.REJECTED: " badge-red",
    Wish.Status.SUBMITTED: " badge-warn",
    Wish.Status.CHANGES_ASKED: " badge-warn",
    Wish.Status.WITHDRAWN: "",
}


@register.simple_tag
def wish_status(wish: Wish | Card) -> SafeString:
    """The status badge, and "Overdue" beside it when the wish is."""
    badge = format_html(
        '<span class="badge{}">{}</span>',
        _BADGE_CLASSES.get(wish.status, " badge-info"),
        # Not get_status_display(): it hashes the field's lazy choices on every call.
        Wish.Status(wish.status).label,
    )
    if wish.is_overdue:
        overdue = format_html(
            '<span class="badge badge-red">{}</span>', pgettext("wish", "Overdue")
        )
        return mark_safe(f"{badge}\n{overdue}")  # noqa: S308 - both made by format_html
    return badge


@register.simple_tag
def wish_cards(wishes: Iterable[Wish | Card]) -> SafeString:
    """One card per wish: its first photo, title, badges, category, wisher (as the public may
    see them: `public_wisher_name`), date and the organisations that claimed it. The wall
    passes `Card`s (wishes.cards.wall_cards), the other lists wishes of `card_queryset`."""
    cards = _Cards()
    return mark_safe(  # noqa: S308 - every value escaped by `_Cards.card`
        "\n".join(cards.card(w if isinstance(w, Card) else card_of(w)) for w in wishes)
    )


_MARK = 987654321


class _Cards:
    """What the cards of one grid share, drawn once for all of them (one request, one
    language): the detail URL around a mark (one reverse(), a tenth of a millisecond each),
    the badges of each status and the dates - most cards of a page were posted the same day.
    Drawn by f-strings with each value escaped by `html.escape` (what `format_html` applies
    to plain strings, without its lazy-string wrappers): `format_html` per card and per part
    was most of the cards' time."""

    def __init__(self) -> None:
        self.before, self.after = reverse("wishes:wish_detail", args=[_MARK]).split(str(_MARK))
        self.claimed_by = escape(gettext("Claimed by"))
        self.badges: dict[tuple[str, bool], SafeString] = {}
        self.dates: dict[object, str] = {}

    def card(self, card: Card) -> str:
        url = f"{self.before}{card.pk}{self.after}"
        title = escape(card.title)
        photo = (
            f'<a href="{url}"><img class="thumb" src="{escape(_THUMBNAILS.url(card.thumbnail))}"'
            f' alt="{title}" loading="lazy"></a>'
            if card.thumbnail
            else ""
        )
        claimed = (
            f'<p class="muted">{self.claimed_by} {escape("、".join(card.claimed_by))}</p>'
            if card.claimed_by
            else ""
        )
        badge_key = (card.status, card.is_overdue)
        if (badge := self.badges.get(badge_key)) is None:
            badge = self.badges[badge_key] = wish_status(card)
        posted = timezone.localtime(card.created_at)
        if (day := self.dates.get(posted.date())) is None:
            day = self.dates[posted.date()] = escape(formats.date_format(posted, "DATE_FORMAT"))
        return (
            f'<article class="card wish-card">{photo}<h3 class="wish-title"><a href="{url}">'
            f'{title}</a></h3><p>{badge} <span class="badge">{escape(card.category)}</span></p>'
            f'<p class="muted">{escape(card.wisher_name)} · {day}</p>{claimed}</article>'
        )
