"""The inbox on /me/notifications/ and the notification settings: thin views over actions."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView

from members.http import AuthenticatedRequest
from members.notices import actions
from members.notices.forms import NoticeSettingsForm
from members.notices.models import Notice


class InboxView(LoginRequiredMixin, ListView):
    """My notices, newest first, 20 a page (one count and one page query)."""

    template_name = "notices/inbox.html"
    extra_context = {"page_title": gettext_lazy("My notifications")}
    context_object_name = "notices"
    paginate_by = 20

    def get_queryset(self):
        return Notice.objects.for_user(self.request.user).only(
            "kind", "subject", "body", "link", "created_at", "read_at"
        )


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    actions.mark_read(user=cast(AuthenticatedRequest, request).user, notice_id=pk)
    return redirect(_back(request))


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(user=cast(AuthenticatedRequest, request).user)
    if count:
        messages.success(request, _("All notices are marked as read."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """Back to the inbox page the button was on (only a page number is taken from the form)."""
    page = request.POST.get("page", "")
    target = reverse("notices:inbox")
    return f"{target}?page={page}" if page.isdigit() and page != "1" else target


class NoticeSettingsView(LoginRequiredMixin, FormView):
    template_name = "notices/settings.html"
    extra_context = {"page_title": gettext_lazy("Notification settings")}
    form_class = NoticeSettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        actions.save_preferences(
            user=self.request.user,
            choices=form.choices(),
            language=form.cleaned_data["language"],
        )
        messages.success(self.request, _("Your notification settings have been saved."))
        return redirect("notices:settings")
