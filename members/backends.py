"""Sign-in by mobile number wherever a form sends what was typed as `username`.

The member login (allauth) looks a mobile up itself, as `phone`. The staff admin's login form
sends every identifier as `username`, so without this backend staff could sign in to the
admin only by e-mail. Axes (first in AUTHENTICATION_BACKENDS) has already counted and refused
locked-out accounts, whichever identifier was typed (deqing_hub.security).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from members.phones import normalize_mobile


class MobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        mobile = normalize_mobile(username)
        if not mobile or password is None:
            return None
        user_model = get_user_model()
        user = user_model._default_manager.filter(phone=mobile).first()
        if user is None:
            # Hash anyway, so the answer takes as long whether or not the mobile exists.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
