"""Anti-spam for the submission form without third-party services.

Three checks: fixed-window rate limits per account and per client address in the shared cache,
a honeypot field people never see, and a minimum fill time carried as a signed timestamp.
The client address is the portal's one rule, `members.audit.client_ip` (the trusted proxy
header named in TRUSTED_PROXY_IP_HEADER, otherwise the socket).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from members.audit import client_ip

FILL_TOKEN_SALT = "wishes.new.started"  # noqa: S105 - a signing namespace, not a secret
FILL_TOKEN_MAX_AGE = 24 * 60 * 60
WINDOW_SECONDS = 60 * 60


def _hit(key: str, limit: int) -> bool:
    """Count one attempt in this hour's window; True while the count is within the limit."""
    window = int(time.time() // WINDOW_SECONDS)
    full_key = f"wishes:rate:{key}:{window}"
    cache.add(full_key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.set(full_key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    # None: the cache is unreachable; the limits fail open rather than block every member.
    return count is None or count <= limit


def allow_submission(request: HttpRequest) -> bool:
    """Count this form post against the account's and the address's hourly limits."""
    user_ok = _hit(f"user:{request.user.pk}", settings.WISHES_RATE_PER_USER_HOUR)
    ip_ok = _hit(f"ip:{client_ip(request)}", settings.WISHES_RATE_PER_IP_HOUR)
    return user_ok and ip_ok


def new_fill_token(now: float | None = None) -> str:
    return signing.dumps(int(now if now is not None else time.time()), salt=FILL_TOKEN_SALT)


def seconds_since(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was served; None if the token is forged or too old."""
    try:
        started = signing.loads(token, salt=FILL_TOKEN_SALT, max_age=FILL_TOKEN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(started, int):
        return None
    return (now if now is not None else time.time()) - started
