"""Client address and login-name helpers shared by Axes and the rate limits."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest

from members import audit
from members.accounts import LOGIN_MAX_LENGTH
from members.phones import normalize_mobile


def client_ip(request: HttpRequest) -> str:
    """Return the client address (the rule lives in members.audit, the lowest layer)."""
    return audit.client_ip(request)


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Return one key per account, whichever identifier (mobile, e-mail, username) was typed.

    Axes counts failures per key; without this, '138 1234 5678', '13812345678' and the
    account's e-mail would be counted separately and an attacker could multiply the allowed
    attempts. Names that match no account are counted as typed (normalised).
    """
    raw = ""
    if credentials:
        raw = (
            credentials.get("login")
            or credentials.get("username")
            or credentials.get("email")
            or credentials.get("phone")
            or ""
        )
    if not raw and request is not None:
        raw = request.POST.get("login") or request.POST.get("username") or ""
    # The login forms refuse NUL and names over LOGIN_MAX_LENGTH before authenticating; this is
    # the second line for any other caller of authenticate(): PostgreSQL refuses NUL in a
    # query, and Axes stores this key in a 255-character column.
    raw = str(raw).replace("\x00", "").strip()[:LOGIN_MAX_LENGTH]
    mobile = normalize_mobile(raw)
    users = get_user_model().objects
    if mobile:
        user_id = users.filter(phone=mobile).values_list("pk", flat=True).first()
    else:
        user_id = (
            users.filter(Q(email__iexact=raw) | Q(username=raw))
            .values_list("pk", flat=True)
            .first()
            if raw
            else None
        )
    if user_id is not None:
        return f"account:{user_id}"
    # Cut again after lower(): a few letters (İ) lower-case to two characters.
    return (mobile or raw.lower())[:LOGIN_MAX_LENGTH]
