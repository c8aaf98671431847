"""Client address and login-name helpers shared by Axes and the rate limits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest

from members.phones import normalize_mobile


def client_ip(request: HttpRequest) -> str:
    """Return the client address: the trusted proxy's header if configured, else the socket.

    A forwarded header is only believed when the operator names it in TRUSTED_PROXY_IP_HEADER,
    because any client can send one.
    """
    header = settings.TRUSTED_PROXY_IP_HEADER
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta_key, "")
        if value:
            # X-Forwarded-For style lists: the proxy appends the address it saw last.
            return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


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
    raw = str(raw).strip()
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
    return mobile or raw.lower()
