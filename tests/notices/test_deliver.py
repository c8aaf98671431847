"""Delivering one outbox row against local stand-ins: SMS gateways that fail, group robots on
loopback (DingTalk's signed mode checked as DingTalk checks it), wrong robot URLs, retries."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from members.notices import actions, channels
from members.notices.models import Delivery, Notice, Preference
from tests.conftest import make_user
from tests.rota.gateways import FlakyBackend
from wishes.notifications import STAFF_DIGEST

pytestmark = pytest.mark.django_db

SECRET = "SECtest-secret"
CONTEXT = {"wishes": [], "overdue_count": 0, "day": dt.date(2026, 12, 3)}


class _Robot(BaseHTTPRequestHandler):
    answers: list = []
    received: list = []
    paths: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        type(self).paths.append(self.path)
        status, payload = type(self).answers.pop(0)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if "sign" in query:
            # What DingTalk does: recompute the signature from the timestamp and the secret.
            timestamp = query["timestamp"][0]
            digest = hmac.new(
                SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256
            ).digest()
            if base64.b64encode(digest).decode() != query["sign"][0]:
                payload = {"errcode": 310000, "errmsg": "sign not match"}
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    """A real HTTP server on loopback answering like a WeCom / DingTalk group robot."""
    server = HTTPServer(("127.0.0.1", 0), _Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Robot.answers, _Robot.received, _Robot.paths = [], [], []
    yield f"http://127.0.0.1:{server.server_port}/robot/send?access_token=t", _Robot
    server.shutdown()
    server.server_close()


def group_row(channel: str) -> Delivery:
    actions.notify_group(
        kind=STAFF_DIGEST, audience="staff", event="digest:1", context=CONTEXT, link="/admin/"
    )
    return Delivery.objects.get(channel=channel)


def send(row: Delivery, now=None) -> Delivery:
    actions.deliver(delivery_id=row.pk, now=now or timezone.now())
    row.refresh_from_db()
    return row


def test_dingtalk_signed_mode_posts_a_signature_the_robot_accepts(settings, robot):
    url, handler = robot
    settings.NOTICE_DINGTALK_WEBHOOK_URL = url
    settings.NOTICE_DINGTALK_SECRET = SECRET
    handler.answers = [(200, {"errcode": 0, "errmsg": "ok"})]
    row = send(group_row("dingtalk"))
    assert row.status == "sent", row.last_error
    assert "&timestamp=" in handler.paths[0] and "&sign=" in handler.paths[0]
    assert handler.received[0]["msgtype"] == "text"
    assert "/admin/" in handler.received[0]["text"]["content"]


def test_dingtalk_signature_follows_the_documented_scheme():
    signed = channels.dingtalk_signed_url("https://x/robot/send?access_token=t", SECRET, now_ms=1)
    digest = hmac.new(SECRET.encode(), f"1\n{SECRET}".encode(), hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(digest))
    assert signed == f"https://x/robot/send?access_token=t&timestamp=1&sign={expected}"


def test_a_wrong_secret_is_a_permanent_failure_with_the_robots_reason(settings, robot):
    url, handler = robot
    settings.NOTICE_DINGTALK_WEBHOOK_URL = url
    settings.NOTICE_DINGTALK_SECRET = "SECwrong"
    handler.answers = [(200, {"errcode": 0})]
    row = send(group_row("dingtalk"))
    assert row.status == "failed" and "310000" in row.last_error


def test_wecom_server_error_is_retried_with_backoff_then_sent(settings, robot):
    url, handler = robot
    settings.NOTICE_WECOM_WEBHOOK_URL = url
    handler.answers = [(502, {}), (200, {"errcode": 0, "errmsg": "ok"})]
    row = group_row("wecom")
    now = timezone.now()
    row = send(row, now)
    assert (row.status, row.last_error) == ("pending", "webhook answered HTTP 502")
    assert row.next_attempt_at == now + dt.timedelta(seconds=settings.NOTICE_RETRY_BASE_SECONDS)
    assert actions.deliver(delivery_id=row.pk, now=now) is None  # not due yet: nobody claims
    row = send(row, row.next_attempt_at)
    assert row.status == "sent" and row.attempts == 2


def test_a_robot_url_that_is_wrong_fails_with_the_reason(settings):
    settings.NOTICE_WECOM_WEBHOOK_URL = "qyapi.weixin.qq.com/cgi-bin/webhook/send"
    row = send(group_row("wecom"))
    assert (row.status, row.last_error) == ("failed", "webhook URL is not an http(s) address")


def test_a_robot_that_does_not_answer_is_retried(settings):
    settings.NOTICE_WECOM_WEBHOOK_URL = "http://127.0.0.1:9/cgi-bin/webhook/send"
    row = send(group_row("wecom"))
    assert row.status == "pending" and "unreachable" in row.last_error


def test_no_robot_configured_writes_no_group_notice(settings):
    settings.NOTICE_WECOM_WEBHOOK_URL = settings.NOTICE_DINGTALK_WEBHOOK_URL = ""
    assert (
        actions.notify_group(
            kind=STAFF_DIGEST, audience="staff", event="d", context=CONTEXT, link="/"
        )
        is None
    )


def sms_row() -> Delivery:
    user = make_user(email="a@example.cn", phone="13800000077")
    Preference.objects.create(user=user, kind=STAFF_DIGEST, email=False, sms=True)
    actions.notify(kind=STAFF_DIGEST, to=[user], event="d", context=CONTEXT, link="/")
    return Delivery.objects.get(channel="sms")


def test_a_gateway_timeout_is_retried_until_it_works(settings, tmp_path):
    settings.SMS_BACKEND = "tests.rota.gateways.FlakyBackend"
    settings.SMS_FILE_PATH = tmp_path
    FlakyBackend.calls, FlakyBackend.failures = 0, 2
    row = sms_row()
    now = timezone.now()
    for _ in range(2):
        row = send(row, now)
        assert (row.status, row.last_error) == ("pending", "gateway timeout")
        now = row.next_attempt_at
    row = send(row, now)
    assert row.status == "sent" and row.attempts == 3


def test_too_many_failures_end_in_failed_and_staff_can_retry(settings, tmp_path, staff):
    settings.SMS_BACKEND = "tests.rota.gateways.FlakyBackend"
    settings.SMS_FILE_PATH = tmp_path
    settings.NOTICE_MAX_ATTEMPTS = 2
    FlakyBackend.calls, FlakyBackend.failures = 0, 5
    row = sms_row()
    row = send(row)
    row = send(row, row.next_attempt_at)
    assert (row.status, row.attempts) == ("failed", 2)
    assert Notice.objects.get().user.phone == "13800000077"  # the inbox copy stays
    assert actions.retry_failed_deliveries(ids=[row.pk], by=staff) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)


def test_a_refused_number_fails_at_once(settings):
    settings.SMS_BACKEND = "tests.rota.gateways.RefusingBackend"
    row = send(sms_row())
    assert (row.status, row.last_error) == ("failed", "template rejected by the gateway")


def test_the_scan_requeues_lost_rows_and_reclaims_lapsed_leases_idempotently(settings):
    row = sms_row()
    now = timezone.now()
    Delivery.objects.filter(pk=row.pk).update(enqueued_at=None)
    first = actions.scan_deliveries(now=now, enqueue=False)
    second = actions.scan_deliveries(now=now, enqueue=False)
    assert (first.queued, second.queued) == ([row.pk], [])
    lease = dt.timedelta(seconds=settings.NOTICE_SENDING_LEASE_SECONDS + 1)
    Delivery.objects.filter(pk=row.pk).update(status="sending", claimed_at=now - lease)
    result = actions.scan_deliveries(now=now + lease, enqueue=False)
    assert result.reclaimed == 1 and result.queued == [row.pk]
