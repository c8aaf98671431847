"""The page an invitation link opens: the member sets a password and is logged in on /me/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from members import actions
from members.audit import AuditEvent, record_event
from members.models import Invitation
from members.refusals import Refused


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def open_account(request: HttpRequest, token: str) -> HttpResponse:
    invitation = actions.find_invitation(token=token)
    if invitation is None or not Invitation.objects.usable().filter(pk=invitation.pk).exists():
        if invitation is not None:
            record_event(
                AuditEvent.Kind.INVITATION_REFUSED,
                obj=invitation.member,
                success=False,
                user=invitation.user,
            )
        return render(request, "members/invitation_invalid.html", status=410)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except Refused:
            return render(request, "members/invitation_invalid.html", status=410)
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(request, _("Your account is open. Welcome!"))
        return redirect("members:me")
    return render(request, "members/open_account.html", {"form": form, "invitation": invitation})
