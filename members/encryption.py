"""Encryption of personal data at rest and keyed hashes for looking it up.

The ID number is stored as a Fernet token (AES-128-CBC + HMAC-SHA256, random IV) so equal values
give different tokens; uniqueness and lookups use an HMAC-SHA256 digest under a key derived from
the same secret, which cannot be reversed without it. Key: settings.FIELD_ENCRYPTION_KEY.

Key rotation: set FIELD_ENCRYPTION_KEY to "new-key,old-key" (the first encrypts, every key
decrypts), then run `manage.py reencrypt_personal_data`, which re-encrypts every token and
recomputes every digest under the new key; after that the old key can be dropped.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _keys(secret: str) -> tuple[MultiFernet, bytes]:
    keys = [part.strip() for part in secret.split(",") if part.strip()]
    try:
        fernet = MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be one Fernet key (32 bytes, urlsafe base64), or several "
            "separated by commas while rotating."
        ) from exc
    # A separate key for digests, so a digest never equals anything derived for encryption.
    digest_key = hmac.new(keys[0].encode(), b"deqing-hub/lookup-digest/v1", hashlib.sha256).digest()
    return fernet, digest_key


def encrypt_text(plain: str) -> str:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0].encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0].decrypt(token.encode()).decode()


def rotate_token(token: str) -> str:
    """The same plain text, encrypted under the first (current) key."""
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0].rotate(token.encode()).decode()


def lookup_digest(plain: str) -> str:
    """Hex HMAC-SHA256 of a normalised value: equal inputs, equal digests (for unique lookups)."""
    key = _keys(settings.FIELD_ENCRYPTION_KEY)[1]
    return hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()
