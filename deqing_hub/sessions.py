"""The session store: Django's database sessions, looking up only keys Django could issue.

Django issues session keys of 32 characters from [a-z0-9]; its own check accepts any text of
at least eight characters. The cookie is parsed with Python's quoted-string rules, so a
forged `sessionid="\\000\\000..."` arrives as NUL characters, which PostgreSQL refuses in a
query: every page answered 500 to that cookie. A key that does not look like one of ours is
treated as no session at all (a fresh, anonymous one), as an unknown key already is.
"""

from django.contrib.sessions.backends import db

# The model's column is 40 characters; Django's own keys are 32.
SESSION_KEY_MAX_LENGTH = 40


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        # Django's own check (not in the type stubs): a key of at least 8 characters.
        return bool(
            key is not None
            and super()._validate_session_key(key)  # type: ignore[misc]
            and len(key) <= SESSION_KEY_MAX_LENGTH
            and key.isascii()
            and key.isalnum()
        )
