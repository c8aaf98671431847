"""Encryption of personal data at rest and keyed hashes for looking it up.

The ID number is stored as a Fernet token (AES-128-CBC + HMAC-SHA256, random IV) so equal values
give different tokens; uniqueness and lookups use an HMAC-SHA256 digest under a key derived from
the same secret, which cannot be reversed without it. Key: settings.FIELD_ENCRYPTION_KEY.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _keys(secret: str) -> tuple[Fernet, bytes]:
    try:
        fernet = Fernet(secret.encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be a Fernet key (32 bytes, urlsafe base64)."
        ) from exc
    # A separate key for digests, so a digest never equals anything derived for encryption.
    digest_key = hmac.new(secret.encode(), b"deqing-hub/lookup-digest/v1", hashlib.sha256).digest()
    return fernet, digest_key


def encrypt_text(plain: str) -> str:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0].encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0].decrypt(token.encode()).decode()


def lookup_digest(plain: str) -> str:
    """Hex HMAC-SHA256 of a normalised value: equal inputs, equal digests (for unique lookups)."""
    key = _keys(settings.FIELD_ENCRYPTION_KEY)[1]
    return hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()
