"""The channels out of the portal: e-mail, SMS and the WeCom / DingTalk group robots.

Each `send_*` returns how many recipients the message reached, or raises `TransientError`
(retry later with backoff) or `PermanentError` (fail now, shown to staff in the admin).
The notice outbox (members.notices.actions) sends here, for every app (the duty reminders
too); no other module of the portal talks to a mail server, an SMS gateway or a robot.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from members import sms


class TransientError(Exception):
    pass


class PermanentError(Exception):
    pass


class MailConnection:
    """One connection to the mail server for a batch of e-mails, opened by the first of them.

    A send that fails drops it, so the next e-mail opens a fresh one (the server may have
    closed it).
    """

    def __init__(self) -> None:
        self._backend: BaseEmailBackend | None = None

    def backend(self) -> BaseEmailBackend:
        if self._backend is None:
            backend = get_connection(fail_silently=False)
            backend.open()
            self._backend = backend
        return self._backend

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            # The messages were handed over or failed already: nothing is lost.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                backend.close()


def send_email(
    *, addresses: list[str], subject: str, body: str, key: str, mail: MailConnection | None = None
) -> int:
    """Send one e-mail over `mail` (a batch's connection) if given, else its own connection."""
    if not addresses:
        raise PermanentError("no recipient has an e-mail address")
    try:
        return _send_email(addresses=addresses, subject=subject, body=body, key=key, mail=mail)
    except (PermanentError, TransientError):
        if mail is not None:
            mail.close()
        raise


def _send_email(
    *, addresses: list[str], subject: str, body: str, key: str, mail: MailConnection | None
) -> int:
    # A stable Message-ID from the row's key: delivery is at least once (SMTP has no idempotent
    # submission), and when a worker dies after the server took the message and the row is sent
    # again, clients that fold duplicates by Message-ID show one message.
    try:
        message = EmailMessage(
            subject=subject,
            body=body,
            to=addresses,
            headers={"Message-ID": f"<{key}@{settings.NOTICE_MESSAGE_ID_DOMAIN}>"},
            connection=mail.backend() if mail is not None else None,
        )
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError("recipient refused by the mail server") from exc
    except smtplib.SMTPResponseException as exc:
        error = f"mail server answered {exc.smtp_code}"
        if 500 <= exc.smtp_code < 600:
            raise PermanentError(error) from exc
        raise TransientError(error) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"mail server unreachable: {type(exc).__name__}") from exc
    return len(addresses)


def send_sms(*, numbers: list[str], text: str, key: str) -> int:
    if not numbers:
        raise PermanentError("no recipient has a mobile number")
    try:
        return sms.get_backend().send(numbers=numbers, text=text, key=key)
    except sms.PermanentSmsError as exc:
        raise PermanentError(str(exc)) from exc
    except sms.TransientSmsError as exc:
        raise TransientError(str(exc)) from exc


# Webhook error codes that mean "too many messages now, try later".
_RATE_LIMITED = {45009, 130101}


def dingtalk_signed_url(url: str, secret: str, *, now_ms: int | None = None) -> str:
    """The robot URL with DingTalk's signature (a robot in "加签" mode refuses unsigned posts).

    DingTalk's documented scheme: sign = urlencode(base64(HMAC-SHA256(key=secret,
    msg=f"{timestamp}\\n{secret}"))), timestamp in milliseconds, both added to the query; the
    robot refuses a timestamp more than an hour off.
    """
    timestamp = str(now_ms if now_ms is not None else round(time.time() * 1000))
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def send_webhook(*, url: str, text: str, secret: str = "") -> int:
    """Post a text message to a WeCom or DingTalk group robot (both take the same JSON).

    With `secret` (DingTalk's signed mode) the URL is signed afresh on every attempt.
    """
    if not url:
        raise PermanentError("no webhook URL configured")
    if not url.startswith(("http://", "https://")):
        raise PermanentError("webhook URL is not an http(s) address")
    if secret:
        url = dingtalk_signed_url(url, secret)
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
        url, data=payload, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        error = f"webhook answered HTTP {exc.code}"
        if exc.code == 429 or exc.code >= 500:
            raise TransientError(error) from exc
        raise PermanentError(error) from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        raise TransientError(f"webhook unreachable: {type(exc).__name__}") from exc
    except ValueError as exc:
        raise TransientError("webhook answered with something that is not JSON") from exc
    code = answer.get("errcode", 0)
    if code == 0:
        return 1
    error = f"webhook error {code}: {str(answer.get('errmsg', ''))[:200]}"
    if code in _RATE_LIMITED:
        raise TransientError(error)
    raise PermanentError(error)
