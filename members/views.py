"""The member's own pages: home, contact details, data download. Staff work in the admin."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import FormView, TemplateView

from members import actions, page_cache
from members.exports import collect_records
from members.forms import ContactDetailsForm
from members.http import AuthenticatedRequest
from members.models import Member
from members.panels import me_panels
from members.sheets.workbook import XLSX_CONTENT_TYPE, my_data_workbook


def _own_member(request: HttpRequest) -> Member | None:
    return Member.objects.for_user(request.user).select_related("branch", "employer").first()


@method_decorator(page_cache.own_page(), name="dispatch")
class MeView(LoginRequiredMixin, TemplateView):
    """Member home: masked profile, branch, talent programme, then the panels of later apps.

    A login without a member record (the public) sees the panels only.
    """

    template_name = "members/me.html"
    extra_context = {"page_title": gettext_lazy("My page")}

    def get_context_data(self, **kwargs):
        member = _own_member(self.request)
        return super().get_context_data(
            member=member, panels=me_panels(self.request, member), **kwargs
        )


class ContactDetailsView(LoginRequiredMixin, FormView):
    template_name = "members/contact_form.html"
    extra_context = {"page_title": gettext_lazy("Change e-mail or mobile")}
    form_class = ContactDetailsForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.member = _own_member(request)
            if self.member is None:
                raise Http404(_("Your account is not linked to a party member record."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"email": self.member.email}

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)

    def form_valid(self, form):
        try:
            actions.change_contact_details(
                member=self.member,
                email=form.cleaned_data["email"],
                mobile=form.cleaned_data["mobile"] or self.member.mobile,
                by=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Your contact details have been saved."))
        return redirect("members:me")


def _my_data(request: AuthenticatedRequest) -> dict:
    """Everything the portal keeps about the caller (only theirs: every lookup is by the login)."""
    member = _own_member(request)
    user = request.user
    return {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "mobile": user.phone or "",
            "date_joined": user.date_joined,
        },
        "member": actions.member_data_export(member=member) if member else None,
        "records": collect_records(user, member),
    }


@never_cache
@require_GET
@login_required
def export_my_data(request: AuthenticatedRequest) -> HttpResponse:
    """Download the caller's own data: JSON, or with `?format=xlsx` a workbook (a sheet a model)."""
    data = _my_data(request)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(my_data_workbook(data), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="my-data.xlsx"'
        return response
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
