"""The real SMS gateways against local fake servers that check what each gateway documents.

Each fake server recomputes the request's signature with its own implementation of the
documented algorithm (not the backend's), checks the request shape, and answers what the test
tells it: success, a documented error code, an HTTP error, or nothing before the timeout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from members import sms
from members.sms_gateways import AlibabaBackend, TencentBackend

KEY_ID = "LTAI-test-key"
SECRET = "test-secret/with+odd=chars"


class FakeGateway(BaseHTTPRequestHandler):
    """Records each request and answers with the server's `reply`: (status, JSON) or 'hang'."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        problems = self.server.check(self.headers, body)  # type: ignore[attr-defined]
        self.server.seen.append({"headers": self.headers, "body": body, "problems": problems})  # type: ignore[attr-defined]
        reply = self.server.reply  # type: ignore[attr-defined]
        if reply == "hang":
            time.sleep(1.0)
            return
        status, answer = reply
        if problems:
            status, answer = 400, self.server.signature_error  # type: ignore[attr-defined]
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


def _serve(check, signature_error) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    server.check = check  # type: ignore[attr-defined]
    server.signature_error = signature_error  # type: ignore[attr-defined]
    server.seen = []  # type: ignore[attr-defined]
    server.reply = None  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway_settings(settings):
    settings.SMS_ACCESS_KEY_ID = KEY_ID
    settings.SMS_ACCESS_KEY_SECRET = SECRET
    settings.SMS_SIGN_NAME = "德清地信小镇党群服务中心"
    settings.SMS_APP_ID = "1400000001"
    settings.SMS_TIMEOUT = 0.3
    settings.SMS_TEMPLATES = {"notice": "SMS_100", "code": "SMS_200", "invitation": ""}
    return settings


# --- Alibaba Cloud: dysmsapi SendSms, RPC signature version 1.0 ------------------------------


def _aliyun_encode(value: str) -> str:
    # As the documentation spells it: URL-encode in UTF-8, then "+" -> %20, "*" -> %2A, %7E -> ~.
    return (
        urllib.parse.quote_plus(value, safe="")
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~")
    )


