"""The session store: Django's database sessions, looking up only keys Django could issue, and
written at most once a minute when nothing in them changed.

Keys. Django issues session keys of 32 characters from [a-z0-9]; its own check accepts any text
of at least eight characters. The cookie is parsed with Python's quoted-string rules, so a
forged `sessionid="\\000\\000..."` arrives as NUL characters, which PostgreSQL refuses in a
query: every page answered 500 to that cookie. A key that does not look like one of ours is
treated as no session at all (a fresh, anonymous one), as an unknown key already is.

Renewal. Sessions end after SESSION_COOKIE_AGE (30 minutes) without a request, so every
request renews them (SESSION_SAVE_EVERY_REQUEST). Measured at county scale (issue #20), that
renewal was an UPDATE and a commit of the session row on every logged-in request: about 1 ms of
the 1.7-2.3 ms the bare view cost logged in (0.4 ms anonymous). A session whose data did not
change is now written only when the expiry it would get is at least RENEW_AFTER_SECONDS past
the stored one: the idle limit is counted from the last renewal, which is at most a minute
before the last request, so a session ends between 29 and 30 idle minutes after it (never
later). A changed session (a login, a message, a form's state) is written as before.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends import db

# The model's column is 40 characters; Django's own keys are 32.
SESSION_KEY_MAX_LENGTH = 40
RENEW_AFTER_SECONDS = 60


class SessionStore(db.SessionStore):
    # The expiry of the row as last read or written; None before, or when there is no row.
    _stored_expiry: dt.datetime | None = None

    def _validate_session_key(self, key: str | None) -> bool:
        # Django's own check (not in the type stubs): a key of at least 8 characters.
        return bool(
            key is not None
            and super()._validate_session_key(key)  # type: ignore[misc]
            and len(key) <= SESSION_KEY_MAX_LENGTH
            and key.isascii()
            and key.isalnum()
        )

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self._stored_expiry = session.expire_date if session is not None else None
        return session

    def save(self, must_create: bool = False) -> None:
        if not must_create and not self.modified and self._renewed_lately():
            return
        expiry = self.get_expiry_date()
        super().save(must_create)
        self._stored_expiry = expiry

    def _renewed_lately(self) -> bool:
        # Reads the row (and its expiry) unless this request already did (not in the type stubs).
        self._get_session()  # type: ignore[attr-defined]
        if self._stored_expiry is None:
            return False
        return self.get_expiry_date() - self._stored_expiry < dt.timedelta(
            seconds=RENEW_AFTER_SECONDS
        )
