"""The one way an action refuses a request: `Refused`, with a stable code and a message.

Every app's actions raise it when a rule says no, after changing nothing. The `code` names the
rule and never changes (tests, views and imports branch on it); the message is for the user,
translated (pass a lazy string with `params`, or one already formatted in the user's
language). It is a `ValidationError`, so forms and views that catch ValidationError show it
as they always did. Refusals that concern one form field name it (`field=`), so a form puts
the message beside that field.

Permission refusals that must answer 403 stay `PermissionDenied`; this is for the 4xx
"not now / not like this" answers a page shows in a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The code of every refused status transition: the row is no longer in a state the step may
# leave from (another click or worker moved it first, or the step was already taken).
STALE = "stale"


class Refused(ValidationError):
    """A rule refused the request and nothing changed; `code` names the rule."""

    code: str

    def __init__(
        self,
        message: StrOrPromise,
        *,
        code: str,
        params: dict[str, Any] | None = None,
        field: str | None = None,
    ) -> None:
        if field is None:
            super().__init__(message, code=code, params=params)
        else:
            super().__init__({field: ValidationError(message, code=code, params=params)})
        # Set for field refusals too: callers read `exc.code` whatever the shape.
        self.code = code
