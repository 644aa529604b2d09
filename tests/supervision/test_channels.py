"""Pushes to 企业微信 / 钉钉 group robots and an SMS gateway, against a local HTTP server on 127.0.0.1: the
documented JSON payloads, the 钉钉 signature, retries with a doubling pause, failure after the last attempt."""

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
from django.test import override_settings

from landguard.core import clock
from landguard.supervision import channels, intake, notify, verification
from landguard.supervision.models import Channel, Delivery

pytestmark = pytest.mark.django_db


class Robot:
    """A local stand-in for the robots and the gateway: records requests, answers from a script."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.requests.append({"path": self.path, "body": json.loads(body), "headers": dict(self.headers)})
                status, answer = robot.answers.pop(0) if robot.answers else (200, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    r = Robot()
    yield r
    r.close()


@pytest.fixture
def task(spot, county, county_admin):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：挖塘", county=county)
    return verification.dispatch(actor=county_admin, clue=clue)


def channel(kind, url, **extra):
    return Channel.objects.create(kind=kind, name=f"{kind} 测试", url=url, region_code="371525", **extra)


def test_a_dispatch_queues_one_delivery_per_channel_of_the_region(robot, spot, county, county_admin):
    channel("wecom", f"{robot.url}/cgi-bin/webhook/send?key=K")
    Channel.objects.create(kind="sms", name="莘县短信", url=f"{robot.url}/sms", region_code="371522")
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报", county=county)
    task = verification.dispatch(actor=county_admin, clue=clue)
    assert [d.channel.kind for d in Delivery.objects.filter(task=task)] == ["wecom"]


def test_wecom_robot_gets_its_text_payload(robot, task):
    channel("wecom", f"{robot.url}/cgi-bin/webhook/send?key=K", phones="13800000000")
    notify.push(task=task, users=[], code="inbox.text", params={"title": "核查任务", "body": "请处理"})
    assert channels.deliver_due() == 1
    (request,) = robot.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=K"
    assert request["body"] == {"msgtype": "text",
                               "text": {"content": "核查任务\n请处理", "mentioned_mobile_list": ["13800000000"]}}
    assert Delivery.objects.get(task=task, channel__kind="wecom").status == Delivery.Status.SENT


def test_dingtalk_robot_gets_its_payload_and_a_valid_signature(robot, task):
    channel("dingtalk", f"{robot.url}/robot/send?access_token=T", secret="SECabc", phones="13900000000")
    notify.push(task=task, users=[], code="inbox.text", params={"title": "超时督办", "body": "到场超时"})
    channels.deliver_due()
    (request,) = robot.requests
    assert request["body"] == {"msgtype": "text", "text": {"content": "超时督办\n到场超时"},
                               "at": {"atMobiles": ["13900000000"], "isAtAll": False}}
    query = urllib.parse.parse_qs(urllib.parse.urlparse(request["path"]).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest()).decode()
    assert query["access_token"] == ["T"] and query["sign"] == [expected]


def test_sms_gateway_gets_phones_content_and_bearer_token(robot, task):
    channel("sms", f"{robot.url}/sms/send", secret="tok", phones="13800000000,13900000000")
    robot.answers.append((202, {"accepted": True}))
    notify.push(task=task, users=[], code="inbox.text", params={"title": "核查任务", "body": "请处理"})
    assert channels.deliver_due() == 1
    (request,) = robot.requests
    assert request["body"] == {"phones": ["13800000000", "13900000000"], "content": "【核查任务】请处理"}
    assert request["headers"]["Authorization"] == "Bearer tok"


@override_settings(SUPERVISION_DELIVERY_RETRY_SECONDS=60, SUPERVISION_DELIVERY_ATTEMPTS=3)
def test_a_failed_delivery_is_retried_after_a_doubling_pause_then_given_up(robot, task):
    channel("wecom", f"{robot.url}/hook")
    robot.answers += [(500, {}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"}), (500, {})]
    start = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.timezone.utc)
    with clock.frozen(start):
        notify.push(task=task, users=[], code="inbox.text", params={"title": "t", "body": "x"})
        channels.deliver_due()
    delivery = Delivery.objects.get(task=task, channel__kind="wecom")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60)
    with clock.frozen(start + dt.timedelta(seconds=30)):
        assert channels.deliver_due() == 0 and len(robot.requests) == 1  # not due yet
    with clock.frozen(start + dt.timedelta(seconds=61)):
        channels.deliver_due()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "93000" in delivery.last_error  # a robot's errcode is a failure
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=61 + 120)
    with clock.frozen(start + dt.timedelta(seconds=400)):
        channels.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3


def test_an_unreachable_channel_is_logged_not_raised(task):
    channel("sms", "http://127.0.0.1:9/closed")
    notify.push(task=task, users=[], code="inbox.text", params={"title": "t", "body": "x"})
    assert channels.deliver_due() == 0
    delivery = Delivery.objects.get(task=task, channel__kind="sms")
    assert delivery.status == "pending" and delivery.last_error


def test_an_admin_is_warned_on_the_overview_until_a_push_channel_reaches_the_scope(client_for, county_admin,
                                                                                 township_officer):
    url = "/supervision/"
    Channel.objects.all().delete()
    page = client_for(county_admin).get(url).content.decode()
    assert 'data-warning="no-push-channel"' in page and "尚未配置推送渠道" in page
    assert 'data-warning="no-push-channel"' not in client_for(township_officer).get(url).content.decode()
    # A channel of the city above the county reaches it (a task goes to its region's and every ancestor's channels).
    Channel.objects.create(kind=Channel.Kind.WECOM, name="聊城市局群", url="http://127.0.0.1:9/x", region_code="3715")
    assert 'data-warning="no-push-channel"' not in client_for(county_admin).get(url).content.decode()
    Channel.objects.update(is_active=False)
    assert 'data-warning="no-push-channel"' in client_for(county_admin).get(url).content.decode()
