"""Pages of the wish wall. Views parse with a form, call one action, say what happened, redirect."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import setting_changed
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.decorators import method_decorator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView, FormView, ListView, TemplateView

from members import page_cache
from members.audit import get_in_scope_or_404
from members.http import AuthenticatedRequest
from members.images import photo_names
from members.pagination import UncountedPage, anchor_keys, anchored_page
from members.steps import confirm_step
from rota.models import Organisation
from wishes import actions, antispam, cards, queries
from wishes.forms import (
    ClaimForm,
    ProgressForm,
    ReasonForm,
    WallFilterForm,
    WishForm,
    WishRevisionForm,
)
from wishes.models import (
    Claim,
    Invitation,
    Wish,
    WishEvent,
    WishPhoto,
    WishQuerySet,
    _organisations_for_contact,
)
from wishes.routing import other_organisations, suggested_organisations
from wishes.similarity import similar_wishes

if TYPE_CHECKING:
    from members.models import User

STORIES_ON_WALL = 3


def _with_claims():
    # No `with_overdue()`: `Wish.is_overdue` reads the prefetched active claims instead.
    return Wish.objects.select_related("category", "wisher").prefetch_related(
        Prefetch(
            "claims",
            queryset=Claim.objects.active().select_related("organisation"),
            to_attr="active_claims",
        ),
    )


def wall_queryset():
    """Wishes with all their photos and their active claims, in a fixed number of queries."""
    return _with_claims().prefetch_related(
        Prefetch(
            "photos",
            queryset=WishPhoto.objects.filter(event__isnull=True),
            to_attr="wish_photos",
        )
    )


def card_queryset():
    """Wishes with what a card shows (wishes.templatetags.wish_cards) and nothing more: the
    first photo's thumbnail read in the wish's own query (`card_thumbnail`) rather than by a
    query of its own, and only the columns a card draws (not the wisher's whole account, nor
    the wish's text): building full rows was a fifth of a list's render. The wall reads plain
    rows instead (wishes.cards.wall_rows). A copy (`all()`) of one
    queryset built once: building it (the prefetch, the subquery, the columns) cost as much
    as compiling it."""
    return _card_queryset().all()


@functools.cache
def _card_queryset():
    return (
        Wish.objects.select_related("category", "wisher")
        .only(*cards.CARD_FIELDS)
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.active()
                .select_related("organisation")
                .only("wish", "promised_on", "organisation__name", "organisation__short_name"),
                to_attr="active_claims",
            ),
        )
        .annotate(card_thumbnail=cards.first_thumbnail())
    )


def granted_stories() -> tuple[list[Wish], int]:
    """The last granted wishes atop every page of the wall, with their claims, and how many
    wishes are granted (the home figure's count: fulfilled or confirmed)."""
    stories = list(_with_claims().granted().order_by("-fulfilled_at", "-pk")[:STORIES_ON_WALL])
    return stories, queries.cached_granted_count()


def _filtered(queryset, status: str | None, category) -> WishQuerySet:
    """The wall's wishes of a status (or the granted ones) and a category, when chosen."""
    if status == queries.GRANTED_WALL_FILTER:
        queryset = queryset.granted()
    elif status:
        queryset = queryset.filter(status=status)
    return queryset.filter(category=category) if category else queryset


@method_decorator(page_cache.anonymous_page(), name="dispatch")
class WishListView(ListView):
    """The public wall: published and later wishes, filterable, with the granted stories."""

    template_name = "wishes/wish_list.html"
    extra_context = {"page_title": gettext_lazy("Micro-wish wall")}
    context_object_name = "wishes"
    paginate_by = 12

    def paginate_queryset(self, queryset, page_size):
        # Uncounted pages: no COUNT over every wish on the wall, no OFFSET over joined rows; a
        # deep page starts from its anchor, kept under the public pages' version (moved by any
        # change to a wish), one list of anchors per filter.
        page = anchored_page(
            queryset,
            self.request.GET.get(self.page_kwarg),
            page_size,
            field="created_at",
            key=self.anchors_key,
            found=self.cached,
            keys=self.keys,
        )
        # The page's rows (`cards.wall_rows`: their claims included) as cards.
        page = UncountedPage(cards.wall_cards(page.object_list), page.number, page.has_next())
        return None, page, page.object_list, page.has_other_pages()

    def get_queryset(self):
        self.filters = WallFilterForm(self.request.GET or None)
        self.filtered_by = ""
        # The page cache's own read of it when it keyed this page (one read a request): the
        # anchors, the stories and the filter fields are all cached under it.
        self.version = page_cache.request_version(self.request)
        # The page's rows, and the same wishes without the rows' joined columns for the page's
        # ids and anchors (`anchored_page`'s `keys`): walked on the wall's index, not sorted.
        queryset, self.keys = cards.wall_rows(), cards.wall_keys()
        if self.filters.is_valid():
            status = self.filters.cleaned_data.get("status")
            category = self.filters.cleaned_data.get("category")
            queryset, self.keys = (_filtered(q, status, category) for q in (queryset, self.keys))
            self.filtered_by = f"{status}:{category.code if category else ''}"
        self.anchors_key = f"wishes:wall-anchors:{self.version}:{self.filtered_by}"
        self._read_cached()
        return queryset

    def _read_cached(self) -> None:
        """The top of the wall (the granted stories with their count, and the filter form's
        fields) and this page's anchors, in one round trip: the same on every page of a filter,
        so cached under the public pages' version (any change to a wish, claim, organisation or
        category moves it), drawn per language. Every wall page, the 3,000th as well, queried
        the stories again (2 of its 6 queries); rendering the two selects through the form
        templates cost as much as the page's twelve cards, the stories' template a third of
        that. An invalid filter's fields are drawn with their error and never stored."""
        language = get_language()
        self.stories_key = f"wishes:stories:{self.version}:{language}"
        self.fields_key = (
            f"wishes:wall-filters:{self.version}:{language}:"
            f"{self.filters.is_bound}:{self.filtered_by}"
        )
        self.storable = not self.filters.is_bound or self.filters.is_valid()
        keys = [self.stories_key, *([self.fields_key] if self.storable else [])]
        keys += anchor_keys(self.request.GET.get(self.page_kwarg), key=self.anchors_key)
        self.cached = cache.get_many(keys)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        stories_section, granted_count, filter_fields = self._top_of_the_wall()
        context.update(
            filters=self.filters,
            filter_fields=filter_fields,
            query_string=query.urlencode(),
            stories_section=stories_section,
            granted_count=granted_count,
        )
        return context

    def _top_of_the_wall(self) -> tuple[str, int, str]:
        """The stories' section as drawn, the granted count, the filter fields (`_read_cached`)."""
        if (top := self.cached.get(self.stories_key)) is None:
            stories, count = granted_stories()
            section = render_to_string(
                "wishes/includes/wall_stories.html",
                {
                    "stories": stories,
                    "granted_count": count,
                    "granted_filter": queries.GRANTED_WALL_FILTER,
                },
            )
            top = (section, count)
            cache.set(self.stories_key, top, page_cache.PAGE_SECONDS)
        if (fields := self.cached.get(self.fields_key)) is None:
            fields = self._render_filter_fields()
            if self.storable:
                cache.set(self.fields_key, fields, page_cache.PAGE_SECONDS)
        # Both drawn by templates (autoescaped), or by the form's own rendering, when first made.
        return mark_safe(top[0]), top[1], mark_safe(fields)  # noqa: S308

    def _render_filter_fields(self) -> str:
        return self.filters["status"].as_field_group() + self.filters["category"].as_field_group()

    def render_to_response(self, context, **response_kwargs):
        # The page's cards and pager: the only part that differs from page to page.
        wall_cards = render_to_string(
            "wishes/includes/wall_cards.html",
            {key: context[key] for key in ("wishes", "page_obj", "query_string")},
        )
        if self.storable and page_cache.plain_visitor(self.request):
            return HttpResponse(self._kept_page(context, wall_cards), **response_kwargs)
        context["wall_cards"] = mark_safe(wall_cards)  # noqa: S308 - drawn by our template
        return super().render_to_response(context, **response_kwargs)

    def _kept_page(self, context, wall_cards: str) -> str:
        """The page for a plain anonymous visitor: the rest of the page (header, stories, filter
        form, footer) kept per worker, with this request's token, path and cards filled in.
        Drawing it was two thirds of the template time of a page the page cache had not kept
        (a random page of the 3,000: nearly every request), and it is the same on every page
        of a filter: its parts are those cached under the pages' version (`_read_cached`), so
        the version, the filter and the language key it (as the ranking's published month
        keeps its whole page: deqing_hub.ranking_views)."""
        key = (
            self.version,
            self.filters.is_bound,
            self.filtered_by,
            get_language(),
            get_script_prefix(),
            get_urlconf(),
        )
        parts = _KEPT_WALL.get(key)
        if parts is None:
            page = render_to_string(
                self.template_name,
                {
                    **context,
                    "wall_cards": _CARDS_MARK,
                    # Every `{% csrf_token %}` and the header's switcher draw the marks.
                    "csrf_token": _TOKEN_MARK,
                    "request": _MarkedRequest(self.request),
                },
                self.request,
            )
            # Kept around the cards, which are joined in, never searched: a wish's title may
            # hold anything, a mark as well.
            before, after = page.split(_CARDS_MARK)
            parts = (before, after)
            # In development a changed template shows at once.
            if not settings.DEBUG:
                if len(_KEPT_WALL) >= _KEPT_WALL_MAX:
                    _KEPT_WALL.clear()
                _KEPT_WALL[key] = parts
        token = ""
        if any(_TOKEN_MARK in part for part in parts):
            # As the template's `csrf_token` would: the visitor's token, and its cookie set.
            token = conditional_escape(get_token(self.request))
        path = conditional_escape(self.request.get_full_path())
        before, after = (
            part.replace(_TOKEN_MARK, token).replace(_PATH_MARK, path) for part in parts
        )
        return before + wall_cards + after


# The wall's kept pages (WishListView._kept_page), per worker: one per version, filter and
# language; a changed wish moves the version, and the store is emptied when it is full.
_KEPT_WALL: dict[tuple[object, ...], tuple[str, str]] = {}
_KEPT_WALL_MAX = 48
_TOKEN_MARK = "\x00wall-token\x00"  # noqa: S105 - a mark, not a secret
_PATH_MARK = "\x00wall-path\x00"
_CARDS_MARK = "\x00wall-cards\x00"


class _MarkedRequest:
    """The request as the kept page reads it, with its path as a mark; the rest its own."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str):
        return getattr(self._request, name)

    @staticmethod
    def get_full_path() -> str:
        return _PATH_MARK


def _forget_kept_wall(**kwargs) -> None:
    # Tests change languages, URL configurations and templates' settings.
    _KEPT_WALL.clear()


setting_changed.connect(_forget_kept_wall, dispatch_uid="wishes_kept_wall")


class WishCreateView(LoginRequiredMixin, FormView):
    """Post a wish: consent notice, honeypot, minimum fill time and rate limits."""

    template_name = "wishes/wish_form.html"
    extra_context = {"page_title": gettext_lazy("Post a wish")}
    form_class = WishForm

    def get_initial(self):
        return {"started": antispam.new_fill_token()}

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not antispam.allow_submission(request):
            # The typed values come back; the photos are not even decoded (that is the cost
            # the limit protects), only named so the person knows to choose them again.
            form = self.form_class(data=request.POST)
            form.is_valid()
            form.add_error(
                None,
                _("You have sent many wishes in a short time; please try again in an hour."),
            )
            context = self.get_context_data(form=form)
            context["photos_to_choose_again"] = photo_names(request.FILES.getlist("photos"))
            return self.render_to_response(context, status=429)
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def form_valid(self, form: WishForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            wish = actions.submit_wish(
                wisher=self.request.user,
                title=data["title"],
                text=data["text"],
                category=data["category"],
                show_name=data["show_name"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you. Your wish will appear on the wall once the centre has checked it."),
        )
        return redirect("wishes:wish_detail", pk=wish.pk)

    def form_invalid(self, form: WishForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["photos_to_choose_again"] = form.chosen_photo_names() if form.is_bound else []
        return context


class WishEditView(LoginRequiredMixin, FormView):
    """The wisher changes a wish staff sent back (ask for changes) and sends it again."""

    template_name = "wishes/wish_edit.html"
    extra_context = {"page_title": gettext_lazy("Change your wish")}
    form_class = WishRevisionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Only the wisher's own wishes; anyone else's is a 404 with an audit record.
        self.wish = get_in_scope_or_404(
            Wish.objects.filter(wisher_id=request.user.pk), request=request, pk=kwargs["pk"]
        )
        if self.wish.status != Wish.Status.CHANGES_ASKED:
            messages.info(request, _("This wish is not waiting for changes."))
            return redirect("wishes:wish_detail", pk=self.wish.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        wish = self.wish
        return {
            "title": wish.title,
            "text": wish.text,
            "category": wish.category_id,
            "show_name": wish.show_name,
        }

    def form_valid(self, form: WishRevisionForm) -> HttpResponse:
        try:
            actions.revise_wish(
                wish=self.wish, by=cast("User", self.request.user), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Thank you. The centre will check your changed wish again.")
        )
        return redirect("wishes:wish_detail", pk=self.wish.pk)

    def form_invalid(self, form: WishRevisionForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(wish=self.wish, **kwargs)


class WishDetailView(DetailView):
    """One wish and its public timeline; the wisher, claimers and staff also see their actions."""

    template_name = "wishes/wish_detail.html"
    context_object_name = "wish"

    def get_queryset(self):
        return wall_queryset().visible_to(self.request.user)

    def get_object(self, queryset=None):
        # An unpublished or withdrawn wish the viewer may not see: 404 and an audit record.
        return get_in_scope_or_404(
            queryset if queryset is not None else self.get_queryset(),
            request=self.request,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        wish: Wish = self.object
        user = self.request.user
        is_wisher = user.is_authenticated and wish.wisher_id == user.pk
        is_moderator = actions.is_moderator(user)
        events = wish.events.select_related("organisation").prefetch_related("photos")
        if not (is_wisher or is_moderator):
            events = events.filter(kind__in=WishEvent.PUBLIC_KINDS)
        my_organisations = (
            list(_organisations_for_contact(user).filter(is_active=True))
            if user.is_authenticated
            else []
        )
        claimed_ids = {c.organisation_id for c in wish.active_claims}
        can_claim_for = [o for o in my_organisations if o.pk not in claimed_ids]
        my_claims = [c for c in wish.active_claims if c.organisation in my_organisations]
        open_for_claims = wish.status in (
            Wish.Status.PUBLISHED,
            Wish.Status.CLAIMED,
            Wish.Status.IN_PROGRESS,
        )
        claimer_orgs = Organisation.objects.filter(pk__in=[c.organisation_id for c in my_claims])
        context.update(
            events=events,
            is_wisher=is_wisher,
            is_moderator=is_moderator,
            claim_form=ClaimForm(
                organisations=Organisation.objects.filter(pk__in=[o.pk for o in can_claim_for])
            )
            if can_claim_for and open_for_claims
            else None,
            my_claims=my_claims,
            progress_form=ProgressForm(organisations=claimer_orgs)
            if my_claims and wish.status in (Wish.Status.CLAIMED, Wish.Status.IN_PROGRESS)
            else None,
            reason_form=ReasonForm(),
        )
        return context


class MyWishesView(LoginRequiredMixin, ListView):
    """The wisher's own wishes in every state."""

    template_name = "wishes/my_wishes.html"
    extra_context = {"page_title": gettext_lazy("My wishes")}
    context_object_name = "wishes"
    paginate_by = 20

    def get_queryset(self):
        return card_queryset().filter(wisher=self.request.user)


class ForOrganisationsView(LoginRequiredMixin, TemplateView):
    """For alliance contacts: wishes they were invited to, others open on the wall, their claims."""

    template_name = "wishes/for_organisations.html"
    extra_context = {"page_title": gettext_lazy("Wishes for alliance organisations")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisations = _organisations_for_contact(self.request.user)
        open_wishes = card_queryset().filter(
            status__in=[Wish.Status.PUBLISHED, Wish.Status.CLAIMED, Wish.Status.IN_PROGRESS]
        )
        invited = open_wishes.filter(invitations__organisation__in=organisations).distinct()
        context.update(
            organisations=list(organisations),
            invited=list(invited.order_by("created_at")[:50]),
            claimed=list(
                card_queryset().claimed_for_contact(self.request.user).order_by("-updated_at")[:50]
            ),
            open_wishes=list(
                open_wishes.filter(status=Wish.Status.PUBLISHED).order_by("published_at")[:50]
            ),
        )
        return context


class RouteWishView(LoginRequiredMixin, DetailView):
    """Staff: organisations whose services match the wish's category, to invite as claimers."""

    template_name = "wishes/wish_route.html"
    extra_context = {"page_title": gettext_lazy("Route a wish")}
    context_object_name = "wish"

    def get_queryset(self):
        if not actions.is_moderator(self.request.user):
            raise PermissionDenied
        return Wish.objects.select_related("category")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invited = set(
            Invitation.objects.filter(wish=self.object).values_list("organisation_id", flat=True)
        )
        claimed = set(
            Claim.objects.active()
            .filter(wish=self.object)
            .values_list("organisation_id", flat=True)
        )

        def rows(organisations):
            return [
                {"organisation": o, "invited": o.pk in invited, "claimed": o.pk in claimed}
                for o in organisations
            ]

        context["similar"] = similar_wishes(self.object)
        context["suggestions"] = rows(suggested_organisations(self.object.category))
        context["others"] = rows(other_organisations(self.object.category))
        return context


# --- one action each ---------------------------------------------------------------------------
def _scoped_wish(request: HttpRequest, pk: int) -> Wish:
    return get_in_scope_or_404(Wish.objects.visible_to(request.user), request=request, pk=pk)


def _run(request: HttpRequest, wish: Wish, call, success: str, *, form=None) -> HttpResponse:
    """Check `form` if there is one, then `call()` the step; what happened said in a message (a
    refusal too: `_run` catches what the wish's actions raise); back to the wish."""
    if form is not None and not form.is_valid():
        return _form_errors(request, wish, form)
    try:
        call()
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text or _("You may not do this."))
    else:
        messages.success(request, success)
    return redirect("wishes:wish_detail", pk=wish.pk)


def _simple_step(request: AuthenticatedRequest, pk: int, action, success: str) -> HttpResponse:
    """A step that needs nothing but the wish and who clicked (confirm, withdraw)."""
    wish = _scoped_wish(request, pk)
    return _run(request, wish, lambda: action(wish=wish, by=request.user), success)


def _form_errors(request: HttpRequest, wish: Wish, form) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("wishes:wish_detail", pk=wish.pk)


def _speaking_for(request: HttpRequest, *, active_only: bool):
    """Organisations the user may act for: every one for centre staff, else their own.

    The forms offer only those, so another organisation's id in the POST was edited in:
    404 and an audit record, as for a foreign id in a URL.
    """
    if actions.is_moderator(request.user):
        every = Organisation.objects.all()
        return every.filter(is_active=True) if active_only else every
    organisations = _organisations_for_contact(request.user)
    if request.POST.get("organisation"):
        get_in_scope_or_404(organisations, request=request, pk=request.POST["organisation"])
    return organisations


@login_required
@require_POST
def claim(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    wish = _scoped_wish(request, pk)
    organisations = _speaking_for(request, active_only=True)
    form = ClaimForm(request.POST, organisations=organisations)
    return _run(
        request,
        wish,
        lambda: actions.claim_wish(
            wish=wish,
            organisation=form.cleaned_data["organisation"],
            by=request.user,
            promised_on=form.cleaned_data["promised_on"],
        ),
        _("Claimed. The wisher has been told."),
        form=form,
    )


@login_required
@require_POST
def release(request: AuthenticatedRequest, pk: int, claim_pk: int) -> HttpResponse:
    wish = _scoped_wish(request, pk)
    # The Claim admin's scope too: moderators every claim, a contact their organisations'.
    claim_row = get_in_scope_or_404(
        Claim.objects.managed_by(request.user).select_related("organisation", "wish"),
        request=request,
        pk=claim_pk,
        wish=wish,
    )
    form = ReasonForm(request.POST)
    return _run(
        request,
        wish,
        lambda: actions.release_claim(
            claim=claim_row, by=request.user, reason=form.cleaned_data["reason"]
        ),
        _("The claim was released."),
        form=form,
    )


def _progress(request: AuthenticatedRequest, pk: int, *, final: bool) -> HttpResponse:
    wish = _scoped_wish(request, pk)
    organisations = _speaking_for(request, active_only=False)
    form = ProgressForm(request.POST, request.FILES, organisations=organisations)
    if not form.is_valid():
        names = form.chosen_photo_names()
        response = _form_errors(request, wish, form)
        if names:
            messages.info(
                request,
                _("Nothing was saved; please choose these photos again: %(names)s")
                % {"names": "、".join(names)},
            )
        return response
    data = form.cleaned_data
    # The final report is the fulfilment's evidence; any other is an update on the timeline.
    act, text_field, done = (
        (actions.fulfil_wish, "evidence", _("Marked as fulfilled. The wisher is asked to confirm."))
        if final
        else (actions.post_update, "text", _("Your update is on the wish's timeline."))
    )
    return _run(
        request,
        wish,
        lambda: act(
            wish=wish,
            organisation=data["organisation"],
            by=request.user,
            photos=data["photos"],
            **{text_field: data["text"]},
        ),
        done,
    )


@login_required
@require_POST
def post_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _progress(request, pk, final=False)


@login_required
@require_POST
def fulfil(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _progress(request, pk, final=True)


@login_required
@require_POST
def confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _simple_step(
        request,
        pk,
        actions.confirm_wish,
        _("Thank you for confirming. Your wish is among the granted wishes."),
    )


@login_required
@require_POST
def reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    wish = _scoped_wish(request, pk)
    form = ReasonForm(request.POST)
    return _run(
        request,
        wish,
        lambda: actions.reopen_wish(wish=wish, by=request.user, reason=form.cleaned_data["reason"]),
        _("Your wish is open again; the organisations have been told."),
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (which wish, what withdrawing means); POST: withdraw it."""
    if request.method == "GET":
        # Only the wisher is asked; anyone else's try is a 404 with an audit record.
        wish = get_in_scope_or_404(
            Wish.objects.filter(wisher_id=request.user.pk), request=request, pk=pk
        )
        return confirm_step(
            request,
            question=_("Withdraw your wish %(title)s?") % {"title": wish.title},
            details=[
                (_("Wish"), wish.title),
                (_("Status"), wish.get_status_display()),
                (_("After withdrawing"), _("It leaves the wall and can no longer be claimed.")),
            ],
            button=_("Yes, withdraw my wish"),
            back=reverse("wishes:wish_detail", args=[pk]),
            secondary=True,
        )
    return _simple_step(request, pk, actions.withdraw_wish, _("Your wish was withdrawn."))


@login_required
@require_POST
def invite(request: AuthenticatedRequest, pk: int, organisation_pk: int) -> HttpResponse:
    if not actions.is_moderator(request.user):
        raise PermissionDenied
    wish = get_object_or_404(Wish, pk=pk)
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    try:
        actions.invite_organisation(wish=wish, organisation=organisation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(organisation)s has been invited to claim this wish.")
            % {"organisation": organisation},
        )
    return redirect(reverse("wishes:wish_route", args=[wish.pk]))
