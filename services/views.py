"""Pages of the services app: thin views that parse with a form, call one action, redirect."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import DetailView, FormView, ListView, TemplateView

from members import page_cache
from members.audit import get_in_scope_or_404
from members.http import AuthenticatedRequest
from members.queries import member_on_roll
from members.steps import StepView, confirm_step
from rota.models import Organisation
from services import actions, forms
from services.models import Activity, RequestEvent, Service, ServiceRequest, SignUp
from services.querysets import sees_every_organisation

Status = ServiceRequest.Status


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- catalogue ---------------------------------------------------------------------------------


@method_decorator(page_cache.anonymous_page(), name="dispatch")
class ServiceListView(ListView):
    """The public service list: filter by category and provider, search Chinese or pinyin."""

    template_name = "services/service_list.html"
    extra_context = {"page_title": gettext_lazy("Service list")}
    context_object_name = "services"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form = forms.ServiceFilterForm(self.request.GET or None)
        services = (
            Service.objects.active()
            .select_related("category")
            .prefetch_related(Prefetch("providers", queryset=Organisation.objects.order_by("name")))
        )
        # Invalid filter values (a stale bookmark) are dropped; valid ones still apply.
        self.filter_form.is_valid()
        data = getattr(self.filter_form, "cleaned_data", {})
        if data.get("category"):
            services = services.filter(category=data["category"])
        if data.get("provider"):
            # The services of one provider: a subquery, so no row repeats and no DISTINCT.
            services = services.filter(
                pk__in=Service.providers.through.objects.filter(
                    organisation_id=data["provider"]
                ).values("service_id")
            )
        if data.get("q"):
            services = services.search(data["q"])
        return services

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(filter_form=self.filter_form, query_string=params.urlencode())
        return context


class ServiceDetailView(DetailView):
    template_name = "services/service_detail.html"
    context_object_name = "service"

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title=self.object.title, **kwargs)

    def get_queryset(self):
        return (
            Service.objects.active()
            .select_related("category")
            .prefetch_related(Prefetch("providers", queryset=Organisation.objects.order_by("name")))
        )


class RequestCreateView(LoginRequiredMixin, FormView):
    """点单: ask for a service."""

    template_name = "services/request_form.html"
    extra_context = {"page_title": gettext_lazy("Request a service")}
    form_class = forms.RequestForm

    def dispatch(self, request, *args, **kwargs):
        self.service = get_object_or_404(Service.objects.active(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(service=self.service, **kwargs)

    def form_valid(self, form):
        member = member_on_roll(self.request.user)
        try:
            service_request = actions.request_service(
                service=self.service,
                requester=self.request.user,
                details=form.cleaned_data["details"],
                enterprise=member.employer if member else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Your request was sent to the centre."))
        return redirect("services:request_detail", pk=service_request.pk)


# --- service requests --------------------------------------------------------------------------


class RequestListView(LoginRequiredMixin, TemplateView):
    """My requests; requests dispatched to my organisation; for staff, those awaiting an answer."""

    template_name = "services/request_list.html"
    extra_context = {"page_title": gettext_lazy("Service requests")}

    def get_context_data(self, **kwargs):
        user = self.request.user
        base = ServiceRequest.objects.select_related("service", "organisation")
        context = super().get_context_data(**kwargs)
        context["mine"] = list(base.for_requester(user)[:50])
        context["inbox"] = list(base.for_contact(user)[:50])
        context["is_contact"] = bool(context["inbox"]) or (
            Organisation.objects.for_contact(user).exists()
        )
        if sees_every_organisation(user):
            context["awaiting"] = list(base.awaiting_answer().order_by("created_at", "pk")[:50])
            context["overdue_ids"] = set(
                ServiceRequest.objects.overdue().values_list("pk", flat=True)
            )
        return context


class RequestDetailView(LoginRequiredMixin, DetailView):
    """One request with its history and the step forms the viewer may use (others get 404)."""

    template_name = "services/request_detail.html"
    context_object_name = "service_request"

    def get_object(self, queryset=None):
        # Another scope's id edited into the URL is a 404 that leaves an audit record.
        return get_in_scope_or_404(
            queryset if queryset is not None else self.get_queryset(),
            request=self.request,
            pk=self.kwargs["pk"],
        )

    def get_queryset(self):
        return (
            ServiceRequest.objects.visible_to(self.request.user)
            .select_related("service__category", "organisation", "requester")
            .prefetch_related(
                Prefetch("events", queryset=RequestEvent.objects.select_related("by"))
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj, user = self.object, self.request.user
        answering = sees_every_organisation(user) or (
            obj.organisation is not None and obj.organisation.has_contact(user)
        )
        context.update(
            page_title=_("Service request #%(number)s") % {"number": obj.pk},
            can_dispatch=sees_every_organisation(user)
            and obj.status in (Status.REQUESTED, Status.DECLINED),
            can_answer=answering and obj.status == Status.DISPATCHED,
            can_complete=answering and obj.status == Status.ACCEPTED,
            can_rate=user.pk == obj.requester_id
            and obj.status == Status.COMPLETED
            and obj.rating is None,
            can_withdraw=user.pk == obj.requester_id
            and obj.status in (Status.REQUESTED, Status.DISPATCHED, Status.DECLINED),
            is_overdue=ServiceRequest.objects.overdue().filter(pk=obj.pk).exists(),
            dispatch_form=forms.DispatchForm(service=obj.service),
            decline_form=forms.DeclineForm(),
            complete_form=forms.CompleteForm(),
            rate_form=forms.RateForm(),
        )
        return context


class RequestStep(StepView):
    """A step on a request the user may see; refusals explained; back to the request."""

    object_argument = "request"

    def get_object(self) -> ServiceRequest:
        return get_in_scope_or_404(
            ServiceRequest.objects.visible_to(self.request.user),
            request=self.request,
            pk=self.kwargs["pk"],
        )

    def back(self, obj: ServiceRequest) -> str:
        return reverse("services:request_detail", args=[obj.pk])


class RequestDispatch(RequestStep):
    action = actions.dispatch_request
    done = gettext_lazy("The request was dispatched.")

    def get_form(self, obj: ServiceRequest) -> forms.DispatchForm:
        return forms.DispatchForm(self.request.POST, service=obj.service)


class RequestAccept(RequestStep):
    action = actions.accept_request
    done = gettext_lazy("You accepted the request.")


class RequestDecline(RequestStep):
    form_class = forms.DeclineForm
    action = actions.decline_request
    done = gettext_lazy("You declined the request; the centre will dispatch it again.")


class RequestComplete(RequestStep):
    form_class = forms.CompleteForm
    action = actions.complete_request
    done = gettext_lazy("The request is completed and recorded as a delivered service.")


class RequestRate(RequestStep):
    form_class = forms.RateForm
    action = actions.rate_request
    done = gettext_lazy("Thank you for your rating.")


class RequestWithdraw(RequestStep):
    action = actions.withdraw_request
    done = gettext_lazy("Your request was withdrawn.")


# --- service records ---------------------------------------------------------------------------


class RecordCreateView(LoginRequiredMixin, FormView):
    """A provider's contact (for their organisations) or staff record a delivered service."""

    template_name = "services/record_form.html"
    extra_context = {"page_title": gettext_lazy("Record a delivered service")}

    def get_form(self, form_class=None):
        return forms.RecordForm(user=self.request.user, **self.get_form_kwargs())

    def get(self, request, *args, **kwargs):
        self._require_recorder()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._require_recorder()
        if request.POST.get("organisation") and not sees_every_organisation(request.user):
            # The form offers only one's own organisations: another's id was edited in.
            get_in_scope_or_404(
                Organisation.objects.for_contact(request.user),
                request=request,
                pk=request.POST["organisation"],
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["photos_to_choose_again"] = form.chosen_photo_names() if form.is_bound else []
        return context

    def _require_recorder(self) -> None:
        user = self.request.user
        if (
            not sees_every_organisation(user)
            and not Organisation.objects.filter(
                Q(duty_contact=user) | Q(backup_contact=user)
            ).exists()
        ):
            raise PermissionDenied

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            actions.record_service(
                service=data["service"],
                organisation=data["organisation"],
                delivered_on=data["delivered_on"],
                people_served=data["people_served"],
                notes=data["notes"],
                by=self.request.user,
                photos=data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The service was recorded."))
        return redirect("services:record_new")


# --- activities --------------------------------------------------------------------------------


@method_decorator(page_cache.anonymous_page(), name="dispatch")
class ActivityListView(ListView):
    """Upcoming published activities (or past ones with ?past=1), with places left."""

    template_name = "services/activity_list.html"
    context_object_name = "activities"
    paginate_by = 20

    def get_queryset(self):
        self.past = self.request.GET.get("past") == "1"
        activities = (
            Activity.objects.published()
            .select_related("category", "organisation", "monthly_theme")
            .with_counts()
        )
        if self.past:
            return activities.past().order_by("-starts_at", "-pk")
        return activities.upcoming().order_by("starts_at", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = member_on_roll(self.request.user)
        mine = {}
        if member is not None:
            mine = dict(
                SignUp.objects.active()
                .filter(member=member, activity__in=[a.pk for a in context["activities"]])
                .values_list("activity_id", "status")
            )
        for activity in context["activities"]:
            activity.my_status = mine.get(activity.pk)
        # The pages of the past activities stay past (the pagination keeps the query string).
        context.update(past=self.past, query_string="past=1" if self.past else "")
        return context


class ActivityDetailView(DetailView):
    template_name = "services/activity_detail.html"
    context_object_name = "activity"

    def get_queryset(self):
        return (
            Activity.objects.published()
            .select_related("category", "organisation", "monthly_theme")
            .with_counts()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity, user = self.object, self.request.user
        member = member_on_roll(user)
        signup = attendance = None
        if member is not None:
            signup = activity.signups.active().filter(member=member).first()
            attendance = activity.attendances.filter(member=member).first()
        now = timezone.now()
        context.update(
            page_title=activity.title,
            member=member,
            signup=signup,
            attendance=attendance,
            signup_open=activity.signup_is_open(),
            can_cancel=signup is not None and now < activity.starts_at,
            is_organiser=user.is_authenticated
            and (sees_every_organisation(user) or activity.organisation.has_contact(user)),
            waiting_position=(
                activity.signups.waiting()
                .filter(
                    Q(created_at__lt=signup.created_at)
                    | Q(created_at=signup.created_at, pk__lt=signup.pk)
                )
                .count()
                + 1
                if signup is not None and signup.status == SignUp.Status.WAITING
                else None
            ),
        )
        return context


@login_required
@require_POST
def activity_sign_up(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    member = member_on_roll(request.user)
    if member is None:
        messages.error(
            request,
            _("Only party members can sign up; ask the centre to link your account."),
        )
        return redirect("services:activity_detail", pk=pk)
    try:
        signup = actions.sign_up(activity=activity, member=member)
    except ValidationError as exc:
        _error(request, exc)
    else:
        if signup.status == SignUp.Status.CONFIRMED:
            messages.success(request, _("You have a place. See you there!"))
        else:
            messages.warning(
                request,
                _("The activity is full: you are on the waiting list and will be told of a place."),
            )
    return redirect("services:activity_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (which activity, when, where); POST: give up the place."""
    member = member_on_roll(request.user)
    signup = get_object_or_404(
        SignUp.objects.active().select_related("activity", "member"),
        activity_id=pk,
        member=member,
    )
    if request.method == "GET":
        activity = signup.activity
        return confirm_step(
            request,
            question=_("Cancel your sign-up for %(activity)s?") % {"activity": activity.title},
            details=[
                (_("Activity"), activity.title),
                (
                    _("Starts"),
                    date_format(timezone.localtime(activity.starts_at), "DATETIME_FORMAT"),
                ),
                (_("Venue"), activity.venue),
                (_("Your sign-up"), signup.get_status_display()),
            ],
            button=_("Yes, cancel my sign-up"),
            back=reverse("services:activity_detail", args=[pk]),
            secondary=True,
        )
    try:
        actions.cancel_sign_up(signup=signup, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Your sign-up was cancelled."))
    return redirect("services:activity_detail", pk=pk)


@never_cache
@login_required
def activity_check_in(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The page the venue QR code opens: GET asks to confirm, POST checks in."""
    activity = get_object_or_404(Activity.objects.published(), pk=pk)
    token = request.POST.get("t") if request.method == "POST" else request.GET.get("t", "")
    if request.method == "POST":
        member = member_on_roll(request.user)
        if member is None:
            messages.error(request, _("Only party members can check in."))
            return redirect("services:activity_detail", pk=pk)
        try:
            attendance = actions.check_in(activity=activity, member=member, token=token or "")
        except ValidationError as exc:
            _error(request, exc)
        else:
            if not attendance.was_created:
                messages.info(request, _("You had already checked in."))
            elif attendance.points_awarded:
                messages.success(
                    request,
                    _("Checked in. %(points)s points were added to your account.")
                    % {"points": attendance.points_awarded},
                )
            elif activity.points:
                messages.warning(
                    request, _("Checked in. Your points for this month have reached the cap.")
                )
            else:
                messages.success(request, _("Checked in."))
        return redirect("services:activity_detail", pk=pk)
    # Say at once when the scanned code is stale or not genuine, rather than after a tap.
    problem = None
    try:
        actions.verify_checkin_token(token=token or "", activity=activity)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    return render(
        request,
        "services/check_in.html",
        {"page_title": _("Check in"), "activity": activity, "token": token, "problem": problem},
    )


def _organised_activity(request: HttpRequest, pk: int) -> Activity:
    return get_in_scope_or_404(
        Activity.objects.managed_by(request.user).select_related("organisation"),
        request=request,
        pk=pk,
    )


@never_cache
@login_required
def activity_desk(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The organiser's check-in desk: the rotating QR code and the list to tick."""
    activity = _organised_activity(request, pk)
    signups = list(activity.signups.active().select_related("member").order_by("member__name"))
    present = set(activity.attendances.values_list("member_id", flat=True))
    return render(
        request,
        "services/desk.html",
        {
            "page_title": _("Check-in desk"),
            "activity": activity,
            "signups": signups,
            "present": present,
            "rotate_seconds": max(10, _rotate_seconds() // 2),
        },
    )


def _rotate_seconds() -> int:
    from django.conf import settings

    return settings.SERVICES_CHECKIN_ROTATE_SECONDS


@never_cache
@login_required
@require_GET
def activity_desk_qr(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The current check-in QR code (an htmx fragment the desk page refreshes)."""
    activity = _organised_activity(request, pk)
    token = actions.checkin_token(activity=activity)
    url = request.build_absolute_uri(
        reverse("services:check_in", args=[activity.pk]) + "?" + urlencode({"t": token})
    )
    qr = segno.make(url, error="m")
    return render(
        request,
        "services/includes/desk_qr.html",
        {"activity": activity, "qr_data_uri": qr.svg_data_uri(scale=8, border=2)},
    )


@login_required
@require_POST
def activity_tick(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = _organised_activity(request, pk)
    signups = list(activity.signups.active().select_related("member"))
    form = forms.TickForm(request.POST, signups=signups)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("services:activity_desk", pk=pk)
    chosen = [s.member for s in signups if s.member_id in set(form.cleaned_data["members"])]
    try:
        attendances = actions.tick_attendance(activity=activity, members=chosen, by=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        new = sum(1 for a in attendances if a.was_created)
        messages.success(request, _("%(count)s attendance(s) recorded.") % {"count": new})
    return redirect("services:activity_desk", pk=pk)
