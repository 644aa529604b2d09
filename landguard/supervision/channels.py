"""Outside notification channels: 企业微信 and 钉钉 group robots, and a generic SMS gateway.

Each adapter turns (title, text) into the HTTP request its service documents:

- 企业微信群机器人: POST the robot's webhook URL (…/cgi-bin/webhook/send?key=…) with
  {"msgtype": "text", "text": {"content": …, "mentioned_mobile_list": [...]}}; success is {"errcode": 0}.
- 钉钉自定义机器人: POST …/robot/send?access_token=… with
  {"msgtype": "text", "text": {"content": …}, "at": {"atMobiles": [...], "isAtAll": false}}; with 加签 the URL
  also carries timestamp (ms) and sign = urlencode(base64(HmacSHA256(secret, "{timestamp}\\n{secret}")));
  success is {"errcode": 0}.
- SMS gateway (vendor-neutral): POST {"phones": [...], "content": "【title】text"} with an optional
  "Authorization: Bearer <token>"; any 2xx is success. A vendor with another shape gets its own adapter here.

`deliver_due` sends pending deliveries: each row is claimed with a conditional UPDATE (pending → sending),
so two workers never send one message twice, then marked sent, or put back with a doubling pause until
its attempts run out (failed). The in-app inbox (landguard.inbox) does not go through here: its messages are
written in the same transaction as the task itself and cannot fail separately.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.db.models import F

from landguard.core import clock
from landguard.supervision import tunables
from landguard.supervision.models import Channel, Delivery

log = logging.getLogger(__name__)
STALE_SENDING = dt.timedelta(minutes=10)  # a worker that died mid-send leaves the row "sending"


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def build_request(channel: Channel, title: str, text: str, *, now_ms: int | None = None) -> Request:
    phones = channel.phone_list()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    content = f"{title}\n{text}"
    if channel.kind == Channel.Kind.WECOM:
        payload = {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": phones}}
        url = channel.url
    elif channel.kind == Channel.Kind.DINGTALK:
        payload = {"msgtype": "text", "text": {"content": content}, "at": {"atMobiles": phones, "isAtAll": False}}
        url = channel.url
        if channel.secret:
            timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
            digest = hmac.new(channel.secret.encode(), f"{timestamp}\n{channel.secret}".encode(),
                              hashlib.sha256).digest()
            sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
    else:
        payload = {"phones": phones, "content": f"【{title}】{text}"}
        url = channel.url
        if channel.secret:
            headers["Authorization"] = f"Bearer {channel.secret}"
    return Request(url, json.dumps(payload, ensure_ascii=False).encode(), headers)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    error: str = ""


def send(channel: Channel, title: str, text: str) -> Outcome:
    request = build_request(channel, title, text)
    http = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    try:
        with urllib.request.urlopen(http,
                                    timeout=float(tunables.get("SUPERVISION_DELIVERY_TIMEOUT_SECONDS"))) as response:
            status, body = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        return Outcome(False, exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return Outcome(False, None, str(getattr(exc, "reason", exc))[:300])
    if channel.kind in (Channel.Kind.WECOM, Channel.Kind.DINGTALK):
        # Both robots answer 200 even when they refuse a message; the verdict is errcode.
        try:
            answer = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Outcome(False, status, "invalid JSON answer")
        if answer.get("errcode") != 0:
            return Outcome(False, status, f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300])
    return Outcome(True, status)


def deliver_due(*, limit: int = 100) -> int:
    """Send the deliveries that are due; returns how many were sent successfully."""
    now = clock.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, next_attempt_at__lt=now - STALE_SENDING).update(
        status=Delivery.Status.PENDING)
    sent = 0
    due = list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    for pk in due:
        claimed = Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
        if not claimed:  # another worker took it
            continue
        delivery = Delivery.objects.select_related("channel").get(pk=pk)
        outcome = send(delivery.channel, delivery.title, delivery.text)
        if outcome.ok:
            Delivery.objects.filter(pk=pk).update(status=Delivery.Status.SENT, sent_at=clock.now(),
                                                  response_status=outcome.status, last_error="")
            sent += 1
            continue
        log.warning("delivery %s to %s failed (attempt %s): %s", pk, delivery.channel, delivery.attempts, outcome.error)
        if delivery.attempts >= int(tunables.get("SUPERVISION_DELIVERY_ATTEMPTS")):
            Delivery.objects.filter(pk=pk).update(status=Delivery.Status.FAILED, response_status=outcome.status,
                                                  last_error=outcome.error)
        else:
            pause = dt.timedelta(
                seconds=float(tunables.get("SUPERVISION_DELIVERY_RETRY_SECONDS")) * 2 ** (delivery.attempts - 1))
            Delivery.objects.filter(pk=pk).update(status=Delivery.Status.PENDING, next_attempt_at=clock.now() + pause,
                                                  response_status=outcome.status, last_error=outcome.error)
    return sent
