"""Reading the audit trail as people read it, in the reader's language: every page that shows a history (the
record pages' timeline, the home's recent entries, the leaders' daily digest) renders through here, so no page
shows a status code, a UTC ISO time, a Python dict or a geometry's WKT.

- a choice shows its label (the target model's choices when known, else the label `snapshot` stored beside the
  code: "county (县重点项目)" → 县重点项目);
- a time shows in Beijing time, "2026-12-06 21:46";
- a geometry shows as a summary: "面状 3 个，12.30 亩" (written since this module) or, for entries written before,
  "面状，156 个顶点" from the fingerprint they stored;
- a dict shows as "label：value；…" (the spatial analysis of a clue: 半径 30 米；耕地（净）2,779.34 平方米 …);
- a note stored as a code with parameters (`note_code`, see landguard.audit.notes) shows in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import notes
from landguard.core.geodesy import SQM_PER_MU

# Change keys that services record beside model fields (what an import or a test send did, not a column), and the
# keys of the dicts some fields hold (a clue's spatial analysis): labelled here so a history never shows a code name.
EXTRA_LABELS = {
    "grids": gettext_lazy("责任网格"),
    "version": gettext_lazy("版本号"),
    "features": gettext_lazy("要素数"),
    "draft": gettext_lazy("草稿"),
    "current_version": gettext_lazy("现行版本"),
    "patch_count": gettext_lazy("图斑数"),
    "test": gettext_lazy("测试结果"),
    "quotas": gettext_lazy("使用指标"),
    "years": gettext_lazy("年度实施计划"),
    "radius_m": gettext_lazy("核查半径（米）"),
    "disc_m2": gettext_lazy("核查范围面积（平方米）"),
    "farmland_gross_m2": gettext_lazy("耕地毛面积（平方米）"),
    "farmland_net_m2": gettext_lazy("耕地净面积（平方米）"),
    "controls": gettext_lazy("管控区占用（平方米）"),
    "layers": gettext_lazy("分析图层"),
    "area_m2": gettext_lazy("面积（平方米）"),
}

GEOMETRY_KINDS = {
    "Point": gettext_lazy("点"), "MultiPoint": gettext_lazy("点"), "LineString": gettext_lazy("线"),
    "MultiLineString": gettext_lazy("线"), "Polygon": gettext_lazy("面状"), "MultiPolygon": gettext_lazy("面状"),
    "GeometryCollection": gettext_lazy("几何集合"),
}
GEOMETRY_MARK = "geometry"  # the key of a stored geometry summary (audit.services.geometry_summary)

_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
_CHOICE = re.compile(r"^(?P<code>[\w.-]*) \((?P<label>.*)\)$", re.S)
_FINGERPRINT = re.compile(r"^(?P<kind>[A-Za-z]+), (?P<n>\d+) vertices, extent \((?P<extent>[^)]*)\)$")


def model_field(model: type[Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[Model] | None, name: str) -> str:
    field = model_field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return str(EXTRA_LABELS.get(name, name))


def choice_label(model: type[Model] | None, name: str, value: Any) -> Any:
    """A stored choice (a status code such as `dispatched`, or snapshot's "code (label)") as its label."""
    field = model_field(model, name)
    choices = {str(k): v for k, v in field.flatchoices} if field is not None and getattr(field, "choices", None) \
        else {}
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) in choices:
        return str(choices[str(value)])
    if isinstance(value, str) and (match := _CHOICE.match(value)):
        code, label = match["code"], match["label"]
        if code in choices:
            return str(choices[code])
        if not code and not label:
            return None  # an empty choice stored as " ()"
        if label and (not choices or code.replace("_", "").isalnum()):
            return label
    return value


def local_time(value: str) -> str | None:
    """An ISO time string as Beijing time, minutes; None when `value` is not one."""
    if not _ISO_TIME.match(value):
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.timezone.utc)
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")


def geometry_text(summary: dict[str, Any]) -> str:
    kind = str(GEOMETRY_KINDS.get(summary.get("type", ""), summary.get("type", "")))
    parts = summary.get("parts") or 1
    if summary.get("type") in ("Point",) and summary.get("centre"):
        lon, lat = summary["centre"]
        return f"{kind} {lon:.5f}, {lat:.5f}"
    text = _("%(kind)s %(n)s 个") % {"kind": kind, "n": parts}
    if summary.get("area_m2") is not None:
        text += _("，%(mu)s 亩") % {"mu": f"{summary['area_m2'] / SQM_PER_MU:,.2f}"}
    return text


def _fingerprint_text(match: re.Match) -> str:
    kind = str(GEOMETRY_KINDS.get(match["kind"], match["kind"]))
    if match["kind"] == "Point":
        lon, lat = (float(v) for v in match["extent"].split(",")[:2])
        return f"{kind} {lon:.5f}, {lat:.5f}"
    return _("%(kind)s，%(n)s 个顶点") % {"kind": kind, "n": match["n"]}


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def value_text(value: Any) -> str:
    """Any stored audit value as text for people (after choice_label has had its chance)."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        if (time := local_time(value)) is not None:
            return time
        if match := _FINGERPRINT.match(value):
            return _fingerprint_text(match)
        if match := _CHOICE.match(value):
            return match["label"] or "—"
        return value
    if isinstance(value, dict):
        if GEOMETRY_MARK in value:
            return geometry_text(value[GEOMETRY_MARK])
        return "；".join(f"{EXTRA_LABELS.get(k, k)}：{value_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):  # a track of points: say how many
            return _("%(n)s 个点") % {"n": len(value)}
        return "、".join(value_text(v) for v in value) or "—"
    return str(value)


def model_of(entry: Any) -> type[Model] | None:
    """The model an entry is about (its target_type, "app.model"), None when it no longer exists."""
    try:
        return apps.get_model(entry.target_type)
    except (LookupError, ValueError):
        return None


def change_rows(entry: Any, model: type[Model] | None) -> list[tuple[str, str, str]]:
    """(field label, before, after) of an audit entry, labelled with the target model's verbose names."""
    rows = []
    for name, pair in (entry.changes or {}).items():
        before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((field_label(model, name), value_text(choice_label(model, name, before)),
                     value_text(choice_label(model, name, after))))
    return rows


def change_summary(entry: Any, limit: int = 4) -> str:
    """One line for a digest: "状态：待解决 → 已提请领导小组；…", a created record's empty "before" left out."""
    parts = []
    for label, before, after in change_rows(entry, model_of(entry))[:limit]:
        parts.append(f"{label}：{after}" if before == "—" else f"{label}：{before} → {after}")
    return "；".join(parts)


def note_text(entry: Any) -> str:
    """An entry's note in the reader's language (landguard.audit.notes)."""
    return notes.text_of(entry)


_DEFAULT_STR = re.compile(r"^\w+ object \((?P<pk>[^)]*)\)$")


def target_text(entry: Any) -> str:
    """The entry's record as it was named; Django's default "Photo object (12)" (written before the model had a
    name) as the model's verbose name and number."""
    match = _DEFAULT_STR.match(entry.target_repr or "")
    if match is None:
        return entry.target_repr
    model = model_of(entry)
    return f"{model._meta.verbose_name if model is not None else entry.target_type} #{match['pk']}"


def actor_text(entry: Any) -> str:
    """The actor as recorded; the platform itself ("系统") in the reader's language."""
    return gettext(entry.actor_name) if entry.actor_name == "系统" else entry.actor_name
