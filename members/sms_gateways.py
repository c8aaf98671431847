"""The real SMS gateways, through their documented HTTP APIs (no vendor SDK needed).

`AlibabaBackend`: Alibaba Cloud SMS, dysmsapi SendSms (version 2017-05-25), RPC style with
signature version 1.0 (HMAC-SHA1 over the sorted, percent-encoded query).
`TencentBackend`: Tencent Cloud SMS, SendSms (version 2021-01-11), TC3-HMAC-SHA256.

Both are chosen by SMS_BACKEND and read the SMS_* settings (credentials, endpoint, sign name,
template ids). A gateway's answer is mapped onto the interface of members/sms.py: what may pass
with time (rate limits, the gateway's own errors, no connection, timeouts, an empty balance) is
transient; what the request itself gets wrong (credentials, signature, template, sign name,
number) is permanent.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from members.sms import BaseBackend, PermanentSmsError, TransientSmsError


class GatewayBackend(BaseBackend):
    """A gateway reached over HTTPS that sends registered templates only."""

    default_endpoint = ""
    name = ""  # in the errors' text
    # The gateway's answer codes that pass with time (prefixes): any other refusal is permanent.
    transient_codes: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.endpoint = settings.SMS_ENDPOINT or self.default_endpoint
        self.key_id = settings.SMS_ACCESS_KEY_ID
        self.secret = settings.SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.SMS_SIGN_NAME
        self.timeout = settings.SMS_TIMEOUT
        if not (self.key_id and self.secret and self.sign_name):
            # Loud at the first send, not a quiet queue of messages that can never go.
            raise ImproperlyConfigured(
                "SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET and SMS_SIGN_NAME are required"
            )

    def deliver_message(
        self, *, numbers: list[str], text: str, key: str, template: str, params: dict | None
    ) -> None:
        template_id = settings.SMS_TEMPLATES.get(template)
        if not template_id:
            raise PermanentSmsError(f"no gateway template configured for {template!r}")
        self.request(
            numbers=numbers, key=key, template_id=template_id, params=params or {"content": text}
        )

    def request(
        self, *, numbers: list[str], key: str, template_id: str, params: dict[str, str]
    ) -> None:
        raise NotImplementedError

    def exchange(self, request: urllib.request.Request) -> dict[str, Any]:
        """Send one HTTP request; return the JSON answer, also of an HTTP error status."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise TransientSmsError(f"gateway answered HTTP {exc.code}") from exc
            body = exc.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientSmsError(f"gateway unreachable: {type(exc).__name__}") from exc
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise TransientSmsError("gateway answer is not JSON") from exc
        if not isinstance(answer, dict):
            raise TransientSmsError("gateway answer is not a JSON object")
        return answer

    def refused(self, code: str) -> NoReturn:
        """Raise the error of a send the gateway refused with `code`."""
        if code.startswith(self.transient_codes):
            raise TransientSmsError(f"{self.name}: {code}")
        raise PermanentSmsError(f"{self.name}: {code}")


def percent_encode(value: str) -> str:
    """Alibaba's RPC encoding: RFC 3986, UTF-8, only A-Z a-z 0-9 - _ . ~ left as they are."""
    return urllib.parse.quote(value, safe="-_.~")


def alibaba_signature(*, method: str, query: dict[str, str], secret: str) -> str:
    """Signature version 1.0 of Alibaba Cloud's RPC APIs (all parameters but `Signature`)."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(query.items())
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Alibaba codes that pass with time: flow control, the platform's own errors, an empty balance.
ALIBABA_TRANSIENT = (
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.MONTH_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.OUT_OF_SERVICE",
    "isp.SYSTEM_ERROR",
    "Throttling",
    "ServiceUnavailable",
    "InternalError",
)


class AlibabaBackend(GatewayBackend):
    """Alibaba Cloud SMS (dysmsapi SendSms); the outbox key goes as OutId."""

    default_endpoint = "https://dysmsapi.aliyuncs.com/"
    name = "Alibaba Cloud SMS"
    transient_codes = ALIBABA_TRANSIENT

    def request(
        self, *, numbers: list[str], key: str, template_id: str, params: dict[str, str]
    ) -> None:
        query = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": key,
            "PhoneNumbers": ",".join(numbers),
            "RegionId": settings.SMS_REGION or "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": secrets.token_hex(16),
            "SignatureVersion": "1.0",
            "TemplateCode": template_id,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        query["Signature"] = alibaba_signature(method="POST", query=query, secret=self.secret)
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in query.items())
        request = urllib.request.Request(  # noqa: S310  # the endpoint comes from settings
            self.endpoint,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = self.exchange(request)
        code = str(answer.get("Code", ""))
        if code == "OK":
            return
        self.refused(code or "no code")


def tencent_signature(
    *, secret: str, host: str, timestamp: int, payload: bytes, service: str = "sms"
) -> tuple[str, str]:
    """TC3-HMAC-SHA256 over a POST of JSON to `/`; return (credential scope, signature)."""
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )

    def sign(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    signing_key = sign(sign(sign(f"TC3{secret}".encode(), date), service), "tc3_request")
    return scope, hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()


# Tencent codes that pass with time (prefixes): frequency limits, its own errors and
# timeouts, an empty package.
TENCENT_TRANSIENT = (
    "LimitExceeded",
    "RequestLimitExceeded",
    "InternalError",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "ResourceUnavailable",
)


class TencentBackend(GatewayBackend):
    """Tencent Cloud SMS (SendSms 2021-01-11); the outbox key goes as SessionContext."""

    default_endpoint = "https://sms.tencentcloudapi.com/"
    name = "Tencent Cloud SMS"
    transient_codes = TENCENT_TRANSIENT

    def request(
        self, *, numbers: list[str], key: str, template_id: str, params: dict[str, str]
    ) -> None:
        payload = json.dumps(
            {
                "PhoneNumberSet": [f"+86{n}" for n in numbers],
                "SmsSdkAppId": settings.SMS_APP_ID,
                "SignName": self.sign_name,
                "TemplateId": template_id,
                # Tencent's templates number their variables {1}, {2}...: the values in order.
                "TemplateParamSet": list(params.values()),
                "SessionContext": key,
            },
            ensure_ascii=False,
        ).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc
        timestamp = int(dt.datetime.now(dt.UTC).timestamp())
        scope, signature = tencent_signature(
            secret=self.secret, host=host, timestamp=timestamp, payload=payload
        )
        request = urllib.request.Request(  # noqa: S310  # the endpoint comes from settings
            self.endpoint,
            data=payload,
            method="POST",
            headers={
                "Authorization": (
                    f"TC3-HMAC-SHA256 Credential={self.key_id}/{scope}, "
                    f"SignedHeaders=content-type;host, Signature={signature}"
                ),
                "Content-Type": "application/json; charset=utf-8",
                "Host": host,
                "X-TC-Action": "SendSms",
                "X-TC-Timestamp": str(timestamp),
                "X-TC-Version": "2021-01-11",
                "X-TC-Region": settings.SMS_REGION or "ap-guangzhou",
            },
        )
        response = self.exchange(request).get("Response") or {}
        codes = [str(response.get("Error", {}).get("Code", ""))] if "Error" in response else []
        codes += [
            str(status.get("Code", ""))
            for status in response.get("SendStatusSet") or []
            if status.get("Code") != "Ok"
        ]
        if not codes and response.get("SendStatusSet"):
            return
        self.refused(codes[0] if codes else "no send status")