def _check_alibaba(headers, body: bytes) -> list[str]:
    params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    problems = []
    if not headers["Content-Type"].startswith("application/x-www-form-urlencoded"):
        problems.append("content type")
    given = params.pop("Signature", "")
    canonical = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(params[k])}" for k in sorted(params))
    to_sign = "POST&%2F&" + _aliyun_encode(canonical)
    expected = base64.b64encode(
        hmac.new((SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    if given != expected:
        problems.append("signature")
    required = {
        "Action": "SendSms",
        "Version": "2017-05-25",
        "Format": "JSON",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "AccessKeyId": KEY_ID,
    }
    problems += [k for k, v in required.items() if params.get(k) != v]
    for name in ("SignatureNonce", "Timestamp", "PhoneNumbers", "SignName", "TemplateCode"):
        if not params.get(name):
            problems.append(name)
    try:
        time.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        problems.append("Timestamp")
    return problems


@pytest.fixture
def alibaba(gateway_settings):
    error = {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
    for server in _serve(_check_alibaba, error):
        gateway_settings.SMS_BACKEND = "members.sms_gateways.AlibabaBackend"
        gateway_settings.SMS_ENDPOINT = f"http://127.0.0.1:{server.server_port}/"
        yield server


def _alibaba_params(server) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(server.seen[-1]["body"].decode()))


def test_alibaba_sends_a_signed_request_with_the_template(alibaba):
    alibaba.reply = (200, {"Code": "OK", "Message": "OK", "BizId": "9006197469364984^0"})
    backend = sms.get_backend()
    assert isinstance(backend, AlibabaBackend)
    sent = backend.send(
        numbers=["13900000001", "+86 139 0000 0002"],
        text="【德清】验证码 123456",
        key="login-1",
        template="code",
        params={"code": "123456"},
    )
    assert sent == 2
    [request] = alibaba.seen
    assert request["problems"] == []
    params = _alibaba_params(alibaba)
    assert params["PhoneNumbers"] == "13900000001,13900000002"
    assert params["TemplateCode"] == "SMS_200"
    assert json.loads(params["TemplateParam"]) == {"code": "123456"}
    assert params["SignName"] == "德清地信小镇党群服务中心"
    assert params["OutId"] == "login-1"


def test_alibaba_sends_plain_text_as_the_notice_template(alibaba):
    alibaba.reply = (200, {"Code": "OK", "Message": "OK"})
    sms.get_backend().send(numbers=["13900000001"], text="值班提醒：本周由你值班", key="k")
    params = _alibaba_params(alibaba)
    assert params["TemplateCode"] == "SMS_100"
    assert json.loads(params["TemplateParam"]) == {"content": "值班提醒：本周由你值班"}


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (200, "isv.BUSINESS_LIMIT_CONTROL", sms.TransientSmsError),
        (200, "isv.AMOUNT_NOT_ENOUGH", sms.TransientSmsError),
        (200, "isp.SYSTEM_ERROR", sms.TransientSmsError),
        (400, "Throttling.User", sms.TransientSmsError),
        (200, "isv.MOBILE_NUMBER_ILLEGAL", sms.PermanentSmsError),
        (200, "isv.SMS_TEMPLATE_ILLEGAL", sms.PermanentSmsError),
        (200, "isv.SMS_SIGNATURE_ILLEGAL", sms.PermanentSmsError),
        (404, "InvalidAccessKeyId.NotFound", sms.PermanentSmsError),
        (503, "ServiceUnavailable", sms.TransientSmsError),
    ],
)
def test_alibaba_maps_documented_error_codes(alibaba, status, code, error):
    alibaba.reply = (status, {"Code": code, "Message": "refused"})
    with pytest.raises(error, match=code if status < 500 else "HTTP 503"):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")


def test_alibaba_wrong_secret_is_refused_by_the_signature_check(alibaba, settings):
    alibaba.reply = (200, {"Code": "OK"})
    settings.SMS_ACCESS_KEY_SECRET = "not the secret"
    with pytest.raises(sms.PermanentSmsError, match="SignatureDoesNotMatch"):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")
    assert alibaba.seen[0]["problems"] == ["signature"]


def test_alibaba_timeout_and_no_server_are_transient(alibaba, settings):
    alibaba.reply = "hang"
    with pytest.raises(sms.TransientSmsError):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")
    settings.SMS_ENDPOINT = "http://127.0.0.1:9/"  # the discard port: nothing listens
    with pytest.raises(sms.TransientSmsError):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")


def test_a_template_the_gateway_does_not_have_is_permanent(alibaba):
    alibaba.reply = (200, {"Code": "OK"})
    with pytest.raises(sms.PermanentSmsError, match="invitation"):
        sms.get_backend().send(
            numbers=["13900000001"], text="x", key="k", template="invitation", params={}
        )
    assert alibaba.seen == []


def test_a_bad_number_never_reaches_the_gateway(alibaba):
    with pytest.raises(sms.PermanentSmsError):
        sms.get_backend().send(numbers=["12345"], text="x", key="k")
    assert alibaba.seen == []


def test_missing_credentials_fail_loudly(gateway_settings):
    gateway_settings.SMS_ACCESS_KEY_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        AlibabaBackend()


# --- Tencent Cloud: SendSms 2021-01-11, TC3-HMAC-SHA256 -------------------------------------


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _check_tencent(headers, body: bytes) -> list[str]:
    problems = []
    fixed = {
        "X-TC-Action": "SendSms",
        "X-TC-Version": "2021-01-11",
        "Content-Type": "application/json; charset=utf-8",
    }
    problems += [k for k, v in fixed.items() if headers[k] != v]
    if not headers["X-TC-Region"]:
        problems.append("X-TC-Region")
    timestamp = int(headers["X-TC-Timestamp"])
    if abs(time.time() - timestamp) > 300:
        problems.append("X-TC-Timestamp")
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['Content-Type']}\nhost:{headers['Host']}\n\n"
        f"content-type;host\n{hashlib.sha256(body).hexdigest()}"
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    )
    key = _hmac256(_hmac256(_hmac256(("TC3" + SECRET).encode(), date), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    expected = (
        f"TC3-HMAC-SHA256 Credential={KEY_ID}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )
    if headers["Authorization"] != expected:
        problems.append("signature")
    payload = json.loads(body)
    for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId", "SignName"):
        if not payload.get(name):
            problems.append(name)
    if not all(n.startswith("+86") for n in payload.get("PhoneNumberSet", [])):
        problems.append("E.164 numbers")
    return problems


def _tencent_status(*codes: str) -> dict:
    return {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "5000:1045710669157053657849499619",
                    "PhoneNumber": f"+8613900000{i:03d}",
                    "Fee": 1,
                    "SessionContext": "k",
                    "Code": code,
                    "Message": "send success" if code == "Ok" else "refused",
                    "IsoCode": "CN",
                }
                for i, code in enumerate(codes)
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }


def _tencent_error(code: str) -> dict:
    return {
        "Response": {
            "Error": {"Code": code, "Message": "refused"},
            "RequestId": "ed93f3cb-f35e-473f-b9f3-0d451b8b79c6",
        }
    }


@pytest.fixture
def tencent(gateway_settings):
    for server in _serve(_check_tencent, _tencent_error("AuthFailure.SignatureFailure")):
        gateway_settings.SMS_BACKEND = "members.sms_gateways.TencentBackend"
        gateway_settings.SMS_ENDPOINT = f"http://127.0.0.1:{server.server_port}/"
        yield server


def test_tencent_sends_a_signed_request_with_the_template(tencent):
    tencent.reply = (200, _tencent_status("Ok", "Ok"))
    backend = sms.get_backend()
    assert isinstance(backend, TencentBackend)
    sent = backend.send(
        numbers=["13900000001", "13900000002"],
        text="验证码 123456",
        key="login-2",
        template="code",
        params={"code": "123456"},
    )
    assert sent == 2
    [request] = tencent.seen
    assert request["problems"] == []
    payload = json.loads(request["body"])
    assert payload == {
        "PhoneNumberSet": ["+8613900000001", "+8613900000002"],
        "SmsSdkAppId": "1400000001",
        "SignName": "德清地信小镇党群服务中心",
        "TemplateId": "SMS_200",
        "TemplateParamSet": ["123456"],
        "SessionContext": "login-2",
    }


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (_tencent_status("LimitExceeded.PhoneNumberDailyLimit"), sms.TransientSmsError),
        (_tencent_status("Ok", "InternalError.Timeout"), sms.TransientSmsError),
        (_tencent_error("RequestLimitExceeded"), sms.TransientSmsError),
        (
            _tencent_status("FailedOperation.InsufficientBalanceInSmsPackage"),
            sms.TransientSmsError,
        ),
        (_tencent_status("InvalidParameterValue.IncorrectPhoneNumber"), sms.PermanentSmsError),
        (_tencent_error("FailedOperation.TemplateIncorrectOrUnapproved"), sms.PermanentSmsError),
        (_tencent_error("AuthFailure.SecretIdNotFound"), sms.PermanentSmsError),
        ({"Response": {"RequestId": "x"}}, sms.PermanentSmsError),
    ],
)
def test_tencent_maps_documented_error_codes(tencent, answer, error):
    tencent.reply = (200, answer)
    with pytest.raises(error):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")


def test_tencent_wrong_secret_is_refused_by_the_signature_check(tencent, settings):
    tencent.reply = (200, _tencent_status("Ok"))
    settings.SMS_ACCESS_KEY_SECRET = "not the secret"
    with pytest.raises(sms.PermanentSmsError, match=r"AuthFailure\.SignatureFailure"):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")
    assert tencent.seen[0]["problems"] == ["signature"]


def test_tencent_timeout_and_server_errors_are_transient(tencent):
    tencent.reply = "hang"
    with pytest.raises(sms.TransientSmsError):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")
    tencent.reply = (502, {"message": "bad gateway"})
    with pytest.raises(sms.TransientSmsError):
        sms.get_backend().send(numbers=["13900000001"], text="x", key="k")
