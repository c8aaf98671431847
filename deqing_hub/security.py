"""Client address and login-name helpers shared by Axes and the rate limits."""

from django.conf import settings
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
    """Return one canonical login name per account, whichever form (phone or e-mail) was typed.

    Axes counts failures per name; without this, '138 1234 5678' and '13812345678' would be
    counted separately and an attacker could double the allowed attempts.
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
    return mobile or raw.lower()
