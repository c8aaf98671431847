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
    # One reverse() for all the cards (a tenth of a millisecond each): the detail URL around a
    # mark, the mark then replaced by each wish's id.
    before, after = reverse("wishes:wish_detail", args=[_MARK]).split(str(_MARK))
    return format_html_join(
        "\n", "{}", ((_card(wish, f"{before}{wish.pk}{after}"),) for wish in wishes)
    )


_MARK = 987654321


def _card(wish: Wish, url: str) -> SafeString:
    """A wish of `wishes.views.card_queryset`: its first thumbnail and active claims with it."""
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
            gettext("Claimed by"),
            "、".join(str(claim.organisation) for claim in claims),
        )
        if claims
        else ""
    )
    return format_html(
        '<article class="card wish-card">{}<h3 class="wish-title"><a href="{}">{}</a></h3>'
        '<p>{} <span class="badge">{}</span></p><p class="muted">{} · {}</p>{}</article>',
        photo,
        url,
        wish.title,
        wish_status(wish),
        wish.category.name,
        wish.public_wisher_name,
        formats.date_format(timezone.localtime(wish.created_at), "DATE_FORMAT"),
        claimed,
    )
