"""The request a page behind a login receives, for type checking.

`request.user` of a plain HttpRequest may be anonymous; a view under `@login_required` (or
`LoginRequiredMixin`) only ever sees a logged-in account, and says so with this type.
"""

from __future__ import annotations

from django.http import HttpRequest

from members.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
