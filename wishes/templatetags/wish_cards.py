"""{% load wish_cards %}: a wish's status badges and the grid of wish cards, drawn in Python.

The wall renders twelve cards on every page it has not stored (a random page of 3,000 at
county scale): through `{% include %}` per card and per badge they cost about as much as the
rest of the page together; `format_html` draws the same markup in a tenth of the time, with
the same escaping of the wisher's words.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

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
def wish_status(wish: Wish) -> SafeString:
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
def wish_cards(wishes: Iterable[Wish]) -> SafeString:
    """One card per wish: its first photo, title, badges, category, wisher (as the public may
    see them: `public_wisher_name`), date and the organisations that claimed it."""
    return format_html_join("\n", "{}", ((card,) for card in _Cards().draw(wishes)))


_MARK = 987654321


class _Cards:
    """What the cards of one grid share, drawn once for all of them (one request, one
    language): the detail URL around a mark (one reverse(), a tenth of a millisecond each),
    the badges of each status and the dates - most cards of a page were posted the same day."""

    def __init__(self) -> None:
        self.before, self.after = reverse("wishes:wish_detail", args=[_MARK]).split(str(_MARK))
        self.claimed_by = gettext("Claimed by")
        self.badges: dict[tuple[str, bool], SafeString] = {}
        self.dates: dict[object, str] = {}

    def draw(self, wishes: Iterable[Wish]):
        for wish in wishes:
            yield self.card(wish)

    def card(self, wish: Wish) -> SafeString:
        """A wish of `wishes.views.card_queryset`: its first thumbnail and active claims."""
        url = f"{self.before}{wish.pk}{self.after}"
        thumbnail = wish.card_thumbnail  # type: ignore[attr-defined]
        photo = (
            format_html(
                '<a href="{}"><img class="thumb" src="{}" alt="{}" loading="lazy"></a>',
                url,
                _THUMBNAILS.url(thumbnail),
                wish.title,
            )
            if thumbnail
            else ""
        )
        claims = wish.active_claims  # type: ignore[attr-defined]
        claimed = (
            format_html(
                '<p class="muted">{} {}</p>',
                self.claimed_by,
                "、".join(str(claim.organisation) for claim in claims),
            )
            if claims
            else ""
        )
        badge_key = (wish.status, wish.is_overdue)
        if (badge := self.badges.get(badge_key)) is None:
            badge = self.badges[badge_key] = wish_status(wish)
        posted = timezone.localtime(wish.created_at)
        if (day := self.dates.get(posted.date())) is None:
            day = self.dates[posted.date()] = formats.date_format(posted, "DATE_FORMAT")
        return format_html(
            '<article class="card wish-card">{}<h3 class="wish-title"><a href="{}">{}</a></h3>'
            '<p>{} <span class="badge">{}</span></p><p class="muted">{} · {}</p>{}</article>',
            photo,
            url,
            wish.title,
            badge,
            wish.category.name,
            wish.public_wisher_name,
            day,
            claimed,
        )
