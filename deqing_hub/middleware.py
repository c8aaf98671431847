"""Session limits required by MLPS level 2: idle timeout and an absolute lifetime."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_STARTED_KEY = "_session_started_at"


class AbsoluteSessionLimitMiddleware:
    """End a logged-in session once it is older than SESSION_ABSOLUTE_LIMIT_SECONDS.

    The idle limit is SESSION_COOKIE_AGE renewed on every request; this caps the total,
    so a session kept alive by activity still ends after at most twelve hours.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - int(started) > settings.SESSION_ABSOLUTE_LIMIT_SECONDS:
                logout(request)
        return self.get_response(request)
