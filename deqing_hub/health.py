"""Health of the parts the portal depends on, each checked with a short timeout."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the type is reported, not raised
        return {"status": "down", "vendor": connection.vendor, "error": type(exc).__name__}
    return {"status": "up", "vendor": connection.vendor}


def check_broker() -> dict:
    """Ping Redis (the broker, cache and rate-limit store) if one is configured."""
    if not settings.REDIS_URL:
        return {"status": "not configured", "mode": "in-process tasks"}
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1, retry_on_timeout=False
    )
    try:
        client.ping()
    except Exception as exc:  # connection refused, timeout, auth: all mean "down"
        return {"status": "down", "error": type(exc).__name__}
    finally:
        client.close()
    return {"status": "up"}


def report() -> tuple[bool, dict]:
    """Return (healthy, details); healthy when every configured part answers."""
    parts = {"database": check_database(), "broker": check_broker()}
    healthy = all(part["status"] in {"up", "not configured"} for part in parts.values())
    return healthy, parts
