"""Member and operator pages of the points exchange. Thin: parse, call one action, redirect."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import page_cache
from members.audit import get_in_scope_or_404
from members.http import AuthenticatedRequest
from members.models import Member
from members.queries import member_on_roll
from members.steps import confirm_step
from points import actions
from points.forms import ConfirmForm, RedeemForm
from points.models import Account, Entry, ExchangePoint, Item, Stock, Voucher

HISTORY_PAGE_SIZE = 20
VOUCHER_LIST_SIZE = 20


def _operated_points(user):
    return ExchangePoint.objects.filter(is_active=True).operated_by(user)


@login_required
@require_GET
@page_cache.own_page()
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Balance, history, the catalogue by exchange point and my vouchers.

    A login without a member record (public users) sees the catalogue and how to join.
    """
    member = member_on_roll(request.user)
    account = Account.objects.filter(member=member).first() if member else None
    history = Paginator(
        Entry.objects.filter(account=account).select_related("voucher")
        if account
        else Entry.objects.none(),
        HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    vouchers = (
        list(
            Voucher.objects.filter(member=member)
            .select_related("item", "point")
            .annotate(waiting=Case(When(status=Voucher.Status.ISSUED, then=0), default=1))
            .order_by("waiting", "-issued_at")[:VOUCHER_LIST_SIZE]
        )
        if member
        else []
    )
    points = list(
        ExchangePoint.objects.filter(is_active=True).prefetch_related(
            Prefetch(
                "stocks",
                queryset=Stock.objects.filter(item__is_active=True).select_related("item"),
                to_attr="offer",
            )
        )
    )
    for point in points:
        for stock in point.offer:
            # One key per offer: a double click or a retry gives the same voucher, not two.
            # The stored page is shared by the account's sessions: each serve gets new keys.
            stock.redeem_params = {
                "item": stock.item_id,
                "point": point.pk,
                "key": page_cache.one_time_key(request),
            }
    return render(
        request,
        "points/home.html",
        {
            "page_title": _("Volunteer points"),
            "member": member,
            "balance": account.balance if account else 0,
            "history": history,
            "vouchers": vouchers,
            "points": points,
            "is_operator": _operated_points(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def redeem(request: AuthenticatedRequest) -> HttpResponse:
    """GET: the confirmation (item, points, exchange point, balance after); POST: redeem.

    The page's one-time `key` travels through the confirmation: confirming twice (a double
    tap, a resent form) gives the first voucher and spends nothing again.
    """
    member = member_on_roll(request.user)
    if member is None:
        raise Http404
    form = RedeemForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect("points:home")
    item, point, key = (form.cleaned_data[name] for name in ("item", "point", "key"))
    try:
        if request.method == "GET":
            return _confirm_redeem(request, member=member, item=item, point=point, key=key)
        already = Voucher.objects.filter(member=member, idempotency_key=f"web:{key}").exists()
        voucher = actions.redeem(
            member=member, item=item, point=point, idempotency_key=f"web:{key}", by=request.user
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("points:home")
    if already:
        messages.info(request, _("This exchange was already made; no points were spent again."))
    else:
        messages.success(
            request, _("Your voucher is ready: show the QR code at the exchange point.")
        )
    return redirect("points:voucher_detail", code=voucher.code)


def _confirm_redeem(
    request: HttpRequest, *, member: Member, item: Item, point: ExchangePoint, key: str
) -> HttpResponse:
    balance_after = actions.redeem_quote(member=member, item=item, point=point)
    where = f"{point.name} · {point.address}" if point.address else point.name
    return confirm_step(
        request,
        question=_("Exchange %(points)s points for %(item)s?")
        % {"points": item.price, "item": item.name},
        details=[
            (_("Item"), item.name),
            (_("Points"), item.price),
            (_("Exchange point"), where),
            (_("Balance after"), balance_after),
        ],
        button=_("Yes, exchange"),
        back=reverse("points:home"),
        params={"item": item.pk, "point": point.pk, "key": key},
    )


def _my_voucher(request: HttpRequest, code: str) -> Voucher:
    # Someone else's voucher code is a 404 that leaves an audit record.
    return get_in_scope_or_404(
        Voucher.objects.for_member_user(request.user).select_related("item", "point"),
        request=request,
        code=code,
    )


@login_required
@require_GET
def voucher_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return render(request, "points/voucher_detail.html", {"voucher": _my_voucher(request, code)})


@login_required
@require_GET
@never_cache
def voucher_qr(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The voucher's QR code as SVG: the operator page with the code filled in."""
    voucher = _my_voucher(request, code)
    url = request.build_absolute_uri(reverse("points:operator") + f"?code={voucher.code}")
    svg = io.BytesIO()
    # A standalone SVG file (with its namespace) so browsers render it in an <img>.
    segno.make(url, error="m").save(
        svg, kind="svg", scale=6, border=2, title=voucher.display_code, xmldecl=False
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def voucher_cancel(request: AuthenticatedRequest, code: str) -> HttpResponse:
    voucher = _my_voucher(request, code)
    try:
        actions.cancel_voucher(voucher=voucher, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The voucher was cancelled and your points are back."))
    return redirect("points:voucher_detail", code=voucher.code)


@login_required
def operator(request: AuthenticatedRequest) -> HttpResponse:
    """An operator's desk: look up a code (typed or scanned) and hand the item over.

    Only vouchers of the operator's own points are shown; others' codes get a message.
    """
    points = _operated_points(request.user)
    point_list = list(points)
    if not point_list:
        raise Http404
    if request.method == "POST":
        if request.POST.get("point"):
            # The form offers only one's own points: another point's id was edited in.
            get_in_scope_or_404(
                ExchangePoint.objects.operated_by(request.user),
                request=request,
                pk=request.POST["point"],
            )
        form = ConfirmForm(request.POST, points=points)
        if form.is_valid():
            try:
                voucher = actions.confirm_voucher(
                    code=form.cleaned_data["code"],
                    point=form.cleaned_data["point"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                messages.success(
                    request,
                    _("Hand over: %(item)s (voucher %(code)s).")
                    % {"item": voucher.item.name, "code": voucher.display_code},
                )
                return redirect("points:operator")
        looked_up = None
    else:
        code = actions.normalize_code(request.GET.get("code", ""))
        initial = {"code": code}
        if len(point_list) == 1:
            initial["point"] = point_list[0]
        form = ConfirmForm(initial=initial, points=points)
        looked_up = (
            Voucher.objects.for_operator(request.user)
            .select_related("item", "point", "member")
            .filter(code=code)
            .first()
            if code
            else None
        )
        if code and looked_up is None:
            messages.warning(request, _("No voucher of your exchange points has this code."))
    waiting = (
        Voucher.objects.for_operator(request.user)
        .issued()
        .select_related("item", "point", "member")
        .order_by("expires_at")[:VOUCHER_LIST_SIZE]
    )
    return render(
        request,
        "points/operator.html",
        {
            "page_title": _("Operator desk"),
            "form": form,
            "looked_up": looked_up,
            "waiting": waiting,
            "points": point_list,
        },
    )
