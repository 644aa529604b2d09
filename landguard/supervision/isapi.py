"""A camera's own event push in Hikvision's ISAPI form, read into an Alarm — so a tower camera pushes to
LandGuard directly, without a relay written for it.

What a device sends (Hikvision ISAPI developer guide, "event messages"; samples in tests/supervision/data/):
an `EventNotificationAlert` XML document (namespaces vary by firmware: hikvision.com/ver20, isapi.org/ver20,
psialliance-org for older NVRs), either alone (application/xml) or as one part of a multipart body whose other
part is the JPEG snapshot (a part that often carries no file name, so it is read from the raw body here rather
than through Django's form parser, which would decode it as text). Heartbeats and "inactive" (event ended)
messages are acknowledged and not stored.

Such an event names the device and channel, never the target's position: it becomes an alarm at the camera,
位置待核 (intake.Alarm.at_camera), unless the message carries longitude/latitude elements (some PTZ and
thermal models do).
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import hashlib
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from landguard.supervision.intake import Alarm

# Event types as the device names them → how a bureau calls them (the note of the alarm, in the language of
# the request; devices send no Accept-Language, so Chinese).
EVENT_NAMES = {
    "fielddetection": gettext_lazy("区域入侵侦测"),
    "linedetection": gettext_lazy("越界侦测"),
    "regionentrance": gettext_lazy("进入区域侦测"),
    "regionexiting": gettext_lazy("离开区域侦测"),
    "vmd": gettext_lazy("移动侦测"),
    "pir": gettext_lazy("人体感应"),
    "tamperdetection": gettext_lazy("视频遮挡"),
    "firedetection": gettext_lazy("火点检测"),
    "smokedetection": gettext_lazy("烟雾检测"),
}
TARGET_NAMES = {"human": gettext_lazy("人员"), "vehicle": gettext_lazy("车辆"), "others": gettext_lazy("其他目标")}
IGNORED_TYPES = {"heartbeat", "videoloss"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_blank_text=True)
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);)")


class IsapiError(ValueError):
    """The message is not a readable ISAPI event: `field` names what is wrong, `status` the HTTP answer."""

    def __init__(self, message: str, field: str = "body", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


@dataclass(frozen=True)
class Event:
    """What the device said, before LandGuard decides what it is."""

    event_type: str
    state: str
    device: str  # MAC address, else serial number, else IP address
    channel: str
    channel_name: str
    observed_at: dt.datetime
    count: str  # activePostCount: the device's running number of this event
    fields: dict[str, str]
    lon: float | None = None
    lat: float | None = None
    image: bytes | None = None

    @property
    def ignored(self) -> bool:
        """A heartbeat, or the end of an event already reported: acknowledged, nothing stored."""
        return self.event_type.lower() in IGNORED_TYPES or self.state.lower() == "inactive"

    def camera_codes(self) -> list[str]:
        """The codes a bureau may have registered this camera under, the most specific first."""
        ids = [v for v in (self.fields.get("macAddress", "").lower(), self.fields.get("serialNumber", ""),
                           self.fields.get("ipAddress", "")) if v]
        codes = [f"{i}/{self.channel}" for i in ids if self.channel] + ids
        return list(dict.fromkeys(codes + ([self.channel_name] if self.channel_name else [])))

    def event_id(self) -> str:
        """One alarm per device event: a device that repeats a push (no answer in time) sends the same values."""
        key = f"isapi:{self.device}:{self.channel}:{self.event_type}:{self.observed_at.isoformat()}:{self.count}"
        return key if len(key) <= 100 else "isapi:" + hashlib.sha256(key.encode()).hexdigest()

    def note(self) -> str:
        kind = EVENT_NAMES.get(self.event_type.lower())
        text = f"{kind}（{self.event_type}）" if kind else self.fields.get("eventDescription") or self.event_type
        target = self.fields.get("detectionTarget") or self.fields.get("targetType")
        if target:
            text += _("，目标：%(target)s") % {"target": TARGET_NAMES.get(target, target)}
        if self.channel_name:
            text += _("，通道：%(name)s") % {"name": self.channel_name}
        return text

    def alarm(self, camera_code: str) -> Alarm:
        return Alarm(event_id=self.event_id(), camera_code=camera_code, observed_at=self.observed_at, lon=self.lon,
                     lat=self.lat, note=self.note(), image=self.image,
                     image_name=f"{self.event_type}-{self.channel or 0}.jpg" if self.image else "",
                     payload={"isapi": self.fields})


def read(body: bytes, content_type: str) -> Event:
    """The event in a device's push body (XML alone, or multipart with a snapshot)."""
    xml, image = _parts(body, content_type)
    return _event(_document(xml), image)


def _parts(body: bytes, content_type: str) -> tuple[bytes, bytes | None]:
    if not content_type.lower().startswith("multipart/"):
        return body, None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise IsapiError(_("multipart 报文缺少分隔符（boundary）"))
    xml = image = None
    for part in message.iter_parts():
        payload = part.get_payload(decode=True) or b""
        kind = part.get_content_type()
        if xml is None and ("xml" in kind or payload.lstrip().startswith((b"<?xml", b"<EventNotificationAlert"))):
            xml = payload
        elif image is None and (kind.startswith("image/") or payload[:3] == b"\xff\xd8\xff"):
            image = payload
    if xml is None:
        raise IsapiError(_("multipart 报文中没有 EventNotificationAlert XML 部分"))
    return xml, image


def _document(xml: bytes) -> etree._Element:
    if not xml.strip():
        raise IsapiError(_("请求体为空"))
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError:
        try:  # some firmwares write a bare & (e.g. in <eventPush>)
            root = etree.fromstring(_BARE_AMPERSAND.sub(b"&amp;", xml), _PARSER)
        except etree.XMLSyntaxError as error:
            raise IsapiError(_("XML 格式错误：%(detail)s") % {"detail": error}) from None
    if etree.QName(root).localname != "EventNotificationAlert":
        raise IsapiError(_("不是 EventNotificationAlert 报文（根元素为 %(name)s）")
                         % {"name": etree.QName(root).localname})
    return root


def _event(root: etree._Element, image: bytes | None) -> Event:
    fields: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or len(element):
            continue
        name = etree.QName(element).localname
        if element.text and element.text.strip() and name not in fields:
            fields[name] = element.text.strip()
    event_type = fields.get("eventType", "")
    if not event_type:
        raise IsapiError(_("缺少 eventType"), "eventType")
    raw_time = fields.get("dateTime", "")
    parsed = parse_datetime(raw_time)
    if parsed is None:
        raise IsapiError(_("dateTime“%(value)s”不是 ISO 8601 时间") % {"value": raw_time[:40]}, "dateTime")
    observed_at = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed  # naive: Beijing time
    device = fields.get("macAddress", "").lower() or fields.get("serialNumber", "") or fields.get("ipAddress", "")
    lon, lat = _number(fields.get("longitude")), _number(fields.get("latitude"))
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90) or (lon == 0 and lat == 0):
        lon = lat = None
    return Event(event_type=event_type, state=fields.get("eventState", "active"), device=device,
                 channel=fields.get("channelID") or fields.get("dynChannelID", ""),
                 channel_name=fields.get("channelName", ""),
                 observed_at=observed_at, count=fields.get("activePostCount", ""), fields=fields, lon=lon, lat=lat,
                 image=image)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
